//! The parser: one function per production of `grammar/expression.ebnf`, each named after it.
//!
//! Tokens are read with `nom` combinators; the productions are driven by a cursor so that every
//! error can say precisely what was expected where. The parser never backtracks over more than a
//! single token, so it runs in time linear in the input, and it refuses nesting deeper than
//! [`MAX_DEPTH`] instead of exhausting the stack.

use super::ast::{Call, Compare, CompareOp, Expr, ExprKind};
use super::error::{MAX_DEPTH, ParseError, ParseErrorKind};
use crate::span::Span;
use nom::IResult;
use nom::Parser as _;
use nom::bytes::complete::{tag, take_while, take_while1};
use nom::character::complete::{char as one_char, satisfy};
use nom::combinator::{opt, recognize};
use nom::sequence::pair;

type PResult<T> = Result<T, ParseError>;

/// Parses a whole expression.
pub fn parse(text: &str) -> PResult<Expr> {
    let mut p = Parser {
        src: text,
        pos: 0,
        depth: 0,
    };
    p.expression()
}

struct Parser<'a> {
    src: &'a str,
    pos: usize,
    depth: usize,
}

fn is_ident_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

fn ident_token(i: &str) -> IResult<&str, &str> {
    let (rest, _) = satisfy(is_ident_start).parse(i)?;
    let len = 1 + rest
        .bytes()
        .take_while(|&b| b.is_ascii_alphanumeric() || b == b'_')
        .count();
    Ok((&i[len..], &i[..len]))
}

/// Whitespace: ASCII bytes are skipped without decoding; other characters are decoded only when
/// one is met (a pasted non-breaking space is whitespace too).
fn ws_fast(i: &str) -> IResult<&str, &str> {
    let ascii = i.bytes().take_while(u8::is_ascii_whitespace).count();
    if i.as_bytes().get(ascii).is_none_or(|b| b.is_ascii()) {
        return Ok((&i[ascii..], &i[..ascii]));
    }
    ws_token(i)
}

fn number_token(i: &str) -> IResult<&str, &str> {
    recognize(pair(
        opt(one_char('-')),
        take_while1(|c: char| c.is_ascii_digit()),
    ))
    .parse(i)
}

fn hex_token(i: &str) -> IResult<&str, &str> {
    let (rest, _) = tag("&H").parse(i)?;
    take_while1(|c: char| c.is_ascii_hexdigit()).parse(rest)
}

fn ws_token(i: &str) -> IResult<&str, &str> {
    take_while(char::is_whitespace).parse(i)
}

fn compare_op_token(i: &str) -> IResult<&str, &str> {
    // Longest operators first so `<=` is not read as `<`.
    nom::branch::alt((
        tag("<>"),
        tag("<="),
        tag(">="),
        tag("="),
        tag("<"),
        tag(">"),
    ))
    .parse(i)
}

impl<'a> Parser<'a> {
    fn rest(&self) -> &'a str {
        &self.src[self.pos..]
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn span_from(&self, start: usize) -> Span {
        Span::new(start, self.pos)
    }

    /// Span of the character at the cursor (empty at the end of input).
    fn here(&self) -> Span {
        Span::new(self.pos, self.pos + self.peek().map_or(0, char::len_utf8))
    }

