//! Checks shared by the fuzz targets. Every check panics on a broken invariant, which is what
//! libFuzzer reports as a crash.

#![allow(dead_code)]

use entramap::cli::render;
use entramap::lint::{self, LintOptions, fix};
use entramap::mapping::{self, LoadError, MappingFile};
use entramap::profile::{Profile, ScimMode};
use entramap::span::Span;

/// A span must lie inside the text and on character boundaries, or rendering it would slice
/// through a character.
pub fn check_span(text: &str, span: Span, what: &str) {
    let (s, e) = (span.start as usize, span.end as usize);
    assert!(s <= e, "{what}: span {s}..{e} is reversed");
    assert!(
        e <= text.len(),
        "{what}: span {s}..{e} is past the end ({})",
        text.len()
    );
    assert!(
        text.is_char_boundary(s) && text.is_char_boundary(e),
        "{what}: span {s}..{e} splits a character"
    );
}

/// Loads `text` as a mapping file and checks what comes back: a load error points inside the
/// text and renders; a loaded file's spans are all inside the text and it converts both ways.
pub fn check_load(text: &str) -> Option<MappingFile> {
    match mapping::load(text) {
        Err(e) => {
            check_load_error(text, &e);
            let _ = mapping::is_mapping_shaped(text);
            None
        }
        Ok(file) => {
            for om in &file.object_mappings {
                for m in &om.attribute_mappings {
                    check_span(text, m.span, "mapping");
                    check_span(text, m.target.span, "target");
                    if let Some(source) = &m.source {
                        check_span(text, source.map.span, "expression");
                        // Every decoded offset maps into the file.
                        let mut at = 0;
                        while at <= source.text.len() {
                            let off = source.map.offset(at);
                            assert!(off <= text.len(), "offset map points past the end");
                            at += 1;
                        }
                        let _ = mapping::graph_source(source);
                    }
                }
            }
            // Both conversions produce files that load again.
            let graph = mapping::to_graph_json(&file);
            if let Err(e) = mapping::load(&graph) {
                // Graph JSON needs parseable expressions; only those may fail to come back.
                assert!(
                    !matches!(e.kind, mapping::LoadErrorKind::InvalidJson),
                    "to_graph_json wrote invalid JSON: {e}\n{graph}"
                );
            }
            let yaml = mapping::to_yaml(&file);
            if let Err(e) = mapping::load(&yaml) {
                assert!(
                    !matches!(e.kind, mapping::LoadErrorKind::InvalidYaml),
                    "to_yaml wrote invalid YAML: {e}\n{yaml}"
                );
            }
            Some(file)
        }
    }
}

pub fn check_load_error(text: &str, e: &LoadError) {
    check_span(text, e.span, "load error");
    if let Some(related) = e.related {
        check_span(text, related, "load error (related)");
    }
    assert!(!e.message.is_empty(), "a load error without a message");
    let _ = render::human(&e.to_diagnostic(), "fuzz", text, false);
}

/// Lints a loaded file (with and without the unleash profile), renders the findings in every
/// format, plans the fixes and checks the plan: edits inside the text, bytes outside them
/// kept, the result loads.
pub fn check_lint(text: &str, file: &MappingFile) {
    let profile = Profile::resolve("unleash").expect("the built-in profile");
    for options in [
        LintOptions::default(),
        LintOptions {
            profile: Some(profile),
            scim_mode: ScimMode::Compliant,
            ..LintOptions::default()
        },
    ] {
        let findings = lint::lint(file, &options);
        for f in &findings {
            if let Some(span) = f.diagnostic.primary_span() {
                check_span(text, span, "finding");
            }
        }
        let report = render::FileReport {
            path: "fuzz.json".into(),
            text: text.to_string(),
            findings: findings.clone(),
        };
        let reports = [report];
        let _ = render::human_reports(&reports, false);
        let _ = render::short(&reports);
        let _ = render::json_report(&reports);
        let _ = render::sarif(&reports);
        let _ = render::github(&reports);
        for include_unsafe in [false, true] {
            if let Ok(plan) = fix::plan(text, file, &findings, include_unsafe) {
                let mut at = 0;
                let mut kept = String::new();
                let mut out_at = 0;
                for (span, replacement) in &plan.edits {
                    check_span(text, *span, "fix edit");
                    assert!(span.start as usize >= at, "fix edits overlap");
                    let same = &text[at..span.start as usize];
                    assert_eq!(
                        &plan.text[out_at..out_at + same.len()],
                        same,
                        "bytes outside the edits changed"
                    );
                    kept.push_str(same);
                    out_at += same.len() + replacement.len();
                    at = span.end as usize;
                }
                assert_eq!(
                    &plan.text[out_at..],
                    &text[at..],
                    "bytes after the last edit changed"
                );
                assert!(
                    mapping::load(&plan.text).is_ok(),
                    "a fix plan whose result does not load"
                );
                let _ = fix::unified_diff("fuzz.json", text, &plan);
            }
        }
    }
}
