//! The catalogue of bad inputs (`fixtures/bad/`, plus the huge ones generated here): each is
//! refused with its exact error kind and a message that names the problem, through the library
//! and through the command line, and no input makes a command exit with anything but 0, 1 or 2.
//! Every command runs under a 256 MB address-space cap (`RLIMIT_AS`, through `prlimit`) and is
//! killed as hung after 30 s (a detector, not a benchmark).

use entramap::mapping::{self, LoadError, LoadErrorKind};
use entramap::syntax::{self, ParseErrorKind};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

#[path = "common/sarif.rs"]
mod sarif;

/// Runs the command line under the memory cap and the hang detector ([`capped`]); returns the
/// exit code, stdout and stderr (lossy: some inputs are not UTF-8).
fn run(args: &[&str], stdin: Option<Vec<u8>>) -> (i32, String, String) {
    capped(args, stdin.map_or(Feed::Nothing, Feed::Bytes))
}

fn fixture(name: &str) -> String {
    format!("fixtures/bad/{name}")
}

fn bytes(name: &str) -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join(fixture(name))).unwrap()
}

/// A fresh scratch directory for one test.
fn scratch(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("bad-inputs-{test}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Loads a fixture through the library and returns its error.
fn load_error(name: &str) -> LoadError {
    match mapping::load_bytes(&bytes(name)) {
        Ok(_) => panic!("{name} loaded"),
        Err(e) => e,
    }
}

/// The fixture fails to load with `kind`, whose message contains every word; `entramap lint`
/// exits 2 and its report names the kind and shows the same message.
fn refused(name: &str, kind: LoadErrorKind, words: &[&str]) -> LoadError {
    let e = load_error(name);
    assert_eq!(e.kind, kind, "{name}: {e:?}");
    for w in words {
        assert!(
            e.message.contains(w),
            "{name}: {w:?} not in {:?}",
            e.message
        );
    }
    // The load error is part of the report on stdout, like any finding.
    let (code, out, err) = run(&["lint", &fixture(name)], None);
    assert_eq!(code, 2, "{name}: {out}{err}");
    let heading = format!("{}({})", kind.name(), kind.code());
    assert!(out.contains(&heading), "{name}: {heading} not in {out}");
    for w in words {
        assert!(out.contains(w), "{name}: {w:?} not in {out}");
    }
    assert!(out.contains("1 file failed"), "{name}: {out}");
    e
}

// ------------------------------------------------------------------------------ the catalogue

#[test]
fn empty_file() {
    refused("empty.yaml", LoadErrorKind::Empty, &["empty"]);
    for text in ["", "   \n\t\n", "# only a comment\n\n", "\u{feff}"] {
        let e = mapping::load(text).unwrap_err();
        assert_eq!(e.kind, LoadErrorKind::Empty, "{text:?}");
    }
    // A pre-commit run reports it too: an empty file shows no sign of being anything else (a
    // mapping file truncated to nothing must not pass silently).
    let (code, out, _) = run(
        &[
            "lint",
            "--skip-non-mappings",
            "--format",
            "short",
            &fixture("empty.yaml"),
        ],
        None,
    );
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("error[L011] empty-file"), "{out}");
}

#[test]
fn invalid_utf8() {
    let e = refused(
        "invalid-utf8.json",
        LoadErrorKind::InvalidUtf8,
        &["not UTF-8", "0xE9", "not valid UTF-8"],
    );
    // At the bad byte: `Caf` then 0xE9.
    let text = bytes("invalid-utf8.json");
    assert_eq!(text[e.span.start as usize], 0xE9);
    let (_, out, _) = run(&["lint", &fixture("invalid-utf8.json")], None);
    assert!(out.contains("invalid-utf8.json:9:25"), "{out}");
    // A UTF-16 export (what Windows PowerShell writes by default) says so.
    refused("utf16.json", LoadErrorKind::InvalidUtf8, &["UTF-16"]);
    // Expressions and inputs read from stdin say the same.
    let (code, _, err) = run(&["parse", "-"], Some(b"Join(\"\xff\", [a])".to_vec()));
    assert_eq!(code, 2);
    assert!(err.contains("not valid UTF-8"), "{err}");
}

#[test]
fn byte_order_mark_is_accepted() {
    for name in ["bom.json", "bom.yaml"] {
        let file = mapping::load_bytes(&bytes(name)).unwrap();
        let m = &file.object_mappings[0].attribute_mappings[0];
        assert_eq!(m.target.value, "userName");
        // Spans count the mark: they index the file as given.
        let text = String::from_utf8(bytes(name)).unwrap();
        assert_eq!(&text[m.target.span.range()], "userName", "{name}");
        let (code, out, err) = run(&["lint", &fixture(name)], None);
        assert_eq!(code, 0, "{name}: {out}{err}");
        assert!(out.contains("no problems in 1 file"), "{out}");
    }
}

#[test]
fn nul_bytes() {
    refused(
        "nul-byte.json",
        LoadErrorKind::InvalidJson,
        &["control character"],
    );
    refused("nul-byte.yaml", LoadErrorKind::InvalidYaml, &["\\u{0}"]);
    // In an expression a NUL is just a character: it parses and prints back.
    let expr = syntax::parse("Join(\"\0\", [a])").unwrap();
    assert_eq!(
        syntax::parse(&syntax::print(&expr))
            .unwrap()
            .without_spans(),
        expr.without_spans()
    );
}

#[test]
fn truncated_json() {
    let e = refused(
        "truncated.json",
        LoadErrorKind::InvalidJson,
        &["EOF while parsing"],
    );
    // At the end of the file, where more was expected.
    assert_eq!(e.span.start as usize, bytes("truncated.json").len());
}

#[test]
fn duplicate_json_keys() {
    let e = refused(
        "duplicate-key.json",
        LoadErrorKind::DuplicateKey,
        &["targetAttributeName"],
    );
    let text = String::from_utf8(bytes("duplicate-key.json")).unwrap();
    let first = e.related.expect("the first occurrence");
    assert!(first.start < e.span.start);
    assert!(text[first.range()].contains("targetAttributeName"));
    assert!(text[e.span.range()].contains("targetAttributeName"));
}

#[test]
fn json_that_is_not_a_mapping() {
    refused(
        "package.json",
        LoadErrorKind::NotAMapping,
        &["not a mapping file"],
    );
    let (_, out, _) = run(&["lint", &fixture("package.json")], None);
    assert!(
        out.contains("synchronizationRules") && out.contains("attributeMappings"),
        "{out}"
    );
    let (code, out, err) = run(
        &["lint", "--skip-non-mappings", &fixture("package.json")],
        None,
    );
    assert_eq!((code, err.as_str()), (0, ""), "{out}");
}

#[test]
fn unknown_top_level_shape() {
    refused(
        "unknown-shape.json",
        LoadErrorKind::NotAMapping,
        &["a single attributeMapping", "put it in an array"],
    );
    refused(
        "unknown-shape.yaml",
        LoadErrorKind::NotAMapping,
        &["a YAML list"],
    );
    refused(
        "github-workflow.yaml",
        LoadErrorKind::NotAMapping,
        &["not a mapping file"],
    );
    for (text, what) in [
        ("[1, 2, 3]", "attributeMappings"),
        ("\"just a string\"", ""),
        ("42", ""),
        ("{}", "without synchronizationRules"),
    ] {
        let e = mapping::load(text).unwrap_err();
        assert!(
            matches!(
                e.kind,
                LoadErrorKind::NotAMapping | LoadErrorKind::InvalidJson
            ),
            "{text}: {e:?}"
        );
        assert!(e.message.contains(what), "{text}: {}", e.message);
    }
}

#[test]
fn yaml_alias_bomb() {
    let started = Instant::now();
    let e = refused("alias-bomb.yaml", LoadErrorKind::TooManyAliases, &["alias"]);
    assert!(
        e.message.contains("10000") || e.message.contains("10,000"),
        "{}",
        e.message
    );
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn lone_surrogate() {
    let e = refused(
        "lone-surrogate.json",
        LoadErrorKind::LoneSurrogate,
        &["\\uD800", "surrogate"],
    );
    let text = String::from_utf8(bytes("lone-surrogate.json")).unwrap();
    assert_eq!(&text[e.span.range()], "\\uD800");
}

#[test]
fn crlf_positions_match_the_lf_twin() {
    for (crlf, lf) in [("crlf.json", "crlf-lf.json"), ("crlf.yaml", "crlf-lf.yaml")] {
        let crlf_text = String::from_utf8(bytes(crlf)).unwrap();
        let lf_text = String::from_utf8(bytes(lf)).unwrap();
        // A checkout that rewrote line endings would make this test vacuous.
        assert!(crlf_text.contains("\r\n") && !lf_text.contains('\r'));
        let report = |name: &str| -> Vec<serde_json::Value> {
            let (code, out, err) = run(
                &[
                    "lint",
                    "--profile",
                    "unleash",
                    "--format",
                    "json",
                    &fixture(name),
                ],
                None,
            );
            assert_eq!(code, 1, "{out}{err}");
            let v: serde_json::Value = serde_json::from_str(&out).unwrap();
            v["files"][0]["diagnostics"].as_array().unwrap().clone()
        };
        let (a, b) = (report(crlf), report(lf));
        assert!(!a.is_empty());
        assert_eq!(a.len(), b.len());
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(x["name"], y["name"]);
            for key in ["line", "column", "end_line", "end_column"] {
                assert_eq!(x[key], y[key], "{crlf}: {key} of {}", x["name"]);
            }
            // Byte offsets differ by one `\r` per line before the finding, and the spans
            // cover the same text (line breaks aside).
            let line = x["line"].as_u64().unwrap();
            let (xo, yo) = (x["offset"].as_u64().unwrap(), y["offset"].as_u64().unwrap());
            assert_eq!(xo, yo + line - 1, "{crlf}: offset of {}", x["name"]);
            let span = |t: &str, d: &serde_json::Value| {
                let o = d["offset"].as_u64().unwrap() as usize;
                t[o..o + d["length"].as_u64().unwrap() as usize].replace('\r', "")
            };
            assert_eq!(span(&crlf_text, x), span(&lf_text, y));
        }
        // The fixes agree too, and keep CRLF.
        let plan = |text: &str| {
            let file = mapping::load(text).unwrap();
            let options = entramap::lint::LintOptions {
                profile: Some(entramap::profile::Profile::resolve("unleash").unwrap()),
                ..Default::default()
            };
            let findings = entramap::lint::lint(&file, &options);
            entramap::lint::fix::plan(text, &file, &findings, false).unwrap()
        };
        let (pa, pb) = (plan(&crlf_text), plan(&lf_text));
        assert_eq!(pa.text, pb.text.replace('\n', "\r\n"), "{crlf}");
    }
}

// ----------------------------------------------------------------------- generated, huge inputs

/// Ten megabytes of expression, through the library and `entramap parse -`: read whole, every
/// argument kept. (Its linear time is measured by `benches/parse.rs` and `benches/scaling.sh`,
/// not asserted here: tests never assert on wall-clock time.)
#[test]
fn ten_megabyte_expression() {
    const MB: usize = 1 << 20;
    const PIECE: &str = ", [givenName], \"Zoë\", Trim([mail])";
    let make = |size: usize| {
        let mut text = String::with_capacity(size + 64);
        text.push_str("Join(\",\"");
        let mut pieces = 0;
        while text.len() < size {
            text.push_str(PIECE);
            pieces += 1;
        }
        text.push(')');
        (text, pieces)
    };
    let (big, pieces) = make(10 * MB);
    let expr = syntax::parse(&big).unwrap();
    let call = expr.as_call().unwrap();
    assert_eq!(call.name, "Join");
    assert_eq!(call.args.len(), 1 + 3 * pieces);
    let (code, out, err) = run(
        &["parse", "--output", "canonical", "-"],
        Some(big.clone().into_bytes()),
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.trim_end(), big);

    // One long string constant and one long attribute name parse too.
    let long_string = format!("Trim(\"{}\")", "x".repeat(10 * MB));
    assert!(syntax::parse(&long_string).is_ok());
    let long_attr = format!("[{}]", "a".repeat(10 * MB));
    assert!(syntax::parse(&long_attr).is_ok());
    // Unterminated at the end of 10 MB: the error comes as fast.
    let started = Instant::now();
    let e = syntax::parse(&long_string[..long_string.len() - 2]).unwrap_err();
    assert_eq!(e.kind, ParseErrorKind::UnterminatedString);
    assert!(started.elapsed() < Duration::from_secs(10));
}

/// In a mapping file, a 10 MB expression makes the file too large; a 20,000-character one loads
/// and is linted as over Entra's 10,000-character limit.
#[test]
fn huge_expressions_in_mapping_files() {
    let dir = scratch("huge-expressions");
    let expr = |size: usize| {
        let mut e = String::from("Join(\\\" \\\"");
        while e.len() < size {
            e.push_str(", [givenName]");
        }
        e + ")"
    };
    let file = |e: &str| {
        format!(
            "[{{\"targetAttributeName\": \"displayName\", \"source\": {{\"expression\": \"{e}\", \"name\": \"Join\", \"type\": \"Function\"}}}}]"
        )
    };
    let huge = dir.join("huge.json");
    std::fs::write(&huge, file(&expr(10 << 20))).unwrap();
    let (code, out, err) = run(&["lint", huge.to_str().unwrap()], None);
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        out.contains("too-large(L008)") && out.contains("at most 10485760 bytes"),
        "{out}"
    );
    let e = mapping::load_bytes(&std::fs::read(&huge).unwrap()).unwrap_err();
    assert_eq!(e.kind, LoadErrorKind::TooLarge);

    let long = dir.join("long.json");
    std::fs::write(&long, file(&expr(20_000))).unwrap();
    let (code, out, err) = run(
        &[
            "lint",
            "--format",
            "short",
            "--select",
            "expression-too-long",
            long.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("expression-too-long"), "{out}");
    assert!(out.contains("10,000") || out.contains("10000"), "{out}");
}

/// 100,000 nested calls: refused at depth 256 with `nesting-too-deep`, at once, without
/// exhausting the stack, by the parser, the evaluator, the linter and the Graph JSON loader.
#[test]
fn hundred_thousand_nested_calls() {
    const N: usize = 100_000;
    let nested = format!("{}[a]{}", "Trim(".repeat(N), ")".repeat(N));
    let started = Instant::now();
    let e = syntax::parse(&nested).unwrap_err();
    assert_eq!(e.kind, ParseErrorKind::TooDeep);
    assert_eq!(e.kind.name(), "nesting-too-deep");
    assert!(e.kind.message().contains("256"), "{}", e.kind.message());
    // The error points at the call that is one too deep.
    assert_eq!(e.span.start as usize, 256 * "Trim(".len());
    assert!(started.elapsed() < Duration::from_secs(10));

    // 256 levels are fine.
    let ok = format!("{}[a]{}", "Trim(".repeat(256), ")".repeat(256));
    assert!(syntax::parse(&ok).is_ok());

    for args in [vec!["parse", "-"], vec!["eval", "-", "--set", "a=x"]] {
        let (code, out, err) = run(&args, Some(nested.clone().into_bytes()));
        assert_eq!(code, 1, "{args:?}: {out}");
        assert!(
            err.contains("nesting-too-deep(E0016)"),
            "{args:?}: {}",
            &err[..err.len().min(2000)]
        );
    }

    // In a YAML mapping file it is a syntax-error finding at the call that is too deep.
    let dir = scratch("nested");
    let yaml = dir.join("nested.yaml");
    std::fs::write(
        &yaml,
        format!("mappings:\n  - target: displayName\n    source: {nested}\n"),
    )
    .unwrap();
    let (code, out, err) = run(
        &[
            "lint",
            "--format",
            "short",
            "--select",
            "syntax-error",
            yaml.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(code, 1, "{err}");
    assert!(
        out.contains("syntax-error") && out.contains("nested deeper than 256"),
        "{}",
        &out[..out.len().min(2000)]
    );
    assert!(
        out.contains(&format!("nested.yaml:3:{}:", 13 + 256 * 5)),
        "{}",
        &out[..out.len().min(2000)]
    );

    // Graph's tree of such a call nests JSON 300,000 levels deep: too deep to load.
    let mut tree = String::from("{\"type\": \"Attribute\", \"name\": \"a\"}");
    for _ in 0..N {
        tree = format!(
            "{{\"type\":\"Function\",\"name\":\"Trim\",\"parameters\":[{{\"key\":\"source\",\"value\":{tree}}}]}}"
        );
        if tree.len() > 4 << 20 {
            break;
        }
    }
    let json = format!("[{{\"targetAttributeName\": \"displayName\", \"source\": {tree}}}]");
    let e = mapping::load(&json).unwrap_err();
    assert_eq!(e.kind, LoadErrorKind::TooDeep);
    assert!(e.message.contains("100"), "{}", e.message);
    let path = dir.join("nested.json");
    std::fs::write(&path, &json).unwrap();
    let (code, out, _) = run(&["lint", path.to_str().unwrap()], None);
    assert_eq!(code, 2);
    assert!(
        out.contains("too-deep(L009)"),
        "{}",
        &out[..out.len().min(2000)]
    );
}

// ----------------------------------------------------------------------- every command, any input

/// Every command, on every file of the catalogue (and a few generated ones), exits 0, 1 or 2 and
/// never reports an internal error.
#[test]
fn every_command_exits_0_1_or_2_on_every_bad_input() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/bad");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| format!("fixtures/bad/{}", e.unwrap().file_name().to_string_lossy()))
        .collect();
    files.sort();
    files.push("fixtures/bad".into()); // a directory
    files.push("fixtures/bad/does-not-exist.json".into());
    for file in &files {
        let commands: Vec<Vec<&str>> = vec![
            vec!["lint", file],
            vec![
                "lint",
                "--profile",
                "unleash",
                "--diff",
                "--unsafe-fixes",
                file,
            ],
            vec!["lint", "--format", "sarif", file],
            vec!["convert", file, "--to", "yaml"],
            vec!["convert", file, "--to", "graph"],
            vec!["parse", "--from-graph", file],
            vec![
                "eval",
                "--input",
                file,
                "Join(\" \", [givenName], [surname])",
            ],
            vec!["eval", "--request", file],
        ];
        for args in commands {
            let (code, out, err) = run(&args, None);
            assert!((0..=2).contains(&code), "{args:?} exited {code}: {err}");
            assert!(
                !err.contains("internal error") && !err.contains("panicked"),
                "{args:?}: {err}"
            );
            if args[..2] == ["lint", "--format"] && args[2] == "sarif" {
                // Every SARIF log validates, broken inputs included (they are results).
                sarif::check_sarif(&out);
            }
        }
        // The same bytes on stdin.
        if let Ok(content) = std::fs::read(dir.parent().unwrap().parent().unwrap().join(file)) {
            for args in [vec!["lint", "-"], vec!["parse", "-"], vec!["eval", "-"]] {
                let (code, _, err) = run(&args, Some(content.clone()));
                assert!(
                    (0..=2).contains(&code),
                    "{args:?} < {file} exited {code}: {err}"
                );
                assert!(!err.contains("internal error"), "{args:?} < {file}: {err}");
            }
        }
    }
}

/// Spawns the command with stdout a pipe whose reading end is closed at once: the command
/// ends quietly (nothing on stderr) with the exit code of an ordinary run.
fn closed_pipe(args: &[&str]) {
    let normal = run(args, None).0;
    let bin = assert_cmd::cargo::cargo_bin("entramap");
    let mut child = std::process::Command::new(bin)
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take()); // the reader goes away before anything is written
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(normal), "{args:?}: {err}");
    assert!(
        !err.contains("Broken pipe") && !err.contains("internal error"),
        "{args:?}: {err}"
    );
}

