use crate::lint::{MappingCx, Rule, RuleMeta, Sink};

/// Entra's documented limit on an expression's length, in characters.
pub const MAX_CHARS: usize = 10_000;

crate::declare_rule! {
    /// ## What it does
    /// Reports an expression longer than 10,000 characters.
    ///
    /// ## Why it matters
    /// Entra's known-issues page documents 10,000 characters as the limit; a longer expression
    /// cannot be saved.
    ///
    /// ## Example
    /// A `Switch` with thousands of department codes.
    ///
    /// ## Fix
    /// Shorten it: move lookup tables into the source data, or split the logic across attributes.
    pub struct ExpressionTooLong {
        code: "EM012",
        name: "expression-too-long",
        severity: Error,
        summary: "an expression over Entra's 10,000-character limit",
    }
}

impl Rule for ExpressionTooLong {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_mapping(&self, cx: &MappingCx, out: &mut Sink) {
        let Some(source) = &cx.mapping.source else {
            return;
        };
        let chars = source.text.chars().count();
        if chars <= MAX_CHARS {
            return;
        }
        let mut finding = cx.at_file(
            &Self::META,
            source.map.span,
            format!("the expression is {chars} characters long; Entra accepts at most {MAX_CHARS}"),
        );
        finding.diagnostic.help = Some(
            "move lookup tables into the source data or split the logic across attributes".into(),
        );
        out.push(finding);
    }
}
