use crate::check::ProblemKind;
use crate::lint::{MappingCx, Rule, RuleMeta, Sink};

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

    /// The check stage finds these; the rule reports them.
    fn check_mapping(&self, cx: &MappingCx, out: &mut Sink) {
        cx.report_problems(ProblemKind::UnknownFunction, &Self::META, out);
    }
}
