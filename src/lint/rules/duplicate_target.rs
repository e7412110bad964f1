use crate::lint::{ObjectCx, Rule, RuleMeta, Sink};

crate::declare_rule! {
    /// ## What it does
    /// Reports two mappings of one object mapping that write the same target attribute.
    ///
    /// ## Why it matters
    /// Only one value can reach the app; which one wins is not documented, and the two mappings
    /// can overwrite each other on alternate cycles.
    ///
    /// ## Example
    /// ```yaml
    /// - target: displayName
    ///   source: '[displayName]'
    /// - target: displayName
    ///   source: Join(" ", [givenName], [surname])
    /// ```
    ///
    /// ## Fix
    /// Keep one mapping per target; combine the logic in one expression if needed.
    pub struct DuplicateTarget {
        code: "EM010",
        name: "duplicate-target",
        severity: Error,
        summary: "two mappings write the same target attribute",
    }
}

impl Rule for DuplicateTarget {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_object(&self, cx: &ObjectCx, out: &mut Sink) {
        let mappings = &cx.object.attribute_mappings;
        for (i, m) in mappings.iter().enumerate() {
            let Some(first) = mappings[..i]
                .iter()
                .find(|p| p.target.value.eq_ignore_ascii_case(&m.target.value))
            else {
                continue;
            };
            let mut finding = cx.finding(
                &Self::META,
                m.target.span,
                format!("`{}` is mapped more than once", m.target.value),
            );
            finding.diagnostic = finding
                .diagnostic
                .with_secondary(first.target.span, "first mapped here");
            finding.diagnostic.help = Some("keep one mapping per target attribute".into());
            finding.target = Some(m.target.value.clone());
            finding.location = Some((cx.index, Some(i)));
            out.push(finding);
        }
    }
}
