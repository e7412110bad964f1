//! A byte scanner that cuts a JSON array or a Graph page into one raw user at a time.

use super::MAX_USER_BYTES;
use super::input::Input;
use super::reader::{InputError, Position, io_error};
use std::io::{self, BufRead};

// ------------------------------------------------------------------------------------ scanner

/// Where the scanner is inside the top-level JSON document.
pub(super) enum Frame {
    /// Inside an array of users; `in_object` when it is the `value` of a Graph response.
    Array { in_object: bool },
    /// Inside a top-level object: keys other than `value` are kept (raw) in case the object is a
    /// single user rather than a Graph response.
    Object {
        pairs: Vec<(Vec<u8>, Vec<u8>)>,
        streamed: bool,
    },
}

/// Splits a JSON document into the raw bytes of its users without parsing them, so that one
/// user at a time is held in memory.
pub(super) struct Scanner {
    pub(super) reader: Input,
    /// Set when the document is one line of a JSON Lines stream (a Graph page): its users are
    /// named by that line, and reading goes back to lines after it.
    pub(super) line: Option<u64>,
    /// Bytes consumed so far.
    pub(super) offset: u64,
    pub(super) stack: Vec<Frame>,
    pub(super) index: u64,
    pub(super) buf: Vec<u8>,
    pub(super) finished: bool,
}

/// How a captured value ended.
pub(super) enum Captured {
    Complete,
    /// The value was larger than [`MAX_USER_BYTES`]; it was skipped.
    TooLarge,
    /// The input ended inside the value.
    Eof,
}

impl Scanner {
    pub(super) fn new(reader: Input, offset: u64, line: Option<u64>) -> Scanner {
        Scanner {
            reader,
            line,
            offset,
            stack: Vec::new(),
            index: 0,
            buf: Vec::with_capacity(4096),
            finished: false,
        }
    }

    /// A scanner at the `{` of a top-level object (not yet consumed).
    pub(super) fn object(reader: Input, offset: u64, line: Option<u64>) -> Scanner {
        let mut s = Scanner::new(reader, offset, line);
        s.skip_blanks();
        s.bump();
        s.stack.push(Frame::Object {
            pairs: Vec::new(),
            streamed: false,
        });
        s
    }

    /// Skips white space before the next byte.
    fn skip_blanks(&mut self) {
        let _ = self.peek();
    }

    pub(super) fn bump(&mut self) {
        self.reader.consume(1);
        self.offset += 1;
    }

    /// The next non-white-space byte, not consumed.
    fn peek(&mut self) -> io::Result<Option<u8>> {
        loop {
            let buf = self.reader.fill_buf()?;
            if buf.is_empty() {
                return Ok(None);
            }
            let n = buf.iter().take_while(|b| b.is_ascii_whitespace()).count();
            if n < buf.len() {
                let b = buf[n];
                self.reader.consume(n);
                self.offset += n as u64;
                return Ok(Some(b));
            }
            let len = buf.len();
            self.reader.consume(len);
            self.offset += len as u64;
        }
    }

