//! The users reader: detects the format and streams users one at a time.

use super::decode::RecordSeed;
use super::input::Input;
use super::record::{Pool, UserRecord};
use super::scanner::{Frame, Scanner};
use super::{MAX_USER_BYTES, MAX_YAML_BYTES};
use serde::Deserialize;
use serde::de::{DeserializeSeed, IgnoredAny};
use std::collections::VecDeque;
use std::fmt;
use std::io::{self, BufRead, Read};

// ------------------------------------------------------------------------------------ reader

/// Where a user was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Position {
    /// Line of a JSON Lines file (1-based).
    Line(u64),
    /// Element of a JSON array or of a Graph response's `value` (1-based), and the byte offset
    /// where it starts.
    Element { index: u64, offset: u64 },
    /// Element of a Graph page given on one JSON line.
    LineElement { line: u64, index: u64 },
    /// The only user of a document holding one user object.
    Document,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Position::Line(n) => write!(f, "line {n}"),
            Position::Element { index, offset } => write!(f, "user {index} (byte {offset})"),
            Position::LineElement { line, index } => write!(f, "line {line}, user {index}"),
            Position::Document => f.write_str("the user object"),
        }
    }
}

/// A user that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    pub position: Option<Position>,
    pub message: String,
    /// The input cannot be read further (I/O error, unbalanced JSON, invalid YAML).
    pub fatal: bool,
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.position {
            Some(p) => write!(f, "{p}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// One read user, or why it could not be read.
pub type Item = Result<(Position, UserRecord), InputError>;

/// Reads users one at a time from any of the accepted formats.
pub struct UserReader {
    pub(super) state: State,
    pub(super) pending: VecDeque<Item>,
    pub(super) pool: Pool,
    /// The bytes of the user being read.
    pub(super) scratch: Vec<u8>,
}

pub(super) enum State {
    Lines { reader: Input, line: u64 },
    Json(Box<Scanner>),
    Done,
}

impl UserReader {
    /// Reads users from a stream, deciding the format from its first bytes: `[` is a JSON array;
    /// `{` is JSON Lines when the first line is a whole JSON value, otherwise one JSON document
    /// (a Graph response streamed through its `value` array, or a single user); anything else
    /// is YAML.
    pub fn new(reader: impl Read + Send + 'static) -> UserReader {
        let mut reader = Input::new(reader);
        let mut pending = VecDeque::new();
        let state = match start(&mut reader) {
            Err(e) => {
                pending.push_back(Err(io_error(e)));
                State::Done
            }
            Ok((first, skipped)) => match first {
                None => State::Done,
                Some(b'[') => {
                    let mut s = Scanner::new(reader, skipped, None);
                    s.bump();
                    s.stack.push(Frame::Array { in_object: false });
                    State::Json(Box::new(s))
                }
                Some(b'{') => {
                    // A Graph page, or a first line longer than a user may be, is streamed
                    // through the scanner and JSON Lines go on after it; a first line that is
                    // a whole JSON value starts JSON Lines; anything else is one document
                    // spread over several lines.
                    match reader.peek_line(MAX_USER_BYTES + 1) {
                        Err(e) => {
                            pending.push_back(Err(io_error(e)));
                            State::Done
                        }
                        Ok((line, whole)) => {
                            let page = looks_like_page(line);
                            let eof_inside = whole
                                && matches!(
                                    serde_json::from_slice::<IgnoredAny>(line),
                                    Err(e) if e.is_eof()
                                );
                            if page || !whole {
                                State::Json(Box::new(Scanner::object(reader, skipped, Some(1))))
                            } else if eof_inside {
                                State::Json(Box::new(Scanner::object(reader, skipped, None)))
                            } else {
                                State::Lines { reader, line: 0 }
                            }
                        }
                    }
                }
                Some(_) => {
                    read_yaml(reader, &mut pending);
                    State::Done
                }
            },
        };
        UserReader {
            state,
            pending,
            pool: Pool::default(),
            scratch: Vec::new(),
        }
    }

    /// Opens a file (`-` is standard input).
    pub fn open(path: &str) -> io::Result<UserReader> {
        if path == "-" {
            return Ok(UserReader::new(io::stdin()));
        }
        Ok(UserReader::new(std::fs::File::open(path)?))
    }

    /// Keeps only these attributes (names compared ignoring ASCII case) of the users read from
    /// now on; the others are skipped without being copied. `accountEnabled`, `assigned`,
    /// `deletedDateTime` and `IsSoftDeleted` are always read.
    pub fn only<'a>(mut self, names: impl IntoIterator<Item = &'a str>) -> UserReader {
        self.pool.want(names);
        self
    }

    /// Gives a user's memory back, to be reused for the next users.
    pub fn recycle(&mut self, user: UserRecord) {
        self.pool.recycle(user);
    }

    /// Reads users from text already in memory.
    pub fn from_text(text: &str) -> UserReader {
        UserReader::new(io::Cursor::new(text.as_bytes().to_vec()))
    }
}

/// How many bytes decide whether a line starts a Graph page.
const PAGE_PREFIX: usize = 64;

/// Bytes of input [`UserReader::next_lines`] reads at a time (a line longer than this is read
/// by [`UserReader::next_raw`]).
pub const LINES_BLOCK: usize = 64 << 10;

/// Whether bytes start a Graph response (`{"@odata.context": …` or `{"value": [`) rather than a
/// user: its users are streamed one by one.
pub(super) fn looks_like_page(bytes: &[u8]) -> bool {
    fn skip(b: &[u8]) -> &[u8] {
        let n = b.iter().take_while(|c| c.is_ascii_whitespace()).count();
        &b[n..]
    }
    let b = skip(&bytes[..bytes.len().min(PAGE_PREFIX)]);
    // Cheap first: almost every line is a user, `{"` then a property other than these.
    let Some(rest) = b.strip_prefix(b"{") else {
        return false;
    };
    let rest = skip(rest);
    if rest.starts_with(b"\"@odata.context\"") || rest.starts_with(b"\"@odata.nextLink\"") {
        // A single user from `GET /users/{id}` also starts so; the scanner tells them apart
        // (no `value` array) and yields it whole.
        return true;
    }
    let Some(rest) = rest.strip_prefix(b"\"value\"") else {
        return false;
    };
    let Some(rest) = skip(rest).strip_prefix(b":") else {
        return false;
    };
    skip(rest).starts_with(b"[")
}

pub(super) fn io_error(e: io::Error) -> InputError {
    InputError {
        position: None,
        message: format!("cannot read the users: {e}"),
        fatal: true,
    }
}

/// Skips a byte-order mark and white space; returns the first byte (not consumed) and how many
/// bytes were skipped.
pub(super) fn start(reader: &mut Input) -> io::Result<(Option<u8>, u64)> {
    let mut skipped = 0u64;
    let mut first = true;
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            return Ok((None, skipped));
        }
        if first && buf.starts_with(b"\xEF\xBB\xBF") {
            reader.consume(3);
            skipped += 3;
            first = false;
            continue;
        }
        first = false;
        let n = buf.iter().take_while(|b| b.is_ascii_whitespace()).count();
        if n < buf.len() {
            let b = buf[n];
            reader.consume(n);
            return Ok((Some(b), skipped + n as u64));
        }
        let len = buf.len();
        reader.consume(len);
        skipped += len as u64;
    }
}

