//! The canonical printer: `Name(arg, arg, , arg)`, strings re-escaped, one space around
//! comparison operators and `&`. Printing is idempotent and `parse(print(e))` gives back `e`
//! (spans aside).

use super::ast::{Expr, ExprKind};
use std::fmt::Write;

/// The canonical text of an expression.
pub fn print(expr: &Expr) -> String {
    let mut out = String::new();
    write_expr(&mut out, expr);
    out
}

/// Writes `text` as a string constant: quoted, with `\` and `"` escaped.
pub fn write_string(out: &mut String, text: &str) {
    out.reserve(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
}

/// A string constant's source text.
pub fn quote(text: &str) -> String {
    let mut out = String::new();
    write_string(&mut out, text);
    out
}

fn write_expr(out: &mut String, expr: &Expr) {
    match &expr.kind {
        ExprKind::Call(call) => {
            out.push_str(&call.name);
            out.push('(');
            for (i, arg) in call.args.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_expr(out, arg);
            }
            out.push(')');
        }
        ExprKind::Attribute(name) => {
            let _ = write!(out, "[{name}]");
        }
        ExprKind::Str(text) => write_string(out, text),
        ExprKind::Number(text) | ExprKind::Ident(text) => out.push_str(text),
        ExprKind::Hex(digits) => {
            let _ = write!(out, "&H{digits}");
        }
        ExprKind::Compare(cmp) => {
            write_expr(out, &cmp.left);
            let _ = write!(out, " {} ", cmp.op.as_str());
            write_expr(out, &cmp.right);
        }
        ExprKind::Concat(parts) => {
            for (i, part) in parts.iter().enumerate() {
                if i > 0 {
                    out.push_str(" & ");
                }
                write_expr(out, part);
            }
        }
        ExprKind::Omitted => {}
    }
}

/// A readable tree with byte spans, one node per line (`entramap parse --output ast`).
pub fn print_tree(expr: &Expr) -> String {
    let mut out = String::new();
    write_tree(&mut out, expr, 0, "");
    out
}

fn write_tree(out: &mut String, expr: &Expr, depth: usize, label: &str) {
    let indent = "  ".repeat(depth);
    let span = format!("{}..{}", expr.span.start, expr.span.end);
    let _ = match &expr.kind {
        ExprKind::Call(call) => writeln!(out, "{indent}{label}Call {} @{span}", call.name),
        ExprKind::Attribute(name) => writeln!(out, "{indent}{label}Attribute [{name}] @{span}"),
        ExprKind::Str(text) => writeln!(out, "{indent}{label}String {} @{span}", quote(text)),
        ExprKind::Number(text) => writeln!(out, "{indent}{label}Number {text} @{span}"),
        ExprKind::Hex(digits) => writeln!(out, "{indent}{label}Hex &H{digits} @{span}"),
        ExprKind::Ident(name) => writeln!(out, "{indent}{label}Identifier {name} @{span}"),
        ExprKind::Compare(cmp) => {
            writeln!(out, "{indent}{label}Compare {} @{span}", cmp.op.as_str())
        }
        ExprKind::Concat(_) => writeln!(out, "{indent}{label}Concat & @{span}"),
        ExprKind::Omitted => writeln!(out, "{indent}{label}Omitted @{span}"),
    };
    match &expr.kind {
        ExprKind::Call(call) => {
            for arg in &call.args {
                write_tree(out, arg, depth + 1, "");
            }
        }
        ExprKind::Compare(cmp) => {
            write_tree(out, &cmp.left, depth + 1, "left: ");
            write_tree(out, &cmp.right, depth + 1, "right: ");
        }
        ExprKind::Concat(parts) => {
            for part in parts {
                write_tree(out, part, depth + 1, "");
            }
        }
        _ => {}
    }
}
