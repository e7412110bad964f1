//! The only place that turns diagnostics into text.

use crate::diagnostic::Diagnostic;
use miette::{GraphicalReportHandler, GraphicalTheme, NamedSource};
use std::io::IsTerminal;

/// Whether stderr gets colour: only on a terminal, and never when `NO_COLOR` is set.
pub fn stderr_color() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stderr().is_terminal()
}

/// How wide (in columns, counting every character as two and a tab as four) a line may be for
/// its source to be shown under a diagnostic. miette cannot draw labels past column 65,535 (it
/// panics), and a minified Graph export is one line of hundreds of kilobytes.
const MAX_SHOWN_LINE: usize = 60_000;

/// miette's graphical report of one diagnostic against the text it points into. A label on a
/// line too long to show is reported by its line and column instead.
pub fn human(diagnostic: &Diagnostic, name: &str, source: &str, color: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(100);
    let shortened;
    let diagnostic = match too_wide_to_show(diagnostic, source) {
        Some(line_len) => {
            let mut d = diagnostic.clone();
            let at = d.primary_span().unwrap_or_default().start as usize;
            let pos = crate::span::LineIndex::new(source).line_col(source, at);
            d.message = format!(
                "{}\n(at {name}:{}:{}, on a line of {line_len} characters, too long to show)",
                d.message, pos.line, pos.column
            );
            d.labels.clear();
            shortened = d;
            &shortened
        }
        None => diagnostic,
    };
    let report = WithSource {
        inner: diagnostic,
        source: NamedSource::new(name, source.to_string()),
    };
    let mut out = String::new();
    if handler.render_report(&mut out, &report).is_err() {
        out = format!("{}: {}\n", diagnostic.severity, diagnostic.message);
    }
    out
}

/// When a label of `diagnostic` lies on a line too wide to show: that line's length in
/// characters.
fn too_wide_to_show(diagnostic: &Diagnostic, source: &str) -> Option<usize> {
    diagnostic.labels.iter().find_map(|label| {
        let (start, end) = (label.span.start as usize, label.span.end as usize);
        let start = start.min(source.len());
        let end = end.clamp(start, source.len());
        let from = source.get(..start)?.rfind('\n').map_or(0, |i| i + 1);
        let to = source
            .get(end..)?
            .find('\n')
            .map_or(source.len(), |i| end + i);
        source
            .get(from..to)?
            .split('\n')
            .find(|line| {
                line.chars()
                    .map(|c| if c == '\t' { 4 } else { 2 })
                    .sum::<usize>()
                    > MAX_SHOWN_LINE
            })
            .map(|line| line.chars().count())
    })
}

/// Attaches source text to a diagnostic for miette.
struct WithSource<'a> {
    inner: &'a Diagnostic,
    source: NamedSource<String>,
}

impl std::fmt::Debug for WithSource<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.inner.fmt(f)
    }
}

impl std::fmt::Display for WithSource<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self.inner, f)
    }
}

impl std::error::Error for WithSource<'_> {}

impl miette::Diagnostic for WithSource<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        miette::Diagnostic::code(self.inner)
    }
    fn severity(&self) -> Option<miette::Severity> {
        miette::Diagnostic::severity(self.inner)
    }
    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        miette::Diagnostic::help(self.inner)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        miette::Diagnostic::labels(self.inner)
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }
}

use crate::lint::{Finding, RULES};
use crate::span::LineIndex;
use serde_json::{Value, json};

/// One linted file and its findings (spans are file byte offsets).
pub struct FileReport {
    pub path: String,
    pub text: String,
    pub findings: Vec<Finding>,
}

/// A finding's position in people's terms: 1-based lines and character columns; the end is
/// exclusive (the column just after the last character). UTF-16 columns for SARIF.
struct Position {
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    utf16_column: usize,
    utf16_end_column: usize,
    offset: usize,
    length: usize,
}

fn position(index: &LineIndex, text: &str, finding: &Finding) -> Position {
    let span = finding.diagnostic.primary_span().unwrap_or_default();
    let start = index.line_col(text, span.start as usize);
    let end = index.line_col(text, span.end as usize);
    Position {
        line: start.line,
        column: start.column,
        end_line: end.line,
        end_column: end.column,
        utf16_column: start.utf16_column,
        utf16_end_column: end.utf16_column,
        offset: span.start as usize,
        length: span.len(),
    }
}

