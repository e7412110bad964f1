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
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    /// The line and column of byte `offset` in `text` (the text this index was built from).
    /// Offsets past the end or inside a character are moved back to a character boundary.
    pub fn line_col(&self, text: &str, offset: usize) -> LineCol {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let prefix = &text[self.starts[line]..offset];
        LineCol {
            line: line + 1,
            column: prefix.chars().count() + 1,
            utf16_column: prefix.encode_utf16().count() + 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
