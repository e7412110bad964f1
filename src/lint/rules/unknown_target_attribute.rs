use crate::diagnostic::Severity;
use crate::lint::{MappingCx, NearMiss, Rule, RuleMeta, Sink, near_miss};
use crate::mapping::schema::AttributeLookup;

crate::declare_rule! {
    /// ## What it does
    /// Reports a mapping whose `targetAttributeName` the target object does not define: checked
    /// against the target directory's definitions inside the export (an error), else against the
    /// User attributes of Entra's non-gallery SCIM app (a warning).
    ///
    /// ## Why it matters
    /// Entra refuses to save a mapping to an undefined target, and a near-miss such as
    /// `emails[type eq "Work"].value` creates a second, unexpected email entry in the app.
    ///
    /// ## Example
    /// ```yaml
    /// - target: displayname
    ///   source: '[displayName]'
    /// ```
    ///
    /// ## Fix
    /// Use the target's exact name, or add the attribute to the target schema first.
    pub struct UnknownTargetAttribute {
        code: "EM009",
        name: "unknown-target-attribute",
        severity: Error,
        summary: "a target attribute the target object does not define",
    }
}

impl Rule for UnknownTargetAttribute {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_mapping(&self, cx: &MappingCx, out: &mut Sink) {
        let name = &cx.mapping.target.value;
        let target = &cx.object.target;
        // Only where a schema for the target is known: the export's definitions, or the SCIM
        // User list for a SCIM target (custom SCIM extensions are the app's own).
        let AttributeLookup::Missing { certain } = target.lookup(name) else {
            return;
        };
        // A target the profile's app has added to its schema (dbt Cloud's
        // `emails[type eq "work"].primary`) is known.
        if let Some(p) = &cx.object.file.options.profile
            && p.targets
                .schema_additions
                .iter()
                .any(|a| a.name.eq_ignore_ascii_case(name))
        {
            return;
        }
        let object = &cx.object.object.target_object;
        let (message, help) = match near_miss(name, target) {
            NearMiss::Case(real) => (
                format!("`{name}` differs only in case from the target attribute `{real}`"),
                format!("write `{real}`"),
            ),
            NearMiss::Similar(s) => (
                format!("the target object `{object}` has no attribute `{name}`"),
                format!("did you mean `{s}`?"),
            ),
            NearMiss::None => (
                format!("the target object `{object}` has no attribute `{name}`"),
                "add the attribute to the target object's schema (Show advanced options → Edit attribute list), or map to one it has".into(),
            ),
        };
        let mut finding = cx.at_file(&Self::META, cx.mapping.target.span, message);
        finding.diagnostic.help = Some(help);
        if !certain {
            finding.diagnostic.severity = Severity::Warning;
        }
        out.push(finding);
    }
}
