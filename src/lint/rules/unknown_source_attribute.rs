use crate::diagnostic::Severity;
use crate::lint::{MappingCx, NearMiss, Rule, RuleMeta, Sink, near_miss};
use crate::syntax::{Expr, ExprKind};

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

    fn check_node(&self, cx: &MappingCx, node: &Expr, out: &mut Sink) {
        let ExprKind::Attribute(name) = &node.kind else {
            return;
        };
        let (defs, from_file) = cx.object.source_attributes();
        if defs.is_empty() || defs.iter().any(|d| &d.name == name) {
            return;
        }
        // Directory extensions are tenant-specific; without the export's definitions, assume them.
        if !from_file && name.starts_with("extension_") {
            return;
        }
        let object = &cx.object.object.source_object;
        let (message, help) = match near_miss(name, defs) {
            NearMiss::Case(real) => (
                format!("`[{name}]` differs only in case from the source attribute `{real}`"),
                format!("write `[{real}]`; attribute names are matched exactly"),
            ),
            miss => (
                format!("the source object `{object}` has no attribute `{name}`"),
                match miss {
                    NearMiss::Similar(s) => format!("did you mean `[{s}]`?"),
                    _ if from_file => "add the attribute to the source object's definition, or reference one it has".into(),
                    _ => "if this is a custom attribute of your tenant, export the whole schema so entramap can see its definition".into(),
                },
            ),
        };
        let mut finding = cx.at_expr(&Self::META, node.span, message);
        finding.diagnostic.help = Some(help);
        if !from_file {
            finding.diagnostic.severity = Severity::Warning;
        }
        out.push(finding);
    }
}
