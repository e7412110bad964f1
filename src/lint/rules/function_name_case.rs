use crate::lint::{Fix, FixEdit, MappingCx, Rule, RuleMeta, Sink, known_call};
use crate::syntax::Expr;

crate::declare_rule! {
    /// ## What it does
    /// Reports a function name written with other capitals than Microsoft documents (`join`,
    /// `Iif`, `GUID`).
    ///
    /// ## Why it matters
    /// Microsoft's reference says the syntax is case-sensitive. entramap evaluates such names
    /// anyway, but whether Entra accepts them is not documented; the canonical spelling is safe.
    ///
    /// ## Example
    /// ```text
    /// switch([IsSoftDeleted], , "False", "true", "True", "false")
    /// ```
    ///
    /// ## Fix
    /// Write the documented spelling, `Switch(…)`. `--fix` does this.
    pub struct FunctionNameCase {
        code: "EM003",
        name: "function-name-case",
        severity: Warning,
        summary: "a function name in non-canonical casing",
    }
}

impl Rule for FunctionNameCase {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_node(&self, cx: &MappingCx, node: &Expr, out: &mut Sink) {
        let Some((call, spec)) = known_call(node) else {
            return;
        };
        if spec.name == call.name {
            return;
        }
        let mut finding = cx.at_expr(
            &Self::META,
            call.name_span,
            format!("`{}` is documented as `{}`", call.name, spec.name),
        );
        finding.diagnostic.help = Some(format!(
            "write `{}`: the documented syntax is case-sensitive",
            spec.name
        ));
        finding.fix = Some(Fix {
            message: format!("rename `{}` to `{}`", call.name, spec.name),
            safe: true,
            edit: FixEdit::Expression {
                span: call.name_span,
                text: spec.name.clone(),
            },
        });
        out.push(finding);
    }
}
