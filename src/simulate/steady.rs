//! The steady-state check: does the mapping ever settle?
//!
//! Cycle 1 runs against the target state and its writes are applied to an in-memory app that
//! keeps only what the profile says the app persists. Cycle 2 then runs 40 minutes later (with
//! fresh `Guid()`/`RandomString()` streams, as Entra's next cycle would have). Every write
//! cycle 2 still sends (POST or PATCH; matching queries are reads) is reported with the mappings
//! that cause it. A mapping is steady when cycle 2 sends nothing.

use super::app::App;
use super::requests::Method;
use super::{Detail, Event, Options, Plan, Processed, Summary, cycle};
use crate::catalogue::FunctionSpec;
use crate::check;
use crate::profile::Profile;
use jiff::SignedDuration;
use serde_json::{Map, Value as Json};
use std::io::{self, Write};

use super::users::UserReader;

/// What the check found.
#[derive(Debug, Clone, Default)]
pub struct SteadyReport {
    pub cycle1: Summary,
    pub cycle2: Summary,
    /// Writes cycle 2 still sends.
    pub writes: u64,
    /// Users cycle 2 still writes to.
    pub users: u64,
    /// Per target: how many users cycle 2 still sends it for, and why (in plan order).
    pub targets: Vec<(String, u64, String)>,
}

impl SteadyReport {
    pub fn is_steady(&self) -> bool {
        self.writes == 0
    }
}

fn nondeterministic(plan: &Plan, i: usize) -> bool {
    plan.mappings[i]
        .expr
        .as_ref()
        .is_some_and(|c| check::calls(c.expr(), FunctionSpec::non_deterministic))
}

/// Why a mapping still flows in cycle 2.
pub fn cause(plan: &Plan, profile: Option<&Profile>, i: usize) -> String {
    if let Some(p) = profile
        && !p.persists(&plan.mappings[i].target)
    {
        return format!(
            "{} does not persist it: Entra finds it missing and sends it again on every cycle",
            p.name
        );
    }
    if nondeterministic(plan, i) {
        return "the expression calls Now, Guid or RandomString, so its value changes on every cycle"
            .into();
    }
    "the value the app keeps differs from the mapping's value".into()
}

/// Runs the check. `open_users` opens the users input (it is read twice). Cycle 2's writes are
/// written to `out` as JSON Lines, each with its `causes`.
pub fn check(
    plan: &Plan,
    options: &Options,
    open_users: &dyn Fn() -> io::Result<UserReader>,
    mut app: App,
    profile: Option<&Profile>,
    out: &mut dyn Write,
    events: &mut dyn FnMut(Event<'_>),
) -> io::Result<SteadyReport> {
    if let Some(p) = profile {
        app = app.persisting(p);
    }
    // Fingerprints instead of trees: memory stays small over a whole tenant.
    app = app.compact(plan);
    let cycle1 = cycle(
        plan,
        options,
        1,
        open_users()?,
        &mut app,
        true,
        Detail::Requests,
        &mut |_| Ok(()),
        events,
    )?;
    let mut report = SteadyReport {
        cycle1,
        ..SteadyReport::default()
    };
    let later = Options {
        now: options
            .now
            .checked_add(SignedDuration::from_mins(40))
            .unwrap_or(options.now),
        ..*options
    };
    let mut per_target = vec![0u64; plan.mappings.len()];
    let mut line = Vec::with_capacity(1024);
    let mut sink = |p: &Processed<'_, '_>| -> io::Result<()> {
        let mut wrote = false;
        for r in &p.result.requests {
            if r.method == Method::Get {
                continue;
            }
            wrote = true;
            report.writes += 1;
            let mut causes = Vec::new();
            for &i in &r.causes {
                per_target[i] += 1;
                let mut c = Map::new();
                c.insert("target".into(), plan.mappings[i].target.clone().into());
                c.insert(
                    "expression".into(),
                    plan.mappings[i]
                        .text
                        .clone()
                        .map_or(Json::Null, Json::String),
                );
                c.insert("why".into(), cause(plan, profile, i).into());
                causes.push(Json::Object(c));
            }
            let mut extra = Map::new();
            extra.insert("cycle".into(), 2.into());
            if r.method == Method::Post {
                extra.insert(
                    "why".into(),
                    "cycle 2 cannot find the user it created in cycle 1 (the app does not keep the matching attribute), so it creates it again"
                        .into(),
                );
            }
            extra.insert("causes".into(), Json::Array(causes));
            line.clear();
            r.write_line(&mut line, &p.result.user, Some(&extra));
            out.write_all(&line)?;
        }
        if wrote {
            report.users += 1;
        }
        Ok(())
    };
    report.cycle2 = cycle(
        plan,
        &later,
        2,
        open_users()?,
        &mut app,
        false,
        Detail::Requests,
        &mut sink,
        events,
    )?;
    report.targets = per_target
        .iter()
        .enumerate()
        .filter(|(_, n)| **n > 0)
        .map(|(i, n)| (plan.mappings[i].target.clone(), *n, cause(plan, profile, i)))
        .collect();
    Ok(report)
}
