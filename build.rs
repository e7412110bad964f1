//! Build step: turns the function catalogue `grammar/functions.yaml` (the one source of truth)
//! into JSON in `OUT_DIR`, which the binary embeds and reads at start-up with `serde_json`: the
//! functions without their examples and summaries, and those apart (read only when asked for).
//! Reading YAML took about 2 ms of every run; the same data as JSON takes a small fraction of
//! that. A unit test in `src/catalogue` checks that both forms give the same catalogue.
//!
//! The built-in app profiles (`src/profile/builtin/*.yaml`, the one source of truth for them)
//! are turned into JSON the same way (`OUT_DIR/profiles/NAME.json`): `--profile unleash` read
//! its YAML on every run (about a quarter of a millisecond, most of it the YAML reader's start).
//! A test in `src/profile` checks that each JSON gives exactly the profile its YAML gives.

use std::path::{Path, PathBuf};

const SOURCE: &str = "grammar/functions.yaml";
const PROFILES: &str = "src/profile/builtin";

fn main() {
    println!("cargo::rerun-if-changed={SOURCE}");
    println!("cargo::rerun-if-changed={PROFILES}");
    println!("cargo::rerun-if-changed=build.rs");
    let out_dir = PathBuf::from(
        std::env::var_os("OUT_DIR").unwrap_or_else(|| fail(SOURCE, "cargo set no OUT_DIR")),
    );
    functions(&out_dir);
    profiles(&out_dir);
}

/// The function catalogue, without its examples, and the examples apart.
fn functions(out_dir: &Path) {
    let text = std::fs::read_to_string(SOURCE)
        .unwrap_or_else(|e| fail(SOURCE, &format!("cannot read it: {e}")));
    let mut value: serde_json::Value = serde_saphyr::from_str(&text)
        .unwrap_or_else(|e| fail(SOURCE, &format!("it is not valid YAML: {e}")));
    // The worked examples (about 40% of the text and most of its values) go to a file of
    // their own, one list per function in catalogue order, read only when asked for: a lint
    // or a simulation never reads them.
    // The summaries (a third of the rest) go to a file of their own too: only `entramap
    // functions`, `explain` and the browser page show them.
    let mut examples = Vec::new();
    let mut summaries = Vec::new();
    if let Some(functions) = value
        .get_mut("functions")
        .and_then(serde_json::Value::as_array_mut)
    {
        for f in functions {
            let mut f = f.as_object_mut();
            examples.push(
                f.as_mut()
                    .and_then(|f| f.shift_remove("examples"))
                    .unwrap_or_else(|| serde_json::Value::Array(Vec::new())),
            );
            summaries.push(
                f.and_then(|f| f.shift_remove("summary"))
                    .unwrap_or(serde_json::Value::Null),
            );
        }
    }
    write(SOURCE, &out_dir.join("functions.json"), &value);
    write(
        SOURCE,
        &out_dir.join("examples.json"),
        &serde_json::Value::Array(examples),
    );
    write(
        SOURCE,
        &out_dir.join("summaries.json"),
        &serde_json::Value::Array(summaries),
    );
}

/// Each built-in profile `NAME.yaml` as `profiles/NAME.json`. The YAML is read as a tree of
/// values here; whether that tree is the profile (field names, types) is for the test that loads
/// both forms, since this step does not know the profile's types.
fn profiles(out_dir: &Path) {
    let dir = out_dir.join("profiles");
    std::fs::create_dir_all(&dir)
        .unwrap_or_else(|e| fail(PROFILES, &format!("cannot create {}: {e}", dir.display())));
    let entries = std::fs::read_dir(PROFILES)
        .unwrap_or_else(|e| fail(PROFILES, &format!("cannot list it: {e}")));
    for entry in entries {
        let path = entry
            .unwrap_or_else(|e| fail(PROFILES, &format!("cannot list it: {e}")))
            .path();
        let (Some(stem), Some("yaml")) = (
            path.file_stem().and_then(|s| s.to_str()),
            path.extension().and_then(|s| s.to_str()),
        ) else {
            continue;
        };
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| fail(&shown, &format!("cannot read it: {e}")));
        let value: serde_json::Value = serde_saphyr::from_str(&text)
            .unwrap_or_else(|e| fail(&shown, &format!("it is not valid YAML: {e}")));
        write(&shown, &dir.join(format!("{stem}.json")), &value);
    }
}

fn write(source: &str, out: &Path, value: &serde_json::Value) {
    let json = serde_json::to_string(value)
        .unwrap_or_else(|e| fail(source, &format!("cannot write it as JSON: {e}")));
    std::fs::write(out, json)
        .unwrap_or_else(|e| fail(source, &format!("cannot write {}: {e}", out.display())));
}

fn fail(source: &str, why: &str) -> ! {
    eprintln!(
        "error: {source}: {why}; fix the file (see its header for the fields) and build again"
    );
    std::process::exit(1);
}
