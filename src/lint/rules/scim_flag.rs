use crate::diagnostic::Severity;
use crate::lint::{ObjectCx, Rule, RuleMeta, Sink};
use crate::profile::{ScimFlag, ScimMode};

crate::declare_rule! {
    /// ## What it does
    /// With a profile that says whether the tenant URL must carry `?aadOptscim062020`
    /// (`scim-flag: required|forbidden|either`), compares it with the SCIM mode entramap lints
    /// in: `--scim-mode`, or the config's `scim-mode` or `tenant-url`. `required` makes legacy
    /// mode an error and `forbidden` makes compliant mode one; `either` with a
    /// `scim-flag-note` gives an info in legacy mode (Unleash's guide recommends the flag).
    ///
    /// ## Why it matters
    /// The flag changes how Entra writes PATCH requests and values (capitalised `"True"` or JSON
    /// `true`); it lives in the tenant URL, not in the schema, so no export shows it.
    ///
    /// ## Example
    /// `entramap lint --profile unleash mapping.json` (legacy mode): an info recommending the flag.
    ///
    /// ## Fix
    /// Append `?aadOptscim062020` to the tenant URL (Provisioning → Admin credentials) and lint
    /// with `--scim-mode compliant`, or set `tenant-url` in `.entramap.yaml`.
    pub struct ScimFlagRule {
        code: "EM107",
        name: "scim-flag",
        severity: Error,
        summary: "the tenant's SCIM mode is not what the profile's app needs",
    }
}

impl Rule for ScimFlagRule {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_object(&self, cx: &ObjectCx, out: &mut Sink) {
        let options = cx.file.options;
        // The profile's object, or a bare list judged as it.
        let Some(profile) = cx.profile_object() else {
            return;
        };
        let om = cx.object;
        let span = om
            .attribute_mappings
            .first()
            .map_or(om.span, |m| m.target.span);
        let note = profile
            .scim_flag_note
            .as_deref()
            .map(|n| format!(": {n}"))
            .unwrap_or_default();
        let (message, help, severity) = match (profile.scim_flag, options.scim_mode) {
            (ScimFlag::Required, ScimMode::Legacy) => (
                format!(
                    "{} needs the tenant URL to end in ?aadOptscim062020 (compliant SCIM mode){note}",
                    profile.name
                ),
                "append ?aadOptscim062020 to the tenant URL and lint with --scim-mode compliant (or set tenant-url in .entramap.yaml)",
                Severity::Error,
            ),
            (ScimFlag::Forbidden, ScimMode::Compliant) => (
                format!(
                    "{} does not work with ?aadOptscim062020 on the tenant URL{note}",
                    profile.name
                ),
                "remove ?aadOptscim062020 from the tenant URL and lint with --scim-mode legacy",
                Severity::Error,
            ),
            (ScimFlag::Either, ScimMode::Legacy) if !note.is_empty() => (
                format!(
                    "{} recommends ?aadOptscim062020 on the tenant URL{note}",
                    profile.name
                ),
                "append ?aadOptscim062020 to the tenant URL and lint with --scim-mode compliant; entramap lints in legacy mode unless told",
                Severity::Info,
            ),
            _ => return,
        };
        let mut finding = cx.finding(&Self::META, span, message);
        finding.diagnostic.severity = severity;
        finding.diagnostic.help = Some(help.to_string());
        out.push(finding);
    }
}
