//! Mapping files: loading both formats, exact positions, conversion and bad input.

use entramap::graph::{MappingSource, SourceType};
use entramap::mapping::{self, FlowType, Format, LoadErrorKind, MappingExpr, MappingFile, Shape};
use entramap::span::{LineIndex, Span};
use serde_json::Value;
use std::path::Path;

fn read(path: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn load(path: &str) -> (String, MappingFile) {
    let text = read(path);
    let file = mapping::load(&text).unwrap_or_else(|e| panic!("{path}: {e:?}"));
    (text, file)
}

fn find<'a>(file: &'a MappingFile, target: &str) -> &'a mapping::AttributeMapping {
    file.object_mappings
        .iter()
        .flat_map(|o| &o.attribute_mappings)
        .find(|m| m.target.value == target)
        .unwrap_or_else(|| panic!("no mapping to {target}"))
}

/// (line, column) of a file offset, 1-based, columns in characters.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let p = LineIndex::new(text).line_col(text, offset);
    (p.line, p.column)
}

/// Where a piece of an expression lies in the file.
fn pos_of(text: &str, expr: &MappingExpr, needle: &str) -> (usize, usize) {
    let d = expr
        .text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in {:?}", expr.text));
    line_col(text, expr.map.offset(d))
}

/// Every decoded character that is not the product of an escape or a fold sits in the file
/// exactly where the map says.
fn assert_map_consistent(text: &str, expr: &MappingExpr) {
    let mut mismatches = 0;
    for (d, ch) in expr.text.char_indices() {
        let f = expr.map.offset(d);
        assert!(
            f <= text.len(),
            "offset {f} past the end for {:?}",
            expr.text
        );
        let here = &text[f..];
        let ok = here.starts_with(ch)
            || here.starts_with('\\')
            || here.starts_with(['\n', '\r', ' '])
            || (ch == '\'' && here.starts_with("''"));
        if !ok {
            mismatches += 1;
        }
    }
    assert_eq!(
        mismatches, 0,
        "map of {:?} disagrees with the file",
        expr.text
    );
    let span = expr.map.span;
    assert!(span.end as usize <= text.len());
}

// ---------------------------------------------------------------------------------------------
// Fixtures

#[test]
fn scim_default_export_loads_whole() {
    let (text, file) = load("fixtures/mappings/scim-default-user.json");
    assert_eq!(file.format, Format::Graph);
    assert_eq!(file.shape, Shape::Schema);
    assert_eq!(file.object_mappings.len(), 2);
    let users = &file.object_mappings[0];
    assert_eq!(
        users.name.as_deref(),
        Some("Provision Microsoft Entra ID Users")
    );
    assert!(users.enabled);
    assert_eq!(
        (users.source_object.as_str(), users.target_object.as_str()),
        ("User", "User")
    );
    assert_eq!(
        users.source_directory.as_deref(),
        Some("Azure Active Directory")
    );
    assert_eq!(users.target_directory.as_deref(), Some("customappsso"));
    assert!(users.scope.is_empty());
    assert_eq!(users.attribute_mappings.len(), 22);
    assert_eq!(file.object_mappings[1].attribute_mappings.len(), 3);

    let dirs: Vec<(&str, Vec<(&str, usize)>)> = file
        .directories
        .iter()
        .map(|d| {
            (
                d.name.as_str(),
                d.objects
                    .iter()
                    .map(|o| (o.name.as_str(), o.attributes.len()))
                    .collect(),
            )
        })
        .collect();
    assert_eq!(
        dirs,
        [
            ("Azure Active Directory", vec![("User", 52), ("Group", 11)]),
            ("customappsso", vec![("User", 37), ("Group", 4)]),
        ]
    );
    let soft = file.directories[0].objects[0]
        .attributes
        .iter()
        .find(|a| a.name == "IsSoftDeleted")
        .unwrap();
    assert_eq!(soft.ty, entramap::mapping::schema::AttrType::Boolean);
    assert!(soft.required);

    let user_name = find(&file, "userName");
    assert_eq!(user_name.matching_priority, 1);
    assert_eq!(user_name.flow_type, FlowType::Always);
    assert_eq!(user_name.flow_behavior.as_deref(), Some("FlowWhenChanged"));
    let active = find(&file, "active");
    let expr = active.source.as_ref().unwrap();
    assert_eq!(expr.kind, SourceType::Function);
    assert!(expr.text.starts_with("Switch([IsSoftDeleted]"));
    assert_eq!(expr.tree.as_ref().unwrap().name.as_deref(), Some("Switch"));

    // Every target and expression maps back onto its own characters in the file.
    for m in file
        .object_mappings
        .iter()
        .flat_map(|o| &o.attribute_mappings)
    {
        let raw = &text[m.target.span.range()];
        assert_eq!(
            serde_json::from_str::<String>(&format!("\"{raw}\"")).unwrap(),
            m.target.value
        );
        let expr = m.source.as_ref().unwrap();
        assert_map_consistent(&text, expr);
        let raw = &text[expr.map.span.range()];
        assert_eq!(
            serde_json::from_str::<String>(&format!("\"{raw}\"")).unwrap(),
            expr.text
        );
        assert!(m.span.start < m.target.span.start && m.target.span.end < m.span.end);
    }
}