#[test]
fn a_closed_stdout_ends_quietly() {
    closed_pipe(&["functions"]);
    closed_pipe(&["rules"]);
    closed_pipe(&["explain", "switch-boolean-key-case"]);
    closed_pipe(&[
        "lint",
        "--format",
        "json",
        "fixtures/mappings/scim-default-user.json",
    ]);
    closed_pipe(&[
        "lint",
        "--profile",
        "unleash",
        "fixtures/mappings/scim-default-user.json",
    ]);
    closed_pipe(&[
        "convert",
        "fixtures/mappings/scim-default-user.json",
        "--to",
        "yaml",
    ]);
    closed_pipe(&["parse", "Join(\" \", [givenName], [surname])"]);
    closed_pipe(&[
        "eval",
        "Join(\" \", [givenName], [surname])",
        "--set",
        "givenName=A",
    ]);
}

/// Stderr closed too (`2>&1 | head -1` once head has gone): still no panic, still the code.
#[test]
fn a_closed_stderr_is_no_panic() {
    let bin = assert_cmd::cargo::cargo_bin("entramap");
    let args = [
        "lint",
        "fixtures/bad/truncated.json",
        "fixtures/bad/package.json",
    ];
    let mut child = std::process::Command::new(bin)
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    drop(child.stderr.take());
    assert_eq!(child.wait().unwrap().code(), Some(2));
}

