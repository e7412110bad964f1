//! Reading and writing Entra's expression language: the spanned tree, the parser, its errors
//! and the canonical printer. The grammar is `grammar/expression.ebnf`; this module knows no
//! function names (the catalogue in `crate::functions` does).

pub mod ast;
pub mod error;
pub mod parser;
pub mod print;

pub use ast::{Call, Compare, CompareOp, Expr, ExprKind};
pub use error::{MAX_DEPTH, ParseError, ParseErrorKind};
pub use parser::parse;
pub use print::{print, print_tree, quote};