pub(super) fn read_yaml(mut reader: Input, pending: &mut VecDeque<Item>) {
    let mut text = String::new();
    let read = (&mut reader)
        .take(MAX_YAML_BYTES as u64 + 1)
        .read_to_string(&mut text);
    let fatal = |message: String| InputError {
        position: None,
        message,
        fatal: true,
    };
    if let Err(e) = read {
        pending.push_back(Err(fatal(format!("cannot read the users: {e}"))));
        return;
    }
    if text.len() > MAX_YAML_BYTES {
        pending.push_back(Err(fatal(format!(
            "the YAML users file is larger than {} MB; give large inputs as JSON Lines",
            MAX_YAML_BYTES >> 20
        ))));
        return;
    }
    // YAML 1.2 core booleans only (a `displayName: Y` or `country: NO` stays text), and numbers
    // with leading zeros (`employeeId: 00123`) stay text.
    let mut options = serde_saphyr::Options::default();
    options.strict_booleans = true;
    options.leading_zero_numbers_as_strings = true;
    let doc: serde_json::Value = match serde_saphyr::from_str_with_options(&text, options) {
        Ok(doc) => doc,
        Err(e) => {
            pending.push_back(Err(fatal(format!(
                "the users file is neither JSON nor valid YAML: {e}"
            ))));
            return;
        }
    };
    let items = match doc {
        serde_json::Value::Array(items) => items,
        serde_json::Value::Object(mut o) if o.get("value").is_some_and(|v| v.is_array()) => {
            match o.remove("value") {
                Some(serde_json::Value::Array(items)) => items,
                _ => Vec::new(),
            }
        }
        o @ serde_json::Value::Object(_) => {
            pending.push_back(
                UserRecord::deserialize(&o)
                    .map(|u| (Position::Document, u))
                    .map_err(|e| InputError {
                        position: Some(Position::Document),
                        message: e.to_string(),
                        fatal: false,
                    }),
            );
            return;
        }
        serde_json::Value::Null => return,
        _ => {
            pending.push_back(Err(fatal(
                "expected a list of users, a Graph response {value: [...]} or one user object"
                    .into(),
            )));
            return;
        }
    };
    for (i, item) in items.iter().enumerate() {
        let position = Position::Element {
            index: i as u64 + 1,
            offset: 0,
        };
        pending.push_back(
            UserRecord::deserialize(item)
                .map(|u| (position, u))
                .map_err(|e| InputError {
                    position: Some(position),
                    message: e.to_string(),
                    fatal: false,
                }),
        );
    }
}

