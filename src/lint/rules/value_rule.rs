use crate::lint::{Finding, Rule, RuleMeta};
use crate::mapping::MappingFile;
use crate::profile::Profile;
use crate::profile::values::Tally;

crate::declare_rule! {
    /// ## What it does
    /// With a profile and a sample of users (`entramap lint --profile NAME --users FILE`),
    /// evaluates the mapping for every user Entra would create or update and checks the
    /// profile's value rules on what each would receive: `non-null`, `max-length`, `pattern`,
    /// `enum`, `case`, `unique` (across all users), `equals` (another target) and the vendor
    /// normalisers (GitHub EMU usernames). One finding per target and rule, with the number of
    /// users and the first few. `entramap simulate --profile NAME --output violations` lists
    /// every user.
    ///
    /// ## Why it matters
    /// These failures show up only once provisioning runs, one user at a time: GitHub refuses
    /// usernames over 39 characters and collisions, Slack userNames of 21 characters or more,
    /// dbt Cloud users whose userName is not their work email.
    ///
    /// ## Example
    /// `userName after normalisation has 45 characters; github-emu takes at most 39`.
    ///
    /// ## Fix
    /// Change the mapping (an expression that shortens or disambiguates the value) or the users.
    pub struct ValueRule {
        code: "EM110",
        name: "value-rule",
        severity: Error,
        summary: "users' projected values break the profile's value rules (lint --users)",
    }
}

impl Rule for ValueRule {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }
}

/// The findings for a run's value-rule violations: one per target and rule, at the mapping
/// writing the target (else at the user object mapping).
pub fn findings(file: &MappingFile, profile: &Profile, tally: &Tally) -> Vec<Finding> {
    let om = file
        .object_mappings
        .iter()
        .enumerate()
        .find(|(_, om)| om.enabled && om.source_object.eq_ignore_ascii_case("User"))
        .or_else(|| {
            file.object_mappings
                .iter()
                .enumerate()
                .find(|(_, om)| om.enabled)
        });
    let mut out = Vec::new();
    for ((target, rule), count) in &tally.counts() {
        let (span, location, mapped) = match om {
            Some((oi, om)) => match om
                .attribute_mappings
                .iter()
                .position(|m| m.target.value.eq_ignore_ascii_case(target))
            {
                Some(mi) => (
                    om.attribute_mappings[mi].target.span,
                    Some((oi, Some(mi))),
                    true,
                ),
                None => (om.span, Some((oi, None)), false),
            },
            None => (crate::span::Span::default(), None, false),
        };
        let users = if count.count == 1 { "user" } else { "users" };
        let more = if count.count > count.first.len() as u64 {
            ", …"
        } else {
            ""
        };
        let mut diagnostic = crate::diagnostic::Diagnostic::new(
            ValueRule::META.code,
            ValueRule::META.name,
            ValueRule::META.severity,
            format!(
                "{} {users} {} {}'s `{rule}` rule on `{target}` ({}{more})",
                count.count,
                if count.count == 1 { "breaks" } else { "break" },
                profile.name,
                count.first.join(", ")
            ),
        )
        .with_label(span, "");
        diagnostic.help = Some(format!(
            "entramap simulate --profile {} --output violations lists every user{}",
            profile.name,
            if mapped {
                ""
            } else {
                " (no mapping writes this target)"
            }
        ));
        out.push(Finding {
            diagnostic,
            target: mapped.then(|| target.clone()),
            location,
            fix: None,
        });
    }
    out
}
