//! The only place that turns diagnostics into text.

pub mod diff;

use crate::diagnostic::Diagnostic;
use miette::{
    GraphicalReportHandler, GraphicalTheme, MietteError, MietteSpanContents, SourceCode,
    SourceSpan, SpanContents,
};
use std::borrow::Cow;
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

/// The width human output is laid out to when it is not wrapped.
const UNWRAPPED: usize = 1 << 20;

/// miette's graphical report of one diagnostic against the text it points into, 100 columns
/// wide. A label on a line too long to show is reported by its line and column instead.
pub fn human(diagnostic: &Diagnostic, name: &str, source: &str, color: bool) -> String {
    human_in(diagnostic, &Shown::new(name, source), color)
}

/// [`human`] against a text prepared once: reporting many diagnostics against one file costs
/// each one the lines it shows, not the whole file.
pub fn human_in(diagnostic: &Diagnostic, shown: &Shown<'_>, color: bool) -> String {
    human_wrapped(diagnostic, shown, color, Some(100))
}

/// [`human_in`] wrapped to `width` columns (`None`: not wrapped). The header's `file:line:col`
/// counts characters, as every other format does; control characters of the name, the
/// message and the source are shown escaped (`\u{1b}`), never raw.
pub fn human_wrapped(
    diagnostic: &Diagnostic,
    shown: &Shown<'_>,
    color: bool,
    width: Option<usize>,
) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let position = diagnostic.primary_span().map(|s| {
        shown
            .original_index
            .line_col(shown.original, s.start as usize)
    });
    // The spans follow the escaped source; every text is escaped too.
    let mut d = diagnostic.clone().shifted(|s| {
        crate::span::Span::new(shown.shift(s.start as usize), shown.shift(s.end as usize))
    });
    d.message = escape_text(&d.message);
    d.help = d.help.as_deref().map(escape_text);
    for label in &mut d.labels {
        label.text = escape_line(&label.text);
    }
    let name = escape_line(shown.name);
    if let Some(line_len) = shown.too_wide_to_show(&d) {
        let (line, column) = position.map_or((1, 1), |p| (p.line, p.column));
        d.message = format!(
            "{}\n(at {name}:{line}:{column}, on a line of {line_len} characters, too long to show)",
            d.message
        );
        d.labels.clear();
    }
    let title = match position {
        Some(p) if !d.labels.is_empty() => format!("{name}:{}:{}", p.line, p.column),
        _ => name,
    };
    // Unwrapped, miette still lays every message out with textwrap (finding each line break
    // opportunity) for a width nothing reaches; for texts where that changes nothing
    // ([`same_unwrapped`]) it is told not to wrap at all.
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(width.unwrap_or(UNWRAPPED))
        .with_wrap_lines(
            width.is_some()
                || !(same_unwrapped(&d.message) && d.help.as_deref().is_none_or(same_unwrapped)),
        )
        .without_primary_span_start();
    let source = Titled { shown, title };
    let report = WithSource {
        inner: &d,
        source: &source,
    };
    let mut out = String::new();
    if handler.render_report(&mut out, &report).is_err() {
        out = format!("{}: {}\n", d.severity, d.message);
    }
    out
}

/// Whether a text miette lays out for [`UNWRAPPED`] columns comes out as it goes in (each
/// line behind its indent): every line holds something, ends with no white space, has no run
/// of white space after its leading spaces and no white space but the space (textwrap trims
/// and splits there), and is far shorter than that width. A test compares both layouts.
fn same_unwrapped(text: &str) -> bool {
    text.split('\n').all(|line| {
        let words = line.trim_start_matches(' ');
        !words.is_empty()
            && line.len() < UNWRAPPED / 2
            && !words.ends_with(' ')
            && !words.contains("  ")
            && !line.chars().any(|c| c.is_whitespace() && c != ' ')
    })
}