// ------------------------------------------------------------------------------------ limits

/// Writes a JSON object of attributes to a scratch file for `eval --input`.
fn attributes_file(test: &str, json: &serde_json::Value) -> String {
    let path = scratch(test).join("user.json");
    std::fs::write(&path, json.to_string()).unwrap();
    path.to_str().unwrap().to_string()
}

/// A user with 10,000 values of one attribute evaluates at once.
#[test]
fn thousands_of_attribute_values() {
    let values: Vec<String> = (0..10_000)
        .map(|i| format!("smtp:user{i}@contoso.com"))
        .collect();
    let input = attributes_file(
        "many-values",
        &serde_json::json!({ "proxyAddresses": values }),
    );
    let started = Instant::now();
    let (code, out, err) = run(
        &["eval", "Join(\";\", [proxyAddresses])", "--input", &input],
        None,
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.trim_end().split(';').count(), 10_000);
    for (expr, expected) in [
        ("Count([proxyAddresses])", "10000"),
        ("Item([proxyAddresses], 10000)", "smtp:user9999@contoso.com"),
        ("Count(RemoveDuplicates([proxyAddresses]))", "10000"),
        (
            "Count(Split(Join(\",\", [proxyAddresses]), \",\"))",
            "10000",
        ),
    ] {
        let (code, out, err) = run(&["eval", expr, "--input", &input], None);
        assert_eq!((code, out.trim_end()), (0, expected), "{expr}: {err}");
    }
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );
}

