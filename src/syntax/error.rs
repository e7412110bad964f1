//! Structured parse errors. Each kind knows its message and its help; the conversion into the
//! crate's [`Diagnostic`] happens here and nowhere else.

use crate::diagnostic::{Diagnostic, Severity};
use crate::span::Span;

/// The deepest nesting of function calls the parser accepts.
pub const MAX_DEPTH: usize = 256;
/// The longest indexed text the indexing help quotes in full (longer text is shown as `…`).
pub const MAX_QUOTED_BASE: usize = 120;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub kind: ParseErrorKind,
    /// Where the problem is.
    pub span: Span,
    /// Where the construct that is left open started (the `(`, `[` or `"`), when there is one.
    pub opened_at: Option<Span>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseErrorKind {
    /// Nothing but whitespace.
    Empty,
    /// A string constant without its closing `"`.
    UnterminatedString,
    /// A call whose `(` is never closed.
    MissingCloseParen,
    /// An attribute reference whose `[` is not closed on the same line.
    MissingCloseBracket,
    /// `[]`.
    EmptyAttribute,
    /// A `)` with no call open.
    ExtraCloseParen,
    /// Two arguments with no comma between them.
    MissingComma,
    /// `“`, `”`, `‘` or `’` where a `"` was meant.
    TypographicQuote(char),
    /// `'text'`.
    SingleQuotedString,
    /// `==`.
    DoubleEquals,
    /// `!=`.
    BangEquals,
    /// `AND`, `OR`, `&&`, `||` (as written).
    LogicalOperator(String),
    /// `a = b = c`.
    ChainedComparison,
    /// A well-formed expression followed by more text.
    TrailingInput,
    /// A `(` that does not follow a function name.
    BareParenthesis,
    /// Calls nested deeper than [`MAX_DEPTH`].
    TooDeep,
    /// Anything else where an argument or expression was expected (the character found).
    ExpectedTerm(Option<char>),
    /// Something other than `,` or `)` after an argument (the character found).
    ExpectedCommaOrParen(char),
    /// `Split([mail], "@")[1]`: an index after a call or attribute (the indexed text, and the
    /// index when it is a number that fits).
    Indexing { base: String, index: Option<u32> },
}

