//! Byte spans and the line index that turns them into line/column positions.
//!
//! Every node of every tree in entramap carries one [`Span`]: a half-open byte range into the
//! text it was read from. Line and column numbers are only computed when a diagnostic is
//! rendered, through a [`LineIndex`].

use std::ops::Range;

/// A half-open byte range `start..end` into a source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    /// A span from `start` to `end` (byte offsets).
    pub fn new(start: usize, end: usize) -> Span {
        debug_assert!(start <= end);
        Span {
            start: clamp(start),
            end: clamp(end),
        }
    }

    /// An empty span at `offset`.
    pub fn at(offset: usize) -> Span {
        Span::new(offset, offset)
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    pub fn len(self) -> usize {
        self.end.saturating_sub(self.start) as usize
    }

    pub fn is_empty(self) -> bool {
        self.start == self.end
    }

    pub fn range(self) -> Range<usize> {
        self.start as usize..self.end.max(self.start) as usize
    }

    /// This span moved right by `offset` bytes.
    pub fn shift(self, offset: usize) -> Span {
        Span::new(self.start as usize + offset, self.end as usize + offset)
    }
}

fn clamp(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl From<Span> for miette::SourceSpan {
    fn from(span: Span) -> Self {
        (span.start as usize, span.len()).into()
    }
}

/// A position as people read it: 1-based line, 1-based column in characters, and the column in
/// UTF-16 code units (what SARIF's `utf16CodeUnits` column kind asks for).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineCol {
    pub line: usize,
    pub column: usize,
    pub utf16_column: usize,
}

/// Line starts of a text, for turning byte offsets into [`LineCol`]s.
///
/// A line ends at `\n`; a `\r` before it belongs to the line break, so CRLF files report the same
/// lines and columns as LF files.
///
/// Columns count characters from the line's start. A minified Graph export is one line of
/// megabytes, so long lines carry a checkpoint every [`CHECKPOINT_BYTES`] bytes (the character
/// and UTF-16 counts so far): a column costs at most that many bytes of counting, and a report
/// with one finding per mapping stays linear in the file's size.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
    /// `(byte offset, characters, UTF-16 units)` from the start of its line, increasing.
    checkpoints: Vec<(usize, usize, usize)>,
}

/// The distance between two column checkpoints of a long line.
pub const CHECKPOINT_BYTES: usize = 4096;

