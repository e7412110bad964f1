//! entramap reads, checks and runs Microsoft Entra ID provisioning attribute mappings offline.
//!
//! The expression language Entra uses in its attribute mappings (`Join(" ", [givenName],
//! [surname])`, `Switch([IsSoftDeleted], , "False", "true", "True", "false")`, …) is parsed into
//! a spanned tree, converted to and from Microsoft Graph's `attributeMappingSource` tree, and
//! printed back in canonical form.
//!
//! ```
//! use entramap::{graph, syntax};
//!
//! let expr = syntax::parse(r#"Mid([userPrincipalName], 1, 8)"#).unwrap();
//! assert_eq!(syntax::print(&expr), "Mid([userPrincipalName], 1, 8)");
//!
//! let tree = graph::to_graph(&expr);
//! let keys: Vec<&str> = tree.parameters.iter().map(|p| p.key.as_str()).collect();
//! assert_eq!(keys, ["source", "start", "length"]);
//! assert_eq!(tree.parameters[1].value.expression.as_deref(), Some("\"1\""));
//! ```
#![forbid(unsafe_code)]

pub mod catalogue;
pub mod check;
pub mod cli;
pub mod diagnostic;
pub mod diff;
pub mod dotnet;
pub mod eval;
pub mod functions;
pub mod graph;
pub mod input;
pub mod lint;
pub mod logs;
pub mod mapping;
pub mod profile;
pub mod serve;
pub mod simulate;
pub mod span;
pub mod suggest;
pub mod syntax;
pub mod wire;

pub use diagnostic::{Diagnostic, Severity};
pub use span::{LineIndex, Span};
