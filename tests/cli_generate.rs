//! `entramap completions SHELL` and `entramap man`: generated from the same clap definitions as
//! the parser, so every subcommand shows up in every shell's script and in the man page.

mod common;

use clap::CommandFactory;
use common::run_with;

/// The subcommands a user can type, read from the clap definitions the binary parses with.
fn subcommands() -> Vec<String> {
    let cmd = entramap::cli::Cli::command();
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    // The list is the real one, not an empty or partial one that would pass vacuously.
    for expected in ["parse", "eval", "lint", "simulate", "completions", "man"] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} in {names:?}"
        );
    }
    names
}

/// Each shell's script, with a line only that shell's completion system reads.
const SHELLS: &[(&str, &str)] = &[
    ("bash", "complete -F _entramap"),
    ("zsh", "#compdef entramap"),
    ("fish", "complete -c entramap"),
    (
        "powershell",
        "Register-ArgumentCompleter -Native -CommandName 'entramap'",
    ),
    ("elvish", "set edit:completion:arg-completer[entramap]"),
];

#[test]
fn every_shell_script_mentions_every_subcommand() {
    let subs = subcommands();
    for (shell, marker) in SHELLS {
        let (code, out, err) = run_with(&["completions", shell], "");
        assert_eq!(code, 0, "{shell}: {err}");
        assert!(out.contains(marker), "{shell} script lacks `{marker}`");
        for sub in &subs {
            assert!(
                out.contains(sub.as_str()),
                "{shell} script never mentions `{sub}`"
            );
        }
        // The options of a subcommand are completed too, not just its name.
        assert!(out.contains("skip-non-mappings"), "{shell}: lint's options");
    }
}

#[test]
fn bash_script_is_valid_bash() {
    let (_, out, _) = run_with(&["completions", "bash"], "");
    let dir = std::env::temp_dir().join(format!("entramap-compl-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("entramap.bash");
    std::fs::write(&path, out).unwrap();
    let status = std::process::Command::new("bash")
        .arg("-n")
        .arg(&path)
        .status()
        .unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(status.success(), "bash -n rejected the completion script");
}

#[test]
fn an_unknown_shell_is_a_usage_error_naming_the_shells() {
    let (code, out, err) = run_with(&["completions", "tcsh"], "");
    assert_eq!(code, 2);
    assert_eq!(out, "");
    assert!(err.contains("bash, elvish, fish, powershell, zsh"), "{err}");
}

#[test]
fn man_prints_a_roff_page_listing_every_subcommand() {
    let (code, out, err) = run_with(&["man"], "");
    assert_eq!(code, 0, "{err}");
    let th = out
        .lines()
        .find(|l| l.starts_with(".TH "))
        .expect("a roff title line");
    assert!(
        th.starts_with(".TH entramap 1 ") && th.contains(env!("CARGO_PKG_VERSION")),
        "{th}"
    );
    for section in [".SH NAME", ".SH SYNOPSIS", ".SH OPTIONS", ".SH SUBCOMMANDS"] {
        assert!(out.contains(section), "no {section}");
    }
    for sub in subcommands().iter().filter(|s| *s != "help") {
        // roff escapes the hyphen: entramap\-lint(1)
        let page = format!("entramap\\-{sub}(1)");
        assert!(out.contains(&page), "the page does not list {page}");
    }
}

#[test]
fn man_of_a_subcommand_is_its_own_page() {
    let (code, out, err) = run_with(&["man", "lint"], "");
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains(".TH entramap-lint 1 "),
        "{}",
        &out[..200.min(out.len())]
    );
    assert!(out.contains("\\-\\-skip\\-non\\-mappings"));
}

#[test]
fn man_of_an_unknown_subcommand_names_the_real_ones() {
    let (code, out, err) = run_with(&["man", "lnt"], "");
    assert_eq!(code, 2);
    assert_eq!(out, "");
    // Every subcommand clap knows, in its order, and nothing else.
    use clap::CommandFactory;
    let names: Vec<String> = entramap::cli::Cli::command()
        .get_subcommands()
        .map(|c| c.get_name().to_string())
        .filter(|n| n != "help")
        .collect();
    assert!(
        names.len() >= 10 && names.iter().any(|n| n == "lint"),
        "{names:?}"
    );
    assert_eq!(
        err,
        format!(
            "entramap: error: `lnt` is not an entramap command; `entramap man` takes one of: {}\n",
            names.join(", ")
        )
    );
}
