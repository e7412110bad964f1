use crate::lint::{ObjectCx, Rule, RuleMeta, Sink};

crate::declare_rule! {
    /// ## What it does
    /// Reports an enabled object mapping in which no attribute mapping is a matching attribute
    /// (`matchingPriority` 1 or more; `matching: 1` in YAML).
    ///
    /// ## Why it matters
    /// Entra finds a user's counterpart in the app by querying the matching attributes. Without
    /// one it cannot match existing accounts, and it refuses to start provisioning.
    ///
    /// ## Example
    /// ```yaml
    /// mappings:
    ///   - target: userName
    ///     source: '[userPrincipalName]'
    /// ```
    ///
    /// ## Fix
    /// Mark the attribute that identifies a user in both systems: `matching: 1` on `userName`.
    pub struct MissingMatchingAttribute {
        code: "EM011",
        name: "missing-matching-attribute",
        severity: Error,
        summary: "no attribute mapping is used for matching",
    }
}

impl Rule for MissingMatchingAttribute {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_object(&self, cx: &ObjectCx, out: &mut Sink) {
        let om = cx.object;
        if !om.enabled
            || om.attribute_mappings.is_empty()
            || om
                .attribute_mappings
                .iter()
                .any(|m| m.matching_priority > 0)
        {
            return;
        }
        // A bare list has no object of its own: it is judged only as a profile's object.
        if cx.is_bare() && cx.profile_object().is_none() {
            return;
        }
        let span = om
            .attribute_mappings
            .first()
            .map_or(om.span, |m| m.target.span);
        let message = match om.name.as_deref() {
            _ if cx.is_bare() => format!(
                "no attribute mapping is used for matching{}",
                cx.bare_note()
            ),
            Some(name) => format!("the object mapping `{name}` has no matching attribute"),
            None => format!(
                "the object mapping to `{}` has no matching attribute",
                om.target_object
            ),
        };
        let mut finding = cx.finding(&Self::META, span, message);
        finding.diagnostic.help = Some(
            "set matchingPriority 1 (YAML: `matching: 1`) on the attribute that identifies a user in both systems, usually userName".into(),
        );
        out.push(finding);
    }
}
