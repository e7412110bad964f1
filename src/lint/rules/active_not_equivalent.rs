use crate::check;
use crate::lint::rules::active_not_lowercase_boolean::{Case, Wire, evaluate_cases};
use crate::lint::{Fix, FixEdit, MappingCx, Rule, RuleMeta, Sink};
use crate::profile::{ActiveExpectation, Profile};
use crate::syntax;
use crate::wire::TargetType;

crate::declare_rule! {
    /// ## What it does
    /// With a profile that gives a reference expression for `active` (`active.equivalent-to`),
    /// evaluates the mapping and the reference for an active, a disabled and an unassigned
    /// user (IsSoftDeleted and accountEnabled both ways, other attributes sample, empty and
    /// null) and compares what reaches the app in the linted SCIM mode. Forms that send the
    /// same values pass: PagerDuty's `Switch([IsSoftDeleted], "true", "False", "true", "True",
    /// "false")` and the usual `Switch([IsSoftDeleted], , "False", "true", "True", "false")`
    /// agree in both modes; `Not([IsSoftDeleted])` agrees with them only in compliant mode.
    /// When the profile's `active.wire` is `any-boolean`, `"True"` and `true` count as the same.
    ///
    /// ## Why it matters
    /// Apps that spell out their `active` expression read exactly those values; anything else
    /// leaves users active after they are unassigned, or deactivates (PagerDuty: deletes)
    /// active ones.
    ///
    /// ## Example
    /// `Not([IsSoftDeleted])` for PagerDuty in legacy mode sends `"True"`, PagerDuty needs `"true"`.
    ///
    /// ## Fix
    /// Use the profile's expression (`--fix` writes it).
    pub struct ActiveNotEquivalent {
        code: "EM106",
        name: "active-not-equivalent",
        severity: Error,
        summary: "the active mapping does not send what the profile's reference expression sends",
    }
}

fn reading(w: &Wire, any: bool) -> Wire {
    match w {
        Wire::Text(t) if any && t.eq_ignore_ascii_case("true") => Wire::Bool(true),
        Wire::Text(t) if any && t.eq_ignore_ascii_case("false") => Wire::Bool(false),
        Wire::Nothing(_) => Wire::Nothing("nothing"),
        Wire::Error(_) => Wire::Error(String::new()),
        other => other.clone(),
    }
}

impl Rule for ActiveNotEquivalent {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_mapping(&self, cx: &MappingCx, out: &mut Sink) {
        let options = cx.object.file.options;
        let Some(profile) = &options.profile else {
            return;
        };
        let Some(rule) = &profile.active else { return };
        let Some(reference) = &rule.equivalent_to else {
            return;
        };
        if !Profile::covers(&rule.target, &cx.mapping.target.value) {
            return;
        }
        let Some(checked) = cx.check.and_then(|c| c.runnable()) else {
            return;
        };
        let Some(reference_checked) = syntax::parse(reference)
            .ok()
            .and_then(|e| check::checked(e).ok())
        else {
            return;
        };
        let mode = options.scim_mode;
        let ty = match cx.object.target.get(&cx.mapping.target.value) {
            Some(def) => TargetType::of(Some(def)),
            None => TargetType::BOOLEAN,
        };
        let any = rule.wire == Some(ActiveExpectation::AnyBoolean);
        let want = evaluate_cases(&reference_checked, mode, ty);
        let have = evaluate_cases(checked, mode, ty);
        let expected = |c: &Case| {
            want.iter()
                .find(|w| {
                    w.is_soft_deleted == c.is_soft_deleted && w.account_enabled == c.account_enabled
                })
                .map(|w| &w.wire)
        };
        let differing: Vec<(&Case, &Wire)> = have
            .iter()
            .filter_map(|c| {
                let e = expected(c)?;
                (reading(&c.wire, any) != reading(e, any)).then_some((c, e))
            })
            .collect();
        let Some((first, first_want)) = differing.first() else {
            return;
        };
        let mut table = String::from("inputs → this mapping sends / the reference sends:");
        for c in &have {
            if let Some(e) = expected(c) {
                let mark = if reading(&c.wire, any) == reading(e, any) {
                    "ok"
                } else {
                    "DIFFERENT"
                };
                table.push_str(&format!(
                    "\n  {} → {} / {} {mark}",
                    c.inputs,
                    c.wire.show(),
                    e.show()
                ));
            }
        }
        let mut finding = cx.at_expr(
            &Self::META,
            checked.expr().span,
            format!(
                "{} needs `{}` to send what {reference} sends, and it does not ({} mode; e.g. {} → {}, needs {})",
                profile.name,
                cx.mapping.target.value,
                mode.as_str(),
                first.inputs,
                first.wire.show(),
                first_want.show(),
            ),
        );
        finding.diagnostic.help = Some(format!("{table}\nwrite {reference}"));
        finding.fix = Some(Fix {
            message: format!("rewrite {} as {reference}", cx.mapping.target.value),
            safe: true,
            edit: FixEdit::WholeExpression {
                text: reference.clone(),
            },
        });
        out.push(finding);
    }
}
