//! Mapping-as-code you can deploy: Graph → Graph and Graph → YAML → Graph give back the same
//! schema (as JSON values) for every Graph export fixture, lint says the same of the YAML as of
//! the export, and `convert --to graph --base LIVE` changes a live schema only inside the object
//! mappings it replaces.

mod common;

use common::run_with;
use entramap::lint::{self, LintOptions};
use entramap::mapping::{self, Format};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every Graph JSON fixture that loads, by path relative to the crate.
fn graph_fixtures() -> Vec<String> {
    let mut out = Vec::new();
    for dir in ["fixtures/real", "fixtures/mappings", "fixtures/logs"] {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(root().join(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        paths.sort();
        for p in paths {
            let text = std::fs::read_to_string(&p).unwrap();
            if mapping::load(&text).is_ok_and(|f| f.format == Format::Graph) {
                out.push(format!(
                    "{dir}/{}",
                    p.file_name().unwrap().to_string_lossy()
                ));
            }
        }
    }
    out
}

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap()
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

/// The Microsoft documentation samples among the fixtures (sources in fixtures/real/README.md).
const DOC_SAMPLES: &[&str] = &[
    "fixtures/real/graph-objectmapping-salesforce.json",
    "fixtures/real/graph-schema-get-salesforce.json",
    "fixtures/real/graph-schema-get-extension-salesforce.json",
    "fixtures/real/graph-rule-resource.json",
];

#[test]
fn the_fixture_set_holds_the_documentation_samples() {
    let all = graph_fixtures();
    for sample in DOC_SAMPLES {
        assert!(all.iter().any(|f| f == sample), "{sample} in {all:?}");
    }
    assert!(all.len() >= 12, "{all:?}");
}

#[test]
fn graph_to_graph_is_the_same_document() {
    for path in graph_fixtures() {
        let text = read(&path);
        let file = mapping::load(&text).unwrap();
        let out = mapping::to_graph_json(&file);
        assert_eq!(json(&out), json(&text), "{path}");
    }
}

#[test]
fn graph_to_yaml_to_graph_is_the_same_document() {
    for path in graph_fixtures() {
        let text = read(&path);
        let yaml = mapping::to_yaml(&mapping::load(&text).unwrap());
        let back = mapping::load(&yaml).unwrap_or_else(|e| panic!("{path}: {e:?}\n{yaml}"));
        assert_eq!(back.format, Format::Yaml);
        let out = mapping::to_graph_json(&back);
        assert_eq!(json(&out), json(&text), "{path}\n{yaml}");
        // And once more: YAML → YAML keeps the section as it is.
        assert_eq!(mapping::to_yaml(&back), yaml, "{path}");
    }
}

/// What lint decides about a file: each finding's rule, severity and message, in order.
fn verdict(text: &str) -> Vec<(String, String, String)> {
    let file = mapping::load(text).unwrap();
    let mut v: Vec<(String, String, String)> = lint::lint(&file, &LintOptions::default())
        .iter()
        .map(|f| {
            (
                f.diagnostic.name.to_string(),
                format!("{:?}", f.diagnostic.severity),
                f.diagnostic.message.clone(),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn lint_says_the_same_of_the_yaml_as_of_the_export() {
    let mut with_findings = 0;
    for path in graph_fixtures() {
        let text = read(&path);
        let yaml = mapping::to_yaml(&mapping::load(&text).unwrap());
        let original = verdict(&text);
        assert_eq!(verdict(&yaml), original, "{path}\n{yaml}");
        // And the Graph JSON written back from the YAML.
        let back = mapping::to_graph_json(&mapping::load(&yaml).unwrap());
        assert_eq!(verdict(&back), original, "{path}\n{back}");
        with_findings += usize::from(!original.is_empty());
    }
    // The comparison means something: most fixtures have findings.
    assert!(with_findings >= 6, "{with_findings}");
    // The shortened sample's stand-ins are reported from the YAML's graph section too.
    let yaml = mapping::to_yaml(
        &mapping::load(&read("fixtures/real/graph-schema-get-salesforce.json")).unwrap(),
    );
    let placeholders = verdict(&yaml)
        .iter()
        .filter(|(name, _, _)| name == "placeholder")
        .count();
    assert_eq!(placeholders, 4);
}

#[test]
fn the_yaml_shows_the_mappings_first_and_the_envelope_last() {
    let text = read("fixtures/mappings/unleash-seed.json");
    let yaml = mapping::to_yaml(&mapping::load(&text).unwrap());
    assert!(
        yaml.starts_with("source-directory: Azure Active Directory\n"),
        "{yaml}"
    );
    let graph = yaml.find("\ngraph:\n").expect("a graph section");
    let last_mapping = yaml.rfind("- target:").unwrap();
    assert!(last_mapping < graph);
    let section = &yaml[graph..];
    // Ids and metadata are there; mappings written exactly as Graph has them are only named.
    assert!(section.contains("\"id\": \"9a7c3202-5669-5eae-ab3b-b528f6753bef\""));
    assert!(section.contains("\"OriginalJoiningProperty\""));
    assert!(section.contains("{\"anchor\":true,"));
    assert!(
        section.contains("\"attributeMappings\": [\"userName\",\"active\","),
        "{section}"
    );
    assert!(!section.contains("[userPrincipalName]"), "{section}");
}

#[test]
fn a_file_that_needs_no_envelope_gets_none() {
    // Everything of this attributeMappings array is a mapping field: no graph section.
    let yaml = mapping::to_yaml(&mapping::load(&read("fixtures/logs/mapping.json")).unwrap());
    assert!(!yaml.contains("graph:"), "{yaml}");
    // YAML written by hand converts as before.
    let file = mapping::load(&read("fixtures/real/unleash-withdrawn-active.yaml")).unwrap();
    assert!(file.envelope.is_none());
    assert!(mapping::to_graph_json(&file).trim_start().starts_with('['));
}

#[test]
fn edits_in_the_yaml_reach_the_schema_and_nothing_else_moves() {
    let text = read("fixtures/mappings/unleash-seed.json");
    let yaml = mapping::to_yaml(&mapping::load(&text).unwrap());
    let old = r#"source: Switch([IsSoftDeleted], , "false", "true", "true", "false")"#;
    assert!(yaml.contains(old));
    let edited = yaml.replace(old, "source: Not([IsSoftDeleted])");
    let out = json(&mapping::to_graph_json(&mapping::load(&edited).unwrap()));
    let mut original = json(&text);
    let active =
        &mut original["synchronizationRules"][0]["objectMappings"][0]["attributeMappings"][1];
    assert_eq!(active["targetAttributeName"], "active");
    assert_eq!(
        out["synchronizationRules"][0]["objectMappings"][0]["attributeMappings"][1]["source"]["expression"],
        "Not([IsSoftDeleted])"
    );
    // Put the new source into the original: then the two are equal.
    active["source"] = out["synchronizationRules"][0]["objectMappings"][0]["attributeMappings"][1]
        ["source"]
        .clone();
    assert_eq!(out, original);
}

#[test]
fn a_broken_graph_section_is_a_clear_error() {
    let err = mapping::load("mappings:\n  - target: a\n    source: '[b]'\ngraph: {\"x\": 1}\n")
        .unwrap_err();
    assert_eq!(err.kind, mapping::LoadErrorKind::InvalidField);
    assert!(
        err.message.contains("`graph` should hold"),
        "{}",
        err.message
    );
    // `graph` is a key of the file, not of an object in `objects:`.
    let err = mapping::load(
        "objects:\n  - source: User\n    target: User\n    graph: []\n    mappings: []\n",
    )
    .unwrap_err();
    assert_eq!(err.kind, mapping::LoadErrorKind::UnknownField);
}

// ---------------------------------------------------------------------------------------------
// convert --to graph --base LIVE.json

fn scratch(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("entramap-roundtrip-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn path_str(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// The document with the named object mappings' attribute mappings taken out.
fn without_attribute_mappings(mut doc: Value, objects: &[(&str, &str)]) -> Value {
    for rule in doc["synchronizationRules"].as_array_mut().unwrap() {
        for om in rule["objectMappings"].as_array_mut().unwrap() {
            let key = (
                om["sourceObjectName"].as_str().unwrap_or_default(),
                om["targetObjectName"].as_str().unwrap_or_default(),
            );
            if objects.contains(&key) {
                om["attributeMappings"] = Value::Null;
            }
        }
    }
    doc
}

#[test]
fn base_replaces_only_the_object_mappings_of_the_file() {
    let dir = scratch("base");
    // Hand-written YAML for the User object only, with the active mapping repaired and a new one.
    let yaml = dir.join("users.yaml");
    std::fs::write(
        &yaml,
        "source: User\ntarget: User\nmappings:\n  - target: userName\n    source: '[userPrincipalName]'\n    matching: 1\n  - target: active\n    source: Not([IsSoftDeleted])\n  - target: displayName\n    source: '[displayName]'\n  - target: title\n    source: '[jobTitle]'\n",
    )
    .unwrap();
    let live = "fixtures/mappings/unleash-seed.json";
    let put = dir.join("put.json");
    let (code, stdout, stderr) = run_with(
        &[
            "convert",
            path_str(&yaml),
            "--to",
            "graph",
            "--base",
            live,
            "-o",
            path_str(&put),
        ],
        "",
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.is_empty());
    let out = json(&std::fs::read_to_string(&put).unwrap());
    let original = json(&read(live));
    // Outside the replaced object mapping's attribute mappings, nothing changed: ids, metadata,
    // the Group object, directories, the object's own name, flowTypes and metadata.
    assert_eq!(
        without_attribute_mappings(out.clone(), &[("User", "User")]),
        without_attribute_mappings(original.clone(), &[("User", "User")])
    );
    let users = out["synchronizationRules"][0]["objectMappings"][0]["attributeMappings"]
        .as_array()
        .unwrap();
    let targets: Vec<&str> = users
        .iter()
        .map(|m| m["targetAttributeName"].as_str().unwrap())
        .collect();
    assert_eq!(targets, ["userName", "active", "displayName", "title"]);
    // Unchanged mappings are the live ones, to the byte of their JSON value.
    let live_users = &original["synchronizationRules"][0]["objectMappings"][0]["attributeMappings"];
    assert_eq!(users[0], live_users[0]);
    assert_eq!(users[2], live_users[2]);
    assert_eq!(users[1]["source"]["name"], "Not");
    assert_eq!(users[3]["source"]["expression"], "[jobTitle]");
    assert_eq!(users[3]["flowBehavior"], "FlowWhenChanged");
    // The output is itself a schema entramap reads.
    let back = mapping::load(&std::fs::read_to_string(&put).unwrap()).unwrap();
    assert_eq!(back.shape, mapping::Shape::Schema);
}

#[test]
fn base_with_the_files_own_export_gives_the_export_back() {
    for live in [
        "fixtures/mappings/unleash-seed.json",
        "fixtures/mappings/scim-default-user.json",
        "fixtures/real/graph-schema-get-extension-salesforce.json",
    ] {
        let (code, yaml, stderr) = run_with(&["convert", live, "--to", "yaml"], "");
        assert_eq!(code, 0, "{stderr}");
        // Standard input for the file, the export as the base.
        let (code, out, stderr) =
            run_with(&["convert", "-", "--to", "graph", "--base", live], &yaml);
        assert_eq!(code, 0, "{live}: {stderr}");
        assert_eq!(json(&out), json(&read(live)), "{live}");
    }
}

#[test]
fn base_refuses_an_object_the_live_schema_lacks() {
    let dir = scratch("base-unknown");
    let yaml = dir.join("groups.yaml");
    std::fs::write(
        &yaml,
        "source: Group\ntarget: Grop\nmappings:\n  - target: displayName\n    source: '[displayName]'\n",
    )
    .unwrap();
    let put = dir.join("put.json");
    let (code, stdout, stderr) = run_with(
        &[
            "convert",
            path_str(&yaml),
            "--to",
            "graph",
            "--base",
            "fixtures/mappings/unleash-seed.json",
            "-o",
            path_str(&put),
        ],
        "",
    );
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert!(!put.exists(), "nothing is written");
    assert!(
        stderr.contains("maps Group -> Grop, an object mapping"),
        "{stderr}"
    );
    assert!(
        stderr.contains("has: User -> User, Group -> Group"),
        "{stderr}"
    );
    assert!(stderr.contains("did you mean Group -> Group?"), "{stderr}");
}

#[test]
fn base_is_read_and_guarded_like_every_input() {
    let dir = scratch("base-guards");
    let live = dir.join("live.json");
    let original = read("fixtures/mappings/unleash-seed.json");
    std::fs::write(&live, &original).unwrap();
    let file = "fixtures/mappings/unleash-correct.json";
    // -o onto the base is refused, and the base is left as it was.
    let (code, _, stderr) = run_with(
        &[
            "convert",
            file,
            "--to",
            "graph",
            "--base",
            path_str(&live),
            "-o",
            path_str(&live),
        ],
        "",
    );
    assert_eq!(code, 2);
    assert!(stderr.contains("is the --base file"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&live).unwrap(), original);
    // --base goes with --to graph.
    let (code, _, stderr) = run_with(
        &["convert", file, "--to", "yaml", "--base", path_str(&live)],
        "",
    );
    assert_eq!(code, 2);
    assert!(
        stderr.contains("--base merges into a live Graph schema"),
        "{stderr}"
    );
    // A YAML base is not a live schema.
    let (code, _, stderr) = run_with(
        &[
            "convert",
            file,
            "--to",
            "graph",
            "--base",
            "fixtures/mappings/entramap-example.yaml",
        ],
        "",
    );
    assert_eq!(code, 2);
    assert!(stderr.contains("is not Graph JSON"), "{stderr}");
    // A broken base gets the load diagnostic, at its position.
    let broken = dir.join("broken.json");
    std::fs::write(&broken, "{\"synchronizationRules\": [}").unwrap();
    let (code, _, stderr) = run_with(
        &[
            "convert",
            file,
            "--to",
            "graph",
            "--base",
            path_str(&broken),
        ],
        "",
    );
    assert_eq!(code, 2);
    assert!(stderr.contains("invalid-json"), "{stderr}");
    // A base over the size limit is refused by the bounded reader.
    let big = dir.join("big.json");
    std::fs::write(&big, vec![b' '; mapping::MAX_FILE_BYTES + 1]).unwrap();
    let (code, _, stderr) = run_with(
        &["convert", file, "--to", "graph", "--base", path_str(&big)],
        "",
    );
    assert_eq!(code, 2);
    assert!(stderr.contains("too-large"), "{stderr}");
}

// ---------------------------------------------------------------------------------------------
// The README's walkthrough (its commands run in tests/docs.rs): the files it names are what it
// says they are.

const EDITS: [(&str, &str); 2] = [
    (
        r#"source: Switch([IsSoftDeleted], , "false", "true", "true", "false")"#,
        r#"source: Switch([IsSoftDeleted], , "False", "true", "True", "false")"#,
    ),
    ("source: '[mail]'", "source: '[userPrincipalName]'"),
];

#[test]
fn the_walkthrough_yaml_is_the_download_with_the_two_edits() {
    let live = read("fixtures/roundtrip/live.json");
    let mut yaml = mapping::to_yaml(&mapping::load(&live).unwrap());
    for (old, new) in EDITS {
        assert_eq!(yaml.matches(old).count(), 1, "{old}");
        yaml = yaml.replace(old, new);
    }
    assert_eq!(read("fixtures/roundtrip/mapping.yaml"), yaml);
}

#[test]
fn the_walkthrough_put_body_changes_only_the_edited_mappings() {
    let (code, out, stderr) = run_with(
        &[
            "convert",
            "fixtures/roundtrip/mapping.yaml",
            "--to",
            "graph",
            "--base",
            "fixtures/roundtrip/live.json",
        ],
        "",
    );
    assert_eq!(code, 0, "{stderr}");
    let put = json(&out);
    let mut live = json(&read("fixtures/roundtrip/live.json"));
    let take = |doc: &mut Value, i: usize| -> Value {
        doc["synchronizationRules"][0]["objectMappings"][0]["attributeMappings"][i].take()
    };
    let mut rest = put.clone();
    let (active, emails) = (take(&mut rest, 1), take(&mut rest, 3));
    let (live_active, live_emails) = (take(&mut live, 1), take(&mut live, 3));
    assert_eq!(rest, live);
    assert_eq!(
        active["source"]["expression"],
        r#"Switch([IsSoftDeleted], , "False", "true", "True", "false")"#
    );
    assert_eq!(emails["source"]["expression"], "[userPrincipalName]");
    // Within the edited mappings only the source changed.
    for (mut new, mut old) in [(active, live_active), (emails, live_emails)] {
        new["source"].take();
        old["source"].take();
        assert_eq!(new, old);
    }
}

// ---------------------------------------------------------------------------------------------
// Shapes the fixtures do not have.

const ODD: &str = r#"{
  "futureField": {"kept": [1, 2.5, true, null]},
  "sourceDirectoryName": "Azure Active Directory",
  "targetDirectoryName": "customappsso",
  "objectMappings": [
    {
      "enabled": true,
      "flowTypes": "Add,Update",
      "name": null,
      "scope": {"filterGroups": []},
      "sourceObjectName": "User",
      "targetObjectName": "User",
      "metadata": [{"key": "Disposition", "value": "\"Normal\""}],
      "attributeMappings": [
        {"targetAttributeName": "userName", "matchingPriority": 1,
         "source": {"type": "Attribute", "name": "userPrincipalName", "expression": null}},
        {},
        {"targetAttributeName": "active", "defaultValue": "",
         "source": {"expression": "Not([IsSoftDeleted])", "name": "Not", "type": "Function",
                    "parameters": [{"key": "source", "value": {"name": "IsSoftDeleted", "type": "Attribute"}}]},
         "x-unknown": 7}
      ]
    }
  ]
}"#;

#[test]
fn unknown_fields_and_odd_spellings_come_back() {
    let original = json(ODD);
    let file = mapping::load(ODD).unwrap();
    assert_eq!(json(&mapping::to_graph_json(&file)), original);
    let yaml = mapping::to_yaml(&file);
    assert!(yaml.contains("\"scope\": {\"filterGroups\":[]}"), "{yaml}");
    assert!(yaml.contains("\"x-unknown\": 7"), "{yaml}");
    let back = mapping::load(&yaml).unwrap();
    assert_eq!(json(&mapping::to_graph_json(&back)), original, "{yaml}");

    // An edit of an object field reaches the Graph JSON; the rest stays as written.
    let edited = yaml.replacen("    enabled: true\n", "    enabled: false\n", 1);
    assert_ne!(edited, yaml);
    let out = json(&mapping::to_graph_json(&mapping::load(&edited).unwrap()));
    let mut expected = original.clone();
    expected["objectMappings"][0]["enabled"] = Value::Bool(false);
    assert_eq!(out, expected);

    // A new mapping is written whole, after the others; a dropped one is gone.
    let edited = yaml.replacen(
        "      - target: active\n",
        "      - target: displayName\n        source: '[displayName]'\n      - target: active\n",
        1,
    );
    let out = json(&mapping::to_graph_json(&mapping::load(&edited).unwrap()));
    let items = out["objectMappings"][0]["attributeMappings"]
        .as_array()
        .unwrap();
    assert_eq!(items.len(), 4);
    assert_eq!(
        items[1],
        serde_json::json!({}),
        "the stand-in keeps its place"
    );
    assert_eq!(items[2]["targetAttributeName"], "displayName");
    assert_eq!(items[2]["flowBehavior"], "FlowWhenChanged");
    assert_eq!(items[3]["x-unknown"], 7);
}
