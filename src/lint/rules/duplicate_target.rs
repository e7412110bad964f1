use crate::lint::{ObjectCx, Rule, RuleMeta, Sink};
use std::collections::HashMap;
use std::collections::hash_map::Entry;

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
        // The first mapping of each target (ASCII case folded), found in one pass.
        let mut first_of: HashMap<String, usize> = HashMap::with_capacity(mappings.len());
        for (i, m) in mappings.iter().enumerate() {
            let first = match first_of.entry(m.target.value.to_ascii_lowercase()) {
                Entry::Vacant(v) => {
                    v.insert(i);
                    continue;
                }
                Entry::Occupied(o) => &mappings[*o.get()],
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