/// Whether a character is shown escaped: C0 and C1 control characters (but tab and line
/// breaks in multi-line text), DEL, and the bidirectional overrides and isolates that make text
/// display in another order than it reads (Trojan Source).
fn hostile(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Whether [`escape_source`] changes anything in `source`: a hostile character other than a tab,
/// `\n` or the `\r` of `\r\n`. Reads bytes, not characters, since every export has line
/// breaks (hostile but kept) and nearly none has anything else: C0 controls and DEL are single
/// bytes, C1 controls (U+0080–U+009F) are `C2 80`–`C2 9F` and the bidirectional controls
/// (U+202A–U+202E, U+2066–U+2069) are `E2 80 AA`–`E2 80 AE` and `E2 81 A6`–`E2 81 A9` in UTF-8.
///
/// The bytes are first screened a block at a time for any that could start such a character
/// (a control byte other than `\n` and `\t`, DEL, `C2`, `E2`), a loop the compiler turns into
/// vector instructions; only a block that has one is read byte by byte.
fn needs_escaping(source: &str) -> bool {
    const BLOCK: usize = 64;
    let b = source.as_bytes();
    let suspect =
        |x: u8| (x < 0x20 && x != b'\n' && x != b'\t') | (x == 0x7f) | (x == 0xc2) | (x == 0xe2);
    b.chunks(BLOCK).enumerate().any(|(k, block)| {
        block.iter().fold(false, |acc, &x| acc | suspect(x))
            && needs_escaping_from(b, k * BLOCK, block.len())
    })
}

/// The byte-by-byte rule of [`needs_escaping`] for `len` bytes of `b` from `from` (a multi-byte
/// character may run past them: its later bytes are read from `b`).
fn needs_escaping_from(b: &[u8], from: usize, len: usize) -> bool {
    (from..from + len).any(|i| match b[i] {
        b'\n' | b'\t' => false,
        b'\r' => b.get(i + 1) != Some(&b'\n'),
        0..=0x1f | 0x7f => true,
        0xc2 => matches!(b.get(i + 1), Some(0x80..=0x9f)),
        0xe2 => matches!(
            (b.get(i + 1), b.get(i + 2)),
            (Some(0x80), Some(0xaa..=0xae)) | (Some(0x81), Some(0xa6..=0xa9))
        ),
        _ => false,
    })
}

/// `text` for one line of output: every hostile character, line breaks and tabs included,
/// as a `\u{1b}`-style escape.
pub fn escape_line(text: &str) -> String {
    if !text.chars().any(hostile) {
        return text.to_string();
    }
    text.chars()
        .map(|c| {
            if hostile(c) {
                format!("\\u{{{:x}}}", c as u32)
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// `text` that may span lines: hostile characters escaped, but line feeds and tabs kept.
pub fn escape_text(text: &str) -> String {
    text.split('\n')
        .map(|line| {
            line.split('\t')
                .map(escape_line)
                .collect::<Vec<_>>()
                .join("\t")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A source text with hostile characters escaped (line feeds, tabs and the CR of a CRLF kept),
/// and the steps of the map from the original's byte offsets to the escaped text's: after each
/// escaped character (its end in the original), how many bytes were added so far.
fn escape_source(source: &str) -> (Cow<'_, str>, Vec<(usize, usize)>) {
    if !needs_escaping(source) {
        return (Cow::Borrowed(source), Vec::new());
    }
    let mut out = String::with_capacity(source.len());
    let mut steps = Vec::new();
    let mut added = 0usize;
    let mut chars = source.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let keep =
            c == '\n' || c == '\t' || (c == '\r' && chars.peek().is_some_and(|&(_, n)| n == '\n'));
        if hostile(c) && !keep {
            let e = format!("\\u{{{:x}}}", c as u32);
            added += e.len() - c.len_utf8();
            out.push_str(&e);
            steps.push((i + c.len_utf8(), added));
        } else {
            out.push(c);
        }
    }
    (Cow::Owned(out), steps)
}

/// A file's text for miette, escaped and with its lines indexed once: miette's own `read_span`
/// counts lines from the start of the text on every call, which made a report of one finding
/// per mapping of a 10 MB export quadratic. Here a call slices out the lines it needs (found by
/// binary search) and lets miette read that window, so the output is the same.
pub struct Shown<'a> {
    name: &'a str,
    /// The text as read, for positions.
    original: &'a str,
    original_index: LineIndex,
    /// The text with hostile characters escaped, as shown.
    text: Cow<'a, str>,
    /// See [`escape_source`].
    steps: Vec<(usize, usize)>,
    /// Lines of `text`; `None` when it is `original` (nothing was escaped).
    index: Option<LineIndex>,
    /// Lines of `text` (as `\n` ends them, by their start) too wide to show, with their length
    /// in characters.
    wide: BTreeMap<usize, usize>,
}

impl<'a> Shown<'a> {
    pub fn new(name: &'a str, original: &'a str) -> Shown<'a> {
        let (text, steps) = escape_source(original);
        let original_index = LineIndex::new(original);
        let index = match &text {
            Cow::Borrowed(_) => None,
            Cow::Owned(escaped) => Some(LineIndex::new(escaped)),
        };
        let lines = index.as_ref().unwrap_or(&original_index);
        let mut wide = BTreeMap::new();
        for (i, &from) in lines.starts().iter().enumerate() {
            let end = lines
                .starts()
                .get(i + 1)
                .map_or(text.len(), |&next| next - 1);
            let line = &text[from..end];
            // A character counts at most 4 columns and takes at least one byte.
            if line.len() * 4 > MAX_SHOWN_LINE {
                let columns: usize = line.chars().map(|c| if c == '\t' { 4 } else { 2 }).sum();
                if columns > MAX_SHOWN_LINE {
                    wide.insert(from, line.chars().count());
                }
            }
        }
        Shown {
            name,
            original,
            original_index,
            text,
            steps,
            index,
            wide,
        }
    }

    /// Lines of the shown text.
    fn index(&self) -> &LineIndex {
        self.index.as_ref().unwrap_or(&self.original_index)
    }

    /// Line starts as miette counts lines (after `\n`, `\r\n` or a lone `\r`): those of the
    /// `\n`-ended lines, since a lone `\r` is always escaped.
    fn starts(&self) -> &[usize] {
        self.index().starts()
    }

    /// Where byte `offset` of the original lies in the escaped text.
    fn shift(&self, offset: usize) -> usize {
        let k = self.steps.partition_point(|&(end, _)| end <= offset);
        offset + if k == 0 { 0 } else { self.steps[k - 1].1 }
    }

    /// When a label of `diagnostic` (spans in the escaped text) lies on a line too wide to
    /// show: that line's length in characters.
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
                .range(self.index().line_start(start)..=end)
                .next()
                .map(|(_, &chars)| chars)
        })
    }

    fn read_named<'b>(
        &'b self,
        name: &str,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        let (start, end) = (span.offset(), span.offset() + span.len());
        if end > self.text.len() {
            return Err(MietteError::OutOfBounds);
        }
        let starts = self.starts();
        let line_of = |at: usize| starts.partition_point(|&s| s <= at) - 1;
        let first = line_of(start);
        let last = line_of(end.saturating_sub(1).max(start));
        let lo_line = first.saturating_sub(before);
        let lo = starts[lo_line];
        // One line more than miette reads after the span, so that it sees where the last ends.
        let hi = starts
            .get(last.saturating_add(after).saturating_add(2))
            .copied()
            .unwrap_or(self.text.len());
        let window = &self.text.as_bytes()[lo..hi];
        let inner = window.read_span(&SourceSpan::from((start - lo, span.len())), before, after)?;
        Ok(Box::new(MietteSpanContents::new_named(
            name.to_string(),
            inner.data(),
            SourceSpan::from((inner.span().offset() + lo, inner.span().len())),
            inner.line() + lo_line,
            inner.column(),
            inner.line_count() + lo_line,
        )))
    }
}

impl SourceCode for Shown<'_> {
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        self.read_named(&escape_line(self.name), span, before, after)
    }
}