impl ParseErrorKind {
    /// A stable code per kind: `E0001`…
    pub fn code(&self) -> &'static str {
        use ParseErrorKind::*;
        match self {
            Empty => "E0001",
            UnterminatedString => "E0002",
            MissingCloseParen => "E0003",
            MissingCloseBracket => "E0004",
            EmptyAttribute => "E0005",
            ExtraCloseParen => "E0006",
            MissingComma => "E0007",
            TypographicQuote(_) => "E0008",
            SingleQuotedString => "E0009",
            DoubleEquals => "E0010",
            BangEquals => "E0011",
            LogicalOperator(_) => "E0012",
            ChainedComparison => "E0013",
            TrailingInput => "E0014",
            BareParenthesis => "E0015",
            TooDeep => "E0016",
            ExpectedTerm(_) => "E0017",
            ExpectedCommaOrParen(_) => "E0018",
            Indexing { .. } => "E0019",
        }
    }

    /// A kebab-case name per kind.
    pub fn name(&self) -> &'static str {
        use ParseErrorKind::*;
        match self {
            Empty => "empty-expression",
            UnterminatedString => "unterminated-string",
            MissingCloseParen => "missing-close-paren",
            MissingCloseBracket => "missing-close-bracket",
            EmptyAttribute => "empty-attribute",
            ExtraCloseParen => "extra-close-paren",
            MissingComma => "missing-comma",
            TypographicQuote(_) => "typographic-quote",
            SingleQuotedString => "single-quoted-string",
            DoubleEquals => "double-equals",
            BangEquals => "bang-equals",
            LogicalOperator(_) => "logical-operator",
            ChainedComparison => "chained-comparison",
            TrailingInput => "trailing-input",
            BareParenthesis => "bare-parenthesis",
            TooDeep => "nesting-too-deep",
            ExpectedTerm(_) => "expected-argument",
            ExpectedCommaOrParen(_) => "expected-comma-or-paren",
            Indexing { .. } => "indexing",
        }
    }

    pub fn message(&self) -> String {
        use ParseErrorKind::*;
        match self {
            Empty => "the expression is empty".into(),
            UnterminatedString => "this string constant is never closed".into(),
            MissingCloseParen => "expected `)` to close this function call".into(),
            MissingCloseBracket => "expected `]` to close this attribute reference".into(),
            EmptyAttribute => "an attribute reference needs a name between `[` and `]`".into(),
            ExtraCloseParen => "this `)` closes nothing".into(),
            MissingComma => "expected `,` between two arguments".into(),
            TypographicQuote(c) => {
                format!("typographic quote `{c}` where a straight `\"` is needed")
            }
            SingleQuotedString => {
                "string constants are written in double quotes, not single quotes".into()
            }
            DoubleEquals => "`==` is not an operator here; equality is a single `=`".into(),
            BangEquals => "`!=` is not an operator here; inequality is `<>`".into(),
            LogicalOperator(op) => {
                format!("`{op}` is not supported: the expression language has no AND/OR")
            }
            ChainedComparison => "only one comparison is allowed in a condition".into(),
            TrailingInput => "unexpected text after the end of the expression".into(),
            BareParenthesis => "parentheses only follow a function name".into(),
            TooDeep => format!("function calls are nested deeper than {MAX_DEPTH} levels"),
            ExpectedTerm(Some(c)) => format!("expected an argument, found `{}`", c.escape_debug()),
            ExpectedTerm(None) => "expected an argument, found the end of the expression".into(),
            Indexing { .. } => {
                "the expression language has no indexing: `[…]` cannot pick one value".into()
            }
            ExpectedCommaOrParen(c) => format!(
                "expected `,` or `)` after this argument, found `{}`",
                c.escape_debug()
            ),
        }
    }

    pub fn help(&self) -> String {
        use ParseErrorKind::*;
        match self {
            Empty => "write a function call such as `Join(\" \", [givenName], [surname])`, an attribute `[mail]` or a constant `\"text\"`".into(),
            UnterminatedString => "add the closing `\"`; a double quote inside a string is written `\\\"` and a backslash `\\\\`".into(),
            MissingCloseParen => "add `)` after the last argument, or check that every nested call is closed".into(),
            MissingCloseBracket => "add `]` after the attribute name; an attribute name cannot span lines".into(),
            EmptyAttribute => "write the source attribute's name, e.g. `[userPrincipalName]`".into(),
            ExtraCloseParen => "remove this `)`, or add the function call it was meant to close".into(),
            MissingComma => "separate arguments with `,`; an empty slot is written `, ,`".into(),
            TypographicQuote(_) => "replace curly quotes (often pasted from a word processor) with `\"`".into(),
            SingleQuotedString => "write `\"text\"`; a double quote inside is written `\\\"`".into(),
            DoubleEquals => "write `[country] = \"US\"`".into(),
            BangEquals => "write `[country] <> \"US\"`".into(),
            LogicalOperator(_) => "nest IIF instead: for A AND B write `IIF(A, IIF(B, yes, no), no)`; for A OR B write `IIF(A, yes, IIF(B, yes, no))`".into(),
            ChainedComparison => "compare two values at a time and nest IIF for more conditions".into(),
            TrailingInput => "an expression is one function call, attribute or constant; combine several with a function such as Join or Append, or remove the extra text".into(),
            BareParenthesis => "remove the parentheses, or put a function name before them".into(),
            TooDeep => "split the logic across mappings or flatten it; Entra itself rejects expressions over 10,000 characters".into(),
            ExpectedTerm(_) => "an argument is a function call, an `[attribute]`, a `\"string\"`, a number, or left empty between commas".into(),
            ExpectedCommaOrParen(_) => "separate arguments with `,` and close the call with `)`".into(),
            Indexing { base, index } => {
                // Other languages count from 0; Item counts from 1.
                let position = index
                    .and_then(|i| i.checked_add(1))
                    .map_or_else(|| "n".to_string(), |n| n.to_string());
                let base = if base.chars().count() > MAX_QUOTED_BASE {
                    "…"
                } else {
                    base.as_str()
                };
                format!("pick a value with Item, which counts from 1: write `Item({base}, {position})`")
            }
        }
    }
}

impl ParseError {
    pub fn new(kind: ParseErrorKind, span: Span) -> ParseError {
        ParseError {
            kind,
            span,
            opened_at: None,
        }
    }

    pub fn opened_at(mut self, span: Span) -> ParseError {
        self.opened_at = Some(span);
        self
    }

    /// This error as the crate's structured diagnostic.
    pub fn to_diagnostic(&self) -> Diagnostic {
        let mut d = Diagnostic::new(
            self.kind.code(),
            self.kind.name(),
            Severity::Error,
            self.kind.message(),
        )
        .with_help(self.kind.help())
        .with_label(self.span, self.label());
        if let Some(open) = self.opened_at {
            let what = match self.kind {
                ParseErrorKind::MissingCloseBracket => "the attribute starts here",
                _ => "opened here",
            };
            d = d.with_secondary(open, what);
        }
        d
    }

    fn label(&self) -> &'static str {
        use ParseErrorKind::*;
        match self.kind {
            Empty | ExpectedTerm(None) => "expected an argument here",
            UnterminatedString => "this string is never closed",
            MissingCloseParen => "expected `)` here",
            MissingCloseBracket => "expected `]` here",
            MissingComma => "expected `,` before this",
            TrailingInput => "the expression already ended",
            TooDeep => "this call is too deep",
            LogicalOperator(_) => "not an operator of this language",
            TypographicQuote(_) => "curly quote",
            SingleQuotedString => "single quote",
            DoubleEquals | BangEquals => "not an operator of this language",
            ExtraCloseParen => "unmatched `)`",
            ChainedComparison => "second comparison",
            Indexing { .. } => "no indexing in this language",
            _ => "here",
        }
    }
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} at byte {}", self.kind.message(), self.span.start)
    }
}

impl std::error::Error for ParseError {}
