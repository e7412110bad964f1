//! Property: `--fix` changes only the bytes of the spans it fixes. Generated Graph JSON and
//! entramap YAML mapping files (function names in random casing, `active` expressions of every
//! kind, every YAML scalar style, LF or CRLF, comments, a byte-order mark) are linted, the
//! fixes planned from the findings; every byte outside the planned edit spans is the original's,
//! the edits do not overlap, the result loads, and a second round finds nothing left to fix
//! safely in the mappings it fixed.

use entramap::lint::{self, LintOptions, fix};
use entramap::mapping;
use entramap::profile::{Profile, ScimMode};
use proptest::prelude::*;

/// A function name in a casing drawn by `mask` (bit i set: letter i upper-case).
fn cased(name: &str, mask: u32) -> String {
    name.chars()
        .enumerate()
        .map(|(i, c)| {
            if mask >> (i % 32) & 1 == 1 {
                c.to_ascii_uppercase()
            } else {
                c.to_ascii_lowercase()
            }
        })
        .collect()
}

fn boolean_word(mask: u32, word: &str) -> String {
    cased(word, mask)
}

/// An expression for a mapping: calls with names in random casing, nested or not.
fn expression() -> impl Strategy<Value = String> {
    let name = prop_oneof![
        Just("Join"),
        Just("Trim"),
        Just("ToLower"),
        Just("ToUpper"),
        Just("Coalesce"),
        Just("NormalizeDiacritics"),
        Just("StripSpaces"),
    ];
    let attr = prop_oneof![
        Just("[givenName]"),
        Just("[surname]"),
        Just("[mail]"),
        Just("[userPrincipalName]"),
        Just("[department]"),
    ];
    prop_oneof![
        attr.clone().prop_map(str::to_string),
        (name.clone(), any::<u32>(), attr.clone()).prop_map(|(n, m, a)| {
            if n == "Join" {
                format!("{}(\" \", {a}, [surname])", cased(n, m))
            } else {
                format!("{}({a})", cased(n, m))
            }
        }),
        (name.clone(), any::<u32>(), name, any::<u32>(), attr).prop_map(|(n1, m1, n2, m2, a)| {
            let inner = if n2 == "Join" {
                format!("{}(\"-\", {a}, \"x\")", cased(n2, m2))
            } else {
                format!("{}({a})", cased(n2, m2))
            };
            if n1 == "Join" {
                format!("{}(\", \", {inner}, 'it''s')", cased(n1, m1))
                    .replace("'it''s'", "\"it's\"")
            } else {
                format!("{}({inner})", cased(n1, m1))
            }
        }),
    ]
}

/// An `active` expression: the broken Switch with keys in any casing, the gallery's Not, or the
/// correct one, with the function names in any casing.
fn active() -> impl Strategy<Value = String> {
    (
        0..4u8,
        any::<u32>(),
        any::<u32>(),
        any::<u32>(),
        any::<u32>(),
    )
        .prop_map(|(kind, m1, m2, m3, m4)| match kind {
            0 => format!(
                "{}([IsSoftDeleted], , \"{}\", \"true\", \"{}\", \"false\")",
                cased("Switch", m1),
                boolean_word(m2, "false"),
                boolean_word(m3, "true")
            ),
            1 => format!("{}([IsSoftDeleted])", cased("Not", m1)),
            2 => format!(
                "{}({}([IsSoftDeleted]), \"{}\", \"false\", \"true\")",
                cased("Switch", m1),
                cased("CStr", m4),
                boolean_word(m2, "false")
            ),
            _ => format!(
                "{}([IsSoftDeleted], , \"False\", \"true\", \"True\", \"false\")",
                cased("Switch", m1)
            ),
        })
}

#[derive(Debug, Clone)]
struct Mapping {
    target: String,
    source: String,
    matching: bool,
}

