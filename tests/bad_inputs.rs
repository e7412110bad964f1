//! The catalogue of bad inputs (`fixtures/bad/`, plus the huge ones generated here): each is
//! refused with its exact error kind and a message that names the problem, through the library
//! and through the command line, and no input makes a command exit with anything but 0, 1 or 2.

use assert_cmd::Command;
use entramap::mapping::{self, LoadError, LoadErrorKind};
use entramap::syntax::{self, ParseErrorKind};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

fn entramap() -> Command {
    let mut cmd = Command::cargo_bin("entramap").unwrap();
    cmd.env("NO_COLOR", "1")
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

/// Runs the command line; returns the exit code, stdout and stderr (lossy: some inputs are not
/// UTF-8).
#[path = "common/sarif.rs"]
mod sarif;

fn run(args: &[&str], stdin: Option<Vec<u8>>) -> (i32, String, String) {
    let mut cmd = entramap();
    cmd.args(args);
    if let Some(input) = stdin {
        cmd.write_stdin(input);
    }
    let out = cmd.output().unwrap();
    (
        out.status.code().expect("exited with a code, not a signal"),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
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

/// Ten megabytes of expression: the parser reads it in linear time (a tenth of it takes about a
/// tenth as long), through the library and `entramap parse -`.
#[test]
fn ten_megabyte_expression() {
    const MB: usize = 1 << 20;
    let make = |size: usize| {
        let mut text = String::with_capacity(size + 64);
        text.push_str("Join(\",\"");
        while text.len() < size {
            text.push_str(", [givenName], \"Zoë\", Trim([mail])");
        }
        text.push(')');
        text
    };
    let time = |text: &str| {
        let started = Instant::now();
        let expr = syntax::parse(text).unwrap();
        let elapsed = started.elapsed();
        assert_eq!(expr.as_call().unwrap().name, "Join");
        elapsed
    };
    let small = make(MB);
    let big = make(10 * MB);
    time(&small); // warm up
    let (t1, t10) = (time(&small), time(&big));
    assert!(
        t10 < t1 * 30 + Duration::from_millis(500),
        "1 MB took {t1:?}, 10 MB took {t10:?}: not linear"
    );
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
