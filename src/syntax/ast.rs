//! The spanned syntax tree of one expression.

use crate::catalogue::FnId;
use crate::span::Span;

/// One node of an expression, with the byte span it was read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExprKind {
    /// `Name(arg, arg, , arg)`.
    Call(Call),
    /// `[name]`: the name between the brackets, verbatim.
    Attribute(String),
    /// `"text"`: the text with `\\` and `\"` unescaped; any other `\x` is kept verbatim.
    Str(String),
    /// An unquoted decimal integer, as written (`8`, `-14`, `007`).
    Number(String),
    /// A VB hexadecimal literal `&H…`: the digits after `&H`, as written.
    Hex(String),
    /// A bare identifier such as `vbTextCompare`, `UTF8` or `IgnoreAttributeFlow`.
    Ident(String),
    /// `left op right`: a comparison, as an argument (IIF's condition) or the whole expression.
    Compare(Box<Compare>),
    /// `a & b & c`: string concatenation (documented for cloud sync only).
    Concat(Vec<Expr>),
    /// An empty argument slot, `f(a, , c)`; its span is empty, where the argument would be.
    Omitted,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    /// The name as written (casing kept; the catalogue resolves it).
    pub name: String,
    pub name_span: Span,
    pub args: Vec<Expr>,
    /// The function, once the check stage has resolved the name (`None` straight from the
    /// parser, and for a name the catalogue does not know).
    pub func: Option<FnId>,
}

impl Call {
    /// An unresolved call, as the parser builds it.
    pub fn new(name: impl Into<String>, name_span: Span, args: Vec<Expr>) -> Call {
        Call {
            name: name.into(),
            name_span,
            args,
            func: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Compare {
    pub op: CompareOp,
    pub op_span: Span,
    pub left: Expr,
    pub right: Expr,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CompareOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CompareOp {
    pub const ALL: [CompareOp; 6] = [
        CompareOp::Eq,
        CompareOp::Ne,
        CompareOp::Lt,
        CompareOp::Le,
        CompareOp::Gt,
        CompareOp::Ge,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CompareOp::Eq => "=",
            CompareOp::Ne => "<>",
            CompareOp::Lt => "<",
            CompareOp::Le => "<=",
            CompareOp::Gt => ">",
            CompareOp::Ge => ">=",
        }
    }

    pub fn from_symbol(s: &str) -> Option<CompareOp> {
        CompareOp::ALL.into_iter().find(|op| op.as_str() == s)
    }
}

impl Expr {
    pub fn new(kind: ExprKind, span: Span) -> Expr {
        Expr { kind, span }
    }

    pub fn as_call(&self) -> Option<&Call> {
        match &self.kind {
            ExprKind::Call(call) => Some(call),
            _ => None,
        }
    }

    pub fn is_omitted(&self) -> bool {
        matches!(self.kind, ExprKind::Omitted)
    }

    /// Calls `visit` on this node and every node below it, parents first.
    pub fn walk<'a>(&'a self, visit: &mut dyn FnMut(&'a Expr)) {
        // An explicit stack: trees may be deep and the walk must not overflow.
        let mut stack = vec![self];
        while let Some(node) = stack.pop() {
            visit(node);
            match &node.kind {
                ExprKind::Call(call) => stack.extend(call.args.iter().rev()),
                ExprKind::Compare(cmp) => {
                    stack.push(&cmp.right);
                    stack.push(&cmp.left);
                }
                ExprKind::Concat(parts) => stack.extend(parts.iter().rev()),
                _ => {}
            }
        }
    }

    /// The same tree with every span set to zero: for comparing trees read from different texts.
    pub fn without_spans(&self) -> Expr {
        let kind = match &self.kind {
            ExprKind::Call(call) => ExprKind::Call(Call {
                name: call.name.clone(),
                name_span: Span::default(),
                args: call.args.iter().map(Expr::without_spans).collect(),
                func: call.func,
            }),
            ExprKind::Compare(cmp) => ExprKind::Compare(Box::new(Compare {
                op: cmp.op,
                op_span: Span::default(),
                left: cmp.left.without_spans(),
                right: cmp.right.without_spans(),
            })),
            ExprKind::Concat(parts) => {
                ExprKind::Concat(parts.iter().map(Expr::without_spans).collect())
            }
            other => other.clone(),
        };
        Expr::new(kind, Span::default())
    }
}