#[test]
fn unleash_fixtures_load() {
    let (_, seed) = load("fixtures/mappings/unleash-seed.json");
    assert_eq!(seed.shape, Shape::Schema);
    assert_eq!(seed.object_mappings[0].attribute_mappings.len(), 5);
    assert!(!seed.object_mappings[1].enabled);
    assert_eq!(
        find(&seed, "active").source.as_ref().unwrap().text,
        r#"Switch([IsSoftDeleted], , "false", "true", "true", "false")"#
    );

    let (text, gallery) = load("fixtures/mappings/unleash-gallery-default.json");
    assert_eq!(gallery.shape, Shape::ObjectMapping);
    assert_eq!(gallery.object_mappings.len(), 1);
    assert!(gallery.directories.is_empty());
    let targets: Vec<&str> = gallery.object_mappings[0]
        .attribute_mappings
        .iter()
        .map(|m| m.target.value.as_str())
        .collect();
    assert_eq!(
        targets,
        [
            "userName",
            "active",
            "displayName",
            "emails[type eq \"work\"].value",
            "externalId"
        ]
    );
    let active = find(&gallery, "active").source.as_ref().unwrap();
    assert_eq!(active.text, "Not([IsSoftDeleted])");
    assert_eq!(&text[active.map.span.range()], "Not([IsSoftDeleted])");
    // `emails[type eq \"work\"].value` is escaped in the file; the span covers the escapes.
    let emails = find(&gallery, "emails[type eq \"work\"].value");
    assert_eq!(
        &text[emails.target.span.range()],
        r#"emails[type eq \"work\"].value"#
    );

    let (_, correct) = load("fixtures/mappings/unleash-correct.json");
    assert_eq!(correct.shape, Shape::ObjectMapping);
    assert_eq!(
        find(&correct, "active").source.as_ref().unwrap().text,
        r#"Switch([IsSoftDeleted], , "False", "true", "True", "false")"#
    );
    assert_eq!(
        find(&correct, "emails[type eq \"work\"].value")
            .source
            .as_ref()
            .unwrap()
            .text,
        "[userPrincipalName]"
    );
}

#[test]
fn yaml_example_loads() {
    let (text, file) = load("fixtures/mappings/entramap-example.yaml");
    assert_eq!((file.format, file.shape), (Format::Yaml, Shape::Yaml));
    assert_eq!(file.object_mappings.len(), 1);
    let o = &file.object_mappings[0];
    assert_eq!(
        o.source_directory.as_deref(),
        Some("Azure Active Directory")
    );
    assert_eq!(o.scope.len(), 1);
    assert_eq!(o.scope[0].name.as_deref(), Some("Sales only"));
    assert_eq!(o.scope[0].clauses.len(), 2);
    assert_eq!(o.scope[0].clauses[0].attribute, "department");
    assert_eq!(o.scope[0].clauses[0].operator, "EQUALS");
    assert_eq!(o.scope[0].clauses[0].values, ["Sales"]);
    assert!(o.scope[0].clauses[1].values.is_empty());
    assert_eq!(o.attribute_mappings.len(), 6);

    let user_name = find(&file, "userName");
    assert_eq!(user_name.matching_priority, 1);
    let src = user_name.source.as_ref().unwrap();
    assert_eq!(
        (src.text.as_str(), src.kind),
        ("[userPrincipalName]", SourceType::Attribute)
    );
    assert!(src.tree.is_none());

    let active = find(&file, "active");
    assert_eq!(active.suppressed, ["switch-boolean-key-case"]);
    assert_eq!(active.source.as_ref().unwrap().kind, SourceType::Function);

    let external = find(&file, "externalId");
    assert_eq!(external.flow_type, FlowType::ObjectAddOnly);
    assert_eq!(external.default_value.as_deref(), Some("unknown"));
    assert_eq!(external.suppressed, ["emails-source", "target-not-allowed"]);
    // The comment above externalId is not on the emails mapping, whose last line it follows.
    assert!(
        find(&file, "emails[type eq \"work\"].value")
            .suppressed
            .is_empty()
    );

    let title = find(&file, "title").source.as_ref().unwrap();
    assert_eq!(title.text, r#"IIF([jobTitle]="", "Employee", [jobTitle])"#);
    assert_map_consistent(&text, title);

    for m in &o.attribute_mappings {
        assert_eq!(&text[m.target.span.range()], m.target.value);
        assert!(text[m.span.range()].contains(&m.target.value));
    }
}

// ---------------------------------------------------------------------------------------------
// Exact positions

const JION: &str = r#"Jion(\"\u00e9\", [mail])"#;

fn json_export(expression_json: &str) -> String {
    format!(
        r#"{{
  "name": "Provision Microsoft Entra ID Users",
  "sourceObjectName": "User",
  "targetObjectName": "User",
  "attributeMappings": [
    {{
      "targetAttributeName": "displayName",
      "source": {{
        "expression": "{expression_json}",
        "name": "Jion",
        "parameters": [],
        "type": "Function"
      }}
    }}
  ]
}}
"#
    )
}

