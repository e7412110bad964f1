//! Build step: turns the function catalogue `grammar/functions.yaml` (the one source of truth)
//! into JSON in `OUT_DIR`, which the binary embeds and reads at start-up with `serde_json`.
//! Reading YAML took about 2 ms of every run; the same data as JSON takes a small fraction of
//! that. A unit test in `src/catalogue` checks that both forms give the same catalogue.

use std::path::PathBuf;

const SOURCE: &str = "grammar/functions.yaml";

fn main() {
    println!("cargo::rerun-if-changed={SOURCE}");
    println!("cargo::rerun-if-changed=build.rs");
    let text =
        std::fs::read_to_string(SOURCE).unwrap_or_else(|e| fail(&format!("cannot read it: {e}")));
    let value: serde_json::Value = serde_saphyr::from_str(&text)
        .unwrap_or_else(|e| fail(&format!("it is not valid YAML: {e}")));
    let json = serde_json::to_string(&value)
        .unwrap_or_else(|e| fail(&format!("cannot write it as JSON: {e}")));
    let out =
        PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_else(|| fail("cargo set no OUT_DIR")))
            .join("functions.json");
    std::fs::write(&out, json)
        .unwrap_or_else(|e| fail(&format!("cannot write {}: {e}", out.display())));
}

fn fail(why: &str) -> ! {
    eprintln!(
        "error: {SOURCE}: {why}; fix the file (see its header for the fields) and build again"
    );
    std::process::exit(1);
}
