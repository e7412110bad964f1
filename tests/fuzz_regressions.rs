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
