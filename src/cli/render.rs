//! The only place that turns diagnostics into text.

use crate::diagnostic::Diagnostic;
use miette::{
    GraphicalReportHandler, GraphicalTheme, MietteError, MietteSpanContents, SourceCode,
    SourceSpan, SpanContents,
};
use std::collections::BTreeMap;
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
    human_in(diagnostic, &Shown::new(name, source), color)
}

/// [`human`] against a text prepared once: reporting many diagnostics against one file costs
/// each one the lines it shows, not the whole file.
pub fn human_in(diagnostic: &Diagnostic, shown: &Shown<'_>, color: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(100);
    let shortened;
    let diagnostic = match shown.too_wide_to_show(diagnostic) {
        Some(line_len) => {
            let mut d = diagnostic.clone();
            let at = d.primary_span().unwrap_or_default().start as usize;
            let pos = shown.index.line_col(shown.text, at);
            d.message = format!(
                "{}\n(at {}:{}:{}, on a line of {line_len} characters, too long to show)",
                d.message, shown.name, pos.line, pos.column
            );
            d.labels.clear();
            shortened = d;
            &shortened
        }
        None => diagnostic,
    };
    let report = WithSource {
        inner: diagnostic,
        source: shown,
    };
    let mut out = String::new();
    if handler.render_report(&mut out, &report).is_err() {
        out = format!("{}: {}\n", diagnostic.severity, diagnostic.message);
    }
    out
}

/// A file's text for miette, with its lines indexed once: miette's own `read_span` counts lines
/// from the start of the text on every call, which made a report of one finding per mapping of
/// a 10 MB export quadratic. Here a call slices out the lines it needs (found by binary search)
/// and lets miette read that window, so the output is the same.
pub struct Shown<'a> {
    name: &'a str,
    text: &'a str,
    /// Line starts as miette counts lines (after `\n`, `\r\n` or a lone `\r`).
    starts: Vec<usize>,
    index: LineIndex,
    /// Lines (as `\n` ends them, by their start) too wide to show, with their length in
    /// characters.
    wide: BTreeMap<usize, usize>,
}

impl<'a> Shown<'a> {
    pub fn new(name: &'a str, text: &'a str) -> Shown<'a> {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        for (i, &b) in bytes.iter().enumerate() {
            if b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')) {
                starts.push(i + 1);
            }
        }
        let mut wide = BTreeMap::new();
        let mut from = 0;
        for line in text.split('\n') {
            // A character counts at most 4 columns and takes at least one byte.
            if line.len() * 4 > MAX_SHOWN_LINE {
                let columns: usize = line.chars().map(|c| if c == '\t' { 4 } else { 2 }).sum();
                if columns > MAX_SHOWN_LINE {
                    wide.insert(from, line.chars().count());
                }
            }
            from += line.len() + 1;
        }
        Shown {
            name,
            text,
            starts,
            index: LineIndex::new(text),
            wide,
        }
    }

    /// When a label of `diagnostic` lies on a line too wide to show: that line's length in
    /// characters.
    fn too_wide_to_show(&self, diagnostic: &Diagnostic) -> Option<usize> {
        if self.wide.is_empty() {
            return None;
        }
        diagnostic.labels.iter().find_map(|label| {
            let start = (label.span.start as usize).min(self.text.len());
            let end = (label.span.end as usize).clamp(start, self.text.len());
            // The wide lines among the label's lines: those starting from its first line's start
            // to its end.
            self.wide
                .range(self.index.line_start(start)..=end)
                .next()
                .map(|(_, &chars)| chars)
        })
    }
}