fn mappings() -> impl Strategy<Value = Vec<Mapping>> {
    let other = prop_oneof![
        Just("displayName"),
        Just("title"),
        Just("externalId"),
        Just("name.givenName"),
        Just("emails[type eq \"work\"].value"),
        Just("preferredLanguage"),
    ];
    let one = prop_oneof![
        2 => (other, expression()).prop_map(|(t, s)| Mapping { target: t.into(), source: s, matching: false }),
        1 => active().prop_map(|s| Mapping { target: "active".into(), source: s, matching: false }),
    ];
    (prop::collection::vec(one, 1..6), any::<bool>()).prop_map(|(mut ms, with_user_name)| {
        if with_user_name {
            ms.insert(
                0,
                Mapping {
                    target: "userName".into(),
                    source: "[userPrincipalName]".into(),
                    matching: true,
                },
            );
        }
        ms
    })
}

/// How a YAML scalar is written.
#[derive(Debug, Clone, Copy)]
enum Style {
    Plain,
    Single,
    Double,
    Literal,
    Folded,
}

fn yaml_source(expr: &str, style: Style, indent: &str) -> String {
    match style {
        // A plain scalar cannot start with `[` or `"`, nor hold `: ` or ` #`.
        Style::Plain
            if !expr.starts_with(['[', '"']) && !expr.contains(": ") && !expr.contains(" #") =>
        {
            expr.to_string()
        }
        Style::Plain | Style::Single => format!("'{}'", expr.replace('\'', "''")),
        Style::Double => serde_json::to_string(expr).unwrap(),
        Style::Literal => format!("|-\n{indent}  {expr}"),
        Style::Folded => {
            // Folded: break the line at the first ", " (a break folds back into a space).
            match expr.find(", ") {
                Some(i) => format!(
                    ">-\n{indent}  {}\n{indent}  {}",
                    &expr[..i + 1],
                    &expr[i + 2..]
                ),
                None => format!(">-\n{indent}  {expr}"),
            }
        }
    }
}

fn yaml_file(ms: &[Mapping], styles: &[Style], comments: &[bool], top_objects: bool) -> String {
    let (head, indent) = if top_objects {
        (
            "objects:\n  - name: Provision Users  # the one object\n    source: User\n    target: User\n    mappings:\n",
            "      ",
        )
    } else {
        ("# generated\nmappings:\n", "  ")
    };
    let mut out = String::from(head);
    for (i, m) in ms.iter().enumerate() {
        if comments[i % comments.len()] {
            out.push_str(&format!("{indent}# mapping {i}: {}\n", m.target));
        }
        let target = if m.target.contains(['"', '[', ' ']) {
            format!("'{}'", m.target)
        } else {
            m.target.clone()
        };
        out.push_str(&format!("{indent}- target: {target}\n"));
        let style = styles[i % styles.len()];
        out.push_str(&format!(
            "{indent}  source: {}\n",
            yaml_source(&m.source, style, &format!("{indent}  "))
        ));
        if m.matching {
            out.push_str(&format!("{indent}  matching: 1\n"));
        }
    }
    out
}

fn json_file(ms: &[Mapping], pretty: bool, with_trees: bool) -> String {
    let items: Vec<serde_json::Value> = ms
        .iter()
        .map(|m| {
            let mut source = match (with_trees, mapping::tree_from_text(&m.source)) {
                (true, Some(tree)) => serde_json::to_value(tree).unwrap(),
                _ => serde_json::json!({"expression": m.source, "type": "Function"}),
            };
            source["expression"] = serde_json::Value::String(m.source.clone());
            serde_json::json!({
                "targetAttributeName": m.target,
                "matchingPriority": if m.matching { 1 } else { 0 },
                "source": source,
            })
        })
        .collect();
    let v = serde_json::json!({"name": "Provision Users", "sourceObjectName": "User",
        "targetObjectName": "User", "attributeMappings": items});
    if pretty {
        serde_json::to_string_pretty(&v).unwrap()
    } else {
        serde_json::to_string(&v).unwrap()
    }
}

