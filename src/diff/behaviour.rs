//! What a change does to real users: both mappings evaluated for every user, on all cores,
//! through the simulator's plan, evaluation and reader ([`crate::simulate::fold`]).
//!
//! For each side a user is either created (not soft-deleted, no expression failed, not skipped
//! by `IgnoreObjectFlow`, matchable), and then each target's value is what the create request
//! (POST) carries, encoded by [`crate::wire`] exactly as `simulate` sends it; or not created.
//! A target's value changes for a user created on both sides whose POST carries a different
//! value for it (or carries it on one side only). Users enter or leave the scoping filter
//! independently of that.

use crate::eval::{self, Context};
use crate::simulate::fold::{self, Counts, Fold};
use crate::simulate::users::{Position, UserReader, UserRecord};
use crate::simulate::{self, Computed, Event, Options, Plan};
use crate::wire::{self, Operation};
use serde::Serialize;
use std::borrow::Cow;

/// How many example users are kept per target.
pub const MAX_EXAMPLES: usize = 3;

/// One user whose value changed: who, and what the POST carried before and after (`None`:
/// the target is not sent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Example {
    pub user: String,
    pub old: Option<String>,
    pub new: Option<String>,
}

/// One target's changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TargetChanges {
    pub target: String,
    /// Users whose value of this target changes.
    pub users: u64,
    /// The first [`MAX_EXAMPLES`] of them, in input order.
    pub examples: Vec<Example>,
}

/// What changes for the users read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Behaviour {
    /// Users read.
    pub users: u64,
    /// Lines or elements of the input that could not be read.
    pub unreadable: u64,
    /// Users created on both sides (the ones whose values are compared).
    pub compared: u64,
    /// Users whose value changes for at least one target.
    pub changed: u64,
    /// Users the new scoping filter admits and the old one did not.
    pub entered_scope: u64,
    /// Users the old scoping filter admitted and the new one does not.
    pub left_scope: u64,
    /// Users created only with the old mapping (left scope, failed or skipped with the new).
    pub created_only_old: u64,
    /// Users created only with the new mapping.
    pub created_only_new: u64,
    /// Targets whose value changes for some user, in the new mapping's order (then the old's).
    pub targets: Vec<TargetChanges>,
}

/// Settings of the behaviour diff.
#[derive(Debug, Clone, Copy)]
pub struct Run {
    pub options: Options,
    /// Worker threads (1: stream on this thread).
    pub threads: usize,
}

/// Evaluates both plans for every user of `users` and tallies what changes.
pub fn run(
    old: &Plan,
    new: &Plan,
    users: UserReader,
    run: Run,
    events: &mut dyn FnMut(Event<'_>),
) -> Behaviour {
    let mut targets: Vec<String> = Vec::new();
    let mut push = |t: &str| {
        if !targets.iter().any(|x| x.eq_ignore_ascii_case(t)) {
            targets.push(t.to_string());
        }
    };
    for m in new.mappings.iter().chain(&old.mappings) {
        push(&m.target);
    }
    let index = |plan: &Plan| -> Vec<Option<usize>> {
        targets
            .iter()
            .map(|t| {
                plan.mappings
                    .iter()
                    .position(|m| m.target.eq_ignore_ascii_case(t))
            })
            .collect()
    };
    let both = Both {
        old_index: index(old),
        new_index: index(new),
        old,
        new,
        options: run.options,
        targets: targets.len(),
    };
    let mut reads: Vec<String> = old.reads.iter().chain(&new.reads).cloned().collect();
    reads.sort();
    reads.dedup();
    let seeded = old.seeded() || new.seeded();
    let (tally, counts): (Tally, Counts) =
        fold::fold_users(&both, users, &reads, seeded, run.threads, events);
    let mut changes: Vec<TargetChanges> = Vec::new();
    for (i, target) in targets.into_iter().enumerate() {
        let users = tally.per_target.get(i).copied().unwrap_or(0);
        if users > 0 {
            changes.push(TargetChanges {
                target,
                users,
                examples: tally.examples.get(i).cloned().unwrap_or_default(),
            });
        }
    }
    Behaviour {
        users: counts.read,
        unreadable: counts.errors,
        compared: tally.compared,
        changed: tally.changed,
        entered_scope: tally.entered,
        left_scope: tally.left,
        created_only_old: tally.only_old,
        created_only_new: tally.only_new,
        targets: changes,
    }
}

struct Both<'p> {
    old: &'p Plan,
    new: &'p Plan,
    old_index: Vec<Option<usize>>,
    new_index: Vec<Option<usize>>,
    options: Options,
    targets: usize,
}

#[derive(Default)]
struct Tally {
    per_target: Vec<u64>,
    examples: Vec<Vec<Example>>,
    compared: u64,
    changed: u64,
    entered: u64,
    left: u64,
    only_old: u64,
    only_new: u64,
}

/// One side's result for one user: whether it is in the scoping filter, and, when the user is
/// created, where each mapping's POST value lies in the buffer.
struct Side {
    in_scope: bool,
    created: bool,
}