/// One user as read from the input, before it is parsed: its bytes (in a buffer the caller
/// gave [`UserReader::next_raw`]), or an item already complete (a YAML user, an input error).
#[derive(Debug)]
pub enum RawUser {
    Bytes {
        position: Position,
        /// The line it is on (JSON Lines), else 0.
        line: u64,
        range: std::ops::Range<usize>,
    },
    Ready(Box<Item>),
}

impl UserReader {
    /// Appends the next user's bytes to `data` without parsing them (so that another thread
    /// can, with a [`Parser`] from [`UserReader::parser`]).
    pub fn next_raw(&mut self, data: &mut Vec<u8>) -> Option<RawUser> {
        loop {
            if let Some(item) = self.pending.pop_front() {
                return Some(RawUser::Ready(Box::new(item)));
            }
            match &mut self.state {
                State::Done => return None,
                State::Lines { reader, line } => {
                    // A Graph page on this line is streamed user by user, however long.
                    match reader.peek(PAGE_PREFIX) {
                        Ok(head) if looks_like_page(head) => {
                            let line = *line + 1;
                            let State::Lines { reader, .. } =
                                std::mem::replace(&mut self.state, State::Done)
                            else {
                                continue;
                            };
                            let offset = 0;
                            self.state =
                                State::Json(Box::new(Scanner::object(reader, offset, Some(line))));
                            continue;
                        }
                        Ok(_) => {}
                        Err(e) => {
                            // Reported, not lost: a source whose error does not come back on
                            // the next read would otherwise seem to end cleanly here.
                            self.state = State::Done;
                            return Some(RawUser::Ready(Box::new(Err(io_error(e)))));
                        }
                    }
                    let start = data.len();
                    match reader
                        .by_ref()
                        .take(MAX_USER_BYTES as u64 + 1)
                        .read_until(b'\n', data)
                    {
                        Err(e) => {
                            data.truncate(start);
                            self.state = State::Done;
                            return Some(RawUser::Ready(Box::new(Err(io_error(e)))));
                        }
                        Ok(0) => {
                            self.state = State::Done;
                            return None;
                        }
                        Ok(_) => {}
                    }
                    *line += 1;
                    let position = Position::Line(*line);
                    let bytes = &data[start..];
                    if bytes.len() > MAX_USER_BYTES && bytes.last() != Some(&b'\n') {
                        // Skip the rest of the over-long line.
                        data.truncate(start);
                        let mut rest = Vec::new();
                        let _ = skip_line(reader, &mut rest);
                        return Some(RawUser::Ready(Box::new(Err(InputError {
                            position: Some(position),
                            message: format!("the line is longer than {} MB", MAX_USER_BYTES >> 20),
                            fatal: false,
                        }))));
                    }
                    if bytes.iter().all(u8::is_ascii_whitespace) {
                        data.truncate(start);
                        continue;
                    }
                    return Some(RawUser::Bytes {
                        position,
                        line: *line,
                        range: start..data.len(),
                    });
                }
                State::Json(scanner) => match scanner.next_value() {
                    None => {
                        // A page inside JSON Lines has ended: back to reading lines.
                        self.state = match std::mem::replace(&mut self.state, State::Done) {
                            State::Json(s) if !s.finished => match s.line {
                                Some(line) => State::Lines {
                                    reader: s.reader,
                                    line,
                                },
                                None => State::Done,
                            },
                            _ => State::Done,
                        };
                    }
                    Some(Err(e)) => {
                        if e.fatal {
                            self.state = State::Done;
                        }
                        return Some(RawUser::Ready(Box::new(Err(e))));
                    }
                    Some(Ok((position, bytes))) => {
                        let start = data.len();
                        data.extend_from_slice(bytes);
                        return Some(RawUser::Bytes {
                            position,
                            line: 0,
                            range: start..data.len(),
                        });
                    }
                },
            }
        }
    }