/// `(a+)+$` on a long input runs on the linear-time engine and answers at once; a pattern that
/// needs backtracking (a backreference) is stopped at the step limit with `regex-too-complex`.
#[test]
fn catastrophic_regexes_end_promptly() {
    let long = "a".repeat(30_000) + "!";
    let input = attributes_file("regex", &serde_json::json!({ "s": long }));
    let started = Instant::now();
    let (code, out, err) = run(
        &[
            "eval",
            "Replace([s], , \"(a+)+$\", , \"x\", , )",
            "--input",
            &input,
        ],
        None,
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.trim_end(), long, "no match: the input is unchanged");
    let (code, out, err) = run(
        &[
            "eval",
            "Replace([s], , \"^(a|a)*\\\\1b\", , \"x\", , )",
            "--input",
            &input,
        ],
        None,
    );
    assert_eq!(code, 1, "{out}");
    // A backreference over 30,000 characters is past the cap on text a backtracking pattern
    // may scan (16 KiB): refused before matching starts.
    assert!(err.contains("evaluation-budget-exceeded(EV021)"), "{err}");
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
    // A pattern too large to compile is refused as such.
    let (code, _, err) = run(
        &[
            "eval",
            "Replace([s], , \"\\\\w{1000}{1000}\", , \"x\", , )",
            "--set",
            "s=abc",
        ],
        None,
    );
    assert_eq!(code, 1);
    assert!(
        err.contains("invalid-regex(EV010)") && err.contains("too large"),
        "{err}"
    );
}

