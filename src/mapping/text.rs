//! Decoding string values out of their file syntax while recording where each decoded byte came
//! from: JSON string escapes and the five YAML scalar styles.
//!
//! Every decoder feeds a [`MapBuilder`] with two kinds of pieces: text copied verbatim from the
//! file (its offsets move in step) and text that decoding produced (an escape, a folded line
//! break), which maps to where its source starts and ends. The builder records an
//! [`OffsetMap`] point wherever the two offsets stop moving in step.

use super::model::OffsetMap;
use crate::span::Span;

/// Builds a decoded string and its [`OffsetMap`] piece by piece.
#[derive(Debug)]
pub(crate) struct MapBuilder {
    text: String,
    base: Option<usize>,
    points: Vec<(usize, usize)>,
    /// The file offset decoded offset `text.len()` maps to under the current stretch.
    next: usize,
}

impl MapBuilder {
    pub(crate) fn new(start: usize) -> MapBuilder {
        MapBuilder {
            text: String::new(),
            base: None,
            points: Vec::new(),
            next: start,
        }
    }

    /// Makes decoded offset `text.len()` map to file offset `at`.
    fn anchor(&mut self, at: usize) {
        if self.base.is_none() {
            self.base = Some(at);
        } else if self.next != at {
            let d = self.text.len();
            match self.points.last_mut() {
                Some(last) if last.0 == d => last.1 = at,
                _ => self.points.push((d, at)),
            }
        }
        self.next = at;
    }

    /// Text copied unchanged from file offset `at`.
    pub(crate) fn verbatim(&mut self, raw: &str, at: usize) {
        if raw.is_empty() {
            return;
        }
        self.anchor(at);
        self.text.push_str(raw);
        self.next = at + raw.len();
    }

    /// Text that decoding produced from the file bytes `start..end`: its first byte maps to
    /// `start`, and whatever follows it maps from `end` on.
    pub(crate) fn decoded(&mut self, text: &str, start: usize, end: usize) {
        self.anchor(start);
        self.text.push_str(text);
        self.next = start + text.len();
        if self.next != end {
            let d = self.text.len();
            self.points.push((d, end));
            self.next = end;
        }
    }

    pub(crate) fn push_char(&mut self, c: char, start: usize, end: usize) {
        let mut buf = [0u8; 4];
        self.decoded(c.encode_utf8(&mut buf), start, end);
    }

    /// The decoded text and its map; `span` is the file span of the encoded string.
    pub(crate) fn finish(self, span: Span) -> (String, OffsetMap) {
        let base = self.base.unwrap_or(span.start as usize);
        let mut points = self.points;
        // A point that changes nothing (it agrees with the stretch before it) is dropped.
        let mut kept: Vec<(usize, usize)> = Vec::with_capacity(points.len());
        let mut prev = (0usize, base);
        for p in points.drain(..) {
            if p.1 != prev.1 + (p.0 - prev.0) {
                kept.push(p);
            }
            prev = p;
        }
        (
            self.text,
            OffsetMap {
                base,
                points: kept,
                span,
            },
        )
    }
}

/// Why a JSON string could not be decoded (the validating pass normally reports these first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StringError {
    pub message: String,
    pub span: Span,
}

