use crate::lint::{FileCx, Rule, RuleMeta, Sink};
use crate::mapping::PlaceholderKind;

crate::declare_rule! {
    /// ## What it does
    /// Reports an empty stand-in where a part of a Graph export should be: a `"source": {}` (or a
    /// source whose members are all empty), or an `{}` item among the attribute mappings, object
    /// mappings or synchronization rules. Microsoft's shortened documentation samples contain
    /// them. The rest of the file is linted as usual; the stand-in itself is left out.
    ///
    /// ## Why it matters
    /// A mapping with an empty source sends nothing (only its default value, if it has one), and
    /// Graph rejects a schema with empty objects in it when it is uploaded. Usually the file was
    /// copied from a shortened sample and never completed.
    ///
    /// ## Example
    /// ```json
    /// {"source": {}, "targetAttributeName": "userName"}
    /// ```
    ///
    /// ## Fix
    /// Write the source (`{"type": "Attribute", "name": "userPrincipalName", "expression":
    /// "[userPrincipalName]"}`), or delete the empty item; `GET …/synchronization/jobs/{id}/schema`
    /// gives the complete export.
    pub struct Placeholder {
        code: "EM019",
        name: "placeholder",
        severity: Warning,
        summary: "an empty stand-in ({}) where a source, mapping or rule should be",
    }
}

impl Rule for Placeholder {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_file(&self, cx: &FileCx, out: &mut Sink) {
        for p in &cx.file.placeholders {
            let message = match (&p.kind, &p.target) {
                (PlaceholderKind::Source, Some(target)) => format!(
                    "the mapping to `{target}` has an empty source: it sends nothing but its default value"
                ),
                (kind, _) => format!(
                    "an empty {} (`{{}}`) stands where one should be; it is left out",
                    kind.describe()
                ),
            };
            let mut finding = cx.finding(&Self::META, p.span, message);
            finding.diagnostic.help = Some(match p.kind {
                PlaceholderKind::Source => "write the source tree (type, name, expression), or export the complete schema with GET …/synchronization/jobs/{id}/schema".into(),
                _ => "delete the empty item, or export the complete schema with GET …/synchronization/jobs/{id}/schema".into(),
            });
            // A source belongs to one mapping: suppressions and grouping see it there.
            if p.kind == PlaceholderKind::Source {
                finding.target = p.target.clone();
                finding.location = locate(cx, p.span);
            }
            out.push(finding);
        }
    }
}

/// The object mapping and attribute mapping whose span holds `span`.
fn locate(cx: &FileCx, span: crate::span::Span) -> Option<(usize, Option<usize>)> {
    cx.file
        .object_mappings
        .iter()
        .enumerate()
        .find_map(|(oi, om)| {
            om.attribute_mappings
                .iter()
                .position(|m| m.span.start <= span.start && span.end <= m.span.end)
                .map(|mi| (oi, Some(mi)))
        })
}