#[test]
fn random_string_length_is_at_most_256() {
    let (code, out, _) = run(
        &["eval", "RandomString(256, 1, 1, 1, 1)", "--seed", "3"],
        None,
    );
    assert_eq!((code, out.trim_end().chars().count()), (0, 256));
    let (code, _, err) = run(&["eval", "RandomString(257, 1, 1, 1, 1)"], None);
    assert_eq!(code, 1);
    assert!(
        err.contains("invalid-argument(EV014)") && err.contains("at most 256"),
        "{err}"
    );
}

/// Expressions that multiply their input stop at 16 MiB instead of exhausting memory.
#[test]
fn values_stop_at_16_mib() {
    let values: Vec<String> = (0..10_000).map(|i| format!("value-{i:05}")).collect();
    let input = attributes_file(
        "amplify",
        &serde_json::json!({ "m": values, "s": "a".repeat(100_000) }),
    );
    for expr in [
        "Join(Join(Join(\",\", [m]), [m]), [m])",
        "Replace([s], \"a\", , , Replace([s], \"a\", , , [s], , ), , )",
        "Append([m], Join(\",\", [m], [m]))",
        "Join(\"\", [s], [s]) & Join(Join(\",\", [m]), [m], [m])",
    ] {
        let started = Instant::now();
        let (code, out, err) = run(&["eval", expr, "--input", &input, "--output", "json"], None);
        assert_eq!(code, 1, "{expr}: {}", &out[..out.len().min(300)]);
        assert!(err.contains("value-too-large(EV020)"), "{expr}: {err}");
        assert!(out.contains("16 MiB"), "{expr}: {out}");
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "{expr}: {:?}",
            started.elapsed()
        );
    }
}

/// A Graph tree whose positional key claims a billion empty arguments before it (`arg1000000000`)
/// is refused instead of allocating them (that was an abort: memory allocation failed).
#[test]
fn graph_tree_with_a_huge_positional_key() {
    for n in ["1000000000", "18446744073709551615", "10002"] {
        let tree = format!(
            r#"{{"type":"Function","name":"Frob","parameters":[{{"key":"arg{n}","value":{{"type":"Constant","name":"x"}}}}]}}"#
        );
        let (code, _, err) = run(
            &["parse", "--from-graph", "-"],
            Some(tree.clone().into_bytes()),
        );
        assert_eq!(code, 2, "{err}");
        assert!(err.contains("more empty arguments"), "{err}");
        let file = format!(r#"[{{"targetAttributeName": "x", "source": {tree}}}]"#);
        let e = mapping::load(&file).unwrap_err();
        assert_eq!(e.kind, LoadErrorKind::InvalidExpressionTree, "{e:?}");
    }
    // Ten thousand empty slots are still fine.
    let tree = r#"{"type":"Function","name":"Frob","parameters":[{"key":"arg10001","value":{"type":"Constant","name":"x"}}]}"#;
    let (code, out, err) = run(
        &["parse", "--from-graph", "-"],
        Some(tree.as_bytes().to_vec()),
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with("Frob(") && out.trim_end().ends_with("\"x\")"),
        "{out}"
    );
}

/// Megabyte-long names (an attribute, an unknown function) are linted promptly: "did you mean"
/// suggestions, quadratic in the lengths, are not attempted for them.
#[test]
fn megabyte_names_lint_promptly() {
    let dir = scratch("long-names");
    let path = dir.join("long.yaml");
    std::fs::write(
        &path,
        format!(
            "mappings:\n  - target: displayName\n    source: '[{}]'\n  - target: title\n    source: '{}([mail])'\n",
            "a".repeat(3 << 20),
            "Frob".repeat(1 << 20)
        ),
    )
    .unwrap();
    let started = Instant::now();
    let (code, out, _) = run(&["lint", "--format", "short", path.to_str().unwrap()], None);
    assert_eq!(code, 1);
    assert!(
        out.contains("unknown-function"),
        "{}",
        &out[..out.len().min(500)]
    );
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(
        entramap::suggest::did_you_mean(&"x".repeat(300), ["x"]),
        None
    );
    assert_eq!(
        entramap::suggest::did_you_mean("Jion", ["Join", "Left"]),
        Some("Join")
    );
}

// ------------------------------------------------------------------------ simulate: users files

/// Bad users files: a broken user is reported by its line or position and skipped, the others
/// are processed (exit 1 for the errors); nothing makes `simulate` crash. A bad mapping file is
/// a load error (exit 2).
#[test]
fn simulate_reports_bad_users_and_processes_the_rest() {
    let simulate = |users: &str, stdin: Option<Vec<u8>>| {
        run(
            &[
                "simulate",
                "--mapping",
                "fixtures/mappings/unleash-correct.json",
                "--users",
                users,
                "--now",
                "2024-01-01T00:00:00Z",
            ],
            stdin,
        )
    };
    // One broken line in the middle: that user is reported, the two others go on.
    let (code, out, err) = simulate("fixtures/users/broken-line.jsonl", None);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("line 2") && err.contains("skipped"), "{err}");
    assert_eq!(out.lines().count(), 2, "{out}");
    for (file, words) in [
        ("fixtures/bad/truncated.json", "ends inside"),
        ("fixtures/bad/invalid-utf8.json", "not valid UTF-8"),
        ("fixtures/bad/nul-byte.json", "control character"),
        ("fixtures/bad/alias-bomb.yaml", "budget"),
        ("fixtures/bad/utf16.json", "UTF-8"),
    ] {
        let (code, _, err) = simulate(file, None);
        assert_eq!(code, 1, "{file}: {err}");
        assert!(err.contains(words), "{file}: {err}");
    }
    // Every bad file as users (and on stdin), and as the mapping: 0, 1 or 2, never a crash.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/bad");
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = format!(
            "fixtures/bad/{}",
            entry.unwrap().file_name().to_string_lossy()
        );
        let (code, _, err) = simulate(&name, None);
        assert!((0..=2).contains(&code), "{name}: {err}");
        assert!(!err.contains("internal error"), "{name}: {err}");
        let (code, _, err) = simulate("-", Some(bytes(&name["fixtures/bad/".len()..])));
        assert!((0..=2).contains(&code), "{name} on stdin: {err}");
        let (code, _, err) = run(
            &[
                "simulate",
                "--mapping",
                &name,
                "--users",
                "fixtures/users/users.json",
            ],
            None,
        );
        assert!((0..=2).contains(&code), "{name} as mapping: {err}");
        assert!(!err.contains("internal error"), "{name} as mapping: {err}");
    }
    let (code, _, err) = run(
        &[
            "simulate",
            "--mapping",
            "fixtures/bad/truncated.json",
            "--users",
            "fixtures/users/users.json",
        ],
        None,
    );
    assert_eq!(code, 2);
    assert!(err.contains("invalid-json(L001)"), "{err}");
}

