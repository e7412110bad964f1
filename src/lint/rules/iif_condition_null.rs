use crate::catalogue::Trait;
use crate::lint::{MappingCx, Rule, RuleMeta, Sink};
use crate::syntax::{Expr, ExprKind, print};

crate::declare_rule! {
    /// ## What it does
    /// Reports the IIF conditions Microsoft lists as unsupported when the attribute is null or
    /// empty: `IIF(IsPresent([x]), …)`, `IIF(IsNullOrEmpty([x]), …)`, `IIF(IsNull([x]), …)` and
    /// `IIF([x]="", …)`.
    ///
    /// ## Why it matters
    /// The provisioning function reference says the condition check fails when the attribute it
    /// reads is null or empty — exactly the case these conditions are written for — so the mapping
    /// errors instead of taking the other branch.
    ///
    /// ## Example
    /// ```text
    /// IIF(IsPresent([country]), [country], "Other")
    /// ```
    ///
    /// ## Fix
    /// Use Switch, whose `""` key catches null and empty: `Switch([country], [country], "", "Other")`.
    pub struct IifConditionNull {
        code: "EM015",
        name: "iif-condition-null",
        severity: Warning,
        summary: "an IIF condition documented to fail on null or empty attributes",
    }
}

impl Rule for IifConditionNull {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_node(&self, cx: &MappingCx, node: &Expr, out: &mut Sink) {
        let ExprKind::Call(call) = &node.kind else {
            return;
        };
        if !call
            .func
            .is_some_and(|id| id.spec().has(Trait::Conditional))
        {
            return;
        }
        let Some(condition) = call.args.first() else {
            return;
        };
        let attribute = match &condition.kind {
            ExprKind::Call(inner)
                if inner
                    .func
                    .is_some_and(|id| id.spec().has(Trait::PresenceTest)) =>
            {
                inner.args.first()
            }
            ExprKind::Compare(cmp) => match (&cmp.left.kind, &cmp.right.kind) {
                (_, ExprKind::Str(s)) if s.is_empty() => Some(&cmp.left),
                (ExprKind::Str(s), _) if s.is_empty() => Some(&cmp.right),
                _ => None,
            },
            _ => None,
        };
        let Some(attribute) = attribute else { return };
        let attr = print(attribute);
        let mut finding = cx.at_expr(
            &Self::META,
            condition.span,
            format!(
                "IIF cannot test whether {attr} is null or empty: the condition fails when it is"
            ),
        );
        finding.diagnostic.help = Some(format!(
            "use Switch, whose \"\" key catches null and empty: Switch({attr}, <value when present>, \"\", <value when empty>)"
        ));
        out.push(finding);
    }
}