/// Evaluates `plan` for the user and writes each mapping's POST value into `buf`, recording its
/// range in `sent` (one per mapping; `None`: not sent).
fn side(
    plan: &Plan,
    options: &Options,
    n: u64,
    user: &mut UserRecord,
    buf: &mut Vec<u8>,
    sent: &mut Vec<Option<(usize, usize)>>,
) -> Side {
    let soft = simulate::derive_soft_deleted(plan, user);
    let user: &UserRecord = user;
    let in_scope = match &soft {
        Some(simulate::scope::SoftDeleted::OutOfScope(_)) => false,
        None => true,
        Some(_) => plan.scope.check(user).is_ok(),
    };
    sent.clear();
    if soft.is_some() {
        return Side {
            in_scope,
            created: false,
        };
    }
    let ctx = Context {
        attributes: user,
        now: options.now,
        seed: simulate::user_seed(options.seed, 1, n),
        existing: &[],
        budget: eval::DEFAULT_BUDGET,
    };
    let evaluated = simulate::evaluate(plan, user, &ctx, false);
    let computed = &evaluated.computed;
    let not_created = Side {
        in_scope,
        created: false,
    };
    if computed
        .iter()
        .any(|c| matches!(c, Computed::Error(_) | Computed::IgnoreObjectFlow))
    {
        return not_created;
    }
    // As the cycle does: a matching value must be text, and one must exist.
    let mut any_matching = false;
    for &i in &plan.matching {
        if let Some(v) = computed[i].value() {
            match v.text() {
                Err(_) => return not_created,
                Ok(Some(_)) => any_matching = true,
                Ok(None) => {}
            }
        }
    }
    if !any_matching && !plan.matching.is_empty() {
        return not_created;
    }
    for (m, c) in plan.mappings.iter().zip(computed) {
        let value = match (c, &m.default) {
            (Computed::Value(v), _) => Some(&**v),
            (Computed::NoValue, Some(d)) => Some(d),
            _ => None,
        };
        let Some(value) = value else {
            sent.push(None);
            continue;
        };
        match wire::encode(value, m.ty, options.mode, Operation::Create) {
            Ok(w) => {
                let start = buf.len();
                w.write(buf, false);
                sent.push(Some((start, buf.len())));
            }
            Err(_) => return not_created,
        }
    }
    Side {
        in_scope,
        created: true,
    }
}

fn show(buf: &[u8], range: Option<(usize, usize)>) -> Option<String> {
    range.map(|(a, b)| String::from_utf8_lossy(&buf[a..b]).into_owned())
}

impl Fold for Both<'_> {
    type Tally = Tally;

    fn user(&self, position: Position, user: &mut UserRecord, n: u64, tally: &mut Tally) {
        if tally.per_target.len() < self.targets {
            tally.per_target.resize(self.targets, 0);
            tally.examples.resize(self.targets, Vec::new());
        }
        thread_local! {
            static BUFFERS: std::cell::RefCell<Buffers> = std::cell::RefCell::default();
        }
        BUFFERS.with_borrow_mut(|b| {
            b.old.clear();
            b.new.clear();
            let old = side(
                self.old,
                &self.options,
                n,
                user,
                &mut b.old,
                &mut b.old_sent,
            );
            let new = side(
                self.new,
                &self.options,
                n,
                user,
                &mut b.new,
                &mut b.new_sent,
            );
            match (old.in_scope, new.in_scope) {
                (false, true) => tally.entered += 1,
                (true, false) => tally.left += 1,
                _ => {}
            }
            match (old.created, new.created) {
                (true, true) => {}
                (true, false) => {
                    tally.only_old += 1;
                    return;
                }
                (false, true) => {
                    tally.only_new += 1;
                    return;
                }
                (false, false) => return,
            }
            tally.compared += 1;
            let mut any = false;
            for t in 0..self.targets {
                let a = self.old_index[t].and_then(|i| b.old_sent[i]);
                let z = self.new_index[t].and_then(|i| b.new_sent[i]);
                let same = match (a, z) {
                    (None, None) => true,
                    (Some((a0, a1)), Some((z0, z1))) => b.old[a0..a1] == b.new[z0..z1],
                    _ => false,
                };
                if same {
                    continue;
                }
                any = true;
                tally.per_target[t] += 1;
                if tally.examples[t].len() < MAX_EXAMPLES {
                    let name = user
                        .id()
                        .map_or_else(|| position.to_string(), Cow::into_owned);
                    tally.examples[t].push(Example {
                        user: name,
                        old: show(&b.old, a),
                        new: show(&b.new, z),
                    });
                }
            }
            if any {
                tally.changed += 1;
            }
        });
    }

    fn merge(&self, into: &mut Tally, later: Tally) {
        if into.per_target.len() < later.per_target.len() {
            into.per_target.resize(later.per_target.len(), 0);
            into.examples.resize(later.examples.len(), Vec::new());
        }
        for (i, n) in later.per_target.into_iter().enumerate() {
            into.per_target[i] += n;
        }
        for (i, ex) in later.examples.into_iter().enumerate() {
            let room = MAX_EXAMPLES.saturating_sub(into.examples[i].len());
            into.examples[i].extend(ex.into_iter().take(room));
        }
        into.compared += later.compared;
        into.changed += later.changed;
        into.entered += later.entered;
        into.left += later.left;
        into.only_old += later.only_old;
        into.only_new += later.only_new;
    }
}

/// Each thread's reusable buffers for the two sides' POST values.
#[derive(Default)]
struct Buffers {
    old: Vec<u8>,
    new: Vec<u8>,
    old_sent: Vec<Option<(usize, usize)>>,
    new_sent: Vec<Option<(usize, usize)>>,
}
