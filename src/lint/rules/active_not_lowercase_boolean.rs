use crate::check::Checked;
use crate::eval::{self, Context, Outcome, Value};
use crate::lint::{Fix, FixEdit, MappingCx, Rule, RuleMeta, Sink};
use crate::profile::{ActiveExpectation, Profile, ScimMode};
use crate::syntax::ExprKind;
use crate::wire::{self, Operation, TargetType};
use std::collections::BTreeMap;

/// The expression that gives Unleash-style apps what they need.
pub const CORRECT_ACTIVE: &str = r#"Switch([IsSoftDeleted], , "False", "true", "True", "false")"#;

crate::declare_rule! {
    /// ## What it does
    /// With a profile that wants `active` as lowercase booleans (Unleash), evaluates the `active`
    /// mapping for an active user (IsSoftDeleted `False`) and a deactivated one (IsSoftDeleted
    /// `True`, with accountEnabled both ways), with every other attribute it reads set to a
    /// sample value, to empty, and to null. It computes the value that reaches the app in the
    /// chosen SCIM mode and requires `true` for the active user and `false` for the deactivated
    /// one. The verdict comes from running the expression, not from its shape.
    ///
    /// In `legacy` mode (tenant URL without `?aadOptscim062020`) Entra sends the expression's text
    /// as it is, so `True` arrives capitalised. In `compliant` mode (with the flag) Entra types
    /// the value from the Boolean target, so `True` arrives as JSON `true`.
    ///
    /// ## Why it matters
    /// An app that does not understand `"False"` never deactivates anyone; and a Switch whose keys
    /// never match (`"false"` against the text `False`) sends nothing at all — the mistake in the
    /// setup guide Unleash published until 2025.
    ///
    /// ## Example
    /// ```text
    /// Switch([IsSoftDeleted], , "false", "true", "true", "false")   (never flows)
    /// Not([IsSoftDeleted])                                          (capitalised in legacy mode)
    /// ```
    ///
    /// ## Fix
    /// `Switch([IsSoftDeleted], , "False", "true", "True", "false")`, or switch the tenant to the
    /// compliant mode by adding `?aadOptscim062020` to the tenant URL. `--fix` rewrites the
    /// expression.
    pub struct ActiveNotLowercaseBoolean {
        code: "EM103",
        name: "active-not-lowercase-boolean",
        severity: Error,
        summary: "the active mapping does not deliver lowercase true/false with the right polarity",
    }
}

/// One evaluated case: the inputs and what reached the app.
#[derive(Debug, Clone)]
pub struct Case {
    pub is_soft_deleted: bool,
    pub account_enabled: bool,
    /// What the other attributes the expression reads were set to (`None`: absent).
    pub filler: Option<&'static str>,
    pub inputs: String,
    pub wire: Wire,
    pub active_user: bool,
}

/// What reached the app in one case, as the wire model ([`crate::wire`]) puts it.
#[derive(Debug, Clone, PartialEq)]
pub enum Wire {
    /// A value the app reads as this boolean.
    Bool(bool),
    /// A value that is not a boolean to the app, as JSON.
    Text(String),
    Nothing(&'static str),
    Error(String),
}

impl Wire {
    /// How messages and help tables print it.
    pub fn show(&self) -> String {
        match self {
            Wire::Bool(b) => b.to_string(),
            Wire::Text(t) => format!("{t:?}"),
            Wire::Nothing(why) => format!("nothing ({why})"),
            Wire::Error(e) => format!("error: {e}"),
        }
    }
}

impl Rule for ActiveNotLowercaseBoolean {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_mapping(&self, cx: &MappingCx, out: &mut Sink) {
        let options = cx.object.file.options;
        let Some(profile) = &options.profile else {
            return;
        };
        let Some(rule) = &profile.active else { return };
        if rule.wire != Some(ActiveExpectation::LowercaseBoolean)
            || !Profile::covers(&rule.target, &cx.mapping.target.value)
        {
            return;
        }
        let Some(checked) = cx.check.and_then(|c| c.runnable()) else {
            return;
        };
        let expr = checked.expr();
        let mode = options.scim_mode;
        // Without a definition, the app's `active` is SCIM's Boolean.
        let ty = match cx.object.target.get(&cx.mapping.target.value) {
            Some(def) => TargetType::of(Some(def)),
            None => TargetType::BOOLEAN,
        };
        let cases = evaluate_cases(checked, mode, ty);
        let failing: Vec<&Case> = cases
            .iter()
            .filter(|c| c.wire != Wire::Bool(c.active_user))
            .collect();
        let Some(first) = failing.first() else { return };
        let verdict = verdict(&cases, mode);
        let mut table = String::from("inputs → value that reaches the app:");
        for c in &cases {
            let mark = if c.wire == Wire::Bool(c.active_user) {
                "ok"
            } else {
                "WRONG"
            };
            table.push_str(&format!(
                "\n  {} → {} (needs {}) {mark}",
                c.inputs,
                c.wire.show(),
                c.active_user
            ));
        }
        let message = format!(
            "{} needs `{}` as lowercase true/false, but {verdict} ({} mode; e.g. {} → {})",
            profile.name,
            cx.mapping.target.value,
            mode.as_str(),
            first.inputs,
            first.wire.show(),
        );
        let mut finding = cx.at_expr(&Self::META, expr.span, message);
        finding.diagnostic.help = Some(format!(
            "{table}\nwrite {CORRECT_ACTIVE}{}",
            if mode == ScimMode::Legacy {
                ", or add ?aadOptscim062020 to the tenant URL and lint with --scim-mode compliant"
            } else {
                ""
            }
        ));
        finding.fix = Some(Fix {
            message: format!("rewrite active as {CORRECT_ACTIVE}"),
            safe: true,
            edit: FixEdit::WholeExpression {
                text: CORRECT_ACTIVE.to_string(),
            },
        });
        out.push(finding);
    }
}

fn bool_text(b: bool) -> &'static str {
    if b { "True" } else { "False" }
}

