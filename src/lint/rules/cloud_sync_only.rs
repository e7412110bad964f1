use crate::catalogue::Availability;
use crate::lint::{MappingCx, Rule, RuleMeta, Sink};
use crate::syntax::{Expr, ExprKind};

crate::declare_rule! {
    /// ## What it does
    /// Reports what Microsoft documents only for Entra Cloud Sync (the `&` operator, `Trim`,
    /// `DNComponent`, `ConvertFromBase64`, `Error`, `StringFromSid`, …) and functions that are only
    /// named in Graph's function schema without documentation (`Prepend`, `DefaultDomain`, …).
    ///
    /// ## Why it matters
    /// App provisioning and cloud sync share the syntax but not every function. An expression
    /// copied from a cloud-sync example may be rejected, or behave differently, in an app's
    /// provisioning mapping.
    ///
    /// ## Example
    /// ```text
    /// IIF([employeeType]="Intern", "t-" & [alias], [alias])
    /// ```
    ///
    /// ## Fix
    /// Use the app-provisioning equivalent: `Join("", "t-", [alias])` for `&`, `Replace` or `Mid`
    /// for `Trim`.
    pub struct CloudSyncOnly {
        code: "EM007",
        name: "cloud-sync-only",
        severity: Warning,
        summary: "a construct documented only for cloud sync, or not documented at all",
    }
}

impl Rule for CloudSyncOnly {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_node(&self, cx: &MappingCx, node: &Expr, out: &mut Sink) {
        let (span, message, help) = match &node.kind {
            ExprKind::Concat(parts) => (
                node.span,
                "`&` concatenation is documented for cloud sync only".to_string(),
                format!("for app provisioning, write `Join(\"\", …)` with the {} parts", parts.len()),
            ),
            ExprKind::Call(call) => match call.func.map(|id| (id.spec(), id.spec().availability)) {
                Some((f, Availability::CloudSync)) => (
                    call.name_span,
                    format!("`{}` is documented for cloud sync only", f.name),
                    "check that the app-provisioning service accepts it, or use a function from the provisioning reference".to_string(),
                ),
                Some((f, Availability::GraphOnly)) => (
                    call.name_span,
                    format!("`{}` is only named in Graph's function schema; its behaviour is undocumented", f.name),
                    "prefer a documented function (`entramap functions` lists them)".to_string(),
                ),
                _ => return,
            },
            _ => return,
        };
        let mut finding = cx.at_expr(&Self::META, span, message);
        finding.diagnostic.help = Some(help);
        out.push(finding);
    }
}