/// A shown text under the title one report gives it (`file:line:col`).
struct Titled<'a> {
    shown: &'a Shown<'a>,
    title: String,
}

impl SourceCode for Titled<'_> {
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        self.shown.read_named(&self.title, span, before, after)
    }
}

/// Attaches source text to a diagnostic for miette.
struct WithSource<'a> {
    inner: &'a Diagnostic,
    source: &'a Titled<'a>,
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
use crate::mapping::LoadErrorKind;
use crate::span::LineIndex;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

/// One linted file and its findings (spans are file byte offsets).
pub struct FileReport {
    /// The name the file is reported under (may not be UTF-8; shown lossily).
    pub path: PathBuf,
    pub text: String,
    pub findings: Vec<Finding>,
    /// Per finding (same order), what its fingerprint is made of besides rule and path; empty
    /// for files that did not load.
    pub fingerprints: Vec<String>,
    /// The file could not be read or loaded; its one finding says why.
    pub failed: bool,
}

impl FileReport {
    fn name(&self) -> String {
        self.path.to_string_lossy().into_owned()
    }
}

/// How human output is laid out.
pub struct Output {
    pub color: bool,
    /// Wrap to this many columns (`None`: not wrapped).
    pub width: Option<usize>,
    /// Whether unsafe fixes were asked for (the summary counts them differently).
    pub unsafe_fixes: bool,
}

/// A finding's position in people's terms: 1-based lines and character columns (Unicode
/// scalar values); the end is exclusive (the column just after the last character). UTF-16
/// columns and offsets for SARIF, which declares `utf16CodeUnits`.
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

/// The number of UTF-16 code units in `text` before byte `offset` (moved back to a character
/// boundary).
fn utf16_offset(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    text[..offset].encode_utf16().count()
}

fn fixable_mark(f: &Finding) -> &'static str {
    match &f.fix {
        Some(fix) if fix.safe => " [*]",
        _ => "",
    }
}

/// miette's graphical reports, one per finding, against the file's text.
pub fn human_reports(reports: &[FileReport], output: &Output) -> String {
    let mut out = String::new();
    // A file without findings shows nothing: its text is not prepared for showing.
    for report in reports.iter().filter(|r| !r.findings.is_empty()) {
        let name = report.name();
        let shown = Shown::new(&name, &report.text);
        for f in &report.findings {
            let mut d = f.diagnostic.clone();
            if !fixable_mark(f).is_empty() {
                d.message = format!("[*] {}", d.message);
            }
            out.push_str(&human_wrapped(&d, &shown, output.color, output.width));
        }
    }
    out
}

/// `path:line:col: severity[code] [*] name: message`, one line per finding; nothing from the
/// input can split or colour a line.
pub fn short(reports: &[FileReport]) -> String {
    let mut out = String::new();
    for report in reports {
        let index = LineIndex::new(&report.text);
        let name = escape_line(&report.name());
        for f in &report.findings {
            let p = position(&index, &report.text, f);
            let d = &f.diagnostic;
            out.push_str(&format!(
                "{name}:{}:{}: {}[{}]{} {}: {}\n",
                p.line,
                p.column,
                d.severity,
                d.code,
                fixable_mark(f),
                d.name,
                escape_line(&d.message)
            ));
        }
    }
    out
}