    /// Whether [`UserReader::next_lines`] may have users to give: the input is JSON Lines and
    /// nothing is queued.
    pub fn reads_lines(&self) -> bool {
        matches!(self.state, State::Lines { .. }) && self.pending.is_empty()
    }

    /// [`UserReader::next_raw`] for JSON Lines, a block at a time: reads a block of input
    /// straight into `buf[*used..]` (which must have room for [`LINES_BLOCK`] bytes; the block
    /// is that, or what the users still wanted seem to need when that is more) and appends a
    /// [`RawUser::Bytes`] for each whole line in them to `users` (at most `max_users` in all),
    /// moving `*used` past them; the rest is left unread. Returns `true` when it took any line
    /// (blank lines too, which add no user); `false`, having taken nothing, when the next line
    /// needs [`UserReader::next_raw`]: it starts a Graph page, it is longer than the block, fewer
    /// bytes than decide a page came in one read (a pipe), the input has ended or failed, or it
    /// is not JSON Lines.
    pub fn next_lines(
        &mut self,
        buf: &mut [u8],
        used: &mut usize,
        users: &mut Vec<RawUser>,
        max_users: usize,
    ) -> bool {
        if !self.pending.is_empty() {
            return false;
        }
        let State::Lines { reader, line } = &mut self.state else {
            return false;
        };
        let start = *used;
        // Enough for the users still wanted at the length of those taken so far (one read for
        // most chunks, and little read ahead to put back), but never less than a block.
        let want = match users.len() {
            0 => LINES_BLOCK,
            n => (start / n).saturating_mul(max_users.saturating_sub(n) + 2),
        };
        let stop = (start + want.max(LINES_BLOCK)).min(buf.len());
        let room = &mut buf[start..stop];
        let n = match reader.read_into(room) {
            Ok(n) => n,
            Err(e) => {
                self.pending.push_back(Err(io_error(e)));
                self.state = State::Done;
                return false;
            }
        };
        let block = &room[..n];
        // Whether the block runs to the end of the input (its last line needs no break).
        let last = reader.exhausted();
        let mut at = 0;
        while at < block.len() && users.len() < max_users {
            let rest = &block[at..];
            let end = match memchr::memchr(b'\n', rest) {
                Some(i) => i + 1,
                None if last => rest.len(),
                None => break,
            };
            // `next_raw` tells a Graph page by the first PAGE_PREFIX bytes, whatever lines
            // they are on.
            if (rest.len() < PAGE_PREFIX && !last) || looks_like_page(rest) {
                break;
            }
            *line += 1;
            let bytes = &rest[..end];
            if !bytes.iter().all(u8::is_ascii_whitespace) {
                users.push(RawUser::Bytes {
                    position: Position::Line(*line),
                    line: *line,
                    range: start + at..start + at + end,
                });
            }
            at += end;
        }
        reader.unread(&block[at..]);
        *used = start + at;
        at > 0
    }

    /// A parser for the bytes [`UserReader::next_raw`] gives, keeping the same attributes as
    /// this reader.
    pub fn parser(&self) -> Parser {
        Parser {
            pool: Pool {
                wanted: self.pool.wanted.clone(),
                ..Pool::default()
            },
            pending: VecDeque::new(),
        }
    }
}

impl Iterator for UserReader {
    type Item = Item;

    fn next(&mut self) -> Option<Item> {
        if let Some(item) = self.next_in_buffer() {
            return Some(item);
        }
        let mut data = std::mem::take(&mut self.scratch);
        data.clear();
        let item = match self.next_raw(&mut data)? {
            RawUser::Ready(item) => *item,
            RawUser::Bytes {
                position,
                line,
                range,
            } => {
                let parsed = parse_user(&data[range], &mut self.pool);
                expand(parsed, position, line, &mut self.pending)
            }
        };
        if data.capacity() <= 1 << 20 {
            self.scratch = data;
        }
        Some(item)
    }
}