// ------------------------------------------- bounded reading, under a memory cap and a hang detector

/// The address-space cap (`RLIMIT_AS`, through util-linux's `prlimit`) every case below runs
/// under: far below what reading any of these inputs whole would take.
const MEMORY_CAP: u64 = 256 << 20;

/// How long a case may run before it counts as a hang and is killed (not a benchmark: the
/// cases take well under a second).
const HANG: Duration = Duration::from_secs(30);

/// What a capped run reads on its standard input.
enum Feed {
    Nothing,
    Bytes(Vec<u8>),
    File(&'static str),
    /// `prefix`, then `len` copies of `byte`, then the pipe closes (or the child stops reading).
    Stream {
        prefix: &'static [u8],
        byte: u8,
        len: usize,
    },
}

/// Runs entramap under [`MEMORY_CAP`] and kills it after [`HANG`]; returns the exit code (a
/// signal fails the test: an abort on allocation failure is SIGABRT), stdout and stderr.
fn capped(args: &[&str], feed: Feed) -> (i32, String, String) {
    use std::io::{Read, Write};
    let bin = assert_cmd::cargo::cargo_bin("entramap");
    let mut cmd = std::process::Command::new("prlimit");
    cmd.arg(format!("--as={MEMORY_CAP}"))
        .arg("--")
        .arg(&bin)
        .args(args)
        .env("NO_COLOR", "1")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    match &feed {
        Feed::Nothing => cmd.stdin(Stdio::null()),
        Feed::File(path) => cmd.stdin(std::fs::File::open(path).unwrap()),
        Feed::Stream { .. } | Feed::Bytes(_) => cmd.stdin(Stdio::piped()),
    };
    let mut child = cmd
        .spawn()
        .expect("prlimit (util-linux) runs the capped cases; install util-linux");
    if let Feed::Bytes(bytes) = feed {
        let mut stdin = child.stdin.take().unwrap();
        std::thread::spawn(move || {
            let _ = stdin.write_all(&bytes);
        });
    } else if let Feed::Stream { prefix, byte, len } = feed {
        let mut stdin = child.stdin.take().unwrap();
        std::thread::spawn(move || {
            let block = vec![byte; 1 << 16];
            if stdin.write_all(prefix).is_err() {
                return;
            }
            let mut left = len;
            while left > 0 {
                let n = left.min(block.len());
                if stdin.write_all(&block[..n]).is_err() {
                    return; // the child stopped reading: what a bounded reader does
                }
                left -= n;
            }
        });
    }
    let drain = |mut r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut v = Vec::new();
            let _ = r.read_to_end(&mut v);
            String::from_utf8_lossy(&v).into_owned()
        })
    };
    let out = drain(Box::new(child.stdout.take().unwrap()));
    let err = drain(Box::new(child.stderr.take().unwrap()));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > HANG {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{args:?} hung: killed after {HANG:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let (out, err) = (out.join().unwrap(), err.join().unwrap());
    let Some(code) = status.code() else {
        panic!("{args:?} was killed by a signal ({status}) under a {MEMORY_CAP}-byte cap: {err}");
    };
    (code, out, err)
}

/// Exit 2 and every word in the message.
fn refused_capped(args: &[&str], feed: Feed, words: &[&str]) {
    let (code, out, err) = capped(args, feed);
    assert_eq!(code, 2, "{args:?}: {out}{err}");
    // Reports wrap long messages: compare with runs of white space as one space. `lint`
    // reports a file it cannot read as a finding on stdout; other commands fail on stderr.
    let flat = format!("{out}\n{err}")
        .replace('│', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    for w in words {
        assert!(flat.contains(w), "{args:?}: {w:?} not in {out}{err}");
    }
}

const MAPPING: &str = "fixtures/mappings/unleash-correct.json";
const USERS: &str = "fixtures/users/users.json";

/// Special files are read through the same bound as regular ones: an endless device is "more
/// than N read", never "0 bytes" and never all of memory.
#[test]
fn every_input_path_is_bounded() {
    let zero = || Feed::File("/dev/zero");
    let mapping_limit = ["more than 10 MB read from", "mapping file limit is 10 MB"];
    let cases: Vec<(Vec<&str>, Feed, Vec<&str>)> = vec![
        (vec!["lint", "/dev/zero"], Feed::Nothing, vec!["/dev/zero"]),
        (
            vec!["lint", "/dev/urandom"],
            Feed::Nothing,
            vec!["/dev/urandom"],
        ),
        (vec!["lint", "-"], zero(), vec!["standard input"]),
        (
            vec!["convert", "/dev/zero", "--to", "yaml"],
            Feed::Nothing,
            vec!["/dev/zero"],
        ),
        (
            vec!["simulate", "-m", "/dev/zero", "-u", USERS],
            Feed::Nothing,
            vec!["/dev/zero"],
        ),
    ];
    for (args, feed, words) in cases {
        let mut all = mapping_limit.to_vec();
        all.extend(words);
        refused_capped(&args, feed, &all);
    }
    let expression = "expression limit is 16 MB (16777216 bytes)";
    refused_capped(
        &["parse", "-"],
        zero(),
        &["more than 16 MB read from standard input", expression],
    );
    // A gigabyte of spaces on stdin (it took 2.1 GB of memory): stopped after 16 MB.
    refused_capped(
        &["eval", "-"],
        Feed::Stream {
            prefix: b"",
            byte: b' ',
            len: 1 << 30,
        },
        &["more than 16 MB read from standard input", expression],
    );
    refused_capped(
        &["eval", "--request", "/dev/urandom"],
        Feed::Nothing,
        &[
            "more than 16 MB read from /dev/urandom",
            "parseExpression request limit is 16 MB",
        ],
    );
    refused_capped(
        &["eval", "--request", "-"],
        zero(),
        &[
            "more than 16 MB read from standard input",
            "parseExpression request limit",
        ],
    );
    refused_capped(
        &["parse", "--from-graph", "/dev/zero"],
        Feed::Nothing,
        &[
            "more than 16 MB read from /dev/zero",
            "attributeMappingSource tree limit is 16 MB",
        ],
    );
    refused_capped(
        &["eval", "[a]", "--input", "/dev/zero"],
        Feed::Nothing,
        &[
            "more than 16 MB read from /dev/zero",
            "attributes file limit is 16 MB",
        ],
    );
    refused_capped(
        &["lint", "--profile", "/dev/zero", MAPPING],
        Feed::Nothing,
        &[
            "more than 1 MB read from /dev/zero",
            "profile limit is 1 MB",
        ],
    );
    refused_capped(
        &[
            "simulate",
            "-m",
            MAPPING,
            "-u",
            USERS,
            "--profile",
            "/dev/zero",
        ],
        Feed::Nothing,
        &[
            "more than 1 MB read from /dev/zero",
            "profile limit is 1 MB",
        ],
    );
    refused_capped(
        &["lint", "--config", "/dev/zero", MAPPING],
        Feed::Nothing,
        &[
            "more than 1 MB read from /dev/zero",
            "configuration file limit is 1 MB",
        ],
    );
    // A target state whose first line never ends (it aborted the process with SIGABRT).
    refused_capped(
        &[
            "simulate",
            "-m",
            MAPPING,
            "-u",
            USERS,
            "--target-state",
            "/dev/zero",
        ],
        Feed::Nothing,
        &[
            "more than 8 MB read from the target state (line 1)",
            "target-state line limit is 8 MB",
        ],
    );
}

/// A FIFO is read like any stream, through the bound.
#[test]
fn a_fifo_is_read_through_the_bound() {
    let dir = scratch("fifo");
    let fifo = dir.join("mapping.json");
    let status = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(status.success());
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            use std::io::Write;
            let mut f = std::fs::OpenOptions::new().write(true).open(fifo).unwrap();
            let block = vec![b' '; 1 << 16];
            for _ in 0..(64 << 20) / block.len() {
                if f.write_all(&block).is_err() {
                    break;
                }
            }
        })
    };
    refused_capped(
        &["lint", fifo.to_str().unwrap()],
        Feed::Nothing,
        &[
            "more than 10 MB read from",
            "mapping.json",
            "mapping file limit is 10 MB",
        ],
    );
    writer.join().unwrap();
}

