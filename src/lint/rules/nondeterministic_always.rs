use crate::catalogue::Trait;
use crate::check::Checked;
use crate::diagnostic::Severity;
use crate::eval::{self, Context, Value};
use crate::lint::{MappingCx, Rule, RuleMeta, Sink};
use crate::mapping::FlowType;
use crate::syntax::{Expr, ExprKind};
use jiff::{SignedDuration, Timestamp};
use std::collections::BTreeMap;

crate::declare_rule! {
    /// ## What it does
    /// Reports a mapping applied always (not only on create) whose value changes without its
    /// inputs changing: `Guid()` and `RandomString(…)` (a new value on every evaluation) and
    /// `Now()` where its value reaches the result to the minute or second. `Now()` behind a
    /// day-granularity threshold, as in Microsoft's pre-hire logic
    /// `IIF(DateDiff("d", Now(), CDate([StatusHireDate])) <= 14, "False", "True")`, changes the
    /// value on one day only: that gets an info, not a warning. The verdict comes from evaluating
    /// the expression at instants a second, a minute and a day apart. An expression that is a
    /// creation-only function (`SelectUniqueValue(…Guid()…)`) is evaluated on create only, and is
    /// not reported.
    ///
    /// ## Why it matters
    /// A value that changes on every evaluation makes every provisioning cycle see a change and
    /// PATCH every user again: the app never reaches a steady state, and an initial password or
    /// a generated id is overwritten each time. A threshold over the date is intended: moving it
    /// to on-create would freeze the value (a pre-hire account would stay disabled).
    ///
    /// ## Example
    /// ```yaml
    /// - target: password
    ///   source: RandomString(12, 1, 1, 1, 1)
    /// ```
    ///
    /// ## Fix
    /// Apply the mapping only during creation (`flow: on-create`; `flowType: ObjectAddOnly` in
    /// Graph). Leave day thresholds as they are.
    pub struct NondeterministicAlways {
        code: "EM016",
        name: "nondeterministic-always",
        severity: Warning,
        summary: "a value that changes on every cycle in a mapping applied always",
    }
}

/// How a mapping's value depends on the clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockDependence {
    /// The value differs between evaluations a second or a minute apart.
    EveryEvaluation,
    /// The value is stable within a day and changes on a few days only (a threshold).
    Threshold,
    /// The value is stable within a day and changes from day to day (a date).
    Daily,
    /// No change seen.
    None,
}

/// Fillers tried for the attributes an expression reads: a date, a text, a number.
const FILLERS: [&str; 3] = ["2024-06-03T09:00:00Z", "sample", "1"];

/// Evaluates `checked` at instants a second, a minute and days apart (over 801 days, every
/// third day), with every attribute it
/// reads set to a filler under which it evaluates.
pub fn clock_dependence(checked: &Checked) -> ClockDependence {
    let mut names: Vec<&str> = Vec::new();
    checked.expr().walk(&mut |n| {
        if let ExprKind::Attribute(a) = &n.kind
            && !names.contains(&a.as_str())
        {
            names.push(a);
        }
    });
    let base: Timestamp = "2024-06-03T09:00:00Z"
        .parse()
        .unwrap_or(Timestamp::UNIX_EPOCH);
    let mut verdict = ClockDependence::None;
    for filler in FILLERS {
        let attrs: BTreeMap<String, Value> = names
            .iter()
            .map(|n| (n.to_string(), Value::Str(filler.to_string())))
            .collect();
        let ctx = Context::new(&attrs)
            .with_seed(0)
            .with_budget(crate::lint::EVAL_BUDGET);
        let at = |t: Timestamp| eval::evaluate(checked, &ctx.with_now(t)).ok();
        let shift = |t: Timestamp, secs: i64| t.checked_add(SignedDuration::from_secs(secs)).ok();
        let Some(first) = at(base) else { continue };
        // Days around the filler date, so that thresholds of a year either way are crossed;
        // at each, whether a second or a minute later gives another value. A threshold is
        // crossed at one instant; a value that carries the time changes at almost every one.
        let mut previous = first;
        let (mut sampled, mut moving, mut days) = (0u32, 0u32, 0u32);
        // Every third day (and at another hour each time): enough to see a threshold crossed
        // and a daily change, at a bounded number of evaluations.
        for day in (-400i64..=400).step_by(3) {
            let Some(t) = shift(base, day * 86_400 + day.rem_euclid(7) * 3_607) else {
                continue;
            };
            // An evaluation that fails here (over its budget, a date out of range) ends the
            // sweep: the verdict so far stands.
            let Some(v) = at(t) else { break };
            sampled += 1;
            if [1, 60]
                .into_iter()
                .any(|secs| shift(t, secs).and_then(at).is_some_and(|w| w != v))
            {
                moving += 1;
            }
            if v != previous {
                days += 1;
            }
            previous = v;
            if moving > 8 {
                return ClockDependence::EveryEvaluation;
            }
        }
        if sampled > 0 && moving * 2 > sampled {
            return ClockDependence::EveryEvaluation;
        }
        verdict = match days + moving {
            0 => ClockDependence::None,
            1..=4 => ClockDependence::Threshold,
            _ => ClockDependence::Daily,
        };
        // Daily values change at every sample; a threshold at one or two.
        return verdict;
    }
    verdict
}