/// Decodes the JSON string literal `raw` (with its quotes) that starts at file offset `at`.
pub(crate) fn decode_json_string(raw: &str, at: usize) -> Result<(String, OffsetMap), StringError> {
    let bytes = raw.as_bytes();
    if bytes.len() < 2 || bytes[0] != b'"' || bytes[bytes.len() - 1] != b'"' {
        return Err(StringError {
            message: "expected a JSON string".into(),
            span: Span::new(at, at + raw.len()),
        });
    }
    let inner_start = at + 1;
    let inner = &raw[1..raw.len() - 1];
    let mut b = MapBuilder::new(inner_start);
    let mut i = 0;
    let mut run = 0;
    let ib = inner.as_bytes();
    while i < ib.len() {
        if ib[i] != b'\\' {
            i += 1;
            continue;
        }
        b.verbatim(&inner[run..i], inner_start + run);
        let esc_start = i;
        let Some(&c) = ib.get(i + 1) else {
            return Err(StringError {
                message: "a backslash ends the string".into(),
                span: Span::new(inner_start + i, inner_start + i + 1),
            });
        };
        let simple = match c {
            b'"' => Some('"'),
            b'\\' => Some('\\'),
            b'/' => Some('/'),
            b'b' => Some('\u{8}'),
            b'f' => Some('\u{c}'),
            b'n' => Some('\n'),
            b'r' => Some('\r'),
            b't' => Some('\t'),
            _ => None,
        };
        if let Some(ch) = simple {
            i += 2;
            b.push_char(ch, inner_start + esc_start, inner_start + i);
        } else if c == b'u' {
            let first = hex4(inner, i + 2).ok_or_else(|| bad_escape(inner, inner_start, i))?;
            i += 6;
            let ch = match first {
                0xD800..=0xDBFF => {
                    let low = (ib.get(i) == Some(&b'\\') && ib.get(i + 1) == Some(&b'u'))
                        .then(|| hex4(inner, i + 2))
                        .flatten()
                        .filter(|low| (0xDC00..=0xDFFF).contains(low));
                    let Some(low) = low else {
                        return Err(lone_surrogate(first, inner_start + esc_start));
                    };
                    i += 6;
                    char::from_u32(0x10000 + ((first - 0xD800) << 10) + (low - 0xDC00))
                }
                0xDC00..=0xDFFF => return Err(lone_surrogate(first, inner_start + esc_start)),
                _ => char::from_u32(first),
            };
            let ch = ch.ok_or_else(|| bad_escape(inner, inner_start, esc_start))?;
            b.push_char(ch, inner_start + esc_start, inner_start + i);
        } else {
            return Err(bad_escape(inner, inner_start, i));
        }
        run = i;
    }
    b.verbatim(&inner[run..], inner_start + run);
    Ok(b.finish(Span::new(inner_start, inner_start + inner.len())))
}

fn hex4(s: &str, at: usize) -> Option<u32> {
    let digits = s.get(at..at + 4)?;
    if !digits.bytes().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    u32::from_str_radix(digits, 16).ok()
}

fn bad_escape(inner: &str, inner_start: usize, i: usize) -> StringError {
    let end = inner[i + 1..]
        .chars()
        .next()
        .map_or(i + 1, |c| i + 1 + c.len_utf8());
    StringError {
        message: format!("invalid escape `{}` in a JSON string", &inner[i..end]),
        span: Span::new(inner_start + i, inner_start + end),
    }
}

pub(crate) fn lone_surrogate(unit: u32, at: usize) -> StringError {
    StringError {
        message: format!(
            "lone surrogate escape `\\u{unit:04X}`: UTF-16 surrogates must come in pairs (a \\uD800–\\uDBFF escape followed by a \\uDC00–\\uDFFF escape)"
        ),
        span: Span::new(at, at + 6),
    }
}

// ---------------------------------------------------------------------------------------------
// YAML scalars

/// The five ways a YAML scalar can be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum YamlStyle {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

/// The lines of `s` with their offsets (relative to `s`) and the length of their line break
/// (`\n`, `\r\n` or a lone `\r`; 0 for a last line without one).
fn lines(s: &str) -> Vec<(usize, &str, usize)> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\n' => {
                out.push((start, &s[start..i], 1));
                i += 1;
                start = i;
            }
            b'\r' => {
                let len = if b.get(i + 1) == Some(&b'\n') { 2 } else { 1 };
                out.push((start, &s[start..i], len));
                i += len;
                start = i;
            }
            _ => i += 1,
        }
    }
    out.push((start, &s[start..], 0));
    out
}

fn is_blank(c: u8) -> bool {
    c == b' ' || c == b'\t'
}

