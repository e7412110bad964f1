use crate::catalogue::Trait;
use crate::check::FLOW_SENTINELS;
use crate::graph::SourceType;
use crate::lint::{MappingCx, Rule, RuleMeta, Sink};
use crate::syntax::{Expr, ExprKind};

crate::declare_rule! {
    /// ## What it does
    /// Reports an Expression-type mapping that is only an attribute reference or a constant, and
    /// an expression that reads no attribute at all (its value never changes).
    ///
    /// ## Why it matters
    /// A Direct or Constant mapping says the same thing more plainly, shows as such in the
    /// portal, and cannot pick up an accidental function call later.
    ///
    /// ## Example
    /// ```text
    /// Join("", "Contoso")
    /// ```
    ///
    /// ## Fix
    /// Use the Constant mapping type with the value `Contoso` (YAML: `source: '"Contoso"'`), or
    /// the Direct type for a bare attribute.
    pub struct ConstantExpression {
        code: "EM018",
        name: "constant-expression",
        severity: Info,
        summary: "an expression that is only a constant or an attribute",
    }
}

/// Whether an expression reads any attribute or calls anything whose value varies.
fn varies(expr: &Expr) -> bool {
    let mut varies = false;
    expr.walk(&mut |n| match &n.kind {
        ExprKind::Attribute(_) => varies = true,
        ExprKind::Call(c)
            if c.func.is_some_and(|id| {
                id.spec().non_deterministic() || id.spec().has(Trait::ReadsTarget)
            }) =>
        {
            varies = true
        }
        ExprKind::Ident(i) if FLOW_SENTINELS.contains(&i.as_str()) => varies = true,
        _ => {}
    });
    varies
}

impl Rule for ConstantExpression {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_mapping(&self, cx: &MappingCx, out: &mut Sink) {
        let (Some(expr), Some(source)) = (cx.expr, &cx.mapping.source) else {
            return;
        };
        let (message, help) = match (&expr.kind, source.kind) {
            (ExprKind::Attribute(name), SourceType::Function) => (
                format!("this Expression mapping is only the attribute [{name}]"),
                "use the Direct mapping type (Graph `source.type` Attribute)".to_string(),
            ),
            (ExprKind::Str(_) | ExprKind::Number(_) | ExprKind::Hex(_), SourceType::Function) => (
                "this Expression mapping is only a constant".to_string(),
                "use the Constant mapping type (Graph `source.type` Constant)".to_string(),
            ),
            // A Constant mapping holds one value: several constant values need an expression
            // (`Split(Join(",", "a", "b"), ",")`, as Microsoft's Workday guide writes).
            (ExprKind::Call(call), _) if call.func.is_some_and(|id| id.spec().multi_valued()) => {
                return;
            }
            (ExprKind::Call(_), _) if !varies(expr) => (
                "this expression reads no attribute: its value is the same for every user"
                    .to_string(),
                "evaluate it once (`entramap eval`) and use a Constant mapping with that value"
                    .to_string(),
            ),
            _ => return,
        };
        let mut finding = cx.at_expr(&Self::META, expr.span, message);
        finding.diagnostic.help = Some(help);
        out.push(finding);
    }
}