#[test]
fn json_positions_survive_escapes() {
    let text = json_export(JION);
    let file = mapping::load(&text).unwrap();
    let m = &file.object_mappings[0].attribute_mappings[0];
    let expr = m.source.as_ref().unwrap();
    assert_eq!(expr.text, "Jion(\"é\", [mail])");
    // Line 9: `        "expression": "Jion(\"\u00e9\", [mail])",`
    assert_eq!(pos_of(&text, expr, "Jion"), (9, 24));
    assert_eq!(pos_of(&text, expr, "[mail]"), (9, 41));
    // Both ends of the escapes map exactly.
    let e = expr.text.find('é').unwrap();
    assert_eq!(&text[expr.map.offset(e)..expr.map.offset(e) + 6], r"\u00e9");
    assert_eq!(expr.map.offset(e + 'é'.len_utf8()), expr.map.offset(e) + 6);
    let q = expr.text.find('"').unwrap();
    assert_eq!(&text[expr.map.offset(q)..expr.map.offset(q + 1)], r#"\""#);
    // A span over `[mail]` covers `[mail]` in the file.
    let d = expr.text.find("[mail]").unwrap();
    let span = expr.map.span(Span::new(d, d + 6));
    assert_eq!(&text[span.range()], "[mail]");
    // The whole expression's span covers everything up to the closing `)`.
    let all = expr.map.span(Span::new(0, expr.text.len()));
    assert_eq!(&text[all.range()], JION);
    assert_eq!(line_col(&text, m.target.span.start as usize), (7, 31));

    // CRLF line ends: the same lines and columns.
    let crlf = text.replace('\n', "\r\n");
    let file = mapping::load(&crlf).unwrap();
    let expr = file.object_mappings[0].attribute_mappings[0]
        .source
        .as_ref()
        .unwrap();
    assert_eq!(pos_of(&crlf, expr, "Jion"), (9, 24));
    assert_eq!(pos_of(&crlf, expr, "[mail]"), (9, 41));

    // A byte-order mark: offsets index the text as given.
    let bom = format!("\u{feff}{text}");
    let file = mapping::load(&bom).unwrap();
    let expr = file.object_mappings[0].attribute_mappings[0]
        .source
        .as_ref()
        .unwrap();
    assert_eq!(&bom[expr.map.span.range()], JION);
}

#[test]
fn json_other_escapes() {
    let text = r#"[{"targetAttributeName": "a\/b", "source": {"expression": "Join(\"\\\/\", \"\uD83D\uDE00\", [x\u005F])", "type": "Function", "name": "Join"}}]"#;
    let file = mapping::load(text).unwrap();
    let m = &file.object_mappings[0].attribute_mappings[0];
    assert_eq!(m.target.value, "a/b");
    assert_eq!(&text[m.target.span.range()], r"a\/b");
    let expr = m.source.as_ref().unwrap();
    assert_eq!(expr.text, "Join(\"\\/\", \"😀\", [x_])");
    assert_map_consistent(text, expr);
    let smile = expr.text.find('😀').unwrap();
    assert_eq!(
        &text[expr.map.offset(smile)..expr.map.offset(smile + 4)],
        r"\uD83D\uDE00"
    );
    let x = expr.text.find("[x").unwrap();
    assert_eq!(&text[expr.map.offset(x)..expr.map.offset(x) + 2], "[x");
    let close = expr.text.rfind(']').unwrap();
    assert_eq!(
        &text[expr.map.offset(close)..expr.map.offset(close) + 1],
        "]"
    );
}

#[test]
fn older_exports_without_expression_text() {
    let text = r#"[
  {"targetAttributeName": "mail", "source": {"name": "mail", "type": "Attribute"}},
  {"targetAttributeName": "active", "source": {"name": "True", "type": "Constant"}},
  {"targetAttributeName": "IsSoftDeleted", "source": null, "defaultValue": "False"}
]"#;
    let file = mapping::load(text).unwrap();
    assert_eq!(file.shape, Shape::AttributeMappings);
    let ms = &file.object_mappings[0].attribute_mappings;
    let direct = ms[0].source.as_ref().unwrap();
    assert_eq!(
        (direct.text.as_str(), direct.kind),
        ("[mail]", SourceType::Attribute)
    );
    // The name inside the text maps onto the name string; the brackets onto its quotes.
    assert_eq!(&text[direct.map.offset(1)..direct.map.offset(5)], "mail");
    assert_eq!(&text[direct.map.offset(0)..direct.map.offset(0) + 1], "\"");
    assert_eq!(&text[direct.map.span.range()], "mail");
    let constant = ms[1].source.as_ref().unwrap();
    assert_eq!(
        (constant.text.as_str(), constant.kind),
        ("\"True\"", SourceType::Constant)
    );
    assert_eq!(
        &text[constant.map.offset(1)..constant.map.offset(5)],
        "True"
    );
    assert!(ms[2].source.is_none());
    assert_eq!(ms[2].default_value.as_deref(), Some("False"));
}

/// A YAML file with one mapping whose `source` is written as `source_yaml` (which may span lines,
/// starting on line 3).
fn yaml_doc(source_yaml: &str) -> String {
    format!("mappings:\n  - target: displayName\n    source: {source_yaml}\n    default: x\n")
}

fn yaml_source(text: &str) -> MappingExpr {
    let file = mapping::load(text).unwrap_or_else(|e| panic!("{e:?}\n{text}"));
    file.object_mappings[0].attribute_mappings[0]
        .source
        .clone()
        .unwrap()
}

#[test]
fn yaml_positions_in_every_scalar_style() {
    // (how the source is written, decoded text, (line, col) of `J`, of `[mail]`)
    type Pos = (usize, usize);
    let cases: &[(&str, &str, Pos, Pos)] = &[
        (
            r#""Jion(\"\u00e9\", [mail])""#,
            "Jion(\"é\", [mail])",
            (3, 14),
            (3, 31),
        ),
        (
            r#"'Jion("é", [mail])'"#,
            "Jion(\"é\", [mail])",
            (3, 14),
            (3, 24),
        ),
        (
            r#"'Jion(''é'', [mail])'"#,
            "Jion('é', [mail])",
            (3, 14),
            (3, 26),
        ),
        (
            r#"Jion("é", [mail])"#,
            "Jion(\"é\", [mail])",
            (3, 13),
            (3, 23),
        ),
        // plain over two lines: the break folds to a space
        (
            "Jion(\"é\",\n      [mail])",
            "Jion(\"é\", [mail])",
            (3, 13),
            (4, 7),
        ),
        // double-quoted over lines, with an escaped line break
        (
            "\"Jion(\\\"\\u00e9\\\",\n      [ma\\\n      il])\"",
            "Jion(\"é\", [mail])",
            (3, 14),
            (4, 7),
        ),
        // literal block
        (
            "|\n      Jion(\"é\",\n        [mail])",
            "Jion(\"é\",\n  [mail])\n",
            (4, 7),
            (5, 9),
        ),
        // literal block, strip, CR-free blank line inside
        (
            "|-\n      Jion(\"é\",\n\n        [mail])",
            "Jion(\"é\",\n\n  [mail])",
            (4, 7),
            (6, 9),
        ),
        // folded block: lines join with a space
        (
            ">-\n      Jion(\"é\",\n      [mail])",
            "Jion(\"é\", [mail])",
            (4, 7),
            (5, 7),
        ),
        // folded block with a comment on the header and an empty line (kept as a newline)
        (
            ">  # note\n      Jion(\"é\",\n\n      [mail])",
            "Jion(\"é\",\n[mail])\n",
            (4, 7),
            (6, 7),
        ),
        // explicit indentation indicator
        (
            "|2-\n       Jion(\"é\", [mail])",
            " Jion(\"é\", [mail])",
            (4, 8),
            (4, 18),
        ),
    ];
    for &(written, decoded, jion, mail) in cases {
        for crlf in [false, true] {
            let mut text = yaml_doc(written);
            if crlf {
                text = text.replace('\n', "\r\n");
            }
            let expr = yaml_source(&text);
            assert_eq!(expr.text, decoded, "{written:?} crlf={crlf}");
            assert_eq!(
                pos_of(&text, &expr, "Jion"),
                jion,
                "J of {written:?} crlf={crlf}"
            );
            assert_eq!(
                pos_of(&text, &expr, "[mail]"),
                mail,
                "[mail] of {written:?} crlf={crlf}"
            );
            assert_map_consistent(&text, &expr);
            let d = expr.text.find("[mail]").unwrap();
            let span = expr.map.span(Span::new(d, d + 6));
            let raw = &text[span.range()];
            assert!(
                raw == "[mail]" || raw.replace(['\\', '\r', '\n', ' '], "") == "[mail]",
                "{raw:?} for {written:?}"
            );
        }
    }
}