/// Decodes a flow scalar (plain, single- or double-quoted) whose content (between the quotes)
/// is `raw`, at file offset `at`. Multi-line content is folded as YAML does: trailing and leading
/// white space around a line break is dropped, one break becomes a space, n empty lines become
/// n newlines.
pub(crate) fn decode_flow(raw: &str, at: usize, style: YamlStyle) -> (String, OffsetMap) {
    let mut b = MapBuilder::new(at);
    let ls = lines(raw);
    let last = ls.len() - 1;
    let mut pending_break: Option<(usize, usize, bool)> = None; // a folded break (file range) or an escaped one
    let mut empty_lines: Vec<(usize, usize)> = Vec::new();
    for (n, &(off, line, brk)) in ls.iter().enumerate() {
        // The part of the line that is content: leading blanks dropped on continuation lines,
        // trailing blanks dropped before a break (in double quotes, unless escaped).
        let lb = line.as_bytes();
        let mut s = 0;
        if n > 0 {
            while s < lb.len() && is_blank(lb[s]) {
                s += 1;
            }
        }
        let mut e = lb.len();
        if n < last {
            while e > s && is_blank(lb[e - 1]) {
                if style == YamlStyle::DoubleQuoted && escaped_at(lb, e - 1) {
                    break;
                }
                e -= 1;
            }
        }
        let content_empty = s == e;
        if n > 0 && n < last && content_empty {
            empty_lines.push((at + off + s, at + off + line.len() + brk));
            continue;
        }
        if let Some((bs, be, joined)) = pending_break.take() {
            if empty_lines.is_empty() {
                if !joined {
                    b.decoded(" ", bs, be);
                }
            } else {
                // n empty lines give n newlines (after an escaped break as after a folded one).
                for (i, &(es, ee)) in empty_lines.iter().enumerate() {
                    let start = if i == 0 && !joined { bs } else { es };
                    b.decoded("\n", start, ee);
                }
            }
            empty_lines.clear();
        }
        let content = &line[s..e];
        let content_at = at + off + s;
        // A double-quoted line ending in an escaped line break joins the next line directly.
        let mut joined = false;
        match style {
            YamlStyle::Plain => b.verbatim(content, content_at),
            YamlStyle::SingleQuoted => single_quoted(&mut b, content, content_at),
            YamlStyle::DoubleQuoted => {
                joined = n < last
                    && content.ends_with('\\')
                    && !escaped_at(content.as_bytes(), content.len() - 1);
                let body = if joined {
                    &content[..content.len() - 1]
                } else {
                    content
                };
                double_quoted(&mut b, body, content_at);
            }
            YamlStyle::Literal | YamlStyle::Folded => {
                unreachable!("block scalars decode elsewhere")
            }
        }
        if n < last {
            if joined {
                // `\` + break: nothing is produced; the next line's leading blanks are dropped too.
                b.decoded(
                    "",
                    content_at + content.len() - 1,
                    at + off + line.len() + brk,
                );
                pending_break = Some((0, 0, true));
            } else {
                pending_break = Some((at + off + e, at + off + line.len() + brk, false));
            }
        }
    }
    b.finish(Span::new(at, at + raw.len()))
}

/// Whether the byte at `i` is escaped by an odd run of backslashes before it.
fn escaped_at(b: &[u8], i: usize) -> bool {
    let mut n = 0;
    let mut j = i;
    while j > 0 && b[j - 1] == b'\\' {
        n += 1;
        j -= 1;
    }
    n % 2 == 1
}

fn single_quoted(b: &mut MapBuilder, s: &str, at: usize) {
    let mut run = 0;
    let mut i = 0;
    let sb = s.as_bytes();
    while i < sb.len() {
        if sb[i] == b'\'' && sb.get(i + 1) == Some(&b'\'') {
            b.verbatim(&s[run..i], at + run);
            b.decoded("'", at + i, at + i + 2);
            i += 2;
            run = i;
        } else {
            i += 1;
        }
    }
    b.verbatim(&s[run..], at + run);
}

