//! Applying fixes: each fix becomes byte edits of the file, made only inside the spans
//! concerned, re-escaped for where they land (a JSON string, a YAML scalar of any style). In a
//! Graph export, an edited expression's `source` tree is rebuilt as well, so the file stays a
//! valid export. A plan whose result no longer loads is refused.

use super::{Finding, FixEdit};
use crate::graph;
use crate::mapping::{self, Format, MappingExpr, MappingFile};
use crate::span::Span;
use crate::syntax;
use std::collections::BTreeMap;

/// The edits a set of fixes makes, and the text that results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixPlan {
    /// Non-overlapping `(span in the original, replacement)` pairs, in file order.
    pub edits: Vec<(Span, String)>,
    /// What was fixed, one line each.
    pub applied: Vec<String>,
    /// The file after the edits.
    pub text: String,
}

/// Why fixes could not be applied.
#[derive(Debug, thiserror::Error)]
pub enum FixError {
    #[error("the fixed file would no longer load ({0}); nothing was changed")]
    WouldBreak(String),
    #[error("the fixed expression for `{target}` does not parse ({message}); nothing was changed")]
    BadExpression { target: String, message: String },
}

#[derive(Default)]
struct MappingFixes<'a> {
    remove: Option<&'a str>,
    whole: Option<(&'a str, &'a str)>,
    spans: Vec<(Span, &'a str, &'a str)>,
}

/// Plans the fixes of `findings` (only safe ones unless `include_unsafe`).
pub fn plan(
    text: &str,
    file: &MappingFile,
    findings: &[Finding],
    include_unsafe: bool,
) -> Result<FixPlan, FixError> {
    let mut by_mapping: BTreeMap<(usize, usize), MappingFixes> = BTreeMap::new();
    for f in findings {
        let (Some(fix), Some((oi, Some(mi)))) = (&f.fix, f.location) else {
            continue;
        };
        if !fix.safe && !include_unsafe {
            continue;
        }
        let entry = by_mapping.entry((oi, mi)).or_default();
        match &fix.edit {
            FixEdit::RemoveMapping => entry.remove = Some(&fix.message),
            FixEdit::WholeExpression { text } => {
                entry.whole.get_or_insert((text, &fix.message));
            }
            FixEdit::Expression { span, text } => entry.spans.push((*span, text, &fix.message)),
        }
    }
    // Each edit with the messages of the fixes it makes.
    let mut edits: Vec<(Span, String, Vec<String>)> = Vec::new();
    let mut removals: Vec<(Span, String)> = Vec::new();
    for ((oi, mi), fixes) in by_mapping {
        // Findings from another file (or a stale lint) may name mappings this one lacks.
        let Some(mapping) = file
            .object_mappings
            .get(oi)
            .and_then(|om| om.attribute_mappings.get(mi))
        else {
            continue;
        };
        if let Some(message) = fixes.remove {
            removals.push((mapping.span, message.to_string()));
            continue;
        }
        let mut applied = Vec::new();
        let Some(source) = &mapping.source else {
            continue;
        };
        let new_expr = match fixes.whole {
            Some((whole, message)) => {
                applied.push(message.to_string());
                whole.to_string()
            }
            None => {
                let mut spans = fixes.spans;
                spans.sort_by_key(|(s, _, _)| std::cmp::Reverse(s.start));
                let mut out = source.text.clone();
                let mut floor = usize::MAX;
                for (span, replacement, message) in spans {
                    let range = span.range();
                    if range.end > floor
                        || range.end > out.len()
                        || !out.is_char_boundary(range.start)
                        || !out.is_char_boundary(range.end)
                    {
                        continue; // overlaps a later edit already made, or is not in the text
                    }
                    out.replace_range(span.range(), replacement);
                    floor = span.start as usize;
                    applied.push(message.to_string());
                }
                out
            }
        };
        let parsed = syntax::parse(&new_expr).map_err(|e| FixError::BadExpression {
            target: mapping.target.value.clone(),
            message: e.kind.message(),
        })?;
        match (file.format, source.tree_span) {
            (Format::Graph, Some(tree_span)) => edits.push((
                tree_span,
                tree_json(text, tree_span, &parsed, &new_expr),
                applied,
            )),
            _ => edits.push((
                source.map.span,
                encode(text, file.format, source, &new_expr),
                applied,
            )),
        }
    }
    for (span, messages) in group_removals(text, file.format, removals) {
        edits.push((
            removal_span(text, file.format, span),
            String::new(),
            messages,
        ));
    }
    edits.sort_by_key(|(s, _, _)| s.start);
    // An edit that overlaps the one before it is dropped (its fixes are not reported).
    edits.dedup_by(|b, a| b.0.start < a.0.end);
    let applied = edits
        .iter()
        .flat_map(|(_, _, m)| m.iter().cloned())
        .collect();
    let edits: Vec<(Span, String)> = edits.into_iter().map(|(s, r, _)| (s, r)).collect();
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (span, replacement) in &edits {
        let Some(kept) = text.get(at..span.start as usize) else {
            return Err(FixError::WouldBreak(format!(
                "an edit at bytes {}..{} is outside the text",
                span.start, span.end
            )));
        };
        out.push_str(kept);
        out.push_str(replacement);
        at = span.end as usize;
    }
    out.push_str(text.get(at..).unwrap_or_default());
    if let Err(e) = mapping::load(&out) {
        return Err(FixError::WouldBreak(e.message));
    }
    Ok(FixPlan {
        edits,
        applied,
        text: out,
    })
}