#[test]
fn yaml_byte_order_mark() {
    let text = "\u{feff}mappings:\n  - target: x\n    source: 'Jion(\"é\", [mail])'\n";
    let expr = yaml_source(text);
    assert_eq!(pos_of(text, &expr, "[mail]"), (3, 24));
    assert_eq!(&text[expr.map.span.range()], "Jion(\"é\", [mail])");
}

#[test]
fn yaml_target_positions() {
    let text =
        "mappings:\n  - target: \"emails[type eq \\\"work\\\"].value\"\n    source: '[mail]'\n";
    let file = mapping::load(text).unwrap();
    let m = &file.object_mappings[0].attribute_mappings[0];
    assert_eq!(m.target.value, "emails[type eq \"work\"].value");
    assert_eq!(
        &text[m.target.span.range()],
        r#"emails[type eq \"work\"].value"#
    );
    let src = m.source.as_ref().unwrap();
    assert_eq!(line_col(text, src.map.offset(0)), (3, 14));
    assert_eq!(&text[src.map.span.range()], "[mail]");
}

#[test]
fn yaml_suppressions() {
    let text = "\
mappings:
  - target: a   # entramap: ignore[rule-a]
    source: '[a]'
  - target: b
    source: '[b]'  # entramap: ignore[rule-b, rule-c]
  # entramap: ignore[rule-d]
  - target: c
    source: |
      Join(\",\", [c])
  - target: d   # unrelated comment
    source: '[d]'
    # entramap: ignore[rule-e]
    default: x
";
    let file = mapping::load(text).unwrap();
    let s: Vec<Vec<String>> = file.object_mappings[0]
        .attribute_mappings
        .iter()
        .map(|m| m.suppressed.clone())
        .collect();
    assert_eq!(
        s,
        [
            vec!["rule-a".to_string()],
            vec!["rule-b".into(), "rule-c".into()],
            vec!["rule-d".into()],
            vec!["rule-e".into()],
        ]
    );
}

#[test]
fn yaml_single_object_and_flow_types() {
    let text = "\
name: Provision Microsoft Entra ID Users
source: User
target: User
enabled: false
mappings:
  - {target: userName, source: '[userPrincipalName]', matching: 2}
  - target: IsSoftDeleted
    default: 'False'
  - target: x
    source: '\"False\"'
    flow: value-add-only
    flow-behavior: FlowAlways
    export-missing-references: true
";
    let file = mapping::load(text).unwrap();
    let o = &file.object_mappings[0];
    assert!(!o.enabled);
    assert_eq!(
        o.name.as_deref(),
        Some("Provision Microsoft Entra ID Users")
    );
    let ms = &o.attribute_mappings;
    assert_eq!(ms[0].matching_priority, 2);
    assert!(ms[1].source.is_none());
    assert_eq!(ms[1].default_value.as_deref(), Some("False"));
    let x = &ms[2];
    assert_eq!(x.source.as_ref().unwrap().kind, SourceType::Constant);
    assert_eq!(x.flow_type, FlowType::ValueAddOnly);
    assert_eq!(x.flow_behavior.as_deref(), Some("FlowAlways"));
    assert!(x.export_missing_references);
}

// ---------------------------------------------------------------------------------------------
// Conversion

/// The mapping fields of a Graph document, normalised (defaults filled in) so that documents
/// that say the same thing compare equal.
fn graph_mappings(doc: &Value) -> Vec<Value> {
    let objects: Vec<Value> = if let Some(rules) = doc.get("synchronizationRules") {
        rules
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|r| r["objectMappings"].as_array().cloned().unwrap_or_default())
            .collect()
    } else if let Some(oms) = doc.get("objectMappings") {
        oms.as_array().unwrap().clone()
    } else if doc.get("attributeMappings").is_some() {
        vec![doc.clone()]
    } else {
        vec![serde_json::json!({ "attributeMappings": doc })]
    };
    objects
        .iter()
        .map(|o| {
            let groups = o["scope"].get("groups").cloned().unwrap_or(Value::Array(vec![]));
            let mappings: Vec<Value> = o["attributeMappings"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| {
                    let source: Option<MappingSource> = serde_json::from_value(m["source"].clone()).unwrap();
                    serde_json::json!({
                        "targetAttributeName": m["targetAttributeName"],
                        "source": source,
                        "matchingPriority": m.get("matchingPriority").cloned().unwrap_or(0.into()),
                        "flowType": m.get("flowType").cloned().unwrap_or("Always".into()),
                        "flowBehavior": m.get("flowBehavior").cloned().unwrap_or("FlowWhenChanged".into()),
                        "defaultValue": m.get("defaultValue").cloned().unwrap_or(Value::Null),
                        "exportMissingReferences": m.get("exportMissingReferences").cloned().unwrap_or(false.into()),
                    })
                })
                .collect();
            serde_json::json!({
                "name": o.get("name").cloned().unwrap_or(Value::Null),
                "enabled": o.get("enabled").cloned().unwrap_or(true.into()),
                "sourceObjectName": o.get("sourceObjectName").cloned().unwrap_or("".into()),
                "targetObjectName": o.get("targetObjectName").cloned().unwrap_or("".into()),
                "scope": groups,
                "attributeMappings": mappings,
            })
        })
        .collect()
}

