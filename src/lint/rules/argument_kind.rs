use crate::functions::Kind;
use crate::lint::{MappingCx, Rule, RuleMeta, Sink, known_call};
use crate::syntax::{Expr, ExprKind};

crate::declare_rule! {
    /// ## What it does
    /// Reports an argument whose kind cannot be what the parameter takes: a constant that is not
    /// an integer where one is expected (`Mid([mail], "one", 3)`), a bare identifier such as
    /// `vbTextCompare` where the function takes no such option, an identifier outside the
    /// parameter's options, or a constant where an attribute reference is required
    /// (`[appRoleAssignments]`).
    ///
    /// ## Why it matters
    /// These mistakes make the expression fail for every user, and Entra reports them only in the
    /// provisioning logs.
    ///
    /// ## Example
    /// ```text
    /// InStr([mail], "@", 1, vbTextCompar)
    /// ```
    ///
    /// ## Fix
    /// Pass a value of the right kind: here, `vbTextCompare`.
    pub struct ArgumentKind {
        code: "EM005",
        name: "argument-kind",
        severity: Error,
        summary: "an argument of a kind the parameter cannot take",
    }
}

/// Identifiers that stand for themselves anywhere: the flow sentinels.
const SENTINELS: [&str; 2] = ["IgnoreAttributeFlow", "IgnoreObjectFlow"];

fn is_integer(text: &str) -> bool {
    let t = text.trim();
    let digits = t.strip_prefix('-').unwrap_or(t);
    (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
        || t.strip_prefix("&H")
            .or_else(|| t.strip_prefix("&h"))
            .is_some_and(|h| !h.is_empty() && h.bytes().all(|b| b.is_ascii_hexdigit()))
}

impl Rule for ArgumentKind {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_node(&self, cx: &MappingCx, node: &Expr, out: &mut Sink) {
        let Some((call, spec)) = known_call(node) else {
            return;
        };
        let argc = call.args.len();
        for (i, arg) in call.args.iter().enumerate() {
            let Some(param) = spec.param_at(i, argc) else {
                continue;
            };
            let problem = match (&arg.kind, param.kind) {
                (ExprKind::Str(text), Kind::Integer) if !is_integer(text) => Some(format!(
                    "`{}` of `{}` takes an integer, not {:?}",
                    param.name, spec.name, text
                )),
                (ExprKind::Ident(name), Kind::Enum)
                    if !param.values.iter().any(|v| v.eq_ignore_ascii_case(name)) =>
                {
                    Some(format!(
                        "`{}` of `{}` is one of {}, not `{name}`",
                        param.name,
                        spec.name,
                        param.values.join(", ")
                    ))
                }
                (ExprKind::Ident(name), kind)
                    if kind != Kind::Enum && !SENTINELS.contains(&name.as_str()) =>
                {
                    Some(format!(
                        "`{name}` is a bare identifier, but `{}` of `{}` takes no named option",
                        param.name, spec.name
                    ))
                }
                (ExprKind::Str(_) | ExprKind::Number(_) | ExprKind::Hex(_), Kind::Attribute) => {
                    Some(format!(
                        "`{}` of `{}` takes an attribute reference such as `[appRoleAssignments]`",
                        param.name, spec.name
                    ))
                }
                _ => None,
            };
            if let Some(message) = problem {
                let mut finding = cx.at_expr(&Self::META, arg.span, message);
                finding.diagnostic.help = Some(format!("the parameters are {}", spec.signature()));
                out.push(finding);
            }
        }
    }
}
