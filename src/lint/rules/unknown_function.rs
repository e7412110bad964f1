use crate::functions;
use crate::lint::{MappingCx, Rule, RuleMeta, Sink};
use crate::syntax::{Expr, ExprKind};

crate::declare_rule! {
    /// ## What it does
    /// Reports a call to a function that is not in Entra's function reference, and suggests the
    /// closest known name.
    ///
    /// ## Why it matters
    /// Entra rejects the expression when the mapping is saved; a typo in an exported file goes
    /// unnoticed until then.
    ///
    /// ## Example
    /// ```text
    /// Jion(" ", [givenName], [surname])
    /// ```
    ///
    /// ## Fix
    /// Use the documented name (`entramap functions` lists them): `Join(" ", [givenName], [surname])`.
    pub struct UnknownFunction {
        code: "EM002",
        name: "unknown-function",
        severity: Error,
        summary: "a call to a function Entra does not have",
    }
}

impl Rule for UnknownFunction {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_node(&self, cx: &MappingCx, node: &Expr, out: &mut Sink) {
        let ExprKind::Call(call) = &node.kind else {
            return;
        };
        if functions::lookup(&call.name).is_some() {
            return;
        }
        let mut finding = cx.at_expr(
            &Self::META,
            call.name_span,
            format!("unknown function `{}`", call.name),
        );
        finding.diagnostic.help = Some(
            match crate::suggest::did_you_mean(&call.name, functions::catalogue().names()) {
                Some(name) => {
                    format!("did you mean `{name}`? (`entramap functions {name}` describes it)")
                }
                None => "`entramap functions` lists every function Entra documents".to_string(),
            },
        );
        out.push(finding);
    }
}
