use crate::catalogue::Trait;
use crate::lint::{MappingCx, Rule, RuleMeta, Sink};
use crate::syntax::{Expr, ExprKind};

crate::declare_rule! {
    /// ## What it does
    /// Reports `SelectUniqueValue` anywhere but at the top of an expression, with fewer than two
    /// rules, or on a matching attribute.
    ///
    /// ## Why it matters
    /// Microsoft documents SelectUniqueValue as a top-level function only, with at least two
    /// candidate rules, never on matching attributes: elsewhere it is rejected or never checks
    /// uniqueness.
    ///
    /// ## Example
    /// ```text
    /// Append(SelectUniqueValue(Join("", [givenName], "1"), Join("", [givenName], "2")), "@contoso.com")
    /// ```
    ///
    /// ## Fix
    /// Move the whole value into each rule: `SelectUniqueValue(Join("", [givenName], "1@contoso.com"), …)`.
    pub struct SelectUniqueValueNested {
        code: "EM017",
        name: "select-unique-value-nested",
        severity: Error,
        summary: "SelectUniqueValue not at the top level, with one rule, or on a matching attribute",
    }
}

impl Rule for SelectUniqueValueNested {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_node(&self, cx: &MappingCx, node: &Expr, out: &mut Sink) {
        let ExprKind::Call(call) = &node.kind else {
            return;
        };
        if !call
            .func
            .is_some_and(|id| id.spec().has(Trait::TopLevelOnly))
        {
            return;
        }
        let top = cx.expr.is_some_and(|e| std::ptr::eq(e, node));
        let problem = if !top {
            "SelectUniqueValue must be the whole expression, not nested in another call"
        } else if call.args.iter().filter(|a| !a.is_omitted()).count() < 2 {
            "SelectUniqueValue needs at least two rules to choose from"
        } else if cx.mapping.matching_priority > 0 {
            "SelectUniqueValue cannot be used on a matching attribute"
        } else {
            return;
        };
        let mut finding = cx.at_expr(&Self::META, call.name_span, problem);
        finding.diagnostic.help =
            Some("write SelectUniqueValue(rule1, rule2, …) as the whole expression, each rule producing the complete value".into());
        out.push(finding);
    }
}
