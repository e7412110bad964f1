//! `--on-demand`: replays a provisionOnDemand response against the local mapping.
//!
//! The import step's details are the user's source values; the matching step's details are what
//! the target holds now. Each enabled attribute mapping of the user object mapping is parsed,
//! checked and evaluated (`parse → check → eval`) with the import values as the user, and its
//! result compared with the target's value: what Entra would send now, or "redundant". Where the
//! response shows Entra doing something else (sending another value, or nothing), the local
//! mapping is not what runs in the tenant.

use super::connect::{self, MappingContext};
use super::event::{Action, Event, StepKind, detail, detail_text};
use super::read::OnDemandResult;
use crate::eval::{self, Context, Outcome, Value};
use crate::mapping::FlowType;
use crate::span::LineIndex;
use crate::{check, syntax};
use serde::Serialize;
use std::collections::HashMap;

/// What the local mapping does with one target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// Entra would send this value now.
    Send,
    /// The target already holds the value: nothing to send.
    Redundant,
    /// The expression yields no value: nothing is sent (clearing is not supported).
    NoValue,
    /// The mapping applies on create only and the user exists in the target.
    CreateOnly,
    /// The expression cannot run or fails for this user.
    Error,
}

#[derive(Debug, Clone, Serialize)]
pub struct Prediction {
    pub target: String,
    pub line: usize,
    pub column: usize,
    pub expression: Option<String>,
    /// What the target holds now (matching step).
    pub current: Option<String>,
    /// What the local mapping computes.
    pub local: Option<String>,
    pub verdict: Verdict,
    pub why: String,
    /// What the response shows Entra sent for this target, if it sent anything.
    pub entra_sent: Option<String>,
    /// The local mapping and the response disagree.
    pub differs_from_log: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct OnDemandReport {
    pub version: u32,
    pub user: String,
    pub result: Option<String>,
    pub result_code: Option<String>,
    pub action: &'static str,
    pub predictions: Vec<Prediction>,
    /// Targets whose local result disagrees with the response.
    pub differs: Vec<String>,
}

impl OnDemandReport {
    /// Exit 1 when the local mapping disagrees with what Entra did, or Entra failed.
    pub fn has_findings(&self) -> bool {
        !self.differs.is_empty()
            || self
                .result
                .as_deref()
                .is_some_and(|r| r.eq_ignore_ascii_case("failure"))
    }
}

fn text_of(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::Multi(values) => Some(values.join(",")),
        other => Some(other.texts().join(",")),
    }
}

/// Replays the response's user against the mapping.
pub fn replay(
    event: &Event,
    result: &OnDemandResult,
    ctx: &MappingContext<'_>,
    now: jiff::Timestamp,
) -> OnDemandReport {
    let import = event.step(StepKind::Import);
    let matching = event.step(StepKind::Matching);
    let user: HashMap<String, Value> = import
        .map(|s| {
            s.details
                .iter()
                .filter_map(|(k, v)| Some((k.clone(), Value::Str(detail_text(v)?))))
                .collect()
        })
        .unwrap_or_default();
    let exists = matching.is_some_and(|m| !m.details.is_empty());
    let sent_anything = matches!(event.action, Action::Create | Action::Update);
    let index = LineIndex::new(ctx.text);
    let mut predictions = Vec::new();
    if let Some(om) = connect::user_mapping(ctx.file) {
        for m in &om.attribute_mappings {
            let target = m.target.value.clone();
            let at = index.line_col(ctx.text, m.target.span.start as usize);
            let current = matching
                .and_then(|s| detail(&s.details, &target))
                .and_then(detail_text);
            let outcome: Result<Outcome, String> = match &m.source {
                None => Ok(m
                    .default_value
                    .clone()
                    .map_or(Outcome::NoValue, |d| Outcome::Value(Value::Str(d)))),
                Some(src) => syntax::parse(&src.text)
                    .map_err(|e| {
                        format!(
                            "the expression does not parse: {}",
                            e.to_diagnostic().message
                        )
                    })
                    .and_then(|expr| {
                        check::check(expr, None)
                            .into_runnable()
                            .map_err(|p| format!("the expression cannot run: {}", p.message))
                    })
                    .and_then(|checked| {
                        eval::evaluate(&checked, &Context::new(&user).with_now(now))
                            .map_err(|e| format!("evaluation fails: {}", e.message))
                    }),
            };
            let (local, verdict, why) = match outcome {
                Err(why) => (None, Verdict::Error, why),
                Ok(Outcome::Value(v)) => {
                    let local = text_of(&v);
                    if m.flow_type == FlowType::ObjectAddOnly && exists {
                        (
                            local,
                            Verdict::CreateOnly,
                            "applies on create only, and the user exists in the target".to_string(),
                        )
                    } else {
                        match (&local, &current) {
                            (Some(l), Some(c)) if l == c => (
                                local.clone(),
                                Verdict::Redundant,
                                "the target already holds this value".to_string(),
                            ),
                            (Some(l), Some(c)) if l.to_lowercase() == c.to_lowercase() => (
                                local.clone(),
                                Verdict::Send,
                                format!(
                                    "the target holds {c:?}, which differs only in letter case"
                                ),
                            ),
                            (Some(_), Some(c)) => (
                                local.clone(),
                                Verdict::Send,
                                format!("the target holds {c:?}"),
                            ),
                            (Some(_), None) if exists => (
                                local.clone(),
                                Verdict::Send,
                                "the target does not hold this attribute".to_string(),
                            ),
                            (Some(_), None) => (
                                local.clone(),
                                Verdict::Send,
                                "the user is not in the target yet: created with this value"
                                    .to_string(),
                            ),
                            (None, _) => (
                                None,
                                Verdict::NoValue,
                                "the value is empty: nothing is sent".to_string(),
                            ),
                        }
                    }
                }
                Ok(o) => (
                    None,
                    Verdict::NoValue,
                    format!(
                        "the expression yields nothing ({}): Entra sends nothing, and does not clear the target",
                        o.name()
                    ),
                ),
            };
            let entra_sent = if sent_anything {
                event
                    .modified
                    .iter()
                    .find(|p| p.name.eq_ignore_ascii_case(&target))
                    .and_then(|p| p.new.clone())
            } else {
                None
            };
            let differs_from_log = match verdict {
                // Entra sent another value, or did not send this attribute at all.
                Verdict::Send => entra_sent.is_none() || entra_sent != local,
                Verdict::Redundant | Verdict::NoValue | Verdict::CreateOnly => {
                    entra_sent.is_some() && entra_sent != current
                }
                Verdict::Error => false,
            };
            predictions.push(Prediction {
                target,
                line: at.line,
                column: at.column,
                expression: m.source.as_ref().map(|s| s.text.clone()),
                current,
                local,
                verdict,
                why,
                entra_sent,
                differs_from_log,
            });
        }
    }
    let differs = predictions
        .iter()
        .filter(|p| p.differs_from_log)
        .map(|p| p.target.clone())
        .collect();
    OnDemandReport {
        version: super::report::REPORT_VERSION,
        user: event.user.clone(),
        result: result.result.clone(),
        result_code: result.error_code.clone(),
        action: event.action.name(),
        predictions,
        differs,
    }
}
