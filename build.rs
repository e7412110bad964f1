//! Build step: turns the function catalogue `grammar/functions.yaml` (the one source of truth)
//! into JSON in `OUT_DIR`, which the binary embeds and reads at start-up with `serde_json`: the
//! functions without their examples, and the examples apart (read only when asked for).
//! Reading YAML took about 2 ms of every run; the same data as JSON takes a small fraction of
//! that. A unit test in `src/catalogue` checks that both forms give the same catalogue.

use std::path::PathBuf;

const SOURCE: &str = "grammar/functions.yaml";

fn main() {
    println!("cargo::rerun-if-changed={SOURCE}");
    println!("cargo::rerun-if-changed=build.rs");
    let text =
        std::fs::read_to_string(SOURCE).unwrap_or_else(|e| fail(&format!("cannot read it: {e}")));
    let mut value: serde_json::Value = serde_saphyr::from_str(&text)
        .unwrap_or_else(|e| fail(&format!("it is not valid YAML: {e}")));
    // The worked examples (about 40% of the text and most of its values) go to a file of
    // their own, one list per function in catalogue order, read only when asked for: a lint
    // or a simulation never reads them.
    let mut examples = Vec::new();
    if let Some(functions) = value
        .get_mut("functions")
        .and_then(serde_json::Value::as_array_mut)
    {
        for f in functions {
            let taken = f
                .as_object_mut()
                .and_then(|f| f.shift_remove("examples"))
                .unwrap_or_else(|| serde_json::Value::Array(Vec::new()));
            examples.push(taken);
        }
    }
    let out_dir =
        PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_else(|| fail("cargo set no OUT_DIR")));
    write(&out_dir.join("functions.json"), &value);
    write(
        &out_dir.join("examples.json"),
        &serde_json::Value::Array(examples),
    );
}

fn write(out: &std::path::Path, value: &serde_json::Value) {
    let json = serde_json::to_string(value)
        .unwrap_or_else(|e| fail(&format!("cannot write it as JSON: {e}")));
    std::fs::write(out, json)
        .unwrap_or_else(|e| fail(&format!("cannot write {}: {e}", out.display())));
}

fn fail(why: &str) -> ! {
    eprintln!(
        "error: {SOURCE}: {why}; fix the file (see its header for the fields) and build again"
    );
    std::process::exit(1);
}
