//! Connects a report to the mapping file: each repeated attribute and each error names the
//! attribute mapping that writes it (file:line:col, as lint does) and what to change there.

use super::codes;
use super::report::{Cause, MappingRef, Report};
use crate::check;
use crate::mapping::{AttributeMapping, FlowType, MappingFile, ObjectMapping};
use crate::profile::Profile;
use crate::span::LineIndex;
use crate::syntax;

/// The mapping file as the report sees it.
pub struct MappingContext<'a> {
    pub file: &'a MappingFile,
    /// The path, as shown.
    pub path: &'a str,
    /// The file's text (for line and column).
    pub text: &'a str,
    pub profile: Option<&'a Profile>,
}

/// The object mapping that provisions users: the first enabled one whose source object is a
/// user, else the first enabled one.
pub fn user_mapping(file: &MappingFile) -> Option<&ObjectMapping> {
    let enabled = || file.object_mappings.iter().filter(|m| m.enabled);
    enabled()
        .find(|m| m.source_object.eq_ignore_ascii_case("user"))
        .or_else(|| enabled().next())
}

/// The attribute mapping writing `target` (SCIM compares names ignoring case).
pub fn find<'a>(om: &'a ObjectMapping, target: &str) -> Option<&'a AttributeMapping> {
    om.attribute_mappings
        .iter()
        .find(|m| m.target.value.eq_ignore_ascii_case(target))
}

impl MappingContext<'_> {
    fn locate(&self, m: &AttributeMapping, advice: String) -> MappingRef {
        let index = LineIndex::new(self.text);
        let at = index.line_col(self.text, m.target.span.start as usize);
        MappingRef {
            target: m.target.value.clone(),
            file: self.path.to_string(),
            line: at.line,
            column: at.column,
            expression: m.source.as_ref().map(|s| s.text.clone()),
            advice,
        }
    }

    fn not_persisted(&self, target: &str) -> Option<String> {
        let p = self.profile?;
        (!p.persisted.is_empty() && !p.persists(target)).then(|| {
            format!(
                "the profile `{}` says the app does not persist `{target}`",
                p.name
            )
        })
    }

    fn advice(&self, m: &AttributeMapping, cause: Cause) -> String {
        let t = &m.target.value;
        let varies = m
            .source
            .as_ref()
            .and_then(|s| syntax::parse(&s.text).ok())
            .and_then(|e| check::checked(e).ok())
            .is_some_and(|c| crate::simulate::varies(c.expr()));
        let mut advice = match cause {
            Cause::TargetDropsValue => format!(
                "the app does not keep `{t}`: remove this mapping, or map the value to an attribute the app stores"
            ),
            Cause::CaseDrift => format!(
                "send `{t}` in the casing the app stores: wrap the expression in ToLower(…) (or ToUpper(…))"
            ),
            Cause::TypeDrift => format!(
                "send `{t}` in the type the app stores: for a boolean, a Switch that yields \"true\"/\"false\", or give the target attribute the type Boolean"
            ),
            Cause::OrderDrift => format!(
                "the app reorders the values of `{t}`: send one value, or have the app keep the order it is given"
            ),
            Cause::ReferenceNotEchoed => format!(
                "the app must return `{t}` on GET as Entra wrote it (the referenced user's id); otherwise remove this mapping"
            ),
            Cause::ValueChanges if varies => format!(
                "the expression of `{t}` changes on every run (clock or random functions): apply it on create only (Graph flowType ObjectAddOnly, YAML `flow: on-create`) or map a stable source"
            ),
            Cause::ValueChanges => format!(
                "the source of `{t}` changed in every cycle: map a stable source, or apply it on create only"
            ),
            Cause::TargetAltersValue => {
                format!("the app rewrites `{t}`: send the value in the form the app stores it")
            }
            Cause::Unexplained => format!(
                "the log does not show what the app holds for `{t}`: run provisionOnDemand for one of the users and read it with `entramap logs --on-demand`"
            ),
        };
        if m.flow_type == FlowType::ObjectAddOnly {
            advice.push_str(" (note: this mapping applies on create only, so the tenant's mapping differs from this file)");
        }
        if let Some(p) = self.not_persisted(t) {
            advice = format!("{p}; {advice}");
        }
        advice
    }

    /// Fills in the report's mapping references and, with a profile, the targets the app does
    /// not persist.
    pub fn apply(&self, report: &mut Report) {
        let Some(om) = user_mapping(self.file) else {
            return;
        };
        for r in &mut report.repeated {
            if let Some(m) = find(om, &r.attribute) {
                r.mapping = Some(self.locate(m, self.advice(m, r.cause)));
            }
        }
        for e in &mut report.errors {
            if e.transient {
                continue;
            }
            let text = [&e.reason]
                .into_iter()
                .flatten()
                .cloned()
                .collect::<Vec<_>>()
                .join(" ");
            let remedy = e.remedy.map(|r| format!(": {r}")).unwrap_or_default();
            for m in &om.attribute_mappings {
                if mentions(&text, &m.target.value) {
                    let advice = format!("the error names `{}`{remedy}", m.target.value);
                    e.mappings.push(self.locate(m, advice));
                } else if m.matching_priority > 0
                    && e.documented_as.is_some_and(codes::concerns_matching)
                {
                    let advice = format!(
                        "a matching attribute (priority {}){remedy}",
                        m.matching_priority
                    );
                    e.mappings.push(self.locate(m, advice));
                }
            }
        }
        if self.profile.is_some() {
            let mut names: Vec<String> = report
                .repeated
                .iter()
                .map(|r| r.attribute.clone())
                .filter(|a| self.not_persisted(a).is_some())
                .collect();
            names.sort();
            names.dedup();
            report.not_persisted = names;
        }
    }
}

/// Whether `text` names `attribute` as a whole word (ignoring case).
fn mentions(text: &str, attribute: &str) -> bool {
    if attribute.is_empty() {
        return false;
    }
    let hay = text.to_ascii_lowercase();
    let needle = attribute.to_ascii_lowercase();
    let word = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
    hay.match_indices(&needle).any(|(i, _)| {
        !word(hay[..i].chars().next_back()) && !word(hay[i + needle.len()..].chars().next())
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn mentions_matches_whole_words_only() {
        assert!(super::mentions("attribute 'title' not found", "title"));
        assert!(!super::mentions("subtitle", "title"));
    }
}
