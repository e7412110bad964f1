use crate::lint::{MappingCx, Rule, RuleMeta, Sink};
use crate::mapping::FlowType;
use crate::syntax::{Expr, ExprKind};

crate::declare_rule! {
    /// ## What it does
    /// Reports `Now()`, `Guid()` and `RandomString(…)` in a mapping applied always (not only on
    /// create).
    ///
    /// ## Why it matters
    /// Their value changes on every evaluation, so every provisioning cycle sees a change and
    /// PATCHes every user again: the app never reaches a steady state, and an initial password
    /// or a generated id is overwritten each time.
    ///
    /// ## Example
    /// ```yaml
    /// - target: password
    ///   source: RandomString(12, 1, 1, 1, 1)
    /// ```
    ///
    /// ## Fix
    /// Apply the mapping only during creation (`flow: on-create`; `flowType: ObjectAddOnly` in
    /// Graph).
    pub struct NondeterministicAlways {
        code: "EM016",
        name: "nondeterministic-always",
        severity: Warning,
        summary: "Now/Guid/RandomString in a mapping applied on every cycle",
    }
}

impl Rule for NondeterministicAlways {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_node(&self, cx: &MappingCx, node: &Expr, out: &mut Sink) {
        let ExprKind::Call(call) = &node.kind else {
            return;
        };
        if cx.mapping.flow_type != FlowType::Always
            || !["Now", "Guid", "RandomString"]
                .iter()
                .any(|n| call.name.eq_ignore_ascii_case(n))
        {
            return;
        }
        let mut finding = cx.at_expr(
            &Self::META,
            call.name_span,
            format!(
                "`{}()` changes on every cycle, and this mapping is applied always",
                call.name
            ),
        );
        finding.diagnostic.help =
            Some("apply the mapping only during object creation (YAML `flow: on-create`, Graph `flowType: ObjectAddOnly`)".into());
        out.push(finding);
    }
}
