//! Property tests: generated trees survive printing and re-parsing; no text panics the parser.

use entramap::graph;
use entramap::span::Span;
use entramap::syntax::{self, Call, Compare, CompareOp, Expr, ExprKind};
use proptest::prelude::*;

fn node(kind: ExprKind) -> Expr {
    Expr::new(kind, Span::default())
}

fn leaf() -> impl Strategy<Value = Expr> {
    prop_oneof![
        "[A-Za-z_][A-Za-z0-9_.:]{0,12}".prop_map(|n| node(ExprKind::Attribute(n))),
        // Any text, quotes and backslashes included, but no lone backslash before a character
        // other than `\` or `"`: the printer always escapes, so those come back as escapes.
        ".{0,12}".prop_map(|s| node(ExprKind::Str(s))),
        "-?[0-9]{1,6}".prop_map(|n| node(ExprKind::Number(n))),
        "[0-9A-F]{1,4}".prop_map(|h| node(ExprKind::Hex(h))),
        prop_oneof![
            Just("vbTextCompare"),
            Just("IgnoreAttributeFlow"),
            Just("UTF8")
        ]
        .prop_map(|i| node(ExprKind::Ident(i.to_string()))),
    ]
}

fn function_name() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("Switch"),
        Just("Join"),
        Just("Replace"),
        Just("IIF"),
        Just("Mid"),
        Just("Not"),
        Just("FormatDateTime"),
        Just("Coalesce"),
        Just("Frobnicate"),
        Just("toLower"),
    ]
    .prop_map(String::from)
}

/// A term: what may stand as an argument's operand.
fn term() -> impl Strategy<Value = Expr> {
    leaf().prop_recursive(6, 48, 6, |inner| {
        let arg = prop_oneof![
            4 => inner.clone(),
            1 => Just(node(ExprKind::Omitted)),
            1 => (inner.clone(), 0..6usize, inner.clone()).prop_map(|(l, op, r)| {
                node(ExprKind::Compare(Box::new(Compare {
                    op: CompareOp::ALL[op],
                    op_span: Span::default(),
                    left: l,
                    right: r,
                })))
            }),
            1 => prop::collection::vec(inner.clone(), 2..4).prop_map(|parts| node(ExprKind::Concat(parts))),
        ];
        (function_name(), prop::collection::vec(arg, 0..6)).prop_map(|(name, args)| {
            // A call's only argument cannot be an empty slot: `f()` has zero arguments.
            let args = if args.len() == 1 && args[0].is_omitted() { Vec::new() } else { args };
            node(ExprKind::Call(Call::new(name, Span::default(), args)))
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1500))]

    #[test]
    fn printed_trees_parse_back_to_themselves(expr in term()) {
        let text = syntax::print(&expr);
        let parsed = syntax::parse(&text).map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?;
        prop_assert_eq!(parsed.without_spans(), expr.without_spans());
        prop_assert_eq!(syntax::print(&parsed), text);
    }

    #[test]
    fn graph_trees_convert_back(expr in term()) {
        let text = syntax::print(&expr);
        let parsed = syntax::parse(&text).unwrap();
        let back = graph::from_graph(&graph::to_graph(&parsed)).unwrap();
        // A number or hex literal standing alone is a Constant node, whose text Graph quotes
        // (decision G1): it reads back as the string with the same text, which Entra treats alike.
        let expected = match &parsed.kind {
            ExprKind::Number(n) => node(ExprKind::Str(n.clone())),
            ExprKind::Hex(h) => node(ExprKind::Str(format!("&H{h}"))),
            _ => parsed.without_spans(),
        };
        prop_assert_eq!(back.without_spans(), expected);
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,80}") {
        let _ = syntax::parse(&text);
    }

    #[test]
    fn expression_like_text_never_panics(text in r#"[A-Za-z\[\]\(\),"\\ &=<>!'“”-]{0,60}"#) {
        if let Ok(expr) = syntax::parse(&text) {
            // Whatever parses prints to text that parses to the same tree.
            let again = syntax::parse(&syntax::print(&expr)).unwrap();
            prop_assert_eq!(again.without_spans(), expr.without_spans());
        } else {
            let e = syntax::parse(&text).unwrap_err();
            prop_assert!(e.span.end as usize <= text.len());
            prop_assert!(text.is_char_boundary(e.span.start as usize));
        }
    }
}