/// Findings at each severity over all reports: (errors, warnings, infos).
pub fn totals(reports: &[FileReport]) -> (usize, usize, usize) {
    reports.iter().fold((0, 0, 0), |acc, r| {
        let (e, w, i) = crate::lint::counts(&r.findings);
        (acc.0 + e, acc.1 + w, acc.2 + i)
    })
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// The closing lines of human and short output: the counts, the files that failed, and how
/// many findings `--fix` (and `--unsafe-fixes`) would fix.
pub fn summary(reports: &[FileReport], fixing: bool, fix_failed: usize, output: &Output) -> String {
    let (e, w, i) = totals(reports);
    let files = reports.len();
    let failed = reports.iter().filter(|r| r.failed).count();
    let mut out = if e + w + i == 0 {
        format!("entramap: no problems in {files} file{}\n", plural(files))
    } else {
        format!(
            "entramap: {e} error{}, {w} warning{}, {i} info{} in {files} file{}\n",
            plural(e),
            plural(w),
            plural(i),
            plural(files)
        )
    };
    if failed + fix_failed > 0 {
        let mut why = Vec::new();
        if failed > 0 {
            why.push(format!(
                "{failed} not read as a mapping: see the L0xx errors"
            ));
        }
        if fix_failed > 0 {
            why.push(format!("{fix_failed} not fixed: see the errors on stderr"));
        }
        out.push_str(&format!(
            "entramap: {} file{} failed ({})\n",
            failed + fix_failed,
            plural(failed + fix_failed),
            why.join("; ")
        ));
    }
    let all = reports.iter().flat_map(|r| &r.findings);
    let safe = all
        .clone()
        .filter(|f| f.fix.as_ref().is_some_and(|x| x.safe))
        .count();
    let unsafe_ = all
        .filter(|f| f.fix.as_ref().is_some_and(|x| !x.safe))
        .count();
    if !fixing && safe + unsafe_ > 0 {
        let mut line = format!("entramap: {safe} fixable with `--fix`");
        if unsafe_ > 0 && !output.unsafe_fixes {
            line.push_str(&format!(" ({unsafe_} more with `--unsafe-fixes`)"));
        }
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// `--statistics`: how many findings each rule has, most first.
pub fn statistics(reports: &[FileReport]) -> String {
    let mut counts: std::collections::BTreeMap<(&str, &str), (usize, bool)> = Default::default();
    for f in reports.iter().flat_map(|r| &r.findings) {
        let e = counts
            .entry((f.diagnostic.code, f.diagnostic.name))
            .or_default();
        e.0 += 1;
        e.1 |= f.fix.as_ref().is_some_and(|x| x.safe);
    }
    let mut rows: Vec<_> = counts.into_iter().collect();
    rows.sort_by(|a, b| b.1.0.cmp(&a.1.0).then(a.0.cmp(&b.0)));
    let width = rows
        .iter()
        .map(|r| r.1.0.to_string().len())
        .max()
        .unwrap_or(1);
    rows.iter()
        .map(|((code, name), (n, fixable))| {
            format!(
                "{n:>width$}  {code:<6} {}{name}\n",
                if *fixable { "[*] " } else { "" }
            )
        })
        .collect()
}

/// The JSON report (schema documented in the README).
pub fn json_report(reports: &[FileReport]) -> String {
    serde_json::to_string_pretty(&json_value(reports)).unwrap_or_default() + "\n"
}

/// The JSON report as a tree: `lint --format json` prints it, `serve`'s API answers with it.
pub fn json_value(reports: &[FileReport]) -> Value {
    let files: Vec<Value> = reports
        .iter()
        .map(|report| {
            let index = LineIndex::new(&report.text);
            let name = report.name();
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
                        "path": name,
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
            json!({"path": name, "loaded": !report.failed, "diagnostics": diagnostics})
        })
        .collect();
    let (e, w, i) = totals(reports);
    let failed = reports.iter().filter(|r| r.failed).count();
    json!({
        "version": 1,
        "files": files,
        "summary": {
            "errors": e, "warnings": w, "infos": i,
            "files": reports.len(), "failed_files": failed,
        },
    })
}

/// Pages the project itself publishes for its rules, by rule code: the only `helpUri`s SARIF
/// output carries. None are published yet, so rules carry their help inline (`help.text`,
/// `help.markdown`) and no link that could rot or point at someone else's site.
pub const PUBLISHED_RULE_PAGES: &[(&str, &str)] = &[];

/// GitHub code scanning's limit on a rule's `fullDescription`.
pub const SARIF_FULL_DESCRIPTION_MAX: usize = 1024;

/// The first section of a rule's documentation ("What it does"), as one paragraph of at most
/// [`SARIF_FULL_DESCRIPTION_MAX`] characters (cut at a word, with an ellipsis).
fn full_description(meta: &crate::lint::RuleMeta) -> String {
    let mut text = String::new();
    for line in meta.doc.lines().map(str::trim) {
        if line.starts_with("## What") || line.is_empty() && text.is_empty() {
            continue;
        }
        if line.starts_with("##") || line.is_empty() {
            break;
        }
        if !text.is_empty() {
            text.push(' ');
        }
        text.push_str(line);
    }
    if text.is_empty() {
        text = meta.summary.to_string();
    }
    truncate_chars(&text, SARIF_FULL_DESCRIPTION_MAX)
}

fn truncate_chars(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max - 1).collect();
    let at = cut.rfind(' ').unwrap_or(cut.len());
    format!("{}…", &cut[..at])
}

/// A rule's help as Markdown: its doc comment as written (already Markdown).
fn help_markdown(meta: &crate::lint::RuleMeta) -> String {
    let body: Vec<&str> = meta
        .doc
        .lines()
        .map(|l| l.strip_prefix(' ').unwrap_or(l))
        .collect();
    format!(
        "**{}** (`{}`): {}\n\n{}\n",
        meta.name,
        meta.code,
        meta.summary,
        body.join("\n").trim_end()
    )
}

/// Every rule's reporting descriptor: the lint rules, then the load errors.
fn sarif_rules() -> Vec<Value> {
    let mut rules: Vec<Value> = RULES
        .iter()
        .map(|r| {
            let m = r.meta();
            let kind = if m.code.starts_with("EM1") {
                "profile"
            } else {
                "mapping"
            };
            let mut rule = json!({
                "id": m.code,
                "name": m.name,
                "shortDescription": {"text": m.summary},
                "fullDescription": {"text": full_description(m)},
                "help": {"text": explain_text(m), "markdown": help_markdown(m)},
                "defaultConfiguration": {"level": sarif_level(m.severity)},
                "properties": {"tags": ["entramap", kind, m.name], "precision": "high"},
            });
            if let Some((_, uri)) = PUBLISHED_RULE_PAGES.iter().find(|(c, _)| *c == m.code) {
                rule["helpUri"] = json!(uri);
            }
            rule
        })
        .collect();
    for kind in LoadErrorKind::ALL {
        rules.push(json!({
            "id": kind.code(),
            "name": kind.name(),
            "shortDescription": {"text": kind.summary()},
            "fullDescription": {"text": format!("{} entramap could not read the file as a mapping, so nothing in it was linted.", kind.summary())},
            "help": {
                "text": format!("{} ({}): {} Fix the file (or leave it out of the run) and lint it again.", kind.name(), kind.code(), kind.summary()),
                "markdown": format!("**{}** (`{}`): {} Fix the file (or leave it out of the run) and lint it again.", kind.name(), kind.code(), kind.summary()),
            },
            "defaultConfiguration": {"level": "error"},
            "properties": {"tags": ["entramap", "load-error", kind.name()], "precision": "very-high"},
        }));
    }
    rules
}

/// The SARIF rule index of a code.
fn rule_index(code: &str) -> Option<usize> {
    RULES
        .iter()
        .position(|r| r.meta().code == code)
        .or_else(|| {
            LoadErrorKind::ALL
                .iter()
                .position(|k| k.code() == code)
                .map(|i| RULES.len() + i)
        })
}

/// What a path becomes in an `artifactLocation.uri`: percent-encoded bytes (so spaces, `#`,
/// `%`, newlines and non-UTF-8 names are all valid URI references), relative to `%SRCROOT%`
/// (the working folder) when the path is relative.
pub fn artifact_uri(path: &Path) -> (String, bool) {
    use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_encode};
    const PATH: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'/')
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~');
    let clean = path.strip_prefix("./").unwrap_or(path);
    let bytes = path_bytes(clean);
    let encoded = percent_encode(&bytes, PATH).to_string();
    if clean.is_absolute() {
        (format!("file://{encoded}"), false)
    } else {
        (encoded, true)
    }
}

