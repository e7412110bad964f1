use crate::check::ProblemKind;
use crate::lint::{MappingCx, Rule, RuleMeta, Sink};

crate::declare_rule! {
    /// ## What it does
    /// Reports an attribute reference `[name]` that the source object does not have: checked
    /// against the attribute definitions inside the export when it has them (an error), else
    /// against Entra ID's built-in user attributes (a warning, since a tenant may add its own).
    /// Names that differ only in case are called out: extension attribute names are
    /// case-sensitive.
    ///
    /// ## Why it matters
    /// An unknown attribute reads as null for every user: the mapping silently never flows.
    ///
    /// ## Example
    /// ```text
    /// Join(" ", [givenname], [surname])
    /// ```
    ///
    /// ## Fix
    /// Use the attribute's exact name: `[givenName]`. Directory extension attributes
    /// (`extension_<appId>_<name>`) must be added to the source schema first.
    pub struct UnknownSourceAttribute {
        code: "EM008",
        name: "unknown-source-attribute",
        severity: Error,
        summary: "an attribute reference the source object does not have",
    }
}

impl Rule for UnknownSourceAttribute {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    /// The check stage finds these; the rule reports them.
    fn check_mapping(&self, cx: &MappingCx, out: &mut Sink) {
        cx.report_problems(ProblemKind::UnknownSourceAttribute, &Self::META, out);
    }
}