/// The expression text encoded for the place it is written.
fn encode(file_text: &str, format: Format, source: &MappingExpr, expr: &str) -> String {
    let before = file_text
        .get(..source.map.span.start as usize)
        .and_then(|t| t.chars().next_back());
    match (format, before) {
        (Format::Graph, _) | (Format::Yaml, Some('"')) => json_escape(expr),
        (Format::Yaml, Some('\'')) => expr.replace('\'', "''"),
        _ => expr.to_string(),
    }
}

/// JSON string content (also valid inside a YAML double-quoted scalar).
fn json_escape(text: &str) -> String {
    let quoted = serde_json::to_string(text).unwrap_or_default();
    quoted
        .strip_prefix('"')
        .and_then(|q| q.strip_suffix('"'))
        .unwrap_or_default()
        .to_string()
}

/// A rebuilt `source` tree, laid out like the one it replaces: same key order, same indentation,
/// one line if the original was on one line.
fn tree_json(file_text: &str, span: Span, parsed: &syntax::Expr, expr: &str) -> String {
    let original = file_text.get(span.range()).unwrap_or_default();
    let mut tree = graph::to_graph(parsed);
    tree.expression = Some(expr.to_string());
    let value = serde_json::to_value(&tree).unwrap_or_default();
    let order: Vec<String> =
        serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(original)
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
    let value = reorder(value, &order);
    if !original.contains('\n') {
        return serde_json::to_string(&value).unwrap_or_default();
    }
    let before = file_text.get(..span.start as usize).unwrap_or_default();
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let indent: String = before[line_start..]
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect();
    let unit = original
        .lines()
        .nth(1)
        .map(|l| {
            l.chars()
                .take_while(|c| *c == ' ')
                .count()
                .saturating_sub(indent.len())
        })
        .filter(|&n| n > 0)
        .unwrap_or(2);
    let unit = " ".repeat(unit);
    let mut buf = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(unit.as_bytes());
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, formatter);
    serde::Serialize::serialize(&value, &mut ser).ok();
    let pretty = String::from_utf8(buf).unwrap_or_default();
    let newline = if file_text.contains("\r\n") {
        "\r\n"
    } else {
        "\n"
    };
    pretty
        .lines()
        .enumerate()
        .fold(String::new(), |mut acc, (i, line)| {
            if i > 0 {
                acc.push_str(newline);
                acc.push_str(&indent);
            }
            acc.push_str(line);
            acc
        })
}