/// A regular file over the limit is refused by its size, without being read.
#[test]
fn a_big_regular_file_is_refused_by_its_size() {
    let dir = scratch("big-regular");
    let big = dir.join("big.json");
    let f = std::fs::File::create(&big).unwrap();
    f.set_len(3 << 30).unwrap(); // sparse: 3 GB claimed, nothing written
    let p = big.to_str().unwrap();
    refused_capped(
        &["lint", p],
        Feed::Nothing,
        &["the file is 3221225472 bytes", "at most 10485760 bytes"],
    );
    refused_capped(
        &["eval", "--request", p],
        Feed::Nothing,
        &["is 3221225472 bytes; the parseExpression request limit is 16 MB"],
    );
}

/// A `{`-first users file whose first line is a gigabyte long is not read whole to sniff its
/// format (it took 980 MB): the sniff stops after one user's worth (8 MB) and the stream goes on.
#[test]
fn sniffing_a_users_file_reads_at_most_one_user() {
    let (code, _, err) = capped(
        &[
            "simulate",
            "-m",
            MAPPING,
            "-u",
            "-",
            "--now",
            "2025-01-01T00:00:00Z",
        ],
        Feed::Stream {
            prefix: b"{\"displayName\": \"",
            byte: b'x',
            len: 1 << 30,
        },
    );
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("0 users read"), "{err}");
    assert!(err.contains("users:"), "{err}");
}

