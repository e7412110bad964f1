//! Inputs the fuzzers (`tests/fuzz/`) found crashing, reduced, each kept as a test of the fix.

use entramap::mapping::{self, LoadErrorKind};

/// load_json crash-97fdb076: a Graph tree whose `name` holds a DEL character (JSON allows it
/// raw). `to_yaml` copied it raw into the `graph-tree:` line, and YAML forbids DEL, so the
/// converted file did not load. Every character YAML cannot hold raw is now escaped, in the
/// tree and in every scalar.
#[test]
fn yaml_conversion_escapes_what_yaml_cannot_hold_raw() {
    for c in [
        '\u{7f}', '\u{80}', '\u{85}', '\u{9f}', '\u{feff}', '\u{2028}', '\u{fffe}', '\u{ffff}',
    ] {
        let json = format!(
            r#"[{{"targetAttributeName": "title{c}",
                 "source": {{"expression": "Join(\"{c}\", [jobTitle])", "name": "[j{c}bTitle]",
                            "type": "Function", "parameters": []}},
                 "defaultValue": "a{c}b"}}]"#
        );
        let file = mapping::load(&json).unwrap_or_else(|e| panic!("{c:?}: {e}"));
        let yaml = mapping::to_yaml(&file);
        let back = mapping::load(&yaml).unwrap_or_else(|e| panic!("{c:?}: {e}\n{yaml}"));
        let (a, b) = (
            &file.object_mappings[0].attribute_mappings[0],
            &back.object_mappings[0].attribute_mappings[0],
        );
        assert_eq!(a.target.value, b.target.value, "{c:?}");
        assert_eq!(a.default_value, b.default_value, "{c:?}");
        let (sa, sb) = (a.source.as_ref().unwrap(), b.source.as_ref().unwrap());
        assert_eq!(sa.text, sb.text, "{c:?}");
        assert_eq!(
            mapping::graph_source(sa),
            mapping::graph_source(sb),
            "{c:?}: the tree changed"
        );
        // And back to Graph JSON, which loads as the same mapping.
        let graph = mapping::to_graph_json(&back);
        let again = mapping::load(&graph).unwrap_or_else(|e| panic!("{c:?}: {e}\n{graph}"));
        assert_eq!(
            again.object_mappings[0].attribute_mappings[0].target.value,
            a.target.value
        );
    }
    // A raw DEL inside YAML itself is refused with a position, not accepted silently.
    let e = mapping::load("mappings:\n  - target: a\u{7f}b\n").unwrap_err();
    assert_eq!(e.kind, LoadErrorKind::InvalidYaml);
}

