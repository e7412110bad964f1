//! `entramap parse` and `entramap functions` as a user runs them.

mod common;

use common::run_with as run;

#[test]
fn parse_prints_graphs_tree() {
    let (code, out, _) = run(
        &["parse", r#"Replace([preferredLanguage], "-", , , "_", , )"#],
        "",
    );
    assert_eq!(code, 0);
    let tree: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(tree["type"], "Function");
    assert_eq!(tree["name"], "Replace");
    let keys: Vec<&str> = tree["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["source", "Find", "Replacement"]);
}

#[test]
fn parse_reads_stdin_and_prints_canonical_text() {
    let (code, out, _) = run(
        &["parse", "-", "--output", "canonical"],
        "Join (\" \",[givenName],\n  [surname])\n",
    );
    assert_eq!(
        (code, out.as_str()),
        (0, "Join(\" \", [givenName], [surname])\n")
    );
}

#[test]
fn an_invalid_expression_exits_1_with_the_diagnostic_on_stderr() {
    let (code, out, err) = run(&["parse", r#"Join(" " [givenName])"#], "");
    assert_eq!(code, 1);
    assert!(out.is_empty());
    assert!(
        err.contains("missing-comma(E0007)") && err.contains("expected `,` between two arguments"),
        "{err}"
    );
}

#[test]
fn from_graph_turns_a_tree_back_into_text() {
    let dir = std::env::temp_dir().join(format!("entramap-cli-parse-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("tree.json");
    let (_, tree, _) = run(
        &[
            "parse",
            r#"Switch([IsSoftDeleted], , "False", "true", "True", "false")"#,
        ],
        "",
    );
    // Drop the text so only the structure speaks.
    let mut value: serde_json::Value = serde_json::from_str(&tree).unwrap();
    value.as_object_mut().unwrap().remove("expression");
    std::fs::write(&path, value.to_string()).unwrap();
    let (code, out, _) = run(&["parse", "--from-graph", path.to_str().unwrap()], "");
    assert_eq!(
        (code, out.as_str()),
        (
            0,
            "Switch([IsSoftDeleted], , \"False\", \"true\", \"True\", \"false\")\n"
        )
    );
    let (code, _, err) = run(&["parse", "--from-graph", "-"], "[1, 2]");
    assert_eq!(code, 2);
    assert!(err.contains("not an attributeMappingSource"), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn usage_and_io_errors_exit_2() {
    let (code, _, err) = run(&["parse"], "");
    assert_eq!(code, 2);
    assert!(err.contains("EXPRESSION"), "{err}");
    let (code, _, err) = run(&["parse", "--from-graph", "/nonexistent/tree.json"], "");
    assert_eq!(code, 2);
    assert!(err.contains("cannot read /nonexistent/tree.json"), "{err}");
    let (code, _, err) = run(&["parse", "-"], "");
    assert_eq!(code, 1, "empty stdin is an empty expression: {err}");
}

#[test]
fn functions_lists_and_describes() {
    let (code, out, _) = run(&["functions"], "");
    assert_eq!(code, 0);
    assert!(out.lines().count() >= 50);
    assert!(out.lines().any(|l| l.starts_with("Switch ")));
    let (code, out, _) = run(&["functions", "replace"], "");
    assert_eq!(code, 0);
    assert!(
        out.starts_with("Replace(source, [Find], [RegularExpression]"),
        "{out}"
    );
    assert!(out.contains("RegularExpressionGroupName"));
    let (code, _, err) = run(&["functions", "Jion"], "");
    assert_eq!(code, 2);
    assert!(err.contains("did you mean Join?"), "{err}");
}