fn double_quoted(b: &mut MapBuilder, s: &str, at: usize) {
    let sb = s.as_bytes();
    let mut run = 0;
    let mut i = 0;
    while i < sb.len() {
        if sb[i] != b'\\' || i + 1 >= sb.len() {
            i += 1;
            continue;
        }
        b.verbatim(&s[run..i], at + run);
        let start = i;
        let c = sb[i + 1];
        let simple = match c {
            b'0' => Some('\0'),
            b'a' => Some('\u{7}'),
            b'b' => Some('\u{8}'),
            b't' | b'\t' => Some('\t'),
            b'n' => Some('\n'),
            b'v' => Some('\u{b}'),
            b'f' => Some('\u{c}'),
            b'r' => Some('\r'),
            b'e' => Some('\u{1b}'),
            b' ' => Some(' '),
            b'"' => Some('"'),
            b'/' => Some('/'),
            b'\\' => Some('\\'),
            b'N' => Some('\u{85}'),
            b'_' => Some('\u{a0}'),
            b'L' => Some('\u{2028}'),
            b'P' => Some('\u{2029}'),
            _ => None,
        };
        if let Some(ch) = simple {
            i += 2;
            b.push_char(ch, at + start, at + i);
        } else {
            let width = match c {
                b'x' => 2,
                b'u' => 4,
                b'U' => 8,
                _ => 0,
            };
            let digits = s
                .get(i + 2..i + 2 + width)
                .filter(|d| d.bytes().all(|x| x.is_ascii_hexdigit()));
            match digits.and_then(|d| u32::from_str_radix(d, 16).ok()) {
                Some(mut code) if width > 0 => {
                    i += 2 + width;
                    // A surrogate pair written as two \u escapes decodes to one character.
                    if (0xD800..=0xDBFF).contains(&code)
                        && s.get(i..i + 2) == Some("\\u")
                        && let Some(low) = hex4(s, i + 2).filter(|l| (0xDC00..=0xDFFF).contains(l))
                    {
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
                        i += 6;
                    }
                    let ch = char::from_u32(code).unwrap_or('\u{fffd}');
                    b.push_char(ch, at + start, at + i);
                }
                _ => {
                    // Not an escape the parser accepts; keep it as written (the caller checks
                    // the result against the parser's value anyway).
                    i += 1;
                    b.verbatim("\\", at + start);
                }
            }
        }
        run = i;
    }
    b.verbatim(&s[run..], at + run);
}