impl SourceCode for Shown<'_> {
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        let (start, end) = (span.offset(), span.offset() + span.len());
        if end > self.text.len() {
            return Err(MietteError::OutOfBounds);
        }
        let line_of = |at: usize| self.starts.partition_point(|&s| s <= at) - 1;
        let first = line_of(start);
        let last = line_of(end.saturating_sub(1).max(start));
        let lo_line = first.saturating_sub(before);
        let lo = self.starts[lo_line];
        // One line more than miette reads after the span, so that it sees where the last ends.
        let hi = self
            .starts
            .get(last.saturating_add(after).saturating_add(2))
            .copied()
            .unwrap_or(self.text.len());
        let window = &self.text.as_bytes()[lo..hi];
        let inner = window.read_span(&SourceSpan::from((start - lo, span.len())), before, after)?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.to_string(),
            inner.data(),
            SourceSpan::from((inner.span().offset() + lo, inner.span().len())),
            inner.line() + lo_line,
            inner.column(),
            inner.line_count() + lo_line,
        )))
    }
}

/// Attaches source text to a diagnostic for miette.
struct WithSource<'a> {
    inner: &'a Diagnostic,
    source: &'a Shown<'a>,
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
        Some(self.source)
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
        let shown = Shown::new(&report.path, &report.text);
        for f in &report.findings {
            out.push_str(&human_in(&f.diagnostic, &shown, color));
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
    serde_json::to_string_pretty(&json_value(reports)).unwrap_or_default() + "\n"
}

/// The JSON report as a tree: `lint --format json` prints it, `serve`'s API answers with it.
pub fn json_value(reports: &[FileReport]) -> Value {
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
    json!({
        "version": 1,
        "files": files,
        "summary": {"errors": totals.0, "warnings": totals.1, "infos": totals.2},
    })
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

#[cfg(test)]
mod window_tests {
    use super::*;
    use crate::diagnostic::Severity;
    use crate::span::Span;
    use miette::NamedSource;

    /// miette's report against the whole text, as `human` drew it before windows.
    fn whole(d: &Diagnostic, name: &str, text: &str) -> String {
        struct Whole<'a>(&'a Diagnostic, NamedSource<String>);
        impl std::fmt::Debug for Whole<'_> {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
        impl std::fmt::Display for Whole<'_> {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                std::fmt::Display::fmt(self.0, f)
            }
        }
        impl std::error::Error for Whole<'_> {}
        impl miette::Diagnostic for Whole<'_> {
            fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
                miette::Diagnostic::code(self.0)
            }
            fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
                miette::Diagnostic::labels(self.0)
            }
            fn source_code(&self) -> Option<&dyn SourceCode> {
                Some(&self.1)
            }
        }
        let handler =
            GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor()).with_width(100);
        let mut out = String::new();
        handler
            .render_report(
                &mut out,
                &Whole(d, NamedSource::new(name, text.to_string())),
            )
            .unwrap();
        out
    }

    /// The windowed source draws exactly what miette draws from the whole text: LF, CRLF and
    /// lone CR line breaks, labels on the first and last lines, across lines, empty at the end.
    #[test]
    fn windows_draw_what_the_whole_text_draws() {
        let mut text = String::new();
        for i in 0..40 {
            text.push_str(&format!("line {i}: [givenName] é"));
            text.push_str(["\n", "\r\n", "\r"][i % 3]);
        }
        text.push_str("last");
        let len = text.len();
        let spans = [
            (0, 4),
            (6, 30),
            (200, 260),
            (len - 4, len),
            (len, len),
            (100, 101),
            (3, 500),
        ];
        let shown = Shown::new("f.yaml", &text);
        for (a, b) in spans {
            let (mut a, mut b) = (a, b);
            while !text.is_char_boundary(a) {
                a -= 1;
            }
            while !text.is_char_boundary(b) {
                b -= 1;
            }
            let d = Diagnostic::new("EM001", "x", Severity::Error, "m")
                .with_label(Span::new(a, b), "here")
                .with_secondary(Span::new(a / 2, a / 2), "and here");
            let windowed = human_in(&d, &shown, false);
            let plain = whole(&d, "f.yaml", &text);
            assert!(windowed.contains("here"), "{windowed}");
            assert_eq!(windowed, plain, "span {a}..{b}");
        }
    }
}