fn file() -> impl Strategy<Value = String> {
    let style = prop_oneof![
        Just(Style::Plain),
        Just(Style::Single),
        Just(Style::Double),
        Just(Style::Literal),
        Just(Style::Folded),
    ];
    let yaml = (
        mappings(),
        prop::collection::vec(style, 1..4),
        prop::collection::vec(any::<bool>(), 1..4),
        any::<bool>(),
    )
        .prop_map(|(ms, styles, comments, top)| yaml_file(&ms, &styles, &comments, top));
    let json = (mappings(), any::<bool>(), any::<bool>())
        .prop_map(|(ms, pretty, trees)| json_file(&ms, pretty, trees));
    (prop_oneof![yaml, json], any::<bool>(), any::<bool>()).prop_map(|(text, crlf, bom)| {
        let text = if crlf {
            text.replace('\n', "\r\n")
        } else {
            text
        };
        if bom { format!("\u{feff}{text}") } else { text }
    })
}

fn options(profile: bool, compliant: bool) -> LintOptions {
    LintOptions {
        profile: profile.then(|| Profile::resolve("unleash").unwrap()),
        scim_mode: if compliant {
            ScimMode::Compliant
        } else {
            ScimMode::Legacy
        },
        ..LintOptions::default()
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1200))]

    #[test]
    fn fixes_touch_only_their_spans(
        text in file(),
        profile in any::<bool>(),
        compliant in any::<bool>(),
        include_unsafe in any::<bool>(),
    ) {
        let file = mapping::load(&text)
            .map_err(|e| TestCaseError::fail(format!("generated file does not load: {e}\n{text}")))?;
        let options = options(profile, compliant);
        let findings = lint::lint(&file, &options);
        let plan = fix::plan(&text, &file, &findings, include_unsafe)
            .map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;

        // Every byte outside the edit spans is the original's, in order.
        let mut at = 0;
        let mut out_at = 0;
        for (span, replacement) in &plan.edits {
            let (s, e) = (span.start as usize, span.end as usize);
            prop_assert!(s >= at && e >= s && e <= text.len(), "edits overlap or leave the text: {:?}", plan.edits);
            let kept = &text.as_bytes()[at..s];
            prop_assert_eq!(&plan.text.as_bytes()[out_at..out_at + kept.len()], kept);
            out_at += kept.len();
            prop_assert_eq!(&plan.text[out_at..out_at + replacement.len()], replacement.as_str());
            out_at += replacement.len();
            at = e;
        }
        prop_assert_eq!(&plan.text.as_bytes()[out_at..], &text.as_bytes()[at..]);

        // The result loads, keeps its line endings and byte-order mark, and has the same
        // mappings (unsafe fixes may remove some).
        let fixed = mapping::load(&plan.text)
            .map_err(|e| TestCaseError::fail(format!("fixed file does not load: {e}\n{}", plan.text)))?;
        prop_assert_eq!(plan.text.starts_with('\u{feff}'), text.starts_with('\u{feff}'));
        if text.contains("\r\n") {
            prop_assert_eq!(plan.text.matches('\n').count(), plan.text.matches("\r\n").count());
        }
        let count = |f: &mapping::MappingFile| f.object_mappings.iter().map(|o| o.attribute_mappings.len()).sum::<usize>();
        if !include_unsafe {
            prop_assert_eq!(count(&fixed), count(&file));
        }

        // Nothing safe is left to fix: function names are canonical now.
        let again = lint::lint(&fixed, &options);
        let left: Vec<_> = again
            .iter()
            .filter(|f| f.fix.as_ref().is_some_and(|x| x.safe) && f.diagnostic.name == "function-name-case")
            .map(|f| f.diagnostic.message.clone())
            .collect();
        prop_assert!(left.is_empty(), "still to fix: {left:?}\n{}", plan.text);

        // The diff of the plan renders.
        let _ = fix::unified_diff("mapping", &text, &plan);
    }
}
