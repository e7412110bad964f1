use crate::lint::{Finding, LintOptions, Rule, RuleMeta, find_rule};
use crate::mapping::MappingFile;

crate::declare_rule! {
    /// ## What it does
    /// Reports a rule named in a `# entramap: ignore[…]` comment that suppressed nothing on its
    /// mapping in this run.
    ///
    /// ## Why it matters
    /// A suppression outlives the problem it was written for: once the mapping is fixed, the
    /// stale comment would hide the same rule's next real finding there. Removing it keeps every
    /// exception in the file a live one.
    ///
    /// ## Example
    /// ```text
    /// - target: displayName
    ///   source: Join(" ", [givenName], [surname])   # entramap: ignore[unknown-function]
    /// ```
    ///
    /// ## Fix
    /// Remove the rule from the comment (or the whole comment). A rule switched off for the run
    /// (`--select`, `--ignore`, configuration) is not reported.
    pub struct UnusedSuppression {
        code: "EM023",
        name: "unused-suppression",
        severity: Warning,
        summary: "a suppression comment that suppressed nothing",
    }
}

impl Rule for UnusedSuppression {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }
}

/// Drops the findings that inline suppressions silence, then reports suppressions naming
/// unknown rules (EM019) and suppressions that silenced nothing (EM020), when those rules are
/// enabled.
pub fn apply(file: &MappingFile, options: &LintOptions, findings: &mut Vec<Finding>) {
    use super::unknown_rule_in_suppression::UnknownRuleInSuppression;
    // Which (object, mapping, suppression entry) silenced something.
    let mut used: std::collections::HashSet<(usize, usize, usize)> = Default::default();
    findings.retain(|f| {
        let Some((oi, Some(mi))) = f.location else {
            return true;
        };
        let Some(m) = file
            .object_mappings
            .get(oi)
            .and_then(|o| o.attribute_mappings.get(mi))
        else {
            return true;
        };
        let d = &f.diagnostic;
        match m
            .suppressed
            .iter()
            .position(|s| s.eq_ignore_ascii_case(d.name) || s.eq_ignore_ascii_case(d.code))
        {
            Some(k) => {
                used.insert((oi, mi, k));
                false
            }
            None => true,
        }
    });
    let unknown_on = options.enabled(&UnknownRuleInSuppression::META);
    let unused_on = options.enabled(&UnusedSuppression::META);
    for (oi, om) in file.object_mappings.iter().enumerate() {
        for (mi, m) in om.attribute_mappings.iter().enumerate() {
            for (k, name) in m.suppressed.iter().enumerate() {
                let at = |meta: &'static RuleMeta, message: String| {
                    let mut f = Finding {
                        diagnostic: crate::diagnostic::Diagnostic::new(
                            meta.code,
                            meta.name,
                            meta.severity,
                            message,
                        )
                        .with_label(m.target.span, "the suppression is on this mapping"),
                        target: Some(m.target.value.clone()),
                        location: Some((oi, Some(mi))),
                        fix: None,
                    };
                    f.diagnostic.help = Some(format!(
                        "edit the `# entramap: ignore[…]` comment of the `{}` mapping",
                        m.target.value
                    ));
                    f
                };
                match find_rule(name) {
                    None if unknown_on => {
                        let hint = crate::suggest::did_you_mean(
                            name,
                            crate::lint::RULES.iter().map(|r| r.meta().name),
                        )
                        .map(|s| format!("; did you mean `{s}`?"))
                        .unwrap_or_default();
                        findings.push(at(
                            &UnknownRuleInSuppression::META,
                            format!("`{name}` in a suppression is not a rule{hint}"),
                        ));
                    }
                    Some(meta)
                        if unused_on
                            && options.enabled(meta)
                            && !used.contains(&(oi, mi, k))
                            && meta.code != UnusedSuppression::META.code =>
                    {
                        findings.push(at(
                            &UnusedSuppression::META,
                            format!("the suppression of `{}` silenced nothing here", meta.name),
                        ));
                    }
                    _ => {}
                }
            }
        }
    }
}
