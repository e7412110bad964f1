use crate::lint::{FileCx, Rule, RuleMeta, Sink};
use crate::profile::Groups;

crate::declare_rule! {
    /// ## What it does
    /// With a profile whose app takes no group provisioning (`groups: unsupported`: PagerDuty,
    /// Datadog), reports an enabled object mapping for groups.
    ///
    /// ## Why it matters
    /// Entra sends the groups anyway and every one fails, every cycle; the errors bury the
    /// user errors that matter in the provisioning logs.
    ///
    /// ## Example
    /// A PagerDuty export whose "Provision Microsoft Entra ID Groups" mapping is enabled.
    ///
    /// ## Fix
    /// Disable the group object mapping (Mappings → Provision Microsoft Entra ID Groups →
    /// Enabled: No).
    pub struct GroupsUnsupported {
        code: "EM109",
        name: "groups-unsupported",
        severity: Error,
        summary: "a group mapping is enabled for an app that takes no groups",
    }
}

impl Rule for GroupsUnsupported {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_file(&self, cx: &FileCx, out: &mut Sink) {
        let Some(profile) = &cx.options.profile else {
            return;
        };
        if profile.groups != Groups::Unsupported {
            return;
        }
        for (i, om) in cx.file.object_mappings.iter().enumerate() {
            if !om.enabled || !om.source_object.eq_ignore_ascii_case("Group") {
                continue;
            }
            let mut finding = cx.finding(
                &Self::META,
                om.span,
                format!(
                    "{} takes no group provisioning, and the group mapping `{}` is enabled",
                    profile.name,
                    om.name.as_deref().unwrap_or("Group")
                ),
            );
            finding.location = Some((i, None));
            finding.diagnostic.help = Some("disable the group object mapping (Enabled: No)".into());
            out.push(finding);
        }
    }
}