/// The same JSON with every object's keys in the given order (others after, as they come).
fn reorder(value: serde_json::Value, order: &[String]) -> serde_json::Value {
    match value {
        serde_json::Value::Object(map) => {
            let mut out = serde_json::Map::new();
            let mut rest: Vec<(String, serde_json::Value)> = map.into_iter().collect();
            for key in order {
                if let Some(i) = rest.iter().position(|(k, _)| k == key) {
                    let (k, v) = rest.remove(i);
                    out.insert(k, reorder(v, order));
                }
            }
            for (k, v) in rest {
                out.insert(k, reorder(v, order));
            }
            serde_json::Value::Object(out)
        }
        serde_json::Value::Array(items) => {
            serde_json::Value::Array(items.into_iter().map(|v| reorder(v, order)).collect())
        }
        other => other,
    }
}

/// Mappings to remove, as the spans to remove together: in JSON, neighbours in one array (only
/// a comma between them) become one span, so that the commas around them are taken once.
fn group_removals(
    text: &str,
    format: Format,
    mut removals: Vec<(Span, String)>,
) -> Vec<(Span, Vec<String>)> {
    removals.sort_by_key(|(s, _)| s.start);
    let mut groups: Vec<(Span, Vec<String>)> = Vec::new();
    for (span, message) in removals {
        if let Some((last, messages)) = groups.last_mut()
            && format == Format::Graph
            && text
                .get(last.end as usize..span.start as usize)
                .is_some_and(|between| between.trim() == ",")
        {
            *last = last.to(span);
            messages.push(message);
            continue;
        }
        groups.push((span, vec![message]));
    }
    groups
}

/// The bytes to delete to remove a mapping: in JSON the object with its separating comma, in
/// YAML the whole lines of the list entry.
fn removal_span(text: &str, format: Format, span: Span) -> Span {
    let (start, end) = (span.start as usize, span.end as usize);
    if text.get(start..end).is_none() {
        return span; // not a span of this text; `plan` refuses it
    }
    match format {
        Format::Graph => {
            let before = text[..start].trim_end();
            if before.ends_with(',') {
                // `…, {mapping}`: take the comma and the white space before the mapping.
                Span::new(before.len() - 1, end)
            } else {
                // The first element: take the comma and white space after it instead.
                let after = &text[end..];
                let trimmed = after.trim_start();
                match trimmed.strip_prefix(',') {
                    Some(rest) => {
                        let ws = rest.len() - rest.trim_start().len();
                        Span::new(start, text.len() - rest.len() + ws)
                    }
                    None => span,
                }
            }
        }
        Format::Yaml => {
            let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
            let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i + 1);
            // The span may end before trailing comments or blank space of its last line.
            Span::new(line_start, line_end)
        }
    }
}

/// A unified diff of the plan against the original, three lines of context.
pub fn unified_diff(path: &str, old: &str, plan: &FixPlan) -> String {
    let old_lines: Vec<&str> = old.split_inclusive('\n').collect();
    let new_lines: Vec<&str> = plan.text.split_inclusive('\n').collect();
    // Lines changed in the old text, and how the line count shifts, per edit.
    let line_of =
        |text: &str, offset: usize| text.get(..offset).unwrap_or(text).matches('\n').count();
    let mut hunks: Vec<(usize, usize, usize, usize)> = Vec::new(); // old_start, old_end, new_start, new_end (exclusive)
    let mut shift: isize = 0;
    for (span, replacement) in &plan.edits {
        let o0 = line_of(old, span.start as usize);
        let o1 = line_of(old, span.end as usize) + 1;
        let removed_nl = old
            .get(span.range())
            .unwrap_or_default()
            .matches('\n')
            .count() as isize;
        let added_nl = replacement.matches('\n').count() as isize;
        let n0 = (o0 as isize + shift) as usize;
        let n1 = (o1 as isize + shift + added_nl - removed_nl) as usize;
        shift += added_nl - removed_nl;
        let ctx = 3;
        let h = (
            o0.saturating_sub(ctx),
            (o1 + ctx).min(old_lines.len()),
            n0.saturating_sub(ctx),
            (n1 + ctx).min(new_lines.len()),
        );
        match hunks.last_mut() {
            Some(last) if h.0 <= last.1 => {
                last.1 = h.1;
                last.3 = h.3;
            }
            _ => hunks.push(h),
        }
    }
    let mut out = format!("--- {path}\n+++ {path}\n");
    for (o0, o1, n0, n1) in hunks {
        let (Some(old_hunk), Some(new_hunk)) = (old_lines.get(o0..o1), new_lines.get(n0..n1))
        else {
            continue;
        };
        let ops = line_diff(old_hunk, new_hunk);
        // Split the region where more than twice the context lies unchanged between changes.
        let changed: Vec<usize> = (0..ops.len()).filter(|&k| ops[k].0 != ' ').collect();
        let mut groups: Vec<(usize, usize)> = Vec::new();
        for &k in &changed {
            let (from, to) = (k.saturating_sub(3), (k + 4).min(ops.len()));
            match groups.last_mut() {
                Some(g) if from <= g.1 => g.1 = to,
                _ => groups.push((from, to)),
            }
        }
        for (from, to) in groups {
            let old_before = ops[..from].iter().filter(|(t, _)| *t != '+').count();
            let new_before = ops[..from].iter().filter(|(t, _)| *t != '-').count();
            let old_len = ops[from..to].iter().filter(|(t, _)| *t != '+').count();
            let new_len = ops[from..to].iter().filter(|(t, _)| *t != '-').count();
            out.push_str(&format!(
                "@@ -{},{old_len} +{},{new_len} @@\n",
                o0 + old_before + 1,
                n0 + new_before + 1
            ));
            for (tag, l) in &ops[from..to] {
                // Lines keep their own endings (CRLF stays CRLF, so `patch` applies the diff).
                out.push(*tag);
                out.push_str(l);
                if !l.ends_with('\n') {
                    out.push_str("\n\\ No newline at end of file\n");
                }
            }
        }
    }
    out
}

