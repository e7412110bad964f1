//! The profile's value rules over a run: each user's projected values checked by a
//! [`Checker`] (on whichever thread evaluated the user), then settled in input order by a
//! [`Tally`] (`unique`, counts, the violation lines).

use super::{Computed, Plan, Processed};
use crate::profile::values::{Checker, Tally, UserCheck, Violation};
use std::borrow::Cow;
use std::io::{self, Write};

/// The checks of one run.
pub struct Checks<'a> {
    pub checker: &'a Checker,
    pub tally: Tally,
    /// Print one JSON line per violation on the run's output (`--output violations`).
    pub print: bool,
}

impl<'a> Checks<'a> {
    pub fn new(checker: &'a Checker, print: bool) -> Checks<'a> {
        Checks {
            checker,
            tally: Tally::new(checker),
            print,
        }
    }

    /// Settles one user (in input order), writing its violation lines when printing.
    pub fn settle(&mut self, uc: UserCheck, out: &mut dyn Write) -> io::Result<()> {
        let mut result = Ok(());
        let print = self.print;
        self.tally.settle(self.checker, uc, &mut |v: &Violation| {
            if print && result.is_ok() {
                let mut line = serde_json::to_vec(&v.to_json()).unwrap_or_default();
                line.push(b'\n');
                result = out.write_all(&line);
            }
        });
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

/// What one user gives the checker. Users Entra would not create or update (soft-deleted:
/// disabled, deleted, unassigned, out of scope) are not checked.
pub fn user_check(plan: &Plan, checker: &Checker, p: &Processed<'_, '_>) -> UserCheck {
    if p.result.soft_deleted.is_some() {
        return UserCheck::default();
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
    checker.check(&p.result.user, value)
}
