//! The profile's value rules over a run: each user's projected values checked by a
//! [`Checker`] (on whichever thread evaluated the user) into a [`Batch`], then settled in
//! input order by a [`Tally`] (`unique`, counts, the violation lines).

use super::{Computed, Plan, Processed};
use crate::profile::values::{Batch, Checker, Tally, Violation};
use std::borrow::Cow;
use std::io::{self, Write};

/// Users the one-thread path checks before settling them (the threaded path settles a chunk).
pub const BATCH_USERS: usize = 1024;

/// The checks of one run.
pub struct Checks<'a> {
    pub checker: &'a Checker,
    pub tally: Tally,
    /// Print one JSON line per violation on the run's output (`--output violations`).
    pub print: bool,
    /// Users checked and not yet settled (the one-thread path).
    pending: Batch,
}

impl<'a> Checks<'a> {
    pub fn new(checker: &'a Checker, print: bool) -> Checks<'a> {
        Checks {
            checker,
            tally: Tally::new(checker),
            print,
            pending: Batch::default(),
        }
    }

    /// Settles a batch of users (the next in input order), writing its violation lines when
    /// printing.
    pub fn settle(&mut self, batch: &Batch, out: &mut dyn Write) -> io::Result<()> {
        if !self.print {
            self.tally.settle(self.checker, batch, None);
            return Ok(());
        }
        let mut result = Ok(());
        let mut line = Vec::new();
        self.tally.settle(
            self.checker,
            batch,
            Some(&mut |v: &Violation| {
                if result.is_ok() {
                    line.clear();
                    let _ = serde_json::to_writer(&mut line, &v.to_json());
                    line.push(b'\n');
                    result = out.write_all(&line);
                }
            }),
        );
        result
    }

    /// Checks one user, settling the users checked so far when there are [`BATCH_USERS`]
    /// (violation lines are the only output when they are printed, so settling later keeps
    /// the output's order).
    pub fn user(
        &mut self,
        plan: &Plan,
        p: &Processed<'_, '_>,
        out: &mut dyn Write,
    ) -> io::Result<()> {
        let mut pending = std::mem::take(&mut self.pending);
        user_check(plan, self.checker, p, &mut pending);
        let result = if pending.users() >= BATCH_USERS {
            let r = self.settle(&pending, out);
            pending.clear();
            r
        } else {
            Ok(())
        };
        self.pending = pending;
        result
    }

    /// Settles the users checked by [`Checks::user`] and not yet settled.
    pub fn finish(&mut self, out: &mut dyn Write) -> io::Result<()> {
        let pending = std::mem::take(&mut self.pending);
        let result = self.settle(&pending, out);
        self.pending = pending;
        self.pending.clear();
        result
    }
}

/// The mapping index writing each target, for [`Checker::new`].
pub fn finder(plan: &Plan) -> impl Fn(&str) -> Option<usize> + '_ {
    |target: &str| {
        plan.mappings
            .iter()
            .position(|m| m.target.eq_ignore_ascii_case(target))
    }
}

/// Adds one user to `batch`. Users Entra would not create or update (soft-deleted: disabled,
/// deleted, unassigned, out of scope) are counted but not checked.
pub fn user_check(plan: &Plan, checker: &Checker, p: &Processed<'_, '_>, batch: &mut Batch) {
    if p.result.soft_deleted.is_some() {
        batch.skip();
        return;
    }
    let value = |i: usize| -> Option<Cow<'_, str>> {
        let m = plan.mappings.get(i)?;
        let v = match p.evaluated.computed.get(i)? {
            Computed::Value(v) => Some(&**v),
            Computed::NoValue => m.default.as_ref(),
            _ => None,
        }?;
        match v.text() {
            Ok(t) => t,
            Err(_) => Some(Cow::Owned(v.texts().join(","))),
        }
    };
    checker.check(&p.result.user, value, batch);
}
