use crate::lint::{ObjectCx, Rule, RuleMeta, Sink};
use crate::profile::Profile;

crate::declare_rule! {
    /// ## What it does
    /// With a profile, reports each target the app requires that no mapping of the object
    /// mapping writes: the profile's `targets.require`, its schema additions, and `active` when
    /// the profile's `active.required` says so. For Unleash: userName, displayName, emails,
    /// externalId and active (without it, unassigned users are never deprovisioned).
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
        // The profile's object, or a bare list judged as it.
        let Some(profile) = cx.profile_object() else {
            return;
        };
        let om = cx.object;
        let span = om
            .attribute_mappings
            .first()
            .map_or(om.span, |m| m.target.span);
        let mapped = |entry: &str| {
            om.attribute_mappings
                .iter()
                .any(|m| Profile::covers(entry, &m.target.value))
        };
        // (target, why, help)
        let mut missing: Vec<(String, Option<String>, String)> = Vec::new();
        for required in &profile.targets.require {
            if !mapped(required) {
                missing.push((
                    required.clone(),
                    None,
                    match required.as_str() {
                        "emails" => {
                            "map emails[type eq \"work\"].value from [userPrincipalName]".into()
                        }
                        other => format!("add a mapping whose target is `{other}`"),
                    },
                ));
            }
        }
        for addition in &profile.targets.schema_additions {
            if !mapped(&addition.name) {
                missing.push((
                    addition.name.clone(),
                    Some("the app needs it added to the target schema and mapped".into()),
                    format!(
                        "add `{}` ({}) to the target schema (Show advanced options → Edit attribute list), then map it{}",
                        addition.name,
                        addition.ty.as_str(),
                        match (&addition.default, addition.constant) {
                            (Some(d), true) => format!(" with mapping type None and default value {d}"),
                            (Some(d), false) => format!(" with default value {d}"),
                            (None, _) => String::new(),
                        }
                    ),
                ));
            }
        }
        if let Some(active) = &profile.active
            && active.required
            && !mapped(&active.target)
            && !missing
                .iter()
                .any(|(t, _, _)| Profile::covers(t, &active.target))
        {
            missing.push((
                active.target.clone(),
                active.why.clone(),
                format!(
                    "map {} with {}",
                    active.target,
                    active.equivalent_to.as_deref().unwrap_or(
                        r#"Switch([IsSoftDeleted], , "False", "true", "True", "false")"#
                    )
                ),
            ));
        }
        for (target, why, help) in missing {
            let mut finding = cx.finding(
                &Self::META,
                span,
                format!(
                    "{} requires a mapping to `{target}`, and none writes it{}{}",
                    profile.name,
                    why.map(|w| format!(": {w}")).unwrap_or_default(),
                    cx.bare_note()
                ),
            );
            finding.diagnostic.help = Some(help);
            out.push(finding);
        }
    }
}
