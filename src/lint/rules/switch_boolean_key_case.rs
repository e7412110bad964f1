use crate::catalogue::Trait;
use crate::lint::{Fix, FixEdit, MappingCx, Rule, RuleMeta, Sink};
use crate::syntax::{Expr, ExprKind, print};

crate::declare_rule! {
    /// ## What it does
    /// Reports a `Switch` over a Boolean value — `[IsSoftDeleted]`, `[accountEnabled]`, any
    /// Boolean attribute of the schema, or the result of `IsPresent`, `IsNull`, `IsNullOrEmpty`,
    /// `IsString`, `Not`, `CBool` or a comparison — whose keys are not exactly `"True"` or
    /// `"False"`.
    ///
    /// ## Why it matters
    /// Booleans read as the text `True` / `False`, and `Switch` compares keys case-sensitively. A
    /// key `"true"` never matches: the default is used for every user. With the default left
    /// empty, nothing flows at all — the reason users kept their access in apps set up with
    /// `Switch([IsSoftDeleted], , "false", "true", "true", "false")`.
    ///
    /// ## Example
    /// ```text
    /// Switch([IsSoftDeleted], , "false", "true", "true", "false")
    /// ```
    ///
    /// ## Fix
    /// Capitalise the keys, not the values:
    /// `Switch([IsSoftDeleted], , "False", "true", "True", "false")`.
    pub struct SwitchBooleanKeyCase {
        code: "EM013",
        name: "switch-boolean-key-case",
        severity: Error,
        summary: "a Switch over a Boolean with keys other than \"True\"/\"False\"",
    }
}

impl Rule for SwitchBooleanKeyCase {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_node(&self, cx: &MappingCx, node: &Expr, out: &mut Sink) {
        let ExprKind::Call(call) = &node.kind else {
            return;
        };
        if !call
            .func
            .is_some_and(|id| id.spec().has(Trait::KeyedChoice))
            || call.args.is_empty()
            || !cx.is_boolean(&call.args[0])
        {
            return;
        }
        let source = print(&call.args[0]);
        // Keys sit at positions 2, 4, 6, …: after the source and the default.
        for key in call.args.iter().skip(2).step_by(2) {
            let ExprKind::Str(text) = &key.kind else {
                continue;
            };
            if text == "True" || text == "False" {
                continue;
            }
            let canonical = match text.to_ascii_lowercase().as_str() {
                "true" => Some("True"),
                "false" => Some("False"),
                _ => None,
            };
            let message =
                format!("the key {text:?} never matches: {source} reads `True` or `False`");
            let mut finding = cx.at_expr(&Self::META, key.span, message);
            finding.diagnostic.help = Some(match canonical {
                Some(c) => format!(
                    "write the key as \"{c}\" (keys compare case-sensitively; the value can stay lowercase)"
                ),
                None => "a Boolean only ever matches the keys \"True\" and \"False\"".into(),
            });
            if let Some(c) = canonical {
                finding.fix = Some(Fix {
                    message: format!("change the key {text:?} to \"{c}\""),
                    safe: false,
                    edit: FixEdit::Expression {
                        span: key.span,
                        text: format!("\"{c}\""),
                    },
                });
            }
            out.push(finding);
        }
    }
}