fn round_trip(text: &str) -> (String, String) {
    let graph = mapping::load(text).unwrap();
    let yaml = mapping::to_yaml(&graph);
    let back = mapping::load(&yaml).unwrap_or_else(|e| panic!("{e:?}\n{yaml}"));
    let json = mapping::to_graph_json(&back);
    let original: Value = serde_json::from_str(text).unwrap();
    let converted: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        graph_mappings(&converted),
        graph_mappings(&original),
        "YAML was:\n{yaml}"
    );
    (yaml, json)
}

#[test]
fn graph_to_yaml_to_graph_keeps_every_mapping_field() {
    for f in [
        "scim-default-user.json",
        "unleash-seed.json",
        "unleash-gallery-default.json",
        "unleash-correct.json",
    ] {
        let (yaml, _) = round_trip(&read(&format!("fixtures/mappings/{f}")));
        assert!(
            !yaml.contains("graph-tree"),
            "{f}: the trees are the ones the texts give\n{yaml}"
        );
    }
}

#[test]
fn scim_export_converts_to_readable_yaml() {
    let (yaml, json) = round_trip(&read("fixtures/mappings/scim-default-user.json"));
    assert!(yaml.starts_with("source-directory: Azure Active Directory\ntarget-directory: customappsso\nobjects:\n  - name: Provision Microsoft Entra ID Users\n"));
    assert!(yaml.contains(
        "\n      - target: userName\n        source: '[userPrincipalName]'\n        matching: 1\n"
    ));
    assert!(yaml.contains(
        "\n        source: Switch([IsSoftDeleted], , \"False\", \"True\", \"True\", \"False\")\n"
    ));
    // The YAML carries the schema around the mappings, so the whole schema comes back.
    let doc: Value = serde_json::from_str(&json).unwrap();
    let rule = &doc["synchronizationRules"][0];
    assert_eq!(rule["sourceDirectoryName"], "Azure Active Directory");
    assert_eq!(rule["objectMappings"].as_array().unwrap().len(), 2);
    assert_eq!(
        doc,
        serde_json::from_str::<Value>(&read("fixtures/mappings/scim-default-user.json")).unwrap()
    );
    // Without its `graph:` section the YAML still converts, to a synchronizationRule.
    let bare = &yaml[..yaml.find("\n# The Graph schema").unwrap() + 1];
    let doc: Value =
        serde_json::from_str(&mapping::to_graph_json(&mapping::load(bare).unwrap())).unwrap();
    assert_eq!(doc["sourceDirectoryName"], "Azure Active Directory");
    assert_eq!(doc["objectMappings"].as_array().unwrap().len(), 2);
}

#[test]
fn graph_to_graph_keeps_the_shape() {
    let text = read("fixtures/mappings/scim-default-user.json");
    let file = mapping::load(&text).unwrap();
    let json = mapping::to_graph_json(&file);
    let doc: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(doc["directories"].as_array().unwrap().len(), 2);
    assert_eq!(
        doc["directories"][0]["objects"][0]["attributes"]
            .as_array()
            .unwrap()
            .len(),
        52
    );
    assert_eq!(
        graph_mappings(&doc),
        graph_mappings(&serde_json::from_str(&text).unwrap())
    );
    let again = mapping::load(&json).unwrap();
    assert_eq!(again.shape, Shape::Schema);

    let text = read("fixtures/mappings/unleash-correct.json");
    let json = mapping::to_graph_json(&mapping::load(&text).unwrap());
    assert_eq!(mapping::load(&json).unwrap().shape, Shape::ObjectMapping);
}

#[test]
fn unusual_graph_fields_survive_the_round_trip() {
    let text = r#"{
  "name": "Provision Microsoft Entra ID Users",
  "enabled": false,
  "sourceObjectName": "User",
  "targetObjectName": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
  "scope": {"groups": [{"name": "Sales, EMEA", "clauses": [
    {"operatorName": "EQUALS", "sourceOperandName": "department", "targetOperand": {"values": ["Sales", "True", "it's"]}},
    {"operatorName": "IS NOT NULL", "sourceOperandName": "mail", "targetOperand": {"values": []}}]}]},
  "attributeMappings": [
    {"targetAttributeName": "a", "defaultValue": "", "exportMissingReferences": true, "flowBehavior": "FlowAlways",
     "flowType": "ValueAddOnly", "matchingPriority": 3,
     "source": {"expression": "Mid([userPrincipalName], 1, 8)", "name": "Mid", "type": "Function", "parameters": [
        {"key": "source", "value": {"expression": "[userPrincipalName]", "name": "userPrincipalName", "parameters": [], "type": "Attribute"}},
        {"key": "start", "value": {"expression": "\"1\"", "name": "1", "parameters": [], "type": "Constant"}},
        {"key": "length", "value": {"expression": "\"8\"", "name": "8", "parameters": [], "type": "Constant"}}]}},
    {"targetAttributeName": "b", "source": {"name": "mail", "type": "Attribute"}},
    {"targetAttributeName": "c", "source": {"expression": "Jion(\"x\"", "name": "Jion", "parameters": [], "type": "Function"}},
    {"targetAttributeName": "d", "source": {"expression": "Join(\"\n\", [a],\n  [b])\n", "name": "Join", "type": "Function", "parameters": [
        {"key": "separator", "value": {"expression": "\"\n\"", "name": "\n", "parameters": [], "type": "Constant"}},
        {"key": "source", "value": {"expression": "[a]", "name": "a", "parameters": [], "type": "Attribute"}},
        {"key": "source", "value": {"expression": "[b]", "name": "b", "parameters": [], "type": "Attribute"}}]}},
    {"targetAttributeName": "e\tf", "source": null, "defaultValue": "  spaced  "}
  ]
}"#;
    let (yaml, _) = round_trip(text);
    // Only the nameless older node and the unparsable text need their tree kept.
    assert_eq!(yaml.matches("graph-tree").count(), 2, "{yaml}");
    assert!(yaml.contains("flow: value-add-only"));
    assert!(yaml.contains("default: ''"));
}