    /// Runs a nom token parser at the cursor; on success, advances past what it consumed.
    fn token<O>(&mut self, f: impl Fn(&'a str) -> IResult<&'a str, O>) -> Option<O> {
        let rest = self.rest();
        match f(rest) {
            Ok((after, out)) => {
                self.pos += rest.len() - after.len();
                Some(out)
            }
            Err(_) => None,
        }
    }

    fn err(&self, kind: ParseErrorKind, span: Span) -> ParseError {
        ParseError::new(kind, span)
    }

    // expression = ws , comparison , ws ;
    fn expression(&mut self) -> PResult<Expr> {
        self.ws();
        if self.peek().is_none() {
            return Err(self.err(ParseErrorKind::Empty, Span::at(0)));
        }
        let expr = self.comparison()?;
        self.ws();
        match self.peek() {
            None => Ok(expr),
            Some(')') => Err(self.err(ParseErrorKind::ExtraCloseParen, self.here())),
            Some(_) => Err(self.after_argument_error(ParseErrorKind::TrailingInput)),
        }
    }

    // comparison = concatenation , [ ws , compare_op , ws , concatenation ] ;
    fn comparison(&mut self) -> PResult<Expr> {
        let left = self.concatenation()?;
        self.ws();
        let op_start = self.pos;
        let Some(op) = self.compare_op()? else {
            return Ok(left);
        };
        let op_span = self.span_from(op_start);
        self.ws();
        let right = self.concatenation()?;
        self.ws();
        let save = self.pos;
        if self.compare_op()?.is_some() {
            return Err(self.err(ParseErrorKind::ChainedComparison, Span::new(save, self.pos)));
        }
        let span = left.span.to(right.span);
        Ok(Expr::new(
            ExprKind::Compare(Box::new(Compare {
                op,
                op_span,
                left,
                right,
            })),
            span,
        ))
    }

    // compare_op = "=" | "<>" | "<" | "<=" | ">" | ">=" ;
    fn compare_op(&mut self) -> PResult<Option<CompareOp>> {
        let start = self.pos;
        if !matches!(
            self.src.as_bytes().get(start),
            Some(b'=' | b'<' | b'>' | b'!')
        ) {
            return Ok(None);
        }
        if self.rest().starts_with("==") {
            return Err(self.err(ParseErrorKind::DoubleEquals, Span::new(start, start + 2)));
        }
        if self.rest().starts_with("!=") {
            return Err(self.err(ParseErrorKind::BangEquals, Span::new(start, start + 2)));
        }
        Ok(self
            .token(compare_op_token)
            .and_then(CompareOp::from_symbol))
    }

    // concatenation = term , { ws , "&" , ws , term } ;
    fn concatenation(&mut self) -> PResult<Expr> {
        let first = self.term()?;
        let mut parts = vec![first];
        loop {
            let save = self.pos;
            self.ws();
            let rest = self.rest();
            if !rest.starts_with('&') {
                self.pos = save;
                break;
            }
            if rest.starts_with("&&") {
                return Err(self.err(
                    ParseErrorKind::LogicalOperator("&&".into()),
                    Span::new(self.pos, self.pos + 2),
                ));
            }
            if !rest.starts_with('&') || rest.starts_with("&H") && hex_token(rest).is_ok() {
                self.pos = save;
                break;
            }
            self.pos += 1;
            self.ws();
            parts.push(self.term()?);
        }
        if parts.len() == 1 {
            return Ok(parts.pop().expect("one part"));
        }
        let span = parts[0].span.to(parts[parts.len() - 1].span);
        Ok(Expr::new(ExprKind::Concat(parts), span))
    }

    // term = call | attribute | string | hex | number | identifier ;
    fn term(&mut self) -> PResult<Expr> {
        let start = self.pos;
        let Some(c) = self.peek() else {
            return Err(self.err(ParseErrorKind::ExpectedTerm(None), self.here()));
        };
        match c {
            '[' => {
                let attribute = self.attribute()?;
                self.no_indexing(attribute)
            }
            '"' => self.string(),
            '&' if self.rest().starts_with("&H") => self.hex(),
            '-' | '0'..='9' if number_token(self.rest()).is_ok() => self.number(),
            c if is_ident_start(c) => {
                let name = self.token(ident_token).expect("identifier start");
                let name_span = self.span_from(start);
                let after_name = self.pos;
                self.ws();
                if self.peek() == Some('(') {
                    let call = self.call(name, name_span)?;
                    return self.no_indexing(call);
                }
                self.pos = after_name;
                self.identifier(name, name_span)
            }
            '“' | '”' | '‘' | '’' | '„' | '«' | '»' => {
                Err(self.err(ParseErrorKind::TypographicQuote(c), self.here()))
            }
            '\'' => Err(self.err(ParseErrorKind::SingleQuotedString, self.here())),
            ')' if self.depth == 0 => Err(self.err(ParseErrorKind::ExtraCloseParen, self.here())),
            '(' => Err(self.err(ParseErrorKind::BareParenthesis, self.here())),
            '|' if self.rest().starts_with("||") => Err(self.err(
                ParseErrorKind::LogicalOperator("||".into()),
                Span::new(start, start + 2),
            )),
            _ => Err(self.err(ParseErrorKind::ExpectedTerm(Some(c)), self.here())),
        }
    }

    // call = identifier , ws , "(" , ws , [ arguments ] , ws , ")" ;
    fn call(&mut self, name: &'a str, name_span: Span) -> PResult<Expr> {
        if self.depth >= MAX_DEPTH {
            return Err(self.err(ParseErrorKind::TooDeep, name_span));
        }
        let open = self.here();
        self.pos += 1; // the '('
        self.depth += 1;
        self.ws();
        let args = if self.peek() == Some(')') {
            Vec::new()
        } else {
            self.arguments(open)?
        };
        self.depth -= 1;
        self.pos += 1; // the ')', checked by `arguments`
        Ok(Expr::new(
            ExprKind::Call(Call::new(name, name_span, args)),
            name_span.to(self.span_from(open.start as usize)),
        ))
    }

    // arguments = argument , { ws , "," , ws , argument } ;
    // Leaves the cursor on the closing ')'.
    fn arguments(&mut self, open: Span) -> PResult<Vec<Expr>> {
        let mut args = Vec::with_capacity(4);
        loop {
            args.push(self.argument(open)?);
            self.ws();
            match self.peek() {
                Some(',') => {
                    self.pos += 1;
                    self.ws();
                }
                Some(')') => return Ok(args),
                None => return Err(self.missing_close_paren(open)),
                Some(c) => {
                    let err = self.after_argument_error(ParseErrorKind::ExpectedCommaOrParen(c));
                    return Err(match err.kind {
                        ParseErrorKind::ExpectedCommaOrParen(_) => err.opened_at(open),
                        _ => err,
                    });
                }
            }
        }
    }

    // argument = comparison | (* empty *) ;
    fn argument(&mut self, open: Span) -> PResult<Expr> {
        match self.peek() {
            Some(',') | Some(')') => Ok(Expr::new(ExprKind::Omitted, Span::at(self.pos))),
            None => Err(self.missing_close_paren(open)),
            _ => self.comparison(),
        }
    }

    /// Refuses `term[1]`: the language has no indexing (a `[` right after a call or an attribute,
    /// holding a whole number). Anything else after the term is left to the caller's errors.
    fn no_indexing(&self, term: Expr) -> PResult<Expr> {
        let rest = self.rest();
        let Some(inner) = rest.strip_prefix('[') else {
            return Ok(term);
        };
        let Some(close) = inner.find(']') else {
            return Ok(term);
        };
        let digits = inner[..close].trim();
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Ok(term);
        }
        let span = Span::new(self.pos, self.pos + close + 2);
        let base = self.src[term.span.range()].to_string();
        let index = digits.parse::<u32>().ok();
        Err(self.err(ParseErrorKind::Indexing { base, index }, span))
    }