/// A block scalar's header: `|` or `>`, then an indentation digit and a chomping indicator.
#[derive(Debug, Clone, Copy)]
struct BlockHeader {
    folded: bool,
    indent: Option<usize>,
    chomp: Chomp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Chomp {
    Clip,
    Strip,
    Keep,
}

fn block_header(s: &str) -> Option<(BlockHeader, usize)> {
    let b = s.as_bytes();
    let folded = match b.first()? {
        b'|' => false,
        b'>' => true,
        _ => return None,
    };
    let mut h = BlockHeader {
        folded,
        indent: None,
        chomp: Chomp::Clip,
    };
    let mut i = 1;
    for _ in 0..2 {
        match b.get(i) {
            Some(c @ b'1'..=b'9') => h.indent = Some(usize::from(c - b'0')),
            Some(b'-') => h.chomp = Chomp::Strip,
            Some(b'+') => h.chomp = Chomp::Keep,
            _ => break,
        }
        i += 1;
    }
    // The rest of the header line: blanks and an optional comment.
    let eol = s[i..].find(['\n', '\r']).map_or(s.len(), |p| p + i);
    let rest = s[i..eol].trim_start_matches([' ', '\t']);
    if !(rest.is_empty() || rest.starts_with('#')) {
        return None;
    }
    let after = match (b.get(eol), b.get(eol + 1)) {
        (Some(b'\r'), Some(b'\n')) => eol + 2,
        (Some(_), _) => eol + 1,
        (None, _) => eol,
    };
    Some((h, after))
}

/// Decodes a block scalar. `raw` runs from the `|` or `>` indicator to the end of the scalar
/// (the parser's end marker); `at` is the indicator's file offset; `parent_indent` is the
/// indentation of the node that owns the scalar (used only with an explicit indentation digit).
pub(crate) fn decode_block(
    raw: &str,
    at: usize,
    parent_indent: usize,
) -> Option<(String, OffsetMap)> {
    let (h, body_start) = block_header(raw)?;
    let body = &raw[body_start..];
    let body_at = at + body_start;
    let mut ls = lines(body);
    // A last piece without a line break that holds only blanks is the next line's indentation,
    // not part of the scalar.
    if ls.len() > 1
        && let Some(&(_, l, 0)) = ls.last()
        && l.bytes().all(is_blank)
    {
        ls.pop();
    }
    if ls.len() == 1 && ls[0].1.is_empty() && ls[0].2 == 0 {
        ls.clear();
    }
    let indent = match h.indent {
        Some(d) => parent_indent + d,
        None => ls
            .iter()
            .find(|(_, l, _)| !l.bytes().all(|c| c == b' '))
            .map_or(0, |(_, l, _)| l.bytes().take_while(|&c| c == b' ').count()),
    };
    // Classify lines: content lines keep their text after `indent`; others are empty.
    struct Line {
        text_at: usize,
        text: (usize, usize), // offsets within body
        brk: (usize, usize),  // file offsets of the line break
        empty: bool,
        more_indented: bool,
    }
    let mut out: Vec<Line> = Vec::new();
    for &(off, l, brk) in &ls {
        let spaces = l.bytes().take_while(|&c| c == b' ').count();
        let empty = spaces >= l.len() || (spaces < indent && l[spaces..].bytes().all(is_blank));
        if !empty && spaces < indent {
            break; // the scalar ended (should not happen inside the parser's span)
        }
        let start = if empty {
            off + l.len().min(indent)
        } else {
            off + indent
        };
        let line_end = off + l.len();
        out.push(Line {
            text_at: body_at + start,
            text: (start, line_end),
            brk: (body_at + line_end, body_at + line_end + brk),
            empty,
            more_indented: !empty && l.as_bytes().get(indent).is_some_and(|&c| is_blank(c)),
        });
    }
    let last_content = out.iter().rposition(|l| !l.empty);
    let mut b = MapBuilder::new(body_at);
    let Some(last_content) = last_content else {
        // Only empty lines: with keep chomping they are all newlines.
        if h.chomp == Chomp::Keep {
            for l in &out {
                if l.brk.1 > l.brk.0 {
                    b.decoded("\n", l.brk.0, l.brk.1);
                }
            }
        }
        return Some(b.finish(Span::new(body_at, body_at)));
    };
    let mut prev_content: Option<usize> = None; // index of the previous content line
    for (i, l) in out.iter().enumerate().take(last_content + 1) {
        if l.empty {
            continue;
        }
        // The breaks between the previous content line and this one.
        let empties: Vec<usize> = match prev_content {
            Some(p) => (p + 1..i).collect(),
            None => (0..i).collect(),
        };
        match prev_content {
            None => {
                for &e in &empties {
                    b.decoded("\n", out[e].brk.0, out[e].brk.1);
                }
            }
            Some(p) => {
                let prev = &out[p];
                let fold = h.folded && !prev.more_indented && !l.more_indented;
                if fold && empties.is_empty() {
                    b.decoded(" ", prev.brk.0, prev.brk.1);
                } else if fold {
                    // The first break is dropped; each empty line gives a newline.
                    for (k, &e) in empties.iter().enumerate() {
                        let start = if k == 0 { prev.brk.0 } else { out[e].text_at };
                        b.decoded("\n", start, out[e].brk.1);
                    }
                } else {
                    b.decoded("\n", prev.brk.0, prev.brk.1);
                    for &e in &empties {
                        b.decoded("\n", out[e].text_at, out[e].brk.1);
                    }
                }
            }
        }
        b.verbatim(&body[l.text.0..l.text.1], l.text_at);
        prev_content = Some(i);
    }
    let last = &out[last_content];
    let end = last.text_at + (last.text.1 - last.text.0);
    match h.chomp {
        Chomp::Strip => {}
        // The final line break (a line at the end of input without one still gets it).
        Chomp::Clip => b.decoded("\n", last.brk.0, last.brk.1),
        Chomp::Keep => {
            b.decoded("\n", last.brk.0, last.brk.1);
            for l in &out[last_content + 1..] {
                if l.brk.1 > l.brk.0 {
                    b.decoded("\n", l.text_at, l.brk.1);
                }
            }
        }
    }
    let first_at = out.iter().find(|l| !l.empty).map_or(body_at, |l| l.text_at);
    Some(b.finish(Span::new(first_at.min(end), end)))
}

/// A last resort when a scalar's own decoding disagrees with the parser's value: align the
/// parser's `value` with the raw text greedily (skipping white space and quoting in the raw
/// text), so positions stay close to right.
pub(crate) fn align(value: &str, raw: &str, at: usize) -> OffsetMap {
    let mut b = MapBuilder::new(at);
    let mut r = 0;
    for (_, ch) in value.char_indices() {
        // Skip raw characters that decoding drops (blanks, breaks, quotes, escapes) until one
        // matches.
        let mut k = r;
        let mut found = None;
        while k < raw.len() {
            let c = raw[k..].chars().next().unwrap_or(' ');
            if c == ch {
                found = Some(k);
                break;
            }
            if !(c.is_whitespace() || c == '\'' || c == '"' || c == '\\') || k - r > 16 {
                break;
            }
            k += c.len_utf8();
        }
        match found {
            Some(k) => {
                let mut buf = [0u8; 4];
                b.verbatim(ch.encode_utf8(&mut buf), at + k);
                r = k + ch.len_utf8();
            }
            None => {
                let step = raw[r.min(raw.len())..]
                    .chars()
                    .next()
                    .map_or(0, char::len_utf8);
                b.push_char(ch, at + r.min(raw.len()), at + (r + step).min(raw.len()));
                r = (r + step).min(raw.len());
            }
        }
    }
    b.finish(Span::new(at, at + raw.len())).1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_escapes_map_both_ends() {
        let file = r#"x "Jion(\"\u00e9\", [mail])""#;
        let at = 2;
        let (text, map) = decode_json_string(&file[2..], at).unwrap();
        assert_eq!(text, "Jion(\"é\", [mail])");
        assert_eq!(map.offset(0), file.find('J').unwrap());
        let mail = text.find("[mail]").unwrap();
        assert_eq!(map.offset(mail), file.find("[mail]").unwrap());
        let e = text.find('é').unwrap();
        assert_eq!(map.offset(e), file.find("\\u00e9").unwrap());
        assert_eq!(map.offset(e + 2), file.find("\\u00e9").unwrap() + 6);
        assert_eq!(map.offset(text.len()), file.len() - 1);
    }

    #[test]
    fn json_surrogates() {
        let (text, map) = decode_json_string(r#""a\uD83D\uDE00b""#, 0).unwrap();
        assert_eq!(text, "a😀b");
        assert_eq!(map.offset(5), 14);
        assert!(decode_json_string(r#""\uD800""#, 0).is_err());
        assert!(decode_json_string(r#""\uDC00x""#, 0).is_err());
    }

    #[test]
    fn folded_plain() {
        let raw = "Join(\" \",\n          [a])";
        let (text, map) = decode_flow(raw, 0, YamlStyle::Plain);
        assert_eq!(text, "Join(\" \", [a])");
        assert_eq!(
            map.offset(text.find("[a]").unwrap()),
            raw.find("[a]").unwrap()
        );
    }

    #[test]
    fn literal_and_folded() {
        let raw = "|\n  Join(\" \",\n    [a])\n";
        let (text, map) = decode_block(raw, 0, 0).unwrap();
        assert_eq!(text, "Join(\" \",\n  [a])\n");
        assert_eq!(
            map.offset(text.find("[a]").unwrap()),
            raw.find("[a]").unwrap()
        );
        let raw = ">-\r\n  Join(\" \",\r\n   [a],\r\n\r\n  [b])\r\n";
        let (text, map) = decode_block(raw, 0, 0).unwrap();
        assert_eq!(text, "Join(\" \",\n [a],\n\n[b])");
        assert_eq!(
            map.offset(text.find("[b]").unwrap()),
            raw.find("[b]").unwrap()
        );
    }
}