/// miette's graphical reports, one per finding, against the file's text.
pub fn human_reports(reports: &[FileReport], color: bool) -> String {
    let mut out = String::new();
    for report in reports {
        for f in &report.findings {
            out.push_str(&human(&f.diagnostic, &report.path, &report.text, color));
        }
    }
    out
}

/// `path:line:col: severity[code] message`, one line per finding.
pub fn short(reports: &[FileReport]) -> String {
    let mut out = String::new();
    for report in reports {
        let index = LineIndex::new(&report.text);
        for f in &report.findings {
            let p = position(&index, &report.text, f);
            let d = &f.diagnostic;
            out.push_str(&format!(
                "{}:{}:{}: {}[{}] {}: {}\n",
                report.path, p.line, p.column, d.severity, d.code, d.name, d.message
            ));
        }
    }
    out
}

/// The JSON report (schema documented in the README).
pub fn json_report(reports: &[FileReport]) -> String {
    let mut totals = (0, 0, 0);
    let files: Vec<Value> = reports
        .iter()
        .map(|report| {
            let index = LineIndex::new(&report.text);
            let (e, w, i) = crate::lint::counts(&report.findings);
            totals = (totals.0 + e, totals.1 + w, totals.2 + i);
            let diagnostics: Vec<Value> = report
                .findings
                .iter()
                .map(|f| {
                    let p = position(&index, &report.text, f);
                    let d = &f.diagnostic;
                    json!({
                        "code": d.code,
                        "name": d.name,
                        "severity": d.severity.as_str(),
                        "message": d.message,
                        "help": d.help,
                        "path": report.path,
                        "line": p.line,
                        "column": p.column,
                        "end_line": p.end_line,
                        "end_column": p.end_column,
                        "offset": p.offset,
                        "length": p.length,
                        "target": f.target,
                        "fix": f.fix.as_ref().map(|fix| json!({"message": fix.message, "safe": fix.safe})),
                    })
                })
                .collect();
            json!({"path": report.path, "diagnostics": diagnostics})
        })
        .collect();
    let doc = json!({
        "version": 1,
        "files": files,
        "summary": {"errors": totals.0, "warnings": totals.1, "infos": totals.2},
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}

/// A SARIF 2.1.0 log with every rule's description.
pub fn sarif(reports: &[FileReport]) -> String {
    let rules: Vec<Value> = RULES
        .iter()
        .map(|r| {
            let m = r.meta();
            json!({
                "id": m.code,
                "name": m.name,
                "shortDescription": {"text": m.summary},
                "fullDescription": {"text": explain_text(m)},
                "defaultConfiguration": {"level": sarif_level(m.severity)},
                "helpUri": format!("https://github.com/entramap/entramap/blob/main/src/lint/rules/{}.rs", m.name.replace('-', "_")),
            })
        })
        .collect();
    let mut results = Vec::new();
    for report in reports {
        let index = LineIndex::new(&report.text);
        for f in &report.findings {
            let p = position(&index, &report.text, f);
            let d = &f.diagnostic;
            let rule_index = RULES.iter().position(|r| r.meta().code == d.code);
            let mut message = d.message.clone();
            if let Some(help) = &d.help {
                message.push_str("\nhelp: ");
                message.push_str(help);
            }
            results.push(json!({
                "ruleId": d.code,
                "ruleIndex": rule_index,
                "level": sarif_level(d.severity),
                "message": {"text": message},
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": {"uri": report.path},
                        "region": {
                            "startLine": p.line,
                            "startColumn": p.utf16_column,
                            "endLine": p.end_line,
                            "endColumn": p.utf16_end_column,
                            "charOffset": p.offset,
                            "charLength": p.length,
                        }
                    }
                }],
            }));
        }
    }
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "entramap",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/entramap/entramap",
                "rules": rules,
            }},
            "columnKind": "utf16CodeUnits",
            "results": results,
        }],
    });
    serde_json::to_string_pretty(&log).unwrap_or_default() + "\n"
}

fn sarif_level(severity: crate::diagnostic::Severity) -> &'static str {
    match severity {
        crate::diagnostic::Severity::Error => "error",
        crate::diagnostic::Severity::Warning => "warning",
        crate::diagnostic::Severity::Info => "note",
    }
}

/// How many annotations of one level GitHub shows before the rest are summarised.
pub const GITHUB_LIMIT: usize = 10;

