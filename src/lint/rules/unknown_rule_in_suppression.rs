use crate::lint::{Rule, RuleMeta};

crate::declare_rule! {
    /// ## What it does
    /// Reports a `# entramap: ignore[…]` comment that names a rule entramap does not have (a
    /// misspelt name or code), with the rule it most likely meant.
    ///
    /// ## Why it matters
    /// A misspelt suppression suppresses nothing, and says nothing: the finding it was written
    /// for comes back, or worse, the comment looks like a reviewed exception that never applied.
    ///
    /// ## Example
    /// ```text
    /// - target: active
    ///   source: Switch([IsSoftDeleted], , "false", "true", "true", "false")  # entramap: ignore[function-name-cas]
    /// ```
    ///
    /// ## Fix
    /// Write the rule's name or code as `entramap rules` lists it, or remove the comment.
    pub struct UnknownRuleInSuppression {
        code: "EM022",
        name: "unknown-rule-in-suppression",
        severity: Warning,
        summary: "a suppression comment naming a rule that does not exist",
    }
}

impl Rule for UnknownRuleInSuppression {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }
}
