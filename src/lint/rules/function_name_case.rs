use crate::check::ProblemKind;
use crate::lint::{Fix, FixEdit, MappingCx, Rule, RuleMeta, Sink};

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

    /// Reports the check stage's findings, with the rename as a safe fix.
    fn check_mapping(&self, cx: &MappingCx, out: &mut Sink) {
        let Some(check) = cx.check else { return };
        for p in check
            .problems
            .iter()
            .filter(|p| p.kind == ProblemKind::FunctionNameCase)
        {
            let mut finding = cx.at_expr(&Self::META, p.span, p.message.clone());
            finding.diagnostic.help = p.help.clone();
            if let Some(name) = &p.replacement {
                let written = cx.text().get(p.span.range()).unwrap_or_default();
                finding.fix = Some(Fix {
                    message: format!("rename `{written}` to `{name}`"),
                    safe: true,
                    edit: FixEdit::Expression {
                        span: p.span,
                        text: name.clone(),
                    },
                });
            }
            out.push(finding);
        }
    }
}
