use crate::lint::{ObjectCx, Rule, RuleMeta, Sink};

crate::declare_rule! {
    /// ## What it does
    /// With a profile that lists object actions that must stay enabled (`actions: [Create,
    /// Update, Delete]`), reports a user object mapping whose target object actions (Graph's
    /// `flowTypes`, the YAML `actions`) leave one out. A file that does not say has all three.
    ///
    /// ## Why it matters
    /// Sentry deprovisions through Update, so without it removed users stay; PagerDuty's guide
    /// asks for all three.
    ///
    /// ## Example
    /// `"flowTypes": "Add, Delete"` for Sentry.
    ///
    /// ## Fix
    /// Tick the action again (Mappings → the user mapping → Target Object Actions).
    pub struct ObjectActionDisabled {
        code: "EM108",
        name: "object-action-disabled",
        severity: Error,
        summary: "an object action the profile's app needs is disabled",
    }
}

impl Rule for ObjectActionDisabled {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_object(&self, cx: &ObjectCx, out: &mut Sink) {
        let Some(profile) = &cx.file.options.profile else {
            return;
        };
        let om = cx.object;
        let Some(actions) = &om.actions else { return };
        if !om.enabled || !profile.is_about(&om.target_object) {
            return;
        }
        let on: Vec<&str> = actions.split(',').map(str::trim).collect();
        for needed in &profile.actions {
            let word = needed.flow_type();
            if on.iter().any(|a| a.eq_ignore_ascii_case(word)) {
                continue;
            }
            let mut finding = cx.finding(
                &Self::META,
                om.span,
                format!(
                    "{} needs the {} object action, and this mapping's actions are `{actions}`",
                    profile.name,
                    match needed {
                        crate::profile::ObjectAction::Create => "Create",
                        crate::profile::ObjectAction::Update => "Update",
                        crate::profile::ObjectAction::Delete => "Delete",
                    }
                ),
            );
            finding.diagnostic.help = Some(format!(
                "enable it under Target Object Actions (Graph flowTypes: add `{word}`)"
            ));
            out.push(finding);
        }
    }
}
