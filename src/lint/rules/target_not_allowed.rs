use crate::lint::{Fix, FixEdit, MappingCx, Rule, RuleMeta, Sink};

crate::declare_rule! {
    /// ## What it does
    /// With a profile (`--profile unleash`), reports every mapping to a target attribute the app
    /// does not accept: one outside the profile's `targets.keep-only` (and schema additions), or
    /// one under `targets.forbid`. For Unleash these are all but userName, displayName, emails,
    /// externalId and active.
    ///
    /// ## Why it matters
    /// The app drops attributes it does not store, so on every cycle Entra sees them as changed
    /// and sends them again: provisioning never reaches a steady state, and the app's logs fill
    /// with PATCH requests. Unleash's setup guide asks to remove them for exactly this reason.
    ///
    /// ## Example
    /// ```yaml
    /// - target: name.givenName
    ///   source: '[givenName]'
    /// ```
    ///
    /// ## Fix
    /// Delete the mapping (in the portal: Attribute Mappings → Delete). `--fix --unsafe-fixes`
    /// removes it from the file.
    pub struct TargetNotAllowed {
        code: "EM101",
        name: "target-not-allowed",
        severity: Error,
        summary: "a mapping to a target the profile's app does not accept",
    }
}

impl Rule for TargetNotAllowed {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_mapping(&self, cx: &MappingCx, out: &mut Sink) {
        // The profile's object, or a bare list judged as it.
        let Some(profile) = cx.object.profile_object() else {
            return;
        };
        let target = &cx.mapping.target.value;
        if profile.allows(target) {
            return;
        }
        let bare = cx.object.bare_note();
        let mut finding = match profile.forbids(target) {
            Some(entry) => {
                let mut f = cx.at_file(
                    &Self::META,
                    cx.mapping.target.span,
                    format!("{} refuses `{target}`{bare}", profile.name),
                );
                f.diagnostic.help = Some(format!(
                    "remove this mapping; the profile forbids `{entry}` (`entramap explain {}` says why)",
                    profile.name
                ));
                f
            }
            None => {
                let mut f = cx.at_file(
                    &Self::META,
                    cx.mapping.target.span,
                    format!("{} does not accept `{target}`{bare}", profile.name),
                );
                let mut kept = profile.targets.keep_only.clone();
                kept.extend(
                    profile
                        .targets
                        .schema_additions
                        .iter()
                        .map(|a| a.name.clone()),
                );
                f.diagnostic.help = Some(format!(
                    "remove this mapping; {} accepts only {}",
                    profile.name,
                    kept.join(", ")
                ));
                f
            }
        };
        // Removing every mapping would leave an empty list, which is no mapping at all: then the
        // finding stands without a fix.
        let kept = cx
            .object
            .object
            .attribute_mappings
            .iter()
            .any(|m| profile.allows(&m.target.value));
        if kept {
            finding.fix = Some(Fix {
                message: format!("remove the mapping to `{target}`"),
                safe: false,
                edit: FixEdit::RemoveMapping,
            });
        }
        out.push(finding);
    }
}
