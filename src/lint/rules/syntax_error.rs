use crate::lint::{MappingCx, Rule, RuleMeta, Sink};
use crate::syntax;

crate::declare_rule! {
    /// ## What it does
    /// Reports an expression that does not parse, at the exact character where reading stopped,
    /// with the parser's own explanation (an unterminated string, a missing `)` or comma, curly
    /// quotes, `AND`/`OR`, …).
    ///
    /// ## Why it matters
    /// Entra refuses to save a mapping whose expression does not parse; in an exported file that
    /// was edited by hand, the mistake only shows when the schema is uploaded again.
    ///
    /// ## Example
    /// ```text
    /// Join(" " [givenName], [surname])
    /// ```
    ///
    /// ## Fix
    /// Follow the help line: here, add the comma, `Join(" ", [givenName], [surname])`.
    pub struct SyntaxError {
        code: "EM001",
        name: "syntax-error",
        severity: Error,
        summary: "the expression does not parse",
    }
}

impl Rule for SyntaxError {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }
}

/// Called by the walk for every mapping whose expression did not parse.
pub fn report(cx: &MappingCx, out: &mut Sink) {
    let Some(source) = &cx.mapping.source else {
        return;
    };
    let Err(error) = syntax::parse(&source.text) else {
        return;
    };
    let parsed = error.to_diagnostic();
    let mut finding = cx.at_expr(
        &SyntaxError::META,
        error.span,
        format!("{} ({})", parsed.message, parsed.code),
    );
    finding.diagnostic.help = parsed.help.clone();
    finding.diagnostic.labels = parsed.shifted(|s| cx.file_span(s)).labels;
    out.push(finding);
}