/// The lines of `a` and `b` tagged ' ' (both), '-' (only `a`) or '+' (only `b`), by longest
/// common subsequence. Hunks are small (the lines one edit touches, plus context); past a size
/// bound the middle is shown as removed-then-added instead.
fn line_diff<'t>(a: &[&'t str], b: &[&'t str]) -> Vec<(char, &'t str)> {
    let pre = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let post = a[pre..]
        .iter()
        .rev()
        .zip(b[pre..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (am, bm) = (&a[pre..a.len() - post], &b[pre..b.len() - post]);
    let mut out: Vec<(char, &str)> = a[..pre].iter().map(|l| (' ', *l)).collect();
    if am.len().saturating_mul(bm.len()) > 4_000_000 {
        out.extend(am.iter().map(|l| ('-', *l)));
        out.extend(bm.iter().map(|l| ('+', *l)));
    } else {
        // lcs[i][j]: the longest common subsequence of am[i..] and bm[j..].
        let mut lcs = vec![vec![0u32; bm.len() + 1]; am.len() + 1];
        for i in (0..am.len()).rev() {
            for j in (0..bm.len()).rev() {
                lcs[i][j] = if am[i] == bm[j] {
                    lcs[i + 1][j + 1] + 1
                } else {
                    lcs[i + 1][j].max(lcs[i][j + 1])
                };
            }
        }
        let (mut i, mut j) = (0, 0);
        while i < am.len() || j < bm.len() {
            if i < am.len() && j < bm.len() && am[i] == bm[j] {
                out.push((' ', am[i]));
                i += 1;
                j += 1;
            } else if i < am.len() && (j == bm.len() || lcs[i + 1][j] >= lcs[i][j + 1]) {
                out.push(('-', am[i]));
                i += 1;
            } else {
                out.push(('+', bm[j]));
                j += 1;
            }
        }
    }
    out.extend(a[a.len() - post..].iter().map(|l| (' ', *l)));
    out
}

/// Writes `text` to `path` atomically: a new temporary file beside it (never an existing one),
/// given the original's permissions before anything is written to it (and its owner, where the
/// process may set it), synced, then renamed over the original. A symbolic link is followed, so
/// the file it points to is replaced and the link kept. A path that does not exist yet is
/// created. On any failure the original is untouched and the temporary file removed.
pub fn write_atomically(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let target = match std::fs::canonicalize(path) {
        Ok(real) => real,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => path.to_path_buf(),
        Err(e) => return Err(e),
    };
    let metadata = match std::fs::metadata(&target) {
        Ok(m) => Some(m),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(e),
    };
    if metadata.as_ref().is_some_and(|m| !m.is_file()) {
        return Err(std::io::Error::other("not a regular file"));
    }
    let dir = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut attempt = 0u32;
    let (tmp, mut f) = loop {
        let tmp = dir.join(format!(
            ".{name}.entramap-{}-{attempt}.tmp",
            std::process::id()
        ));
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
        {
            Ok(f) => break (tmp, f),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempt < 100 => {
                attempt += 1;
            }
            Err(e) => return Err(e),
        }
    };
    let result = (|| {
        if let Some(m) = &metadata {
            // The owner first: changing it clears the setuid and setgid bits.
            keep_owner(&f, m);
            f.set_permissions(m.permissions())?;
        }
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, &target)?;
        // Make the rename itself durable; a directory that cannot be synced is no error.
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Gives the new file the original's owner and group where the process may (as root it may;
/// otherwise the file is the user's own already, or the attempt fails harmlessly).
#[cfg(unix)]
fn keep_owner(f: &std::fs::File, original: &std::fs::Metadata) {
    use std::os::unix::fs::MetadataExt;
    if let Ok(now) = f.metadata()
        && (now.uid() != original.uid() || now.gid() != original.gid())
    {
        let _ = std::os::unix::fs::fchown(f, Some(original.uid()), Some(original.gid()));
    }
}

#[cfg(not(unix))]
fn keep_owner(_: &std::fs::File, _: &std::fs::Metadata) {}

// ---------------------------------------------------------------------------------------------
// Replacing a linted file without losing an edit.

/// Why `--fix` wrote nothing to a file.
#[derive(Debug)]
pub enum ReplaceError {
    /// The file changed on disk since it was read (an editor saved it): it holds that edit.
    Changed(String),
    /// Writing would lose something the file has (hard links, mode bits, extended attributes,
    /// its owner) or write a file the user could not write: refused, with the reason.
    Refused(String),
    /// A step failed (a read-only folder, a full disk); the file is unchanged.
    Io(std::io::Error),
}

impl std::fmt::Display for ReplaceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReplaceError::Changed(m) | ReplaceError::Refused(m) => f.write_str(m),
            ReplaceError::Io(e) => write!(f, "{e}"),
        }
    }
}

impl From<std::io::Error> for ReplaceError {
    fn from(e: std::io::Error) -> Self {
        ReplaceError::Io(e)
    }
}

/// Replaces the file at `path` (a symbolic link is followed and kept), which was read as
/// `original`, with `text`, so that an edit saved meanwhile is never lost: it is either in the
/// file afterwards, or nothing is written ([`ReplaceError::Changed`]).
///
/// The new text goes to a temporary file beside the original, given its owner, mode bits
/// (setuid and setgid included) and extended attributes, and synced. On Linux it is then swapped
/// with the original in one step (`renameat2(RENAME_EXCHANGE)`), and the file swapped out is
/// compared with `original`: if an editor saved in between, the two are swapped back and the fix
/// is refused. Elsewhere (or on a file system without the exchange) the original's identity and
/// content are checked again immediately before the rename. The temporary file is removed on
/// SIGINT, SIGTERM and SIGHUP. A file with several hard links, one the user could not write
/// (read-only, such as mode 0444, even for root), or whose owner, mode bits or extended
/// attributes cannot be carried over, is refused with the reason.
pub fn replace_verified(
    path: &std::path::Path,
    original: &[u8],
    text: &str,
) -> Result<(), ReplaceError> {
    use std::io::Write;
    let shown = path.display();
    let target = std::fs::canonicalize(path)?;
    let meta = std::fs::metadata(&target)?;
    if !meta.is_file() {
        return Err(ReplaceError::Refused(format!(
            "{shown} is not a regular file"
        )));
    }
    check_replaceable(path, &target, &meta)?;
    let attributes = xattrs::read(&target)?;
    if !holds(&target, original)? {
        return Err(changed(path));
    }
    let dir = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."))
        .to_path_buf();
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let (tmp, mut f) = pending::create(&dir, &name)?;
    let result = (|| {
        carry_over(&f, &meta, path)?;
        xattrs::write(&f, &attributes, path)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        drop(f);
        pending::test_pause();
        swap_in(&tmp, &target, &meta, original, text, path)
    })();
    pending::finish(&tmp);
    if result.is_ok()
        && let Ok(d) = std::fs::File::open(&dir)
    {
        let _ = d.sync_all();
    }
    result
}

/// Whether the file at `path` holds exactly `bytes` (reading at most one byte more than that,
/// whatever the file has become).
fn holds(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<bool> {
    use std::io::Read;
    let mut now = Vec::new();
    std::fs::File::open(path)?
        .take(bytes.len() as u64 + 1)
        .read_to_end(&mut now)?;
    Ok(now == bytes)
}

fn changed(path: &std::path::Path) -> ReplaceError {
    ReplaceError::Changed(format!(
        "{} changed while entramap was fixing it (an editor saved it?); nothing was written, your version is kept (run again)",
        path.display()
    ))
}

/// Hard links and write permission.
#[cfg(unix)]
fn check_replaceable(
    path: &std::path::Path,
    target: &std::path::Path,
    meta: &std::fs::Metadata,
) -> Result<(), ReplaceError> {
    use std::os::unix::fs::MetadataExt;
    if meta.nlink() > 1 {
        return Err(ReplaceError::Refused(format!(
            "{} has {} hard links: a fixed copy renamed over it would leave the other names with the old text, so --fix does not write it (apply the fix by hand, or give it a single name)",
            path.display(),
            meta.nlink()
        )));
    }
    let writable = if rustix::process::geteuid().is_root() {
        // Root may write anything: only files whose mode lets someone write them are written.
        meta.mode() & 0o222 != 0
    } else {
        rustix::fs::access(target, rustix::fs::Access::WRITE_OK).is_ok()
    };
    if !writable {
        return Err(ReplaceError::Refused(format!(
            "{} is read-only (mode {:04o}): --fix writes only files you could write yourself; make it writable first",
            path.display(),
            meta.mode() & 0o7777
        )));
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_replaceable(
    path: &std::path::Path,
    _: &std::path::Path,
    meta: &std::fs::Metadata,
) -> Result<(), ReplaceError> {
    if meta.permissions().readonly() {
        return Err(ReplaceError::Refused(format!(
            "{} is read-only: --fix writes only files you could write yourself",
            path.display()
        )));
    }
    Ok(())
}

/// Gives the new file the original's owner, then its mode bits (changing the owner would clear
/// setuid and setgid), and checks that both took.
#[cfg(unix)]
fn carry_over(
    f: &std::fs::File,
    meta: &std::fs::Metadata,
    path: &std::path::Path,
) -> Result<(), ReplaceError> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    keep_owner(f, meta);
    let mode = meta.mode() & 0o7777;
    f.set_permissions(std::fs::Permissions::from_mode(mode))?;
    let now = f.metadata()?;
    if (now.uid(), now.gid()) != (meta.uid(), meta.gid()) {
        return Err(ReplaceError::Refused(format!(
            "{} belongs to user {} (group {}); a fixed copy would belong to you, so --fix does not write it",
            path.display(),
            meta.uid(),
            meta.gid()
        )));
    }
    if now.mode() & 0o7777 != mode {
        return Err(ReplaceError::Refused(format!(
            "{} has mode {mode:04o}, which a new file cannot be given here; --fix does not write it",
            path.display()
        )));
    }
    Ok(())
}

#[cfg(not(unix))]
fn carry_over(
    f: &std::fs::File,
    meta: &std::fs::Metadata,
    _: &std::path::Path,
) -> Result<(), ReplaceError> {
    f.set_permissions(meta.permissions())?;
    Ok(())
}

/// Puts the temporary file in place of `target` unless `target` no longer holds `original`.
#[cfg(target_os = "linux")]
fn swap_in(
    tmp: &std::path::Path,
    target: &std::path::Path,
    meta: &std::fs::Metadata,
    original: &[u8],
    text: &str,
    path: &std::path::Path,
) -> Result<(), ReplaceError> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    let _critical = pending::critical();
    match renameat_with(CWD, tmp, CWD, target, RenameFlags::EXCHANGE) {
        Ok(()) => {}
        Err(e)
            if [
                rustix::io::Errno::INVAL,
                rustix::io::Errno::NOSYS,
                rustix::io::Errno::OPNOTSUPP,
            ]
            .contains(&e) =>
        {
            return rename_checked(tmp, target, meta, original, path);
        }
        Err(e) => return Err(std::io::Error::from(e).into()),
    }
    // `tmp` now names what was in place: the file as read, unless an editor saved meanwhile.
    if holds(tmp, original).unwrap_or(false) {
        return Ok(());
    }
    renameat_with(CWD, tmp, CWD, target, RenameFlags::EXCHANGE).map_err(std::io::Error::from)?;
    if !holds(tmp, text.as_bytes()).unwrap_or(false) {
        // Someone wrote into the fixed file while it was in place: keep that too.
        pending::keep(tmp);
        return Err(ReplaceError::Changed(format!(
            "{} changed twice while entramap was fixing it; nothing was written; your version is in place and the other save is in {}",
            path.display(),
            tmp.display()
        )));
    }
    Err(changed(path))
}

#[cfg(not(target_os = "linux"))]
fn swap_in(
    tmp: &std::path::Path,
    target: &std::path::Path,
    meta: &std::fs::Metadata,
    original: &[u8],
    _: &str,
    path: &std::path::Path,
) -> Result<(), ReplaceError> {
    let _critical = pending::critical();
    rename_checked(tmp, target, meta, original, path)
}

/// The rename, right after checking that `target` is still the file read, with its content.
fn rename_checked(
    tmp: &std::path::Path,
    target: &std::path::Path,
    meta: &std::fs::Metadata,
    original: &[u8],
    path: &std::path::Path,
) -> Result<(), ReplaceError> {
    let now = std::fs::metadata(target)?;
    if !same_identity(&now, meta) || !holds(target, original)? {
        return Err(changed(path));
    }
    std::fs::rename(tmp, target)?;
    Ok(())
}

#[cfg(unix)]
fn same_identity(a: &std::fs::Metadata, b: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    (a.dev(), a.ino()) == (b.dev(), b.ino())
}

#[cfg(not(unix))]
fn same_identity(a: &std::fs::Metadata, b: &std::fs::Metadata) -> bool {
    a.len() == b.len() && a.modified().ok() == b.modified().ok()
}

/// Extended attributes: read from the original, written to the new file (Linux).
mod xattrs {
    use super::ReplaceError;

    pub type Attributes = Vec<(std::ffi::OsString, Vec<u8>)>;

    #[cfg(target_os = "linux")]
    pub fn read(target: &std::path::Path) -> Result<Attributes, ReplaceError> {
        use std::os::unix::ffi::OsStrExt;
        let f = std::fs::File::open(target)?;
        let size = match rustix::fs::flistxattr_query(&f) {
            Ok(n) => n,
            Err(e) if e == rustix::io::Errno::NOTSUP => return Ok(Vec::new()),
            Err(e) => return Err(std::io::Error::from(e).into()),
        };
        let mut names = vec![0u8; size];
        let n = rustix::fs::flistxattr(&f, &mut names[..]).map_err(std::io::Error::from)?;
        let mut out = Vec::new();
        for name in names[..n.min(size)]
            .split(|&b| b == 0)
            .filter(|n| !n.is_empty())
        {
            let name = std::ffi::OsStr::from_bytes(name).to_os_string();
            let len =
                rustix::fs::fgetxattr_query(&f, name.as_os_str()).map_err(std::io::Error::from)?;
            let mut value = vec![0u8; len];
            let got = rustix::fs::fgetxattr(&f, name.as_os_str(), &mut value[..])
                .map_err(std::io::Error::from)?;
            value.truncate(got);
            out.push((name, value));
        }
        Ok(out)
    }

    #[cfg(target_os = "linux")]
    pub fn write(
        f: &std::fs::File,
        attributes: &Attributes,
        path: &std::path::Path,
    ) -> Result<(), ReplaceError> {
        for (name, value) in attributes {
            // A label the system gave the new file already (SELinux) needs no copying.
            let mut now = vec![0u8; value.len()];
            if rustix::fs::fgetxattr(f, name.as_os_str(), &mut now[..])
                .is_ok_and(|n| now[..n.min(now.len())] == value[..] && n == value.len())
            {
                continue;
            }
            if let Err(e) =
                rustix::fs::fsetxattr(f, name.as_os_str(), value, rustix::fs::XattrFlags::empty())
            {
                return Err(ReplaceError::Refused(format!(
                    "{} has the extended attribute {}, which cannot be copied to a fixed file ({}); --fix does not write it",
                    path.display(),
                    name.to_string_lossy(),
                    std::io::Error::from(e)
                )));
            }
        }
        Ok(())
    }

    #[cfg(not(target_os = "linux"))]
    pub fn read(_: &std::path::Path) -> Result<Attributes, ReplaceError> {
        Ok(Vec::new())
    }

    #[cfg(not(target_os = "linux"))]
    pub fn write(
        _: &std::fs::File,
        _: &Attributes,
        _: &std::path::Path,
    ) -> Result<(), ReplaceError> {
        Ok(())
    }
}

/// Temporary files being written, removed on SIGINT, SIGTERM and SIGHUP by a signal thread
/// (installed the first time a file is fixed), which waits for a swap in progress to finish.
mod pending {
    use std::path::{Path, PathBuf};
    use std::sync::{Mutex, MutexGuard, OnceLock};

    static FILES: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
    static HANDLER: OnceLock<()> = OnceLock::new();

    fn files() -> MutexGuard<'static, Vec<PathBuf>> {
        FILES
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    #[cfg(unix)]
    fn install() {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
        HANDLER.get_or_init(|| {
            let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP])
            else {
                return;
            };
            std::thread::spawn(move || {
                if let Some(signal) = signals.forever().next() {
                    // Held to the end: no new temporary file, no swap, after this point.
                    let list = files();
                    for path in list.iter() {
                        let _ = std::fs::remove_file(path);
                    }
                    let _ = signal_hook::low_level::emulate_default_handler(signal);
                    std::process::exit(128 + signal);
                }
            });
        });
    }

    #[cfg(not(unix))]
    fn install() {
        HANDLER.get_or_init(|| ());
    }

    /// A new temporary file beside the target (never an existing one), registered.
    pub fn create(dir: &Path, name: &str) -> std::io::Result<(PathBuf, std::fs::File)> {
        install();
        let mut list = files();
        for attempt in 0..100 {
            let tmp = dir.join(format!(
                ".{name}.entramap-{}-{attempt}.tmp",
                std::process::id()
            ));
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&tmp)
            {
                Ok(f) => {
                    list.push(tmp.clone());
                    return Ok((tmp, f));
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(e),
            }
        }
        Err(std::io::Error::other("no free temporary file name"))
    }

    /// Held while files are swapped: a signal then waits for the swap to end.
    pub fn critical() -> MutexGuard<'static, Vec<PathBuf>> {
        files()
    }

    /// Unregisters the temporary file and removes it (it holds nothing needed any more: the
    /// old text after a swap, or a failed copy), unless [`keep`] kept it.
    pub fn finish(tmp: &Path) {
        let kept = KEEP.with(|k| {
            let mut k = k.borrow_mut();
            let had = k.iter().any(|p| p == tmp);
            k.retain(|p| p != tmp);
            had
        });
        let mut list = files();
        if let Some(i) = list.iter().position(|p| p == tmp) {
            list.swap_remove(i);
            if !kept {
                let _ = std::fs::remove_file(tmp);
            }
        }
    }

    /// Leaves the temporary file on disk when it is finished (it holds a save worth keeping).
    pub fn keep(tmp: &Path) {
        KEEP.with(|k| k.borrow_mut().push(tmp.to_path_buf()));
    }

    thread_local! {
        static KEEP: std::cell::RefCell<Vec<PathBuf>> = const { std::cell::RefCell::new(Vec::new()) };
    }

    /// Tests (debug builds only) can hold a fix after its temporary file is written, to send
    /// it a signal or race an editor against it: `ENTRAMAP_TEST_FIX_PAUSE_MS`.
    pub fn test_pause() {
        if cfg!(debug_assertions)
            && let Some(ms) = std::env::var("ENTRAMAP_TEST_FIX_PAUSE_MS")
                .ok()
                .and_then(|v| v.parse::<u64>().ok())
        {
            std::thread::sleep(std::time::Duration::from_millis(ms));
        }
    }
}