/// The (IsSoftDeleted, accountEnabled) pairs the rule evaluates: an active user, a disabled
/// one, an unassigned one.
pub const DOMAIN: [(bool, bool); 3] = [(false, true), (true, false), (true, true)];

/// Evaluates an `active` mapping over [`DOMAIN`], with every other attribute it reads set to a
/// sample value, to empty and to null, and says what reaches the app in a deactivation or
/// update PATCH in `mode` (the simulator sends the same: see the wire-model property test).
pub fn evaluate_cases(checked: &Checked, mode: ScimMode, ty: TargetType) -> Vec<Case> {
    // The other attributes the expression reads get a sample, an empty and a null value.
    let mut others: Vec<&str> = Vec::new();
    checked.expr().walk(&mut |n| {
        if let ExprKind::Attribute(name) = &n.kind
            && !name.eq_ignore_ascii_case("IsSoftDeleted")
            && !name.eq_ignore_ascii_case("accountEnabled")
            && !others.contains(&name.as_str())
        {
            others.push(name);
        }
    });
    let fillers: &[(&str, Option<&'static str>)] = if others.is_empty() {
        &[("", Some("sample"))]
    } else {
        &[
            ("a sample value", Some("sample")),
            ("empty", Some("")),
            ("null", None),
        ]
    };
    let now = jiff::Timestamp::UNIX_EPOCH;
    let mut cases = Vec::new();
    for (deleted, enabled) in DOMAIN {
        for &(filler_name, filler) in fillers {
            let mut attrs: BTreeMap<String, Value> = BTreeMap::new();
            attrs.insert("IsSoftDeleted".into(), Value::Bool(deleted));
            attrs.insert("accountEnabled".into(), Value::Bool(enabled));
            for name in &others {
                if let Some(v) = filler {
                    attrs.insert((*name).to_string(), Value::Str(v.to_string()));
                }
            }
            let ctx = Context::new(&attrs)
                .with_now(now)
                .with_budget(crate::lint::EVAL_BUDGET);
            let wire = match eval::evaluate(checked, &ctx) {
                Ok(Outcome::Value(v)) => match wire::encode(&v, ty, mode, Operation::Update) {
                    Ok(w) => match wire::boolean_reading(&w) {
                        Some(b) => Wire::Bool(b),
                        None => Wire::Text(match &w {
                            wire::Wire::Str(s) => s.to_string(),
                            other => other.to_json(mode == ScimMode::Legacy).to_string(),
                        }),
                    },
                    Err(e) => Wire::Error(e.0),
                },
                Ok(Outcome::NoValue) => Wire::Nothing("no value flows"),
                Ok(Outcome::IgnoreFlow | Outcome::IgnoreAttributeFlow) => {
                    Wire::Nothing("the attribute is skipped")
                }
                Ok(Outcome::IgnoreObjectFlow) => Wire::Nothing("the user is skipped"),
                Err(e) => Wire::Error(e.message.clone()),
            };
            let mut inputs = format!(
                "IsSoftDeleted={}, accountEnabled={}",
                bool_text(deleted),
                bool_text(enabled)
            );
            if !filler_name.is_empty() {
                inputs.push_str(&format!(", other attributes {filler_name}"));
            }
            cases.push(Case {
                is_soft_deleted: deleted,
                account_enabled: enabled,
                filler,
                inputs,
                wire,
                active_user: !deleted,
            });
        }
    }
    cases
}

/// The one-phrase diagnosis across all cases.
fn verdict(cases: &[Case], mode: ScimMode) -> String {
    let nothing = cases
        .iter()
        .filter(|c| matches!(c.wire, Wire::Nothing(_)))
        .count();
    if nothing == cases.len() {
        return "no value ever flows: the mapping never tells the app anything".into();
    }
    if cases
        .iter()
        .any(|c| !c.active_user && matches!(c.wire, Wire::Nothing(_)))
    {
        return "nothing flows for deactivated users, so they are never deactivated".into();
    }
    if cases.iter().all(|c| c.wire == Wire::Bool(!c.active_user)) {
        return "the values are inverted: active users get false".into();
    }
    if cases
        .iter()
        .any(|c| matches!(&c.wire, Wire::Text(t) if t == "True" || t == "False"))
    {
        return match mode {
            ScimMode::Legacy => "the values arrive capitalised (`True`/`False`): legacy mode sends the expression's text as it is".into(),
            ScimMode::Compliant => "the values are not booleans".into(),
        };
    }
    if cases.iter().any(|c| matches!(c.wire, Wire::Error(_))) {
        return "the expression fails to evaluate".into();
    }
    "some values are not booleans of the right polarity".into()
}