/// Pushes the offset after each line feed of `bytes`, in order. Eight bytes are tested at a
/// time (a byte equal to `\n` is one whose XOR with it is zero, found without carries between
/// bytes); a search call per line (`match_indices`) spent most of its time starting up on
/// lines of a few dozen bytes. The memchr crate is not used: its first call runs a CPU
/// feature detection that costs a short run more than the search.
fn line_feeds(bytes: &[u8], starts: &mut Vec<usize>) {
    const LOW7: u64 = u64::from_ne_bytes([0x7f; 8]);
    const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);
    const FEEDS: u64 = u64::from_ne_bytes([b'\n'; 8]);
    let mut words = bytes.chunks_exact(8);
    let mut at = 0;
    for word in &mut words {
        let mut eight = [0u8; 8];
        eight.copy_from_slice(word);
        let x = u64::from_le_bytes(eight) ^ FEEDS;
        // The high bit of each byte of `x` that is not zero.
        let nonzero = ((x & LOW7).wrapping_add(LOW7) | x) & HIGH;
        let mut feeds = !nonzero & HIGH;
        while feeds != 0 {
            starts.push(at + (feeds.trailing_zeros() / 8) as usize + 1);
            feeds &= feeds - 1;
        }
        at += 8;
    }
    for (i, &b) in words.remainder().iter().enumerate() {
        if b == b'\n' {
            starts.push(at + i + 1);
        }
    }
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        line_feeds(text.as_bytes(), &mut starts);
        let mut checkpoints = Vec::new();
        for (i, &start) in starts.iter().enumerate() {
            let end = starts.get(i + 1).copied().unwrap_or(text.len());
            if end - start <= CHECKPOINT_BYTES {
                continue;
            }
            let (mut chars, mut units, mut next) = (0, 0, start + CHECKPOINT_BYTES);
            for (at, ch) in text[start..end].char_indices() {
                if start + at >= next {
                    checkpoints.push((start + at, chars, units));
                    next = start + at + CHECKPOINT_BYTES;
                }
                chars += 1;
                units += ch.len_utf16();
            }
        }
        LineIndex {
            starts,
            checkpoints,
        }
    }

    /// The byte offset where the line holding `offset` starts.
    /// The byte offset where each line starts (the first is 0).
    pub fn starts(&self) -> &[usize] {
        &self.starts
    }

    pub fn line_start(&self, offset: usize) -> usize {
        self.starts[self.starts.partition_point(|&s| s <= offset) - 1]
    }

    /// The line and column of byte `offset` in `text` (the text this index was built from).
    /// Offsets past the end or inside a character are moved back to a character boundary.
    pub fn line_col(&self, text: &str, offset: usize) -> LineCol {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let mut from = (self.starts[line], 0, 0);
        let k = self.checkpoints.partition_point(|c| c.0 <= offset);
        if let Some(&c) = k.checked_sub(1).and_then(|k| self.checkpoints.get(k))
            && c.0 >= from.0
        {
            from = c;
        }
        let prefix = text.get(from.0..offset).unwrap_or_default();
        LineCol {
            line: line + 1,
            column: from.1 + prefix.chars().count() + 1,
            utf16_column: from.2 + prefix.encode_utf16().count() + 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Columns on long lines (through checkpoints) are those counted from the line's start.
    #[test]
    fn checkpoints_agree_with_counting() {
        let line = "aé😀\t".repeat(3 * CHECKPOINT_BYTES);
        let text = format!("x\n{line}\r\n{line}");
        let index = LineIndex::new(&text);
        assert!(index.checkpoints.len() > 10);
        let second = text.find('\n').unwrap() + 1;
        for offset in (0..text.len()).step_by(997).chain([text.len()]) {
            let mut at = offset;
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            let start = text[..at].rfind('\n').map_or(0, |p| p + 1);
            let prefix = &text[start..at];
            let got = index.line_col(&text, offset);
            assert_eq!(got.column, prefix.chars().count() + 1, "at {offset}");
            assert_eq!(got.utf16_column, prefix.encode_utf16().count() + 1);
            let third = second + line.len() + 2;
            let want = 1 + usize::from(at >= second) + usize::from(at >= third);
            assert_eq!(got.line, want, "at {offset}");
        }
    }

    /// The line starts found eight bytes at a time are those a plain search for `\n` finds,
    /// at every alignment and next to every byte value.
    #[test]
    fn line_starts_are_those_of_a_plain_search() {
        let mut texts: Vec<String> = ["", "\n", "a", "a\n", "\n\n\né\r\nx", "😀\n\n\n\n\n\n\n\n\n"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        for len in 0..40 {
            for at in 0..len {
                let mut t = "x".repeat(len);
                t.replace_range(at..=at, "\n");
                texts.push(t);
            }
        }
        // Every byte value next to a line feed (the bytes 0x0a±1, 0x8a and 0xff included).
        let all: String = (0..=0x10ffu32).filter_map(char::from_u32).collect();
        texts.push(all.chars().flat_map(|c| [c, '\n']).collect());
        texts.push("ab\ncdé\n".repeat(1000));
        texts.push(include_str!("../fixtures/mappings/unleash-seed.json").to_string());
        for text in &texts {
            let mut plain = vec![0];
            plain.extend(text.match_indices('\n').map(|(i, _)| i + 1));
            assert_eq!(
                LineIndex::new(text).starts(),
                plain.as_slice(),
                "{text:.40}"
            );
        }
    }

    #[test]
    fn crlf_and_lf_agree() {
        let lf = "ab\ncd\né";
        let crlf = "ab\r\ncd\r\né";
        let (a, b) = (LineIndex::new(lf), LineIndex::new(crlf));
        assert_eq!(
            a.line_col(lf, lf.find('d').unwrap()),
            b.line_col(crlf, crlf.find('d').unwrap())
        );
        let pos = b.line_col(crlf, crlf.len());
        assert_eq!((pos.line, pos.column), (3, 2));
    }

    #[test]
    fn utf16_columns_count_surrogates() {
        let text = "😀x";
        let pos = LineIndex::new(text).line_col(text, 4);
        assert_eq!((pos.column, pos.utf16_column), (2, 3));
    }
}
