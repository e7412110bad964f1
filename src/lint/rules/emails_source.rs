use crate::lint::{MappingCx, Rule, RuleMeta, Sink};
use crate::syntax::ExprKind;

crate::declare_rule! {
    /// ## What it does
    /// With a profile whose app matches users by email (Unleash), reports an `emails` mapping fed
    /// directly from `[mail]`.
    ///
    /// ## Why it matters
    /// `mail` is empty for users without a mailbox (and for many guests); `userPrincipalName` is
    /// never empty. A user without `mail` reaches the app with no email, and the app cannot match
    /// or create them.
    ///
    /// ## Example
    /// ```yaml
    /// - target: emails[type eq "work"].value
    ///   source: '[mail]'
    /// ```
    ///
    /// ## Fix
    /// Map it from `[userPrincipalName]`, or fall back to it:
    /// `Coalesce([mail], [userPrincipalName])`.
    pub struct EmailsSource {
        code: "EM104",
        name: "emails-source",
        severity: Warning,
        summary: "emails fed from [mail], which can be empty",
    }
}

impl Rule for EmailsSource {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_mapping(&self, cx: &MappingCx, out: &mut Sink) {
        let Some(profile) = &cx.object.file.options.profile else {
            return;
        };
        let Some(by) = &profile.matches_by else {
            return;
        };
        if !by.eq_ignore_ascii_case("emails")
            || !crate::profile::Profile::covers("emails", &cx.mapping.target.value)
        {
            return;
        }
        let Some(expr) = cx.expr else { return };
        let ExprKind::Attribute(name) = &expr.kind else {
            return;
        };
        if !name.eq_ignore_ascii_case("mail") {
            return;
        }
        let mut finding = cx.at_expr(
            &Self::META,
            expr.span,
            format!(
                "{} matches users by email, and [mail] is empty for users without a mailbox",
                profile.name
            ),
        );
        finding.diagnostic.help = Some("use [userPrincipalName], which is never empty, or Coalesce([mail], [userPrincipalName])".into());
        out.push(finding);
    }
}
