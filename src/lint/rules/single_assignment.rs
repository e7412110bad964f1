use crate::catalogue::Trait;
use crate::lint::{MappingCx, Rule, RuleMeta, Sink, known_call};
use crate::syntax::Expr;

crate::declare_rule! {
    /// ## What it does
    /// Points out a call to a function defined for a user with at most one value of its input —
    /// `SingleAppRoleAssignment([appRoleAssignments])` — where users may hold several app roles.
    ///
    /// ## Why it matters
    /// Entra fails every user who has two or more roles of the app ("No more than one app role
    /// assignment was expected") instead of choosing one, so such users are never provisioned or
    /// updated. The mapping itself is fine for users with one role.
    ///
    /// ## Example
    /// ```text
    /// SingleAppRoleAssignment([appRoleAssignments])
    /// ```
    ///
    /// ## Fix
    /// Give each user exactly one role of this app (assign roles to users, or to groups that do
    /// not overlap), or, if the app accepts several roles, send them all with
    /// `AppRoleAssignmentsComplex([appRoleAssignments])`.
    pub struct SingleAssignment {
        code: "EM021",
        name: "single-assignment",
        severity: Info,
        summary: "SingleAppRoleAssignment fails users who hold two or more roles",
    }
}

impl Rule for SingleAssignment {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_node(&self, cx: &MappingCx, node: &Expr, out: &mut Sink) {
        let Some((call, spec)) = known_call(node) else {
            return;
        };
        if !spec.has(Trait::SingleAssignment) {
            return;
        }
        let mut finding = cx.at_expr(
            &Self::META,
            call.name_span,
            format!(
                "{} fails every user who holds two or more roles of this app (\"{}\"); users with one role are provisioned",
                spec.name,
                crate::functions::directory::MORE_THAN_ONE_ROLE
            ),
        );
        finding.diagnostic.help = Some(
            "give each user one role of this app, or send every role with AppRoleAssignmentsComplex([appRoleAssignments]) if the app accepts several".into(),
        );
        out.push(finding);
    }
}