#[test]
fn yaml_to_graph_builds_trees() {
    let (_, file) = load("fixtures/mappings/entramap-example.yaml");
    let json = mapping::to_graph_json(&file);
    let doc: Value = serde_json::from_str(&json).unwrap();
    // One object with directories: a synchronizationRule.
    assert_eq!(doc["targetDirectoryName"], "customappsso");
    let om = &doc["objectMappings"][0];
    assert_eq!(
        om["scope"]["groups"][0]["clauses"][0]["targetOperand"]["values"][0],
        "Sales"
    );
    let active = &om["attributeMappings"][1];
    assert_eq!(active["targetAttributeName"], "active");
    assert_eq!(active["flowType"], "Always");
    assert_eq!(active["source"]["type"], "Function");
    assert_eq!(active["source"]["name"], "Switch");
    assert_eq!(active["source"]["parameters"][0]["key"], "source");
    assert_eq!(
        active["source"]["expression"],
        r#"Switch([IsSoftDeleted], , "False", "true", "True", "false")"#
    );
    let external = &om["attributeMappings"][4];
    assert_eq!(external["flowType"], "ObjectAddOnly");
    assert_eq!(external["defaultValue"], "unknown");
    // YAML → Graph → YAML is stable, suppressions included.
    let back = mapping::load(&json).unwrap();
    let yaml = mapping::to_yaml(&back);
    let file2 = mapping::load(&yaml).unwrap();
    assert_eq!(mapping::to_graph_json(&file2), json);

    let yaml = mapping::to_yaml(&file);
    assert!(
        yaml.contains("# entramap: ignore[switch-boolean-key-case]"),
        "{yaml}"
    );
    let again = mapping::load(&yaml).unwrap();
    assert_eq!(
        find(&again, "externalId").suppressed,
        ["emails-source", "target-not-allowed"]
    );
    assert_eq!(mapping::to_yaml(&again), yaml);
}

#[test]
fn bare_attribute_mappings_stay_bare() {
    let text = r#"[{"targetAttributeName": "userName", "source": {"expression": "[userPrincipalName]", "name": "userPrincipalName", "parameters": [], "type": "Attribute"}, "matchingPriority": 1}]"#;
    let (yaml, json) = round_trip(text);
    assert!(yaml.starts_with("mappings:\n"), "{yaml}");
    assert!(json.trim_start().starts_with('['));
}

// ---------------------------------------------------------------------------------------------
// Bad input

fn load_err(text: &str) -> mapping::LoadError {
    match mapping::load(text) {
        Ok(_) => panic!("loaded:\n{text}"),
        Err(e) => e,
    }
}

#[test]
fn bad_files_are_named_not_panicked_on() {
    let cases: &[(&str, LoadErrorKind, &str)] = &[
        (
            "fixtures/bad/truncated.json",
            LoadErrorKind::InvalidJson,
            "EOF",
        ),
        (
            "fixtures/bad/duplicate-key.json",
            LoadErrorKind::DuplicateKey,
            "\"targetAttributeName\"",
        ),
        (
            "fixtures/bad/lone-surrogate.json",
            LoadErrorKind::LoneSurrogate,
            "\\uD800",
        ),
        (
            "fixtures/bad/package.json",
            LoadErrorKind::NotAMapping,
            "not a mapping file",
        ),
        (
            "fixtures/bad/alias-bomb.yaml",
            LoadErrorKind::TooManyAliases,
            "aliases expand",
        ),
        ("fixtures/bad/empty.yaml", LoadErrorKind::Empty, "empty"),
        (
            "fixtures/bad/github-workflow.yaml",
            LoadErrorKind::NotAMapping,
            "not a mapping file",
        ),
        (
            "fixtures/bad/invalid.yaml",
            LoadErrorKind::InvalidYaml,
            "invalid YAML",
        ),
        (
            "fixtures/bad/duplicate-key.yaml",
            LoadErrorKind::DuplicateKey,
            "\"source\"",
        ),
        (
            "fixtures/bad/unknown-key.yaml",
            LoadErrorKind::UnknownField,
            "defualt",
        ),
    ];
    for &(path, kind, needle) in cases {
        let text = read(path);
        let e = load_err(&text);
        assert_eq!(e.kind, kind, "{path}: {e:?}");
        assert!(
            e.message.contains(needle),
            "{path}: {:?} lacks {needle:?}",
            e.message
        );
        assert!(e.span.end as usize <= text.len(), "{path}");
        let d = e.to_diagnostic();
        assert_eq!((d.code, d.name), (kind.code(), kind.name()));
        assert!(d.help.is_some(), "{path}");
    }
}

#[test]
fn error_positions() {
    let text = read("fixtures/bad/duplicate-key.json");
    let e = load_err(&text);
    assert_eq!(&text[e.span.range()], "\"targetAttributeName\"");
    assert_eq!(line_col(&text, e.span.start as usize), (5, 5));
    assert_eq!(line_col(&text, e.related.unwrap().start as usize), (3, 5));
    assert_eq!(e.to_diagnostic().labels.len(), 2);

    let text = read("fixtures/bad/lone-surrogate.json");
    let e = load_err(&text);
    assert_eq!(&text[e.span.range()], r"\uD800");

    let text = "{\n  \"attributeMappings\": [\n    {\"targetAttributeName\": \"x\",}\n  ]\n}\n";
    let e = load_err(text);
    assert_eq!(e.kind, LoadErrorKind::InvalidJson);
    assert_eq!(line_col(text, e.span.start as usize), (3, 33));
    assert!(e.message.contains("trailing comma"), "{}", e.message);

    let text = read("fixtures/bad/unknown-key.yaml");
    let e = load_err(&text);
    assert_eq!(&text[e.span.range()], "defualt");
    assert!(e.help.contains("did you mean `default`?"), "{}", e.help);

    let text = read("fixtures/bad/duplicate-key.yaml");
    let e = load_err(&text);
    assert_eq!(line_col(&text, e.span.start as usize), (4, 5));
    assert_eq!(line_col(&text, e.related.unwrap().start as usize), (3, 5));
}