/// The shapes that were quadratic (36 s for 100,000 YAML keys): each is read to its end and the
/// problem at the end is found. Under the cap and the hang detector; `benches/scaling.sh` times
/// them.
#[test]
fn a_hundred_thousand_keys_mappings_and_suppressions() {
    const N: usize = 100_000;
    let dir = scratch("hundred-thousand");
    let write = |name: &str, text: String| {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path.to_string_lossy().into_owned()
    };
    let mut json = String::from(r#"[{"targetAttributeName": "userName""#);
    for i in 0..N {
        json.push_str(&format!(r#", "k{i}": {i}"#));
    }
    json.push_str(r#", "k0": 0}]"#);
    let p = write("keys.json", json);
    refused_capped(
        &["lint", &p],
        Feed::Nothing,
        &["duplicate-key", r#"duplicate key "k0""#],
    );

    let mut yaml: String = (0..N).map(|i| format!("k{i}: {i}\n")).collect();
    yaml.push_str("k7: again\n");
    let p = write("keys.yaml", yaml);
    refused_capped(
        &["lint", &p],
        Feed::Nothing,
        &["duplicate-key", r#"duplicate key "k7""#],
    );

    let mut mappings = String::from("name: many\nsource: User\ntarget: User\nmappings:\n");
    for i in 0..N {
        mappings.push_str(&format!("  - target: a{i}\n    source: '[mail]'\n"));
    }
    mappings.push_str("  - target: A5\n    source: '[mail]'\n");
    let p = write("mappings.yaml", mappings);
    let (code, out, err) = capped(
        &[
            "lint",
            "--format",
            "short",
            "--select",
            "duplicate-target",
            &p,
        ],
        Feed::Nothing,
    );
    assert_eq!(code, 1, "{err}");
    assert_eq!(out.matches("duplicate-target").count(), 1, "{out}");
    assert!(out.contains("`A5` is mapped more than once"), "{out}");

    let mut suppressed = String::from("name: many\nsource: User\ntarget: User\nmappings:\n");
    for _ in 0..N {
        suppressed.push_str(
            "  # entramap: ignore[duplicate-target]\n  - target: same\n    source: '[mail]'\n",
        );
    }
    suppressed.push_str("  - target: same\n    source: '[mail]'\n");
    let p = write("suppressed.yaml", suppressed);
    let (code, out, err) = capped(
        &[
            "lint",
            "--format",
            "short",
            "--select",
            "duplicate-target",
            &p,
        ],
        Feed::Nothing,
    );
    assert_eq!(code, 1, "{err}");
    // Only the last mapping, which has no comment, is reported.
    assert_eq!(out.matches("duplicate-target").count(), 1, "{out}");
    assert!(out.contains(&format!("{p}:{}:", 4 + 3 * N + 1)), "{out}");
}

// ----------------------------------------------------------------------- the small ones (item 9)

/// `matchingPriority: -0` is 0 (as .NET reads it), in JSON and YAML; a value that is no whole
/// number is refused in our words, not serde's ("floating point `-0.0`, expected u32").
#[test]
fn negative_zero_matching_priority() {
    for name in ["matching-negative-zero.json", "matching-negative-zero.yaml"] {
        let file = mapping::load_bytes(&bytes(name)).unwrap();
        assert_eq!(
            file.object_mappings[0].attribute_mappings[0].matching_priority, 0,
            "{name}"
        );
    }
    for (value, shown) in [
        ("-1", "not -1"),
        ("1.5", "not 1.5"),
        ("4294967296", "not 4294967296"),
        ("\"1\"", "not the string \"1\""),
    ] {
        let text =
            format!(r#"[{{"targetAttributeName": "userName", "matchingPriority": {value}}}]"#);
        let e = mapping::load(&text).unwrap_err();
        assert_eq!(e.kind, LoadErrorKind::InvalidField, "{value}");
        assert!(
            e.message
                .starts_with("matchingPriority should be a whole number from 0 to 4294967295"),
            "{}",
            e.message
        );
        assert!(e.message.ends_with(shown), "{}", e.message);
        assert!(
            !e.message.contains("u32") && !e.message.contains("floating point"),
            "{}",
            e.message
        );
    }
}

/// A skipped line is reported once as skipped ("…; skipped", not "…; skipped; skipped").
#[test]
fn a_skipped_user_says_skipped_once() {
    let dir = scratch("skipped-once");
    let users = dir.join("users.jsonl");
    let big = "x".repeat(9 << 20);
    std::fs::write(
        &users,
        format!(
            "{{\"id\": \"1\", \"userPrincipalName\": \"a@contoso.com\", \"accountEnabled\": true}}\n\
             {{\"id\": \"2\", \"displayName\": \"{big}\"}}\n\
             {{\"id\": \"3\", \"userPrincipalName\": \"c@contoso.com\", \"accountEnabled\": true}}\n"
        ),
    )
    .unwrap();
    let (code, _, err) = capped(
        &[
            "simulate",
            "-m",
            MAPPING,
            "-u",
            users.to_str().unwrap(),
            "--now",
            "2025-01-01T00:00:00Z",
        ],
        Feed::Nothing,
    );
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("line 2: the line is longer than 8 MB; skipped\n"),
        "{err}"
    );
    assert!(!err.contains("skipped; skipped"), "{err}");
    assert!(err.contains("2 users read"), "{err}");
}

/// `convert X -o X` refuses (exit 2) and leaves X as it was, also through another path or a hard
/// link to it.
#[test]
fn convert_does_not_overwrite_its_input() {
    let dir = scratch("convert-onto-itself");
    let input = dir.join("m.json");
    let original = std::fs::read(MAPPING).unwrap();
    std::fs::write(&input, &original).unwrap();
    let link = dir.join("link.json");
    std::fs::hard_link(&input, &link).unwrap();
    let p = input.to_str().unwrap();
    let dotted = format!("{}/./m.json", dir.display());
    for out in [p, dotted.as_str(), link.to_str().unwrap()] {
        let (code, stdout, err) = run(&["convert", p, "--to", "yaml", "-o", out], None);
        assert_eq!(code, 2, "{out}: {stdout}{err}");
        assert!(err.contains("is the input file"), "{err}");
        assert!(err.contains("nothing was written"), "{err}");
        assert_eq!(std::fs::read(&input).unwrap(), original);
    }
    let other = dir.join("m.yaml");
    let (code, _, err) = run(
        &["convert", p, "--to", "yaml", "-o", other.to_str().unwrap()],
        None,
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        std::fs::read_to_string(&other)
            .unwrap()
            .contains("target: userName")
    );
}
