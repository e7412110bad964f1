//! The files that ship entramap agree with the crate: the action installs this version, the
//! README's install commands name it, and the README opens with the install section.

const VERSION: &str = env!("CARGO_PKG_VERSION");

fn read(path: &str) -> String {
    std::fs::read_to_string(format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

#[test]
fn the_action_installs_this_version_by_default() {
    let action: serde_json::Value = serde_saphyr::from_str(&read("action.yml")).unwrap();
    assert_eq!(action["runs"]["using"], "composite");
    assert_eq!(action["inputs"]["version"]["default"], VERSION);
    assert_eq!(action["inputs"]["paths"]["required"], true);
}

#[test]
fn the_readme_starts_with_install_and_names_this_version() {
    let readme = read("README.md");
    let first = readme.lines().find(|l| l.starts_with("## ")).unwrap();
    assert_eq!(first, "## Install");
    // Every versioned name in the install commands and the action example is this version.
    let mut seen = 0;
    for marker in [
        "releases/download/v",
        "entramap-",
        "entramap/entramap@v",
        "rev: v",
    ] {
        for (at, _) in readme.match_indices(marker) {
            let rest = &readme[at + marker.len()..];
            let version: String = rest
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == '.')
                .collect();
            let version = version.trim_end_matches('.');
            if version.is_empty() {
                continue; // `entramap-lint`, `entramap-pre-commit`, …
            }
            assert_eq!(version, VERSION, "README: {marker}{version}");
            seen += 1;
        }
    }
    assert!(seen >= 5, "only {seen} versioned names in the README");
}

#[test]
fn the_wheel_is_a_binary_wheel_versioned_by_cargo() {
    let pyproject = read("pyproject.toml");
    for line in [
        "build-backend = \"maturin\"",
        "bindings = \"bin\"",
        "dynamic = [\"version\"]",
        "profile = \"dist\"",
    ] {
        assert!(
            pyproject.lines().any(|l| l == line),
            "pyproject.toml lacks `{line}`"
        );
    }
}