/// load_json crash-ef5b7023: a one-line (minified) Graph export of 84 KB with an error near its
/// end. miette cannot draw a label past column 65,535 and panicked while rendering it, so
/// `entramap lint` reported an internal error on any minified export with a finding far enough
/// along its single line. Such a finding is now reported by line and column without the source.
#[test]
fn findings_past_column_65535_render() {
    use assert_cmd::Command;
    let mut mappings = vec![
        r#"{"targetAttributeName":"userName","matchingPriority":1,"source":{"expression":"[userPrincipalName]","name":"userPrincipalName","type":"Attribute","parameters":[]}}"#.to_string(),
    ];
    while mappings.iter().map(String::len).sum::<usize>() < 80_000 {
        mappings.push(format!(
            r#"{{"targetAttributeName":"extension{}","source":{{"expression":"[mail]","name":"mail","type":"Attribute","parameters":[]}}}}"#,
            mappings.len()
        ));
    }
    // A finding at the end of the line: a function name in the wrong casing.
    mappings.push(r#"{"targetAttributeName":"displayName","source":{"expression":"join(\" \", [givenName], [surname])","type":"Function"}}"#.into());
    let minified = format!(
        r#"{{"name":"Users","attributeMappings":[{}]}}"#,
        mappings.join(",")
    );
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("fuzz-regressions");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("minified.json");
    std::fs::write(&path, &minified).unwrap();
    let out = Command::cargo_bin("entramap")
        .unwrap()
        .args(["lint", "--select", "function-name-case"])
        .arg(&path)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    assert!(!stderr.contains("internal error"), "{stderr}");
    assert!(
        stdout.contains("`join` is documented as `Join`"),
        "{stdout}"
    );
    assert!(stdout.contains("too long to show"), "{stdout}");
    let column = minified.find("join(").unwrap() + 1;
    assert!(column > 65_535);
    assert!(
        stdout.contains(&format!("minified.json:1:{column}")),
        "{stdout}"
    );

    // And a load error there: cut the file short.
    std::fs::write(&path, &minified[..minified.len() - 3]).unwrap();
    let out = Command::cargo_bin("entramap")
        .unwrap()
        .arg("lint")
        .arg(&path)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{stdout}");
    assert!(
        stdout.contains("invalid-json(L001)") && stdout.contains("too long to show"),
        "{stdout}"
    );
    assert!(!stderr.contains("internal error"), "{stderr}");
}

/// load_yaml crash-e4e70a64: a YAML error at a two-byte character (`ݰ`) got a one-byte span,
/// which splits the character (slicing the text there panics). Load errors now span whole
/// characters.
#[test]
fn yaml_error_spans_cover_whole_characters() {
    let text = format!(
        "# ene: '[use{}\r{}\u{770}rincipa\u{1}\0])'\n",
        "\t".repeat(99),
        "\t".repeat(29)
    );
    let text = text.as_str();
    let e = mapping::load(text).unwrap_err();
    assert_eq!(e.kind, LoadErrorKind::InvalidYaml);
    let (s, end) = (e.span.start as usize, e.span.end as usize);
    assert!(
        text.is_char_boundary(s) && text.is_char_boundary(end),
        "{s}..{end}"
    );
    assert!(!text[s..end].is_empty());
    // Nesting too deep under a multi-byte key, and a second document starting with one.
    let deep: String = (0..70)
        .map(|i| format!("{}é{i}:\n", "  ".repeat(i)))
        .collect();
    let second = "mappings: []\n...\nüü: x\n";
    for text in [deep.as_str(), second] {
        let e = mapping::load(text).unwrap_err();
        let (s, end) = (e.span.start as usize, e.span.end as usize);
        assert!(
            text.is_char_boundary(s) && text.is_char_boundary(end),
            "{e:?}"
        );
    }
}

/// eval crash-9a690b6a: `Replace` with a named group under a `{0}` repetition
/// (`(a(?<a>b){0})`, reduced from `\+(?<isdCode>…(?<isdCode>…){00})`). fancy-regex 0.17's
/// `capture_names` indexes past its own capture count for such a group and panicked. Group
/// names are now read from the pattern; the group exists and is empty, as in .NET.
#[test]
fn named_group_under_zero_repetition() {
    use entramap::eval::{self, Context, Outcome, Value};
    use std::collections::HashMap;
    let user = HashMap::from([("telephoneNumber".to_string(), Value::Str("ab".into()))]);
    for (expr, expected) in [
        (
            r#"Replace([telephoneNumber], , "(a(?<a>b){0})", , "[${a}]", , )"#,
            "[]b",
        ),
        (
            r#"Replace([telephoneNumber], , "(a(?<a>b){00})", "a", "x", , )"#,
            "ab",
        ),
        (
            r#"Replace([telephoneNumber], , "(?<x>a)(?<y>b){0}", , "<${x}${y}>", , )"#,
            "<a>b",
        ),
    ] {
        let parsed = entramap::check::checked(entramap::syntax::parse(expr).unwrap()).unwrap();
        let outcome = eval::evaluate(&parsed, &Context::new(&user)).unwrap();
        assert_eq!(
            outcome,
            Outcome::Value(Value::Str(expected.into())),
            "{expr}"
        );
    }
}

/// load_json crash-5fd8b328: a multi-line expression holding a carriage return. `to_yaml` wrote
/// it as a literal block scalar, where YAML reads the `\r` as a line break, so the file came
/// back different (here: not at all). Text with a `\r` or any other character a block scalar
/// cannot hold raw is written double-quoted with escapes instead.
#[test]
fn yaml_block_scalars_hold_no_carriage_return() {
    for c in ['\r', '\u{7f}', '\u{85}', '\u{2028}', '\u{feff}', '\u{1b}'] {
        let esc = format!("\\u{:04x}", c as u32);
        let expr = format!(r#"Join(\"x\",\n[a],\n[b]){esc}\\tail{esc}x"#);
        let json = format!(
            r#"[{{"targetAttributeName": "displayName", "source": {{"expression": "{expr}", "type": "Attribute"}}}}]"#
        );
        let file = mapping::load(&json).unwrap_or_else(|e| panic!("{c:?}: {e}"));
        let yaml = mapping::to_yaml(&file);
        let back = mapping::load(&yaml).unwrap_or_else(|e| panic!("{c:?}: {e}\n{yaml}"));
        assert_eq!(
            back.object_mappings[0].attribute_mappings[0]
                .source
                .as_ref()
                .unwrap()
                .text,
            file.object_mappings[0].attribute_mappings[0]
                .source
                .as_ref()
                .unwrap()
                .text,
            "{c:?}\n{yaml}"
        );
    }
}

/// load_json crash-092f31e8: a repeated key followed by blank lines and then a multi-byte
/// character instead of `:`. serde_json reports the duplicate past the blanks; the span ran
/// from the key into the middle of that character. It now covers exactly the repeated key.
#[test]
fn duplicate_key_span_is_the_key() {
    for text in [
        "\n\n\n{\n  \"name\": \"PAttributm\",\n        \"name\"\n\n\n\n\u{7556}n\u{623}uQession\": \"x\"\n ]\n}\n",
        "{\"name\": \"a\", \"name\"   \u{e9}: 1}",
        "{\"name\": \"a\", \"name\": 1}",
    ] {
        let e = mapping::load(text).unwrap_err();
        assert_eq!(e.kind, LoadErrorKind::DuplicateKey, "{text:?}");
        let (s, end) = (e.span.start as usize, e.span.end as usize);
        assert_eq!(text.get(s..end), Some("\"name\""), "{text:?}: {s}..{end}");
        let first = e.related.expect("the first occurrence");
        assert_eq!(&text[first.range()], "\"name\"", "{text:?}");
    }
}
