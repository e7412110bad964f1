use crate::lint::{ObjectCx, Rule, RuleMeta, Sink};
use crate::profile::Profile;

crate::declare_rule! {
    /// ## What it does
    /// With a profile, reports each target the app requires that no mapping of the object
    /// mapping writes. For Unleash: userName, displayName, emails, externalId and active.
    ///
    /// ## Why it matters
    /// Without userName or emails the app cannot create or match the user; without active it is
    /// never told to deactivate anyone.
    ///
    /// ## Example
    /// A user mapping with no `active` mapping.
    ///
    /// ## Fix
    /// Add the mapping; for Unleash's `active`:
    /// `Switch([IsSoftDeleted], , "False", "true", "True", "false")`.
    pub struct RequiredTargetMissing {
        code: "EM102",
        name: "required-target-missing",
        severity: Error,
        summary: "a target the profile's app requires is not mapped",
    }
}

impl Rule for RequiredTargetMissing {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_object(&self, cx: &ObjectCx, out: &mut Sink) {
        let Some(profile) = cx.profile_object() else {
            return;
        };
        let om = cx.object;
        let span = om
            .attribute_mappings
            .first()
            .map_or(om.span, |m| m.target.span);
        for required in &profile.required {
            if om
                .attribute_mappings
                .iter()
                .any(|m| Profile::covers(required, &m.target.value))
            {
                continue;
            }
            let mut finding = cx.finding(
                &Self::META,
                span,
                format!(
                    "{} requires a mapping to `{required}`, and none writes it{}",
                    profile.name,
                    cx.bare_note()
                ),
            );
            finding.diagnostic.help = Some(match required.as_str() {
                "active" => "map active with Switch([IsSoftDeleted], , \"False\", \"true\", \"True\", \"false\")".into(),
                "emails" => "map emails[type eq \"work\"].value from [userPrincipalName]".into(),
                other => format!("add a mapping whose target is `{other}`"),
            });
            out.push(finding);
        }
    }
}