fn calls_clock(expr: &Expr) -> bool {
    crate::check::calls(expr, |f| f.has(Trait::Clock))
}

impl Rule for NondeterministicAlways {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_mapping(&self, cx: &MappingCx, out: &mut Sink) {
        if cx.mapping.flow_type != FlowType::Always {
            return;
        }
        let (Some(expr), Some(check)) = (cx.expr, cx.check) else {
            return;
        };
        // A creation-only function (SelectUniqueValue) is evaluated by Entra when the object is
        // created, whatever the mapping's flow: what it generates is never regenerated.
        if crate::lint::known_call(expr).is_some_and(|(_, spec)| spec.has(Trait::CreationOnly)) {
            return;
        }
        // Random values: a finding at each call.
        expr.walk(&mut |node| {
            if let ExprKind::Call(call) = &node.kind
                && call.func.is_some_and(|id| id.spec().has(Trait::Random))
            {
                let mut finding = cx.at_expr(
                    &Self::META,
                    call.name_span,
                    format!(
                        "`{}()` changes on every cycle, and this mapping is applied always",
                        call.name
                    ),
                );
                finding.diagnostic.help = Some(ON_CREATE.into());
                out.push(finding);
            }
        });
        // The clock: judged by evaluation, once for the mapping.
        if !calls_clock(expr) {
            return;
        }
        let Some(checked) = check.runnable() else {
            return;
        };
        let (message, help, severity) = match clock_dependence(checked) {
            ClockDependence::EveryEvaluation => (
                "`Now()` reaches the value to the minute or second, so it changes on every cycle, and this mapping is applied always",
                ON_CREATE,
                Severity::Warning,
            ),
            ClockDependence::Daily => (
                "the value follows the date through `Now()`: it changes once a day, and Entra updates every user then",
                "apply it only during object creation if the first value is enough; a daily update is otherwise harmless",
                Severity::Info,
            ),
            ClockDependence::Threshold => (
                "the value follows the date through `Now()`: it changes on the day a threshold is crossed, and Entra updates the user then",
                "nothing to change if that is the intent (pre-hire accounts enabled on the start date); do not move it to on-create, which would freeze the value",
                Severity::Info,
            ),
            ClockDependence::None => return,
        };
        let mut span = expr.span;
        expr.walk(&mut |n| {
            if let ExprKind::Call(call) = &n.kind
                && call.func.is_some_and(|id| id.spec().has(Trait::Clock))
            {
                span = call.name_span;
            }
        });
        let mut finding = cx.at_expr(&Self::META, span, message);
        finding.diagnostic.help = Some(help.into());
        finding.diagnostic.severity = severity;
        out.push(finding);
    }
}

const ON_CREATE: &str = "apply the mapping only during object creation (YAML `flow: on-create`, Graph `flowType: ObjectAddOnly`)";

#[cfg(test)]
mod tests {
    use super::*;

    fn dependence(text: &str) -> ClockDependence {
        clock_dependence(&crate::check::checked(crate::syntax::parse(text).unwrap()).unwrap())
    }

    #[test]
    fn now_is_judged_by_what_reaches_the_value() {
        assert_eq!(
            dependence(
                r#"IIF(DateDiff("d", Now(), CDate([StatusHireDate])) <= 14, "False", "True")"#
            ),
            ClockDependence::Threshold
        );
        assert_eq!(
            dependence(r#"FormatDateTime(Now(), "M/d/yyyy h:mm:ss tt", "yyyyMMddHHmmss")"#),
            ClockDependence::EveryEvaluation
        );
        assert_eq!(
            dependence(r#"Join("", Now())"#),
            ClockDependence::EveryEvaluation
        );
        assert_eq!(
            dependence(r#"FormatDateTime(Now(), "M/d/yyyy h:mm:ss tt", "yyyy-MM-dd")"#),
            ClockDependence::Daily
        );
        assert_eq!(
            dependence(r#"IIF(DateDiff("yyyy", Now(), "2000-01-01") < 0, "past", "future")"#),
            ClockDependence::None
        );
    }
}
