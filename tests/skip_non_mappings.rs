//! `--skip-non-mappings` fails closed: files plainly of another format are skipped, anything
//! that looks like a broken mapping is reported. Both corpora are in `fixtures/skip/`.

mod common;

use std::path::{Path, PathBuf};

fn corpus(name: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/skip")
        .join(name);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

fn lint(extra: &[&str], file: &Path) -> (i32, String, String) {
    let mut args = vec!["lint", "--format", "short"];
    args.extend_from_slice(extra);
    let file = file.to_str().unwrap();
    args.push(file);
    common::run_with(&args, "")
}

#[test]
fn every_near_miss_is_reported() {
    let files = corpus("near-miss");
    assert!(files.len() >= 12, "{} near misses", files.len());
    for file in &files {
        let (code, out, err) = lint(&["--skip-non-mappings"], file);
        assert_eq!(code, 2, "{}: {out}{err}", file.display());
        let name = file.file_name().unwrap().to_string_lossy();
        let line = out.lines().next().unwrap_or_default();
        assert!(
            line.contains(name.as_ref()) && line.contains(": error[L0"),
            "{}: {out}",
            file.display()
        );
        assert!(out.contains("1 file failed"), "{out}");
    }
}

#[test]
fn near_misses_say_why_they_were_not_skipped() {
    let file = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/skip/near-miss/mapings-in-objects.yaml");
    let (_, out, _) = common::run_with(
        &[
            "lint",
            "--skip-non-mappings",
            "--format",
            "json",
            file.to_str().unwrap(),
        ],
        "",
    );
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    let help = report["files"][0]["diagnostics"][0]["help"]
        .as_str()
        .unwrap();
    assert!(
        help.contains("`mapings`") && help.contains("`mappings`"),
        "{help}"
    );
}

#[test]
fn every_non_mapping_is_skipped_and_reported_without_the_flag() {
    let files = corpus("non-mapping");
    assert!(files.len() >= 12, "{} non-mapping files", files.len());
    for file in &files {
        let (code, out, err) = lint(&["--skip-non-mappings"], file);
        assert_eq!(code, 0, "{}: {out}{err}", file.display());
        assert_eq!(
            out,
            "entramap: no problems in 0 files\n",
            "{}",
            file.display()
        );
        assert_eq!(err, "");
        // Without the flag the same file is an input error (exit 2), never silence.
        let (code, out, _) = lint(&[], file);
        assert_eq!(code, 2, "{}: {out}", file.display());
        assert!(out.contains("error[L0"), "{}: {out}", file.display());
    }
}

#[test]
fn skipping_leaves_the_mappings_beside_them_linted() {
    let mut args = vec![
        "lint".to_string(),
        "--format".into(),
        "short".into(),
        "--skip-non-mappings".into(),
        "--profile".into(),
        "unleash".into(),
        "fixtures/mappings/unleash-seed.json".into(),
    ];
    args.extend(
        corpus("non-mapping")
            .iter()
            .map(|p| p.to_string_lossy().into_owned()),
    );
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, out, _) = common::run_with(&args, "");
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("unleash-seed.json:53:32: error[EM103]"),
        "{out}"
    );
    assert!(
        out.contains("in 1 file\n"),
        "only the mapping counts: {out}"
    );
}
