use crate::catalogue::Trait;
use crate::lint::{MappingCx, Rule, RuleMeta, Sink};
use crate::syntax::{Expr, ExprKind};

crate::declare_rule! {
    /// ## What it does
    /// Reports a `Switch` whose keys and values do not pair up: after the source and the default,
    /// the arguments must come in key, value pairs, and there must be at least one pair.
    ///
    /// ## Why it matters
    /// A key without a value shifts every later pair: values are compared as keys and keys are
    /// returned as values.
    ///
    /// ## Example
    /// ```text
    /// Switch([country], "Other", "US", "United States", "CA")
    /// ```
    ///
    /// ## Fix
    /// Give every key its value, and leave the default empty (`Switch([x], , …)`) rather than
    /// dropping it.
    pub struct SwitchOddArguments {
        code: "EM014",
        name: "switch-odd-arguments",
        severity: Error,
        summary: "a Switch whose keys and values do not pair up",
        refines: ["wrong-argument-count"],
    }
}

impl Rule for SwitchOddArguments {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_node(&self, cx: &MappingCx, node: &Expr, out: &mut Sink) {
        let ExprKind::Call(call) = &node.kind else {
            return;
        };
        if !call
            .func
            .is_some_and(|id| id.spec().has(Trait::KeyedChoice))
        {
            return;
        }
        let argc = call.args.len();
        let (message, span) = if argc < 4 {
            (
                format!(
                    "Switch needs a source, a default and at least one key and value; it has {argc} arguments"
                ),
                node.span,
            )
        } else if argc % 2 == 1 {
            (
                "this key has no value: Switch's keys and values must come in pairs".to_string(),
                call.args[argc - 1].span,
            )
        } else {
            return;
        };
        let mut finding = cx.at_expr(&Self::META, span, message);
        finding.diagnostic.help =
            Some("write Switch(source, default, key1, value1, key2, value2, …); leave the default empty as `, ,` rather than dropping it".into());
        out.push(finding);
    }
}