    /// Copies one whole JSON value (starting at the next byte) into `self.buf`.
    fn capture(&mut self) -> io::Result<Captured> {
        self.buf.clear();
        let mut depth = 0usize;
        let mut in_str = false;
        let mut esc = false;
        let mut scalar = false;
        let mut first = true;
        let mut too_large = false;
        loop {
            let chunk = self.reader.fill_buf()?;
            if chunk.is_empty() {
                return Ok(if scalar && !self.buf.is_empty() {
                    Captured::Complete
                } else {
                    Captured::Eof
                });
            }
            let mut end = None;
            for (i, &b) in chunk.iter().enumerate() {
                if first {
                    first = false;
                    match b {
                        b'{' | b'[' => depth = 1,
                        b'"' => in_str = true,
                        _ => scalar = true,
                    }
                    continue;
                }
                if in_str {
                    if esc {
                        esc = false;
                    } else if b == b'\\' {
                        esc = true;
                    } else if b == b'"' {
                        in_str = false;
                        if depth == 0 {
                            end = Some(i + 1);
                            break;
                        }
                    }
                    continue;
                }
                if scalar {
                    if matches!(b, b',' | b']' | b'}') || b.is_ascii_whitespace() {
                        end = Some(i);
                        break;
                    }
                    continue;
                }
                match b {
                    b'"' => in_str = true,
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            end = Some(i + 1);
                            break;
                        }
                    }
                    _ => {}
                }
            }
            let n = end.unwrap_or(chunk.len());
            if !too_large {
                if self.buf.len() + n > MAX_USER_BYTES {
                    too_large = true;
                    self.buf.clear();
                } else {
                    self.buf.extend_from_slice(&chunk[..n]);
                }
            }
            self.reader.consume(n);
            self.offset += n as u64;
            if end.is_some() {
                return Ok(if too_large {
                    Captured::TooLarge
                } else {
                    Captured::Complete
                });
            }
        }
    }

    fn fatal(&mut self, message: String) -> Option<Result<(Position, &[u8]), InputError>> {
        self.finished = true;
        Some(Err(InputError {
            position: None,
            message,
            fatal: true,
        }))
    }

    /// The raw bytes of the next user.
    pub(super) fn next_value(&mut self) -> Option<Result<(Position, &[u8]), InputError>> {
        loop {
            if self.finished {
                return None;
            }
            let peeked = match self.peek() {
                Ok(p) => p,
                Err(e) => {
                    self.finished = true;
                    return Some(Err(io_error(e)));
                }
            };
            match self.stack.last_mut() {
                None if self.line.is_some() => {
                    // The page on this line is done; the caller reads lines again.
                    return None;
                }
                None => {
                    self.finished = true;
                    return match peeked {
                        None => None,
                        Some(_) => {
                            let at = self.offset;
                            self.fatal(format!("unexpected content after the users at byte {at}"))
                        }
                    };
                }
                Some(Frame::Array { in_object }) => match peeked {
                    None => {
                        return self
                            .fatal("the input ends inside the users array (a missing `]`)".into());
                    }
                    Some(b']') => {
                        let _ = in_object;
                        self.bump();
                        self.stack.pop();
                    }
                    Some(b',') => self.bump(),
                    Some(_) => {
                        let offset = self.offset;
                        self.index += 1;
                        let position = match self.line {
                            Some(line) => Position::LineElement {
                                line,
                                index: self.index,
                            },
                            None => Position::Element {
                                index: self.index,
                                offset,
                            },
                        };
                        return match self.capture() {
                            Err(e) => {
                                self.finished = true;
                                Some(Err(io_error(e)))
                            }
                            Ok(Captured::Eof) => self.fatal(format!(
                                "the input ends inside {position} (unbalanced brackets or quotes)"
                            )),
                            Ok(Captured::TooLarge) => Some(Err(InputError {
                                position: Some(position),
                                message: format!(
                                    "the user is larger than {} MB",
                                    MAX_USER_BYTES >> 20
                                ),
                                fatal: false,
                            })),
                            Ok(Captured::Complete) => Some(Ok((position, &self.buf[..]))),
                        };
                    }
                },
                Some(Frame::Object { .. }) => match peeked {
                    None => {
                        return self
                            .fatal("the input ends inside the JSON object (a missing `}`)".into());
                    }
                    Some(b',') => self.bump(),
                    Some(b'}') => {
                        self.bump();
                        let Some(Frame::Object { pairs, streamed }) = self.stack.pop() else {
                            unreachable!()
                        };
                        if !streamed {
                            // A single user object: reassemble it from its pairs.
                            self.buf.clear();
                            self.buf.push(b'{');
                            for (i, (k, v)) in pairs.iter().enumerate() {
                                if i > 0 {
                                    self.buf.push(b',');
                                }
                                self.buf.extend_from_slice(k);
                                self.buf.push(b':');
                                self.buf.extend_from_slice(v);
                            }
                            self.buf.push(b'}');
                            let position = match self.line {
                                Some(line) => Position::Line(line),
                                None => Position::Document,
                            };
                            return Some(Ok((position, &self.buf[..])));
                        }
                    }
                    Some(b'"') => {
                        let key = match self.capture() {
                            Ok(Captured::Complete) => self.buf.clone(),
                            Ok(_) => return self.fatal("the input ends inside a key".into()),
                            Err(e) => {
                                self.finished = true;
                                return Some(Err(io_error(e)));
                            }
                        };
                        match self.peek() {
                            Ok(Some(b':')) => self.bump(),
                            _ => {
                                let at = self.offset;
                                return self.fatal(format!("expected `:` at byte {at}"));
                            }
                        }
                        let next = match self.peek() {
                            Ok(n) => n,
                            Err(e) => {
                                self.finished = true;
                                return Some(Err(io_error(e)));
                            }
                        };
                        if key == b"\"value\"" && next == Some(b'[') {
                            self.bump();
                            if let Some(Frame::Object { streamed, pairs }) = self.stack.last_mut() {
                                *streamed = true;
                                pairs.clear();
                            }
                            self.stack.push(Frame::Array { in_object: true });
                            continue;
                        }
                        match self.capture() {
                            Ok(Captured::Complete) => {
                                let value = self.buf.clone();
                                if let Some(Frame::Object { pairs, streamed }) =
                                    self.stack.last_mut()
                                    && !*streamed
                                {
                                    pairs.push((key, value));
                                }
                            }
                            Ok(Captured::TooLarge) => {}
                            Ok(Captured::Eof) => {
                                return self.fatal("the input ends inside a value".into());
                            }
                            Err(e) => {
                                self.finished = true;
                                return Some(Err(io_error(e)));
                            }
                        }
                    }
                    Some(other) => {
                        let at = self.offset;
                        return self.fatal(format!(
                            "unexpected {:?} at byte {at}; expected a key",
                            other as char
                        ));
                    }
                },
            }
        }
    }
}
