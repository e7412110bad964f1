use crate::lint::{MappingCx, Rule, RuleMeta, Sink, known_call};
use crate::syntax::Expr;

crate::declare_rule! {
    /// ## What it does
    /// Reports a call with fewer or more arguments than the function takes, and a required
    /// argument left empty (`Mid([mail], , 3)`).
    ///
    /// ## Why it matters
    /// Entra rejects such an expression, or reads the arguments in the wrong positions.
    ///
    /// ## Example
    /// ```text
    /// Left([givenName])
    /// ```
    ///
    /// ## Fix
    /// Pass every required argument: `Left([givenName], 1)`. `entramap functions Left` shows the
    /// parameters.
    pub struct WrongArgumentCount {
        code: "EM004",
        name: "wrong-argument-count",
        severity: Error,
        summary: "too few or too many arguments, or a required one left empty",
    }
}

impl Rule for WrongArgumentCount {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_node(&self, cx: &MappingCx, node: &Expr, out: &mut Sink) {
        let Some((call, spec)) = known_call(node) else {
            return;
        };
        let argc = call.args.len();
        let (min, max) = spec.arity();
        let expected = match max {
            Some(max) if max == min => format!("{min}"),
            Some(max) => format!("{min} to {max}"),
            None => format!("at least {min}"),
        };
        if argc < min || max.is_some_and(|m| argc > m) {
            let mut finding = cx.at_expr(
                &Self::META,
                node.span,
                format!(
                    "`{}` takes {expected} argument{}, this call has {argc}",
                    spec.name,
                    if expected == "1" { "" } else { "s" }
                ),
            );
            finding.diagnostic.help = Some(format!("the parameters are {}", spec.signature()));
            out.push(finding);
            return;
        }
        for (i, arg) in call.args.iter().enumerate() {
            let Some(param) = spec.param_at(i, argc) else {
                continue;
            };
            if arg.is_omitted() && param.required {
                let mut finding = cx.at_expr(
                    &Self::META,
                    arg.span,
                    format!(
                        "the required argument `{}` of `{}` is left empty",
                        param.name, spec.name
                    ),
                );
                finding.diagnostic.help = Some(format!("the parameters are {}", spec.signature()));
                out.push(finding);
            }
        }
    }
}