/// GitHub Actions workflow commands: at most [`GITHUB_LIMIT`] per level, then a notice.
pub fn github(reports: &[FileReport]) -> String {
    let mut out = String::new();
    let mut shown = [0usize; 3];
    let mut left = [0usize; 3];
    for report in reports {
        let index = LineIndex::new(&report.text);
        for f in &report.findings {
            let d = &f.diagnostic;
            let (slot, command) = match d.severity {
                crate::diagnostic::Severity::Error => (0, "error"),
                crate::diagnostic::Severity::Warning => (1, "warning"),
                crate::diagnostic::Severity::Info => (2, "notice"),
            };
            if shown[slot] == GITHUB_LIMIT {
                left[slot] += 1;
                continue;
            }
            shown[slot] += 1;
            let p = position(&index, &report.text, f);
            let mut message = d.message.clone();
            if let Some(help) = &d.help {
                message.push_str("\nhelp: ");
                message.push_str(help);
            }
            out.push_str(&format!(
                "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}\n",
                github_property(&report.path),
                p.line,
                p.column,
                p.end_line,
                p.end_column,
                github_property(&format!("{} ({})", d.name, d.code)),
                github_data(&message)
            ));
        }
    }
    for (slot, level) in ["errors", "warnings", "notices"].iter().enumerate() {
        if left[slot] > 0 {
            out.push_str(&format!(
                "::notice title=entramap::{} more {level} not shown (run entramap lint locally to see them all)\n",
                left[slot]
            ));
        }
    }
    out
}

