//! The parser against Microsoft's documented expressions, the teaching errors, the printer and
//! the Graph tree.

use entramap::graph::{self, MappingSource, SourceType};
use entramap::syntax::{self, ExprKind, ParseErrorKind};
use std::path::Path;

fn fixtures(dir: &str) -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/parse")
        .join(dir);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "expr"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let name = p.file_stem().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&p).unwrap())
        })
        .collect()
}

#[test]
fn every_documented_expression_parses_and_round_trips() {
    let ok = fixtures("ok");
    assert!(
        ok.len() >= 100,
        "expected the documented corpus, found {} files",
        ok.len()
    );
    let mut failures = Vec::new();
    for (name, text) in &ok {
        match syntax::parse(text) {
            Err(e) => failures.push(format!("{name}: {e}")),
            Ok(expr) => {
                let printed = syntax::print(&expr);
                let reparsed = syntax::parse(&printed).unwrap_or_else(|e| {
                    panic!("{name}: canonical text {printed:?} does not parse: {e}")
                });
                assert_eq!(
                    reparsed.without_spans(),
                    expr.without_spans(),
                    "{name}: print/parse changed the tree"
                );
                assert_eq!(
                    syntax::print(&reparsed),
                    printed,
                    "{name}: printing is not idempotent"
                );
                let tree = graph::to_graph(&expr);
                let back = graph::from_graph(&tree).unwrap_or_else(|e| panic!("{name}: {e}"));
                assert_eq!(
                    back.without_spans(),
                    expr.without_spans(),
                    "{name}: Graph round trip"
                );
            }
        }
    }
    assert!(
        failures.is_empty(),
        "documented expressions that do not parse:\n{}",
        failures.join("\n")
    );
}

#[test]
fn every_listed_mistake_has_its_own_diagnostic() {
    let err = fixtures("err");
    assert!(err.len() >= 15);
    for (name, text) in &err {
        let error = syntax::parse(text).expect_err(name);
        let diagnostic = error.to_diagnostic();
        // The fixture is named after the mistake; the logical-operator family shares one kind.
        let expected = if name.starts_with("logical-") {
            "logical-operator"
        } else {
            name.trim_end_matches("-multiline")
                .trim_end_matches("-at-end")
        };
        assert_eq!(diagnostic.name, expected, "{name}");
        assert!(diagnostic.help.is_some(), "{name} has no help");
        let rendered =
            entramap::cli::render::human(&diagnostic, &format!("{name}.expr"), text, false);
        insta::assert_snapshot!(format!("err-{name}"), rendered);
    }
}