impl UserReader {
    /// The fast path of [`Iterator::next`] for JSON Lines: a user whose whole line is already in
    /// the input's buffer is parsed where it lies, without being copied. `None` whenever
    /// [`UserReader::next_raw`] has anything else to decide (queued items, a line not yet read
    /// whole, a Graph page, a blank line), which then reads the line as before.
    fn next_in_buffer(&mut self) -> Option<Item> {
        let State::Lines { reader, line } = &mut self.state else {
            return None;
        };
        if !self.pending.is_empty() {
            return None;
        }
        let buf = reader.buffered();
        // `next_raw` decides on the first PAGE_PREFIX bytes whether a Graph page starts here:
        // with fewer buffered, leave it to that.
        if buf.len() < PAGE_PREFIX || looks_like_page(buf) {
            return None;
        }
        let end = memchr::memchr(b'\n', buf)? + 1;
        let bytes = &buf[..end];
        if end > MAX_USER_BYTES || bytes.iter().all(u8::is_ascii_whitespace) {
            return None;
        }
        *line += 1;
        let position = Position::Line(*line);
        let parsed = parse_user(bytes, &mut self.pool);
        reader.consume(end);
        Some(expand(parsed, position, *line, &mut self.pending))
    }
}

/// Parses users from the bytes [`UserReader::next_raw`] gave (on any thread), recycling their
/// memory like the reader does.
#[derive(Debug)]
pub struct Parser {
    pub(super) pool: Pool,
    pub(super) pending: VecDeque<Item>,
}

impl Parser {
    /// Parses one user; for a Graph page given as one line, its first user (take the others
    /// with [`Parser::next`] before parsing more).
    pub fn parse(&mut self, bytes: &[u8], position: Position, line: u64) -> Item {
        let parsed = parse_user(bytes, &mut self.pool);
        debug_assert!(self.pending.is_empty());
        expand(parsed, position, line, &mut self.pending)
    }

    /// The next user of a Graph page given as one line.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Option<Item> {
        self.pending.pop_front()
    }

    /// Gives a user's memory back, to be reused for the next users.
    pub fn recycle(&mut self, user: UserRecord) {
        self.pool.recycle(user);
    }
}

pub(super) fn skip_line(reader: &mut Input, scratch: &mut Vec<u8>) -> io::Result<()> {
    loop {
        scratch.clear();
        let n = reader.by_ref().take(1 << 20).read_until(b'\n', scratch)?;
        if n == 0 || scratch.last() == Some(&b'\n') {
            return Ok(());
        }
    }
}

/// A parsed user, or the first user of a Graph page given as one line (the others are queued
/// in `rest`, which must be empty), or why it could not be read.
pub(super) fn expand(
    parsed: Result<UserRecord, String>,
    position: Position,
    line: u64,
    rest: &mut VecDeque<Item>,
) -> Item {
    match parsed {
        Err(message) => Err(InputError {
            position: Some(position),
            message,
            fatal: false,
        }),
        Ok(mut rec) => match rec.page.take() {
            None => Ok((position, rec)),
            Some(users) => {
                for (i, u) in (*users).into_iter().enumerate() {
                    let position = Position::LineElement {
                        line,
                        index: i as u64 + 1,
                    };
                    rest.push_back(match u {
                        Ok(u) => Ok((position, u)),
                        Err(message) => Err(InputError {
                            position: Some(position),
                            message,
                            fatal: false,
                        }),
                    });
                }
                rest.pop_front().unwrap_or_else(|| {
                    Err(InputError {
                        position: Some(position),
                        message: "a Graph response with no users".into(),
                        fatal: false,
                    })
                })
            }
        },
    }
}

/// Parses one user: by the hand-written fast path ([`super::fast`]) when it can (it checks the
/// UTF-8 of what it reads as it goes), else checked as UTF-8 whole and read as a `str` by serde
/// (which spares serde_json a UTF-8 check per string).
pub(super) fn parse_user(bytes: &[u8], pool: &mut Pool) -> Result<UserRecord, String> {
    if let Some(rec) = super::fast::decode(bytes, pool) {
        return Ok(rec);
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => serde_user(text, pool),
        Err(e) => Err(format!(
            "not valid UTF-8 (first bad byte at offset {})",
            e.valid_up_to()
        )),
    }
}

/// The plain path: one user read by serde, with its error message when it is not valid.
pub(super) fn serde_user(text: &str, pool: &mut Pool) -> Result<UserRecord, String> {
    let mut de = serde_json::Deserializer::from_str(text);
    let rec = RecordSeed(pool)
        .deserialize(&mut de)
        .map_err(|e| json_message(&e))?;
    de.end().map_err(|e| json_message(&e))?;
    Ok(rec)
}

/// A serde_json error without its line/column (positions are reported by the reader).
pub(super) fn json_message(e: &serde_json::Error) -> String {
    if e.is_eof() {
        return "the JSON ends before the user does (a missing `}`, `]` or `\"`)".into();
    }
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(i) => format!("{} (column {})", &text[..i], e.column()),
        None => text,
    }
}