#[cfg(unix)]
fn path_bytes(path: &Path) -> Vec<u8> {
    use std::os::unix::ffi::OsStrExt;
    path.as_os_str().as_bytes().to_vec()
}

#[cfg(not(unix))]
fn path_bytes(path: &Path) -> Vec<u8> {
    path.to_string_lossy().replace('\\', "/").into_bytes()
}

/// The working folder as a `file:` URI ending in `/`, for `originalUriBaseIds`.
fn srcroot_uri() -> Option<String> {
    let cwd = std::env::current_dir().ok()?;
    let (uri, relative) = artifact_uri(&cwd);
    (!relative).then(|| if uri.ends_with('/') { uri } else { uri + "/" })
}

/// A stable fingerprint: the first 16 bytes of SHA-256 over the rule, the path and the
/// finding's basis (target and canonical expression), plus an ordinal for repeats.
fn fingerprint(code: &str, path: &str, basis: &str, ordinal: usize) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for part in [code, path, basis, &ordinal.to_string()] {
        h.update(part.as_bytes());
        h.update([0u8]);
    }
    h.finalize()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Each finding's fingerprint, in order.
fn report_fingerprints(report: &FileReport) -> Vec<String> {
    let name = report.name();
    let mut seen: std::collections::HashMap<String, usize> = Default::default();
    report
        .findings
        .iter()
        .enumerate()
        .map(|(k, f)| {
            let basis = report
                .fingerprints
                .get(k)
                .cloned()
                .unwrap_or_else(|| f.diagnostic.message.clone());
            let key = format!("{}\u{0}{basis}", f.diagnostic.code);
            let n = seen.entry(key).or_default();
            let fp = fingerprint(f.diagnostic.code, &name, &basis, *n);
            *n += 1;
            fp
        })
        .collect()
}