    // attribute = "[" , attribute_char , { attribute_char } , "]" ;
    fn attribute(&mut self) -> PResult<Expr> {
        let start = self.pos;
        self.pos += 1;
        let rest = self.rest();
        let name = &rest[..rest.find([']', '\n', '\r']).unwrap_or(rest.len())];
        self.pos += name.len();
        if self.peek() != Some(']') {
            return Err(self
                .err(ParseErrorKind::MissingCloseBracket, self.here())
                .opened_at(Span::new(start, start + 1)));
        }
        self.pos += 1;
        if name.is_empty() {
            return Err(self.err(ParseErrorKind::EmptyAttribute, self.span_from(start)));
        }
        Ok(Expr::new(
            ExprKind::Attribute(name.to_string()),
            self.span_from(start),
        ))
    }

    // string = '"' , { string_char | escape } , '"' ;
    fn string(&mut self) -> PResult<Expr> {
        let start = self.pos;
        self.pos += 1;
        let mut value = String::new();
        loop {
            let rest = self.rest();
            let chunk = &rest[..rest.find(['"', '\\']).unwrap_or(rest.len())];
            self.pos += chunk.len();
            value.push_str(chunk);
            let rest = self.rest();
            let mut chars = rest.chars();
            match chars.next() {
                Some('"') => {
                    self.pos += 1;
                    return Ok(Expr::new(ExprKind::Str(value), self.span_from(start)));
                }
                Some('\\') => match chars.next() {
                    Some(c @ ('\\' | '"')) => {
                        value.push(c);
                        self.pos += 2;
                    }
                    Some(other) => {
                        // Undocumented escape: kept verbatim (see grammar/README.md).
                        value.push('\\');
                        value.push(other);
                        self.pos += 1 + other.len_utf8();
                    }
                    None => break,
                },
                _ => break,
            }
        }
        Err(self.err(
            ParseErrorKind::UnterminatedString,
            Span::new(start, start + 1),
        ))
    }