fn github_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn github_property(text: &str) -> String {
    github_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// A rule's documentation as `entramap explain` prints it.
pub fn explain_text(meta: &crate::lint::RuleMeta) -> String {
    let body: Vec<&str> = meta
        .doc
        .lines()
        .map(|l| l.strip_prefix(' ').unwrap_or(l))
        .collect();
    format!(
        "{} ({}) — {}, {} by default\n\n{}\n",
        meta.name,
        meta.code,
        meta.summary,
        meta.severity,
        body.join("\n").trim_end()
    )
}

/// `entramap profiles`: one line per profile.
pub fn profile_list(profiles: &[crate::profile::Profile]) -> String {
    let width = profiles.iter().map(|p| p.name.len()).max().unwrap_or(0);
    let mut out = String::new();
    for p in profiles {
        out.push_str(&format!(
            "{:width$}  {}\n",
            p.name,
            p.description.as_deref().unwrap_or("")
        ));
    }
    out.push_str("`entramap explain NAME` prints a profile's rules and sources.\n");
    out
}

/// `entramap explain PROFILE`: the profile's rules, notes and sources.
pub fn profile_text(p: &crate::profile::Profile) -> String {
    use crate::profile::{Groups, LetterCase, ScimFlag, Uniqueness};
    let mut out = format!(
        "{} — {}\n",
        p.name,
        p.description.as_deref().unwrap_or("an app profile")
    );
    let list = |v: &[String]| v.join(", ");
    let t = &p.targets;
    out.push_str(&format!("\nTargets ({} object):\n", p.object));
    if !t.keep_only.is_empty() {
        out.push_str(&format!("  keep only: {}\n", list(&t.keep_only)));
    }
    if !t.require.is_empty() {
        out.push_str(&format!("  require:   {}\n", list(&t.require)));
    }
    if !t.forbid.is_empty() {
        out.push_str(&format!("  forbid:    {}\n", list(&t.forbid)));
    }
    for r in &t.require_source {
        out.push_str(&format!(
            "  {} ← {}{}\n",
            r.target,
            r.any_of.join(" or "),
            r.why
                .as_deref()
                .map(|w| format!(" ({w})"))
                .unwrap_or_default()
        ));
    }
    for a in &t.schema_additions {
        out.push_str(&format!(
            "  add to the schema: {} ({}){}{}\n",
            a.name,
            a.ty.as_str(),
            a.default
                .as_deref()
                .map(|d| format!(", default {d}"))
                .unwrap_or_default(),
            if a.constant {
                ", mapping type None"
            } else {
                ""
            }
        ));
    }
    if let Some(m) = &p.matches_by {
        out.push_str(&format!("  matches users by: {m}\n"));
    }
    if let Some(a) = &p.active {
        out.push_str(&format!(
            "\nActive ({}){}:\n",
            a.target,
            if a.required { ", required" } else { "" }
        ));
        if let Some(w) = a.wire {
            out.push_str(&format!(
                "  wire form: {}\n",
                match w {
                    crate::profile::ActiveExpectation::LowercaseBoolean =>
                        "lowercase-boolean (true/false)",
                    crate::profile::ActiveExpectation::AnyBoolean => "any-boolean",
                }
            ));
        }
        if let Some(e) = &a.equivalent_to {
            out.push_str(&format!("  sends what this sends: {e}\n"));
        }
        if let Some(w) = &a.why {
            out.push_str(&format!("  why: {w}\n"));
        }
    }
    if !p.values.is_empty() {
        out.push_str("\nValue rules (checked per user by simulate --profile and lint --users):\n");
        for v in &p.values {
            let mut rules: Vec<String> = Vec::new();
            if let Some(n) = v.normalise {
                rules.push(format!("normalised by {}", n.as_str()));
            }
            if v.non_null {
                rules.push("non-null".into());
            }
            if let Some(m) = v.max_length {
                rules.push(format!("max-length {m}"));
            }
            if let Some(pat) = &v.pattern {
                rules.push(format!("pattern {pat}"));
            }
            if let Some(e) = &v.one_of {
                rules.push(format!("one of {}", e.join(", ")));
            }
            if let Some(c) = v.case {
                rules.push(
                    match c {
                        LetterCase::Lower => "lowercase",
                        LetterCase::Upper => "uppercase",
                    }
                    .into(),
                );
            }
            if let Some(u) = v.unique {
                rules.push(
                    match u {
                        Uniqueness::Exact => "unique",
                        Uniqueness::IgnoreCase => "unique ignoring case",
                    }
                    .into(),
                );
            }
            if let Some(e) = &v.equals {
                rules.push(format!(
                    "equals {}{}",
                    e.target,
                    if e.case_sensitive {
                        ""
                    } else {
                        " ignoring case"
                    }
                ));
            }
            out.push_str(&format!("  {}: {}\n", v.target, rules.join("; ")));
            if let Some(w) = &v.why {
                out.push_str(&format!("    why: {w}\n"));
            }
        }
    }
    if !p.options.is_empty() {
        out.push_str(
            "\nOptions (--profile-option KEY=VALUE, or profile-options in .entramap.yaml):\n",
        );
        for (k, o) in &p.options {
            out.push_str(&format!("  {k}: {}\n", o.description));
        }
    }
    out.push_str("\nTenant and job:\n");
    out.push_str(&format!(
        "  ?aadOptscim062020: {}\n",
        match p.scim_flag {
            ScimFlag::Required => "required",
            ScimFlag::Forbidden => "must not be set",
            ScimFlag::Either => "either",
        }
    ));
    if let Some(n) = &p.scim_flag_note {
        out.push_str(&format!("    {n}\n"));
    }
    out.push_str(&format!(
        "  groups: {}\n",
        match p.groups {
            Groups::Supported => "supported",
            Groups::Unsupported => "not supported (disable the group mapping)",
            Groups::Unknown => "not said",
        }
    ));
    if !p.actions.is_empty() {
        let names: Vec<&str> = p
            .actions
            .iter()
            .map(|a| match a {
                crate::profile::ObjectAction::Create => "Create",
                crate::profile::ObjectAction::Update => "Update",
                crate::profile::ObjectAction::Delete => "Delete",
            })
            .collect();
        out.push_str(&format!("  keep enabled: {}\n", names.join(", ")));
    }
    if !p.notes.is_empty() {
        out.push_str("\nNotes:\n");
        for n in &p.notes {
            out.push_str(&format!("  - {n}\n"));
        }
    }
    if !p.sources.is_empty() {
        out.push_str("\nSources:\n");
        for s in &p.sources {
            out.push_str(&format!("  - {s}\n"));
        }
    }
    out
}

/// The stderr summary of a profile's value rules over a run.
pub fn violation_summary(profile: &str, tally: &crate::profile::values::Tally) -> String {
    if tally.total == 0 {
        return format!("entramap: {profile}: every value rule holds for every checked user\n");
    }
    let mut out = format!(
        "entramap: {profile}: {} value-rule violation{}:\n",
        tally.total,
        if tally.total == 1 { "" } else { "s" }
    );
    for ((target, rule), c) in &tally.counts {
        let more = if c.count > c.first.len() as u64 {
            ", …"
        } else {
            ""
        };
        out.push_str(&format!(
            "  {target} {rule}: {} user{} ({}{more})\n",
            c.count,
            if c.count == 1 { "" } else { "s" },
            c.first.join(", ")
        ));
    }
    out
}