/// A SARIF 2.1.0 log for GitHub code scanning: every rule with its help, each result with
/// fingerprints and UTF-16 positions, the invocation with its failures.
pub fn sarif(reports: &[FileReport]) -> String {
    let mut results = Vec::new();
    let mut notifications = Vec::new();
    for report in reports {
        let index = LineIndex::new(&report.text);
        let (uri, relative) = artifact_uri(&report.path);
        let mut artifact = json!({"uri": uri});
        if relative {
            artifact["uriBaseId"] = json!("%SRCROOT%");
        }
        let fps = report_fingerprints(report);
        for (k, f) in report.findings.iter().enumerate() {
            let p = position(&index, &report.text, f);
            let d = &f.diagnostic;
            let mut message = d.message.clone();
            if let Some(help) = &d.help {
                message.push_str("\nhelp: ");
                message.push_str(help);
            }
            let char_offset = utf16_offset(&report.text, p.offset);
            let char_length = utf16_offset(&report.text, p.offset + p.length) - char_offset;
            let location = json!({
                "physicalLocation": {
                    "artifactLocation": artifact,
                    "region": {
                        "startLine": p.line,
                        "startColumn": p.utf16_column,
                        "endLine": p.end_line,
                        "endColumn": p.utf16_end_column,
                        "charOffset": char_offset,
                        "charLength": char_length,
                    }
                }
            });
            let mut result = json!({
                "ruleId": d.code,
                "level": sarif_level(d.severity),
                "message": {"text": message},
                "locations": [location.clone()],
                "partialFingerprints": {"entramapFingerprint/v1": fps[k]},
            });
            if let Some(i) = rule_index(d.code) {
                result["ruleIndex"] = json!(i);
            }
            results.push(result);
            if report.failed {
                notifications.push(json!({
                    "level": "error",
                    "message": {"text": format!("{}: {}", report.name(), d.message)},
                    "descriptor": {"id": d.code},
                    "locations": [location],
                }));
            }
        }
    }
    let mut run = json!({
        "tool": {"driver": {
            "name": "entramap",
            "version": env!("CARGO_PKG_VERSION"),
            "semanticVersion": env!("CARGO_PKG_VERSION"),
            "rules": sarif_rules(),
        }},
        "invocations": [{
            "executionSuccessful": notifications.is_empty(),
            "toolExecutionNotifications": notifications,
        }],
        "columnKind": "utf16CodeUnits",
        "results": results,
    });
    if let Some(root) = srcroot_uri() {
        run["originalUriBaseIds"] = json!({"%SRCROOT%": {"uri": root}});
    }
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [run],
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
        let name = report.name();
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
                github_property(&name),
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

/// A workflow command's message: `%`, CR and LF encoded as GitHub decodes them, every other
/// hostile character escaped.
fn github_data(text: &str) -> String {
    command_data(text, "%25")
}

/// A CI logging command's message: `%` written as `percent` (the runner's own code), CR and LF
/// percent-encoded, every other hostile character escaped.
fn command_data(text: &str, percent: &str) -> String {
    escape_text(&text.replace('%', percent).replace('\r', "%0D"))
        .replace('\n', "%0A")
        .replace('\t', "\\u{9}")
}

fn github_property(text: &str) -> String {
    github_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// Azure Pipelines logging commands, one `##vso[task.logissue …]` per finding. The agent wants
/// absolute source paths, so relative ones are joined to the working folder.
pub fn azure(reports: &[FileReport]) -> String {
    let cwd = std::env::current_dir().unwrap_or_default();
    let mut out = String::new();
    for report in reports {
        let index = LineIndex::new(&report.text);
        let clean = report.path.strip_prefix("./").unwrap_or(&report.path);
        let name = cwd.join(clean).to_string_lossy().into_owned();
        for f in &report.findings {
            let p = position(&index, &report.text, f);
            let d = &f.diagnostic;
            let kind = match d.severity {
                crate::diagnostic::Severity::Error => "error",
                _ => "warning",
            };
            out.push_str(&format!(
                "##vso[task.logissue type={kind};sourcepath={};linenumber={};columnnumber={};code={};]{}\n",
                azure_property(&name),
                p.line,
                p.column,
                d.code,
                azure_data(&format!("{} ({}): {}", d.name, d.code, d.message))
            ));
        }
    }
    out
}

/// An Azure logging command's message: `%`, CR, LF encoded as the agent decodes them (`%AZP25`,
/// `%0D`, `%0A`), other hostile characters escaped.
fn azure_data(text: &str) -> String {
    command_data(text, "%AZP25")
}

fn azure_property(text: &str) -> String {
    azure_data(text).replace(';', "%3B").replace(']', "%5D")
}

/// A GitLab Code Quality report: a JSON array of issues with a fingerprint each.
pub fn gitlab(reports: &[FileReport]) -> String {
    let mut issues = Vec::new();
    for report in reports {
        let index = LineIndex::new(&report.text);
        let name = report.name();
        let fps = report_fingerprints(report);
        for (k, f) in report.findings.iter().enumerate() {
            let p = position(&index, &report.text, f);
            let d = &f.diagnostic;
            let severity = match d.severity {
                crate::diagnostic::Severity::Error => "major",
                crate::diagnostic::Severity::Warning => "minor",
                crate::diagnostic::Severity::Info => "info",
            };
            issues.push(json!({
                "description": format!("{}: {}", d.name, d.message),
                "check_name": d.name,
                "fingerprint": fps[k],
                "severity": severity,
                "location": {
                    "path": name,
                    "positions": {
                        "begin": {"line": p.line, "column": p.column},
                        "end": {"line": p.end_line, "column": p.end_column},
                    },
                },
            }));
        }
    }
    serde_json::to_string_pretty(&issues).unwrap_or_default() + "\n"
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
    for ((target, rule), c) in &tally.counts() {
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

/// Why `convert --base` could not merge FILE into the live schema, with the live schema's
/// object mappings and the closest one.
pub fn merge_error(e: &crate::mapping::envelope::MergeError, file: &str, base: &str) -> String {
    use crate::mapping::envelope::MergeError;
    match e {
        MergeError::NotGraph => format!(
            "entramap: error: {base} has no object mappings to replace (no synchronizationRules, objectMappings or attributeMappings); nothing was written\n"
        ),
        MergeError::UnknownObject {
            source_object,
            target_object,
            available,
            suggestion,
        } => {
            let pair = |s: &str, t: &str| format!("{} -> {}", show_name(s), show_name(t));
            let mut out = format!(
                "entramap: error: {} maps {}, an object mapping {} does not have; nothing was written\n",
                escape_line(file),
                pair(source_object, target_object),
                escape_line(base)
            );
            if available.is_empty() {
                out.push_str(&format!("  {} has no object mappings\n", escape_line(base)));
            } else {
                let list: Vec<String> = available.iter().map(|(s, t)| pair(s, t)).collect();
                out.push_str(&format!(
                    "  {} has: {}\n",
                    escape_line(base),
                    list.join(", ")
                ));
            }
            if let Some((s, t)) = suggestion {
                out.push_str(&format!("  did you mean {}?\n", pair(s, t)));
            }
            out.push_str("  help: object mappings are matched by source and target object names (`source:` and `target:` in YAML); Graph adds object mappings only through the schema, so add it to the live schema first or correct the names\n");
            out
        }
    }
}

/// An object name in a message: quoted when empty or when it has blanks at its ends.
fn show_name(name: &str) -> String {
    if name.is_empty() || name.trim() != name {
        format!("{name:?}")
    } else {
        escape_line(name)
    }
}

/// What `convert --base … -o OUT` did, on one line: which object mappings of the live schema
/// the file replaced.
pub fn base_written(file: &crate::mapping::MappingFile, base: &str, out: &str) -> String {
    let objects: Vec<String> = file
        .object_mappings
        .iter()
        .map(|o| {
            format!(
                "{} -> {}",
                show_name(&o.source_object),
                show_name(&o.target_object)
            )
        })
        .collect();
    format!(
        "entramap: wrote {}: {} with {} {} replaced, everything else as it was\n",
        escape_line(out),
        escape_line(base),
        if objects.len() == 1 {
            "the object mapping"
        } else {
            "the object mappings"
        },
        objects.join(", ")
    )
}

#[cfg(test)]
mod window_tests {
    use super::*;

    /// A report laid out without wrapping is the report textwrap lays out for [`UNWRAPPED`]
    /// columns, for every text [`same_unwrapped`] lets through: the findings of every lint
    /// fixture, and hand-made messages (hyphens, quotes, non-ASCII, long words, several lines).
    #[test]
    fn unwrapped_reports_are_the_wrapped_reports() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        for dir in ["fixtures/mappings", "fixtures/lint", "fixtures/real"] {
            let mut stack = vec![root.join(dir)];
            while let Some(dir) = stack.pop() {
                for entry in std::fs::read_dir(dir).unwrap() {
                    let path = entry.unwrap().path();
                    if path.is_dir() {
                        stack.push(path);
                    } else if let Ok(text) = std::fs::read_to_string(&path) {
                        files.push(text);
                    }
                }
            }
        }
        let mut cases: Vec<(Diagnostic, String)> = Vec::new();
        for text in &files {
            let Ok(file) = crate::mapping::load(text) else {
                continue;
            };
            for f in crate::lint::lint(&file, &crate::lint::LintOptions::default()) {
                cases.push((f.diagnostic, text.clone()));
            }
        }
        let lint_cases = cases.len();
        let words = "word ".repeat(400);
        let messages = [
            "one line",
            "a help with `code`, \"quotes\" and a semi-colon; then more",
            "first line\nsecond line, longer than the first\nthird",
            "hyphen-ated words and a very-long-identifier-with-many-hyphens-in-it",
            "non-ASCII: é, ß, 漢字かな混じり文, emoji 🦀 and a non-breaking\u{a0}space",
            "a/b/c paths, URLs https://learn.microsoft.com/entra/identity/app-provisioning",
            words.trim_end(),
            &"x".repeat(5000),
            "inputs → value:\n  a=False → nothing (needs true) WRONG\n    b=True → \"x\" OK",
            "  leading spaces on the first line",
            " one leading space\n  and two",
            "two  spaces",
            "trailing ",
            "   ",
            "tab\there",
            "blank\n\nline",
            "ends with a line feed\n",
        ];
        for m in messages {
            let d = Diagnostic::new("EM001", "x", Severity::Warning, m)
                .with_help(m)
                .with_label(Span::new(0, 3), "here");
            cases.push((d, "abc def\n".to_string()));
        }
        let mut unwrapped = 0;
        for (d, text) in &cases {
            let shown = Shown::new("f.json", text);
            let fast = human_wrapped(d, &shown, false, None);
            let same = same_unwrapped(&d.message) && d.help.as_deref().is_none_or(same_unwrapped);
            if same {
                unwrapped += 1;
                // The same report through textwrap.
                let d2 = d.clone();
                let handler = GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor())
                    .with_width(UNWRAPPED)
                    .with_wrap_lines(true)
                    .without_primary_span_start();
                let position = d2.primary_span().map(|s| {
                    shown
                        .original_index
                        .line_col(shown.original, s.start as usize)
                });
                let title = match position {
                    Some(p) if !d2.labels.is_empty() => format!("f.json:{}:{}", p.line, p.column),
                    _ => "f.json".to_string(),
                };
                let source = Titled {
                    shown: &shown,
                    title,
                };
                let mut wrapped = String::new();
                handler
                    .render_report(
                        &mut wrapped,
                        &WithSource {
                            inner: &d2,
                            source: &source,
                        },
                    )
                    .unwrap();
                assert_eq!(fast, wrapped, "{}", d.message);
            }
        }
        assert!(lint_cases >= 40, "only {lint_cases} findings");
        assert!(
            unwrapped > lint_cases * 9 / 10,
            "{unwrapped} of {}",
            cases.len()
        );
        // The texts textwrap would change are left to it.
        for m in [
            "two  spaces",
            "trailing ",
            "   ",
            "tab\there",
            "blank\n\nline",
            "a\n  ",
        ] {
            assert!(!same_unwrapped(m), "{m:?}");
        }
    }

    /// The byte scan of [`needs_escaping`] against the plain character rule it stands for.
    #[test]
    fn needs_escaping_is_the_character_rule() {
        let plain = |s: &str| {
            let mut chars = s.chars().peekable();
            while let Some(c) = chars.next() {
                let kept = c == '\n' || c == '\t' || (c == '\r' && chars.peek() == Some(&'\n'));
                if hostile(c) && !kept {
                    return true;
                }
            }
            false
        };
        let mut checked = 0;
        for c in (0..=0x3000u32)
            .chain(0xfff0..=0x1_0010)
            .filter_map(char::from_u32)
        {
            for s in [
                format!("{c}"),
                format!("a{c}b"),
                format!("{c}\n"),
                format!("\r{c}"),
                format!("x\u{202a}{c}"),
            ] {
                assert_eq!(needs_escaping(&s), plain(&s), "{s:?}");
                checked += 1;
            }
        }
        assert!(checked > 60_000);
        for s in [
            "",
            "a\r\nb",
            "a\rb",
            "a\r",
            "\r\r\n",
            "tab\there\n",
            "\u{9f}",
            "\u{a0}",
        ] {
            assert_eq!(needs_escaping(s), plain(s), "{s:?}");
        }
        assert!(!needs_escaping("{\n  \"a\": \"Zoë 山田\"\r\n}\n"));
        assert!(needs_escaping("a\u{1b}[31m"));
        // Across the edges of the screened blocks: a character split between two blocks, a
        // `\r\n` split, one at the very end; and whole fixtures (none of which needs escaping).
        let mut edges = 0;
        for pad in 0..=140 {
            for c in [
                "\u{202a}", "\u{2069}", "\u{2028}", "\u{85}", "\u{a0}", "\r", "\r\n", "\u{1b}",
                "\u{7f}", "é", "山",
            ] {
                for tail in ["", "x", "\n"] {
                    let s = format!("{}{c}{tail}", "a".repeat(pad));
                    assert_eq!(needs_escaping(&s), plain(&s), "{s:?}");
                    edges += 1;
                }
            }
        }
        assert!(edges > 4000);
        for name in [
            "unleash-seed.json",
            "scim-default-user-100k.json",
            "unleash-correct.json",
        ] {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("fixtures/mappings")
                .join(name);
            let text = std::fs::read_to_string(path).unwrap();
            assert_eq!(needs_escaping(&text), plain(&text), "{name}");
            let hostile = format!("{text}\u{1b}");
            assert!(needs_escaping(&hostile) && plain(&hostile), "{name}");
        }
    }

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
        // As `human_wrapped` draws it: the header's position (in characters) is part of the
        // title, not miette's own.
        let handler = GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor())
            .with_width(100)
            .without_primary_span_start();
        let title = name.to_string();
        let mut out = String::new();
        handler
            .render_report(
                &mut out,
                &Whole(d, NamedSource::new(title, text.to_string())),
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
            // The whole text, escaped as shown (a lone CR is shown as `\u{d}`), under the same
            // title (the position counted in the original).
            let pos = LineIndex::new(&text).line_col(&text, a);
            let escaped = d
                .clone()
                .shifted(|s| Span::new(shown.shift(s.start as usize), shown.shift(s.end as usize)));
            let title = format!("f.yaml:{}:{}", pos.line, pos.column);
            let plain = whole(&escaped, &title, &shown.text);
            assert!(windowed.contains("here"), "{windowed}");
            assert_eq!(windowed, plain, "span {a}..{b}");
        }
    }
}