    // number = [ "-" ] , digit , { digit } ;
    fn number(&mut self) -> PResult<Expr> {
        let start = self.pos;
        let text = self.token(number_token).expect("checked by term");
        Ok(Expr::new(
            ExprKind::Number(text.to_string()),
            self.span_from(start),
        ))
    }

    // hex = "&H" , hex_digit , { hex_digit } ;
    fn hex(&mut self) -> PResult<Expr> {
        let start = self.pos;
        match self.token(hex_token) {
            Some(digits) => Ok(Expr::new(
                ExprKind::Hex(digits.to_string()),
                self.span_from(start),
            )),
            None => Err(self.err(ParseErrorKind::ExpectedTerm(Some('&')), self.here())),
        }
    }

    // identifier = ident_start , { ident_char } ;   (a bare one, not followed by "(")
    fn identifier(&mut self, name: &'a str, span: Span) -> PResult<Expr> {
        Ok(Expr::new(ExprKind::Ident(name.to_string()), span))
    }

    /// The input ended inside a call: point just after the last thing written.
    fn missing_close_paren(&self, open: Span) -> ParseError {
        let end = self.src.trim_end().len();
        self.err(ParseErrorKind::MissingCloseParen, Span::at(end))
            .opened_at(open)
    }

    // ws = { white_space } ;
    fn ws(&mut self) {
        self.token(ws_fast);
    }

    /// Chooses the most helpful error for unexpected text right after a complete argument or
    /// expression: a logical operator, a missing comma, a stray quote, or `fallback`.
    fn after_argument_error(&self, fallback: ParseErrorKind) -> ParseError {
        let here = self.here();
        let rest = self.rest();
        if let Ok((_, word)) = ident_token(rest)
            && (word.eq_ignore_ascii_case("and") || word.eq_ignore_ascii_case("or"))
        {
            let span = Span::new(self.pos, self.pos + word.len());
            return self.err(ParseErrorKind::LogicalOperator(word.to_string()), span);
        }
        for op in ["&&", "||"] {
            if rest.starts_with(op) {
                return self.err(
                    ParseErrorKind::LogicalOperator(op.into()),
                    Span::new(self.pos, self.pos + 2),
                );
            }
        }
        match self.peek() {
            Some(c @ ('“' | '”' | '‘' | '’' | '„')) => {
                self.err(ParseErrorKind::TypographicQuote(c), here)
            }
            Some('\'') => self.err(ParseErrorKind::SingleQuotedString, here),
            Some(')') if matches!(fallback, ParseErrorKind::TrailingInput) => {
                self.err(ParseErrorKind::ExtraCloseParen, here)
            }
            Some(c)
                if matches!(fallback, ParseErrorKind::ExpectedCommaOrParen(_))
                    && (c == '[' || c == '"' || is_ident_start(c) || c.is_ascii_digit()) =>
            {
                self.err(ParseErrorKind::MissingComma, here)
            }
            _ => self.err(fallback, here),
        }
    }
}