#[test]
fn errors_point_at_the_exact_column() {
    let cases: &[(&str, ParseErrorKind, usize)] = &[
        (r#"Join(" " [givenName])"#, ParseErrorKind::MissingComma, 9),
        (r#"IIF([c]=="US", 1, 2)"#, ParseErrorKind::DoubleEquals, 7),
        (r#"Join(" ", [a]))"#, ParseErrorKind::ExtraCloseParen, 14),
        (
            r#"Append([mail], '@x')"#,
            ParseErrorKind::SingleQuotedString,
            15,
        ),
        ("Join(“ ”, [a])", ParseErrorKind::TypographicQuote('“'), 5),
        (r#"[a] [b]"#, ParseErrorKind::TrailingInput, 4),
    ];
    for (text, kind, offset) in cases {
        let e = syntax::parse(text).unwrap_err();
        assert_eq!(&e.kind, kind, "{text}");
        assert_eq!(e.span.start as usize, *offset, "{text}");
    }
    let e = syntax::parse(r#"Join(" ", [a], "open"#).unwrap_err();
    assert_eq!(e.kind, ParseErrorKind::UnterminatedString);
    assert_eq!(e.span.start, 15, "points at the opening quote");
}

#[test]
fn deep_nesting_is_a_diagnostic_not_a_stack_overflow() {
    for depth in [257, 100_000] {
        let text = format!("{}[a]{}", "Trim(".repeat(depth), ")".repeat(depth));
        let e = syntax::parse(&text).unwrap_err();
        assert_eq!(e.kind, ParseErrorKind::TooDeep);
        assert_eq!(
            e.span.start as usize,
            256 * 5,
            "points at the first call past the limit"
        );
    }
    let ok = format!("{}[a]{}", "Trim(".repeat(256), ")".repeat(256));
    assert!(syntax::parse(&ok).is_ok());
}

#[test]
fn megabytes_of_text_parse() {
    let long = format!("Join(\",\", {})", vec!["[mail]"; 200_000].join(", "));
    let expr = syntax::parse(&long).unwrap();
    assert_eq!(expr.as_call().unwrap().args.len(), 200_001);
    let string = format!("\"{}\"", "x".repeat(10 << 20));
    assert!(
        matches!(syntax::parse(&string).unwrap().kind, ExprKind::Str(s) if s.len() == 10 << 20)
    );
}

#[test]
fn escapes_and_literals() {
    let e = syntax::parse(r#""a\"b\\c\+d""#).unwrap();
    assert_eq!(e.kind, ExprKind::Str(r#"a"b\c\+d"#.into()));
    assert_eq!(syntax::print(&e), r#""a\"b\\c\\+d""#);
    let e = syntax::parse("BitAnd(&HF, &HF7)").unwrap();
    let args = &e.as_call().unwrap().args;
    assert_eq!(args[0].kind, ExprKind::Hex("F".into()));
    assert_eq!(args[1].kind, ExprKind::Hex("F7".into()));
    let e =
        syntax::parse("IIF(DateDiff(\"d\", Now(), CDate([end])) <= -14, \"x\", \"y\")").unwrap();
    let ExprKind::Compare(cmp) = &e.as_call().unwrap().args[0].kind else {
        panic!()
    };
    assert_eq!(cmp.right.kind, ExprKind::Number("-14".into()));
    let e = syntax::parse("InStr([mail], \"@\", , vbTextCompare)").unwrap();
    let args = &e.as_call().unwrap().args;
    assert!(args[2].is_omitted());
    assert_eq!(args[3].kind, ExprKind::Ident("vbTextCompare".into()));
    let e = syntax::parse("Guid( )").unwrap();
    assert!(e.as_call().unwrap().args.is_empty());
    let e =
        syntax::parse("[urn:ietf:params:scim:schemas:extension:contoso:1.0:User:JobCode]").unwrap();
    assert_eq!(
        e.kind,
        ExprKind::Attribute(
            "urn:ietf:params:scim:schemas:extension:contoso:1.0:User:JobCode".into()
        )
    );
}

fn keys(tree: &MappingSource) -> Vec<&str> {
    tree.parameters.iter().map(|p| p.key.as_str()).collect()
}

#[test]
fn graph_trees_match_the_documented_ones() {
    let tree = graph::to_graph(
        &syntax::parse(r#"Replace([preferredLanguage], "-", , , "_", , )"#).unwrap(),
    );
    assert_eq!(
        (tree.kind, tree.name.as_deref()),
        (SourceType::Function, Some("Replace"))
    );
    assert_eq!(keys(&tree), ["source", "Find", "Replacement"]);
    let documented = r#"{
      "expression": "Replace([preferredLanguage], \"-\", , , \"_\", , )",
      "name": "Replace", "type": "Function",
      "parameters": [
        { "key": "source", "value": { "expression": "[preferredLanguage]", "name": "preferredLanguage", "parameters": [], "type": "Attribute" } },
        { "key": "Find", "value": { "expression": "\"-\"", "name": "-", "parameters": [], "type": "Constant" } },
        { "key": "Replacement", "value": { "expression": "\"_\"", "name": "_", "parameters": [], "type": "Constant" } }
      ]
    }"#;
    let documented: MappingSource = serde_json::from_str(documented).unwrap();
    assert_eq!(
        tree, documented,
        "the whole tree, expression texts included"
    );

    let tree = graph::to_graph(&syntax::parse("Mid([userPrincipalName], 1, 8)").unwrap());
    let constants: Vec<_> = tree.parameters[1..]
        .iter()
        .map(|p| {
            (
                p.value.kind,
                p.value.name.as_deref().unwrap(),
                p.value.expression.as_deref().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        constants,
        [
            (SourceType::Constant, "1", "\"1\""),
            (SourceType::Constant, "8", "\"8\"")
        ]
    );
    assert_eq!(
        tree.expression.as_deref(),
        Some("Mid([userPrincipalName], 1, 8)")
    );

    let tree = graph::to_graph(
        &syntax::parse(r#"Switch([IsSoftDeleted], , "False", "true", "True", "false")"#).unwrap(),
    );
    assert_eq!(
        keys(&tree),
        [
            "source",
            "switchValue",
            "switchValue",
            "switchValue",
            "switchValue"
        ]
    );
}

#[test]
fn graph_trees_without_text_rebuild_the_expression() {
    // Strip every `expression` so only the structure is left, then rebuild.
    fn strip(t: &mut MappingSource) {
        t.expression = None;
        t.parameters.iter_mut().for_each(|p| strip(&mut p.value));
    }
    let cases = [
        (
            r#"Switch([IsSoftDeleted], , "False", "true", "True", "false")"#,
            r#"Switch([IsSoftDeleted], , "False", "true", "True", "false")"#,
        ),
        (
            r#"Replace([preferredLanguage], "-", , , "_", , )"#,
            r#"Replace([preferredLanguage], "-", , , "_")"#,
        ),
        (
            "Mid([userPrincipalName], 1, 8)",
            r#"Mid([userPrincipalName], "1", "8")"#,
        ),
        (
            r#"FormatDateTime([x], "yyyyMMdd", "yyyy-MM-dd")"#,
            r#"FormatDateTime([x], , "yyyyMMdd", "yyyy-MM-dd")"#,
        ),
        (
            r#"IIF([country]="US", "a" & [b], "c")"#,
            r#"IIF([country] = "US", "a" & [b], "c")"#,
        ),
        (r#"Frobnicate([a], , "c")"#, r#"Frobnicate([a], , "c")"#),
    ];
    for (text, rebuilt) in cases {
        let mut tree = graph::to_graph(&syntax::parse(text).unwrap());
        strip(&mut tree);
        assert_eq!(graph::graph_to_text(&tree).unwrap(), rebuilt, "{text}");
    }
}

#[test]
fn graph_errors_are_reported() {
    let tree: MappingSource = serde_json::from_str(
        r#"{"type":"Function","name":"Mid","parameters":[{"key":"bogus","value":{"type":"Attribute","name":"a"}}]}"#,
    )
    .unwrap();
    let e = graph::from_graph(&tree).unwrap_err().to_string();
    assert!(
        e.contains("bogus") && e.contains("Mid(source, start, length)"),
        "{e}"
    );
}

#[test]
fn every_grammar_production_has_a_parser_function() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let grammar = std::fs::read_to_string(root.join("grammar/expression.ebnf")).unwrap();
    let parser = std::fs::read_to_string(root.join("src/syntax/parser.rs")).unwrap();
    // Character classes are read by token combinators, not by a production function.
    let lexical = [
        "attribute_char",
        "string_char",
        "escape",
        "ident_start",
        "ident_char",
        "letter",
        "digit",
        "hex_digit",
        "empty",
    ];
    let mut checked = 0;
    for line in grammar.lines() {
        let Some((name, _)) = line.split_once('=') else {
            continue;
        };
        let name = name.trim();
        if name.is_empty()
            || !name.chars().all(|c| c.is_ascii_lowercase() || c == '_')
            || lexical.contains(&name)
        {
            continue;
        }
        checked += 1;
        assert!(
            parser.contains(&format!("fn {name}(")),
            "production {name} has no parser function"
        );
    }
    assert!(checked >= 12, "only {checked} productions found");
}