#[test]
fn more_bad_input() {
    // Lone surrogates in every position, never a panic.
    for s in [
        r#"[{"targetAttributeName": "\uDC00"}]"#,
        r#"[{"targetAttributeName": "a\uD83Dx"}]"#,
        r#"["\uD800"]"#,
    ] {
        assert_eq!(load_err(s).kind, LoadErrorKind::LoneSurrogate, "{s}");
    }
    let e = load_err(r#"{"targetAttributeName": "userName", "source": null}"#);
    assert_eq!(e.kind, LoadErrorKind::NotAMapping);
    assert!(e.message.contains("single attributeMapping"));
    assert!(e.help.contains("synchronizationSchema"));
    assert_eq!(load_err("[]").kind, LoadErrorKind::NotAMapping);
    assert_eq!(load_err("[1, 2]").kind, LoadErrorKind::NotAMapping);
    assert_eq!(load_err("").kind, LoadErrorKind::Empty);
    assert_eq!(load_err(" \n\t\n").kind, LoadErrorKind::Empty);
    assert_eq!(load_err("# only a comment\n").kind, LoadErrorKind::Empty);
    assert_eq!(load_err("just a string").kind, LoadErrorKind::NotAMapping);
    assert_eq!(
        load_err("---\na: 1\n---\nb: 2\n").kind,
        LoadErrorKind::InvalidYaml
    );

    let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
    assert_eq!(load_err(&deep).kind, LoadErrorKind::TooDeep);
    let deep_yaml = format!(
        "mappings:\n  - target: x\n    default: {}{}\n",
        "[".repeat(80),
        "]".repeat(80)
    );
    assert_eq!(load_err(&deep_yaml).kind, LoadErrorKind::TooDeep);
    let big = format!("[{}]", " ".repeat(mapping::MAX_FILE_BYTES));
    assert_eq!(load_err(&big).kind, LoadErrorKind::TooLarge);

    let e =
        load_err(r#"[{"targetAttributeName": "x", "source": {"type": "Formula", "name": "x"}}]"#);
    assert_eq!(e.kind, LoadErrorKind::InvalidExpressionTree);
    assert!(e.message.contains("Formula"), "{}", e.message);
    let e = load_err(r#"[{"targetAttributeName": "x", "flowType": "Sometimes"}]"#);
    assert_eq!(e.kind, LoadErrorKind::InvalidField);
    let e = load_err(r#"[{"targetAttributeName": 7}]"#);
    assert_eq!(e.kind, LoadErrorKind::InvalidField);
    let e = load_err(
        r#"{"attributeMappings": [{"targetAttributeName": "x", "matchingPriority": "high"}]}"#,
    );
    assert_eq!(e.kind, LoadErrorKind::InvalidField);
    assert_eq!(
        &r#"{"attributeMappings": [{"targetAttributeName": "x", "matchingPriority": "high"}]}"#
            [e.span.range()],
        "\""
    );

    let e = load_err("mappings:\n  - target: x\n    flow: sometimes\n");
    assert_eq!(e.kind, LoadErrorKind::InvalidField);
    let e = load_err("mappings:\n  - source: '[x]'\n");
    assert_eq!(e.kind, LoadErrorKind::InvalidField);
    assert!(e.message.contains("target"));
    let e = load_err("mappings:\n  - target: x\n    source: [a, b]\n");
    assert_eq!(e.kind, LoadErrorKind::InvalidField);
    let e = load_err("mappings:\n  - target: x\n    graph-tree: {type: Nope}\n");
    assert_eq!(e.kind, LoadErrorKind::InvalidExpressionTree);
}

#[test]
fn mapping_shaped_files() {
    for ok in [
        "fixtures/mappings/scim-default-user.json",
        "fixtures/mappings/unleash-gallery-default.json",
        "fixtures/mappings/entramap-example.yaml",
        // broken, but plainly meant as mappings: reported, not skipped
        "fixtures/bad/truncated.json",
        "fixtures/bad/duplicate-key.json",
        "fixtures/bad/unknown-key.yaml",
        "fixtures/bad/invalid.yaml",
    ] {
        assert!(mapping::is_mapping_shaped(&read(ok)), "{ok}");
    }
    for skip in [
        "fixtures/bad/package.json",
        "fixtures/bad/github-workflow.yaml",
    ] {
        assert!(!mapping::is_mapping_shaped(&read(skip)), "{skip}");
        assert!(load_err(&read(skip)).is_not_a_mapping(), "{skip}");
    }
    // Fail closed: an empty file and JSON that does not parse show no sign of another format.
    assert!(mapping::is_mapping_shaped(&read("fixtures/bad/empty.yaml")));
    assert!(mapping::is_mapping_shaped("{\"a\": [1, 2"));
}

/// Loads `text`; on success every offset stays in the file and the YAML written back reads as
/// the same mappings; on failure the error points inside the file.
fn load_cleanly(text: &str) {
    match mapping::load(text) {
        Err(e) => {
            assert!(
                e.span.start <= e.span.end && e.span.end as usize <= text.len(),
                "{e:?}"
            );
            let _ = e.to_diagnostic();
        }
        Ok(file) => {
            let texts = |f: &MappingFile| -> Vec<(String, Option<String>)> {
                f.object_mappings
                    .iter()
                    .flat_map(|o| &o.attribute_mappings)
                    .map(|m| {
                        (
                            m.target.value.clone(),
                            m.source.as_ref().map(|s| s.text.clone()),
                        )
                    })
                    .collect()
            };
            for m in file
                .object_mappings
                .iter()
                .flat_map(|o| &o.attribute_mappings)
            {
                assert!(m.target.span.end as usize <= text.len());
                if let Some(expr) = &m.source {
                    for d in 0..=expr.text.len() {
                        assert!(
                            expr.map.offset(d) <= text.len(),
                            "{:?} in {text:?}",
                            expr.text
                        );
                    }
                }
            }
            let yaml = mapping::to_yaml(&file);
            let back = mapping::load(&yaml).unwrap_or_else(|e| panic!("{e:?}\n{yaml}"));
            assert_eq!(texts(&back), texts(&file), "{yaml}");
            let json = mapping::to_graph_json(&file);
            let again = mapping::load(&json).unwrap_or_else(|e| panic!("{e:?}\n{json}"));
            assert_eq!(texts(&again), texts(&file));
        }
    }
}

#[test]
fn truncated_and_mutated_files_never_panic() {
    for path in [
        "fixtures/mappings/unleash-correct.json",
        "fixtures/mappings/entramap-example.yaml",
    ] {
        let text = read(path);
        for cut in (0..text.len())
            .step_by(3)
            .filter(|&i| text.is_char_boundary(i))
        {
            load_cleanly(&text[..cut]);
        }
        let crlf = text.replace('\n', "\r\n");
        for (i, ch) in text.char_indices().step_by(7) {
            for rep in [
                "\"", "\\", "\n", "{", "]", ":", "'", "# ", "\r\n", "é", "\\u", "\t", "&a ", "*a",
                "|", ">-\n",
            ] {
                load_cleanly(&format!(
                    "{}{rep}{}",
                    &text[..i],
                    &text[i + ch.len_utf8()..]
                ));
            }
        }
        load_cleanly(&crlf);
    }
}

#[test]
fn documented_yaml_example_loads() {
    let readme = read("README.md");
    let doc = &readme[readme.find("### entramap YAML (mapping-as-code)").unwrap()..];
    let start = doc.find("```yaml\n").unwrap() + "```yaml\n".len();
    let end = start + doc[start..].find("```").unwrap();
    let text = &doc[start..end];
    let file = mapping::load(text).unwrap_or_else(|e| panic!("{e:?}"));
    let o = &file.object_mappings[0];
    assert_eq!(o.target_directory.as_deref(), Some("customappsso"));
    assert_eq!(o.attribute_mappings.len(), 4);
    assert_eq!(
        find(&file, "active").suppressed,
        ["switch-boolean-key-case"]
    );
    assert_eq!(find(&file, "externalId").flow_type, FlowType::ObjectAddOnly);
    let title = find(&file, "title").source.as_ref().unwrap();
    assert_eq!(title.text, r#"IIF([jobTitle]="", "Employee", [jobTitle])"#);
    assert_eq!(pos_of(text, title, "[jobTitle])"), (25, 11));
}

// ---------------------------------------------------------------------------------------------
// The convert command

fn entramap() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("entramap").unwrap();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1");
    cmd
}

#[test]
fn convert_command() {
    let out = entramap()
        .args([
            "convert",
            "fixtures/mappings/unleash-correct.json",
            "--to",
            "yaml",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let yaml = String::from_utf8(out.stdout).unwrap();
    let (_, file) = load("fixtures/mappings/unleash-correct.json");
    assert_eq!(yaml, mapping::to_yaml(&file));

    let dir = std::env::temp_dir().join(format!("entramap-convert-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let yaml_path = dir.join("m.yaml");
    std::fs::write(&yaml_path, &yaml).unwrap();
    let json_path = dir.join("m.json");
    let out = entramap()
        .args([
            "convert",
            yaml_path.to_str().unwrap(),
            "--to",
            "graph",
            "-o",
            json_path.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.is_empty());
    let json = std::fs::read_to_string(&json_path).unwrap();
    let original: Value =
        serde_json::from_str(&read("fixtures/mappings/unleash-correct.json")).unwrap();
    assert_eq!(
        graph_mappings(&serde_json::from_str(&json).unwrap()),
        graph_mappings(&original)
    );

    // An expression that does not parse has no Graph tree: nothing is written.
    let broken = dir.join("broken.yaml");
    std::fs::write(
        &broken,
        "mappings:\n  - target: x\n    source: Join(\" \", [a]\n",
    )
    .unwrap();
    let out = entramap()
        .args(["convert", broken.to_str().unwrap(), "--to", "graph"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("broken.yaml:3:"), "{err}");
    std::fs::remove_dir_all(&dir).ok();

    // A file that is not a mapping: exit 2, the diagnostic names the shapes.
    let out = entramap()
        .args(["convert", "fixtures/bad/package.json", "--to", "yaml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("not-a-mapping") && err.contains("synchronizationSchema"),
        "{err}"
    );
}

#[test]
fn empty_stand_ins_are_placeholders_and_the_rest_loads() {
    use entramap::mapping::PlaceholderKind;
    let text = r#"{"synchronizationRules": [
        {"objectMappings": [
            {"sourceObjectName": "User", "targetObjectName": "User", "attributeMappings": [
                {"targetAttributeName": "userName", "source": {}},
                {"targetAttributeName": "mail", "source": {"type": "Function", "parameters": [], "expression": null}},
                {"targetAttributeName": "title", "source": {"expression": ""}},
                {}
            ]},
            {}
        ]},
        {}
    ]}"#;
    let file = mapping::load(text).unwrap();
    let kinds: Vec<(PlaceholderKind, Option<&str>)> = file
        .placeholders
        .iter()
        .map(|p| (p.kind, p.target.as_deref()))
        .collect();
    assert_eq!(
        kinds,
        [
            (PlaceholderKind::Source, Some("userName")),
            (PlaceholderKind::Source, Some("mail")),
            (PlaceholderKind::AttributeMapping, None),
            (PlaceholderKind::ObjectMapping, None),
            (PlaceholderKind::Rule, None),
        ]
    );
    let mappings = &file.object_mappings[0].attribute_mappings;
    assert_eq!(mappings.len(), 3);
    assert!(mappings[0].source.is_none() && mappings[1].source.is_none());
    assert_eq!(
        mappings[2].source.as_ref().map(|s| s.text.as_str()),
        Some(""),
        "an expression written as \"\" is an (empty) expression, not a placeholder"
    );
    assert_eq!(&text[file.placeholders[0].span.range()], "{}");
}
