use crate::lint::{MappingCx, Rule, RuleMeta, Sink};
use crate::profile::Profile;
use crate::syntax;

crate::declare_rule! {
    /// ## What it does
    /// With a profile that says where a target must come from (`targets.require-source`),
    /// reports a mapping to that target fed from anything else. Expressions are compared in
    /// canonical form, ignoring spacing and letter case.
    ///
    /// ## Why it matters
    /// Apps match and identify users by these values: Grafana needs `externalId` from
    /// `objectId` (stable and unique), dbt Cloud `externalId` from `mailNickname`, Datadog
    /// `userName` from `userPrincipalName`, Unleash's guide maps the email from
    /// `userPrincipalName` so that it equals `userName`. Another source works until the first user whose values differ.
    ///
    /// ## Example
    /// ```yaml
    /// - target: externalId
    ///   source: '[mailNickname]'     # grafana wants [objectId]
    /// ```
    ///
    /// ## Fix
    /// Map the target from the source the profile names (`entramap explain PROFILE` lists them).
    pub struct RequiredSource {
        code: "EM105",
        name: "required-source",
        severity: Error,
        summary: "a target is fed from another source than the profile's app needs",
    }
}

/// An expression's canonical text in lowercase (`None`: it does not parse).
pub fn canonical(text: &str) -> Option<String> {
    syntax::parse(text)
        .ok()
        .map(|e| syntax::print::print(&e).to_lowercase())
}

impl Rule for RequiredSource {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_mapping(&self, cx: &MappingCx, out: &mut Sink) {
        // The profile's object, or a bare list judged as it.
        let Some(profile) = cx.object.profile_object() else {
            return;
        };
        let target = &cx.mapping.target.value;
        for rule in &profile.targets.require_source {
            if !Profile::covers(&rule.target, target) {
                continue;
            }
            let Some(source) = &cx.mapping.source else {
                continue;
            };
            let Some(have) = canonical(&source.text) else {
                continue;
            };
            if rule
                .any_of
                .iter()
                .any(|e| canonical(e).as_deref() == Some(&have))
            {
                continue;
            }
            let mut finding = cx.at_file(
                &Self::META,
                cx.mapping.target.span,
                format!(
                    "{} needs `{target}` from {}, not {}{}",
                    profile.name,
                    rule.any_of.join(" or "),
                    source.text.trim(),
                    rule.why
                        .as_deref()
                        .map(|w| format!(": {w}"))
                        .unwrap_or_default()
                ),
            );
            finding.diagnostic.help = Some(format!(
                "map `{target}` from {}",
                rule.any_of.first().map_or("", String::as_str)
            ));
            out.push(finding);
        }
    }
}
