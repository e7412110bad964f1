//! The one bounded reader every input goes through: files, standard input and special files
//! (`/dev/zero`, `/dev/urandom`, FIFOs), with a named limit per kind of input.
//!
//! A limit is a number of bytes read, not the size a file claims: `/dev/zero` says it is empty
//! and never ends, so it is read through the same bound as everything else and refused as "more
//! than 10 MB read from /dev/zero". Memory is reserved fallibly (`try_reserve`), so a machine
//! short of memory gets an error rather than an abort.

use std::fmt;
use std::io::{self, BufRead, Read};

const MB: usize = 1024 * 1024;

/// How many bytes one kind of input may hold, and what it is called in messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// What the input is, as messages name it ("mapping file").
    pub name: &'static str,
    pub bytes: usize,
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", megabytes(self.bytes))
    }
}

/// A mapping file: Graph JSON or entramap YAML (`lint`, `convert`, `simulate -m`).
pub const MAPPING_FILE: Limit = Limit {
    name: "mapping file",
    bytes: crate::mapping::MAX_FILE_BYTES,
};
/// An expression read from standard input (`parse -`, `eval -`).
pub const EXPRESSION: Limit = Limit {
    name: "expression",
    bytes: 16 * MB,
};
/// A Graph parseExpression request body (`eval --request`).
pub const REQUEST: Limit = Limit {
    name: "parseExpression request",
    bytes: 16 * MB,
};
/// An attributeMappingSource tree (`parse --from-graph`).
pub const GRAPH_TREE: Limit = Limit {
    name: "attributeMappingSource tree",
    bytes: 16 * MB,
};
/// An attribute values file (`eval --input`).
pub const ATTRIBUTES: Limit = Limit {
    name: "attributes file",
    bytes: 16 * MB,
};
/// A profile YAML file (`--profile PATH`).
pub const PROFILE: Limit = Limit {
    name: "profile",
    bytes: MB,
};
/// A configuration file (`--config`, `.entramap.yaml`).
pub const CONFIG: Limit = Limit {
    name: "configuration file",
    bytes: MB,
};
/// One line of a target-state file (`simulate --target-state`): one SCIM User resource.
pub const TARGET_STATE_LINE: Limit = Limit {
    name: "target-state line",
    bytes: crate::simulate::users::MAX_USER_BYTES,
};

/// Why an input could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("cannot read {what}: {source}")]
    Io { what: String, source: io::Error },
    /// A regular file whose size is over the limit (refused before reading it).
    #[error(
        "{what} is {size} bytes; the {} limit is {} ({} bytes)",
        limit.name, limit, limit.bytes
    )]
    TooLarge {
        what: String,
        size: u64,
        limit: Limit,
    },
    /// More than the limit was read (a stream, a special file, or a file that grew).
    #[error(
        "more than {} read from {what}: the {} limit is {} ({} bytes)",
        limit, limit.name, limit, limit.bytes
    )]
    TooMuch { what: String, limit: Limit },
    #[error(
        "cannot read {what}: out of memory after {read} bytes (the {} limit is {})",
        limit.name, limit
    )]
    OutOfMemory {
        what: String,
        read: usize,
        limit: Limit,
    },
}

impl ReadError {
    /// Whether the input was over its limit.
    pub fn is_too_large(&self) -> bool {
        matches!(self, ReadError::TooLarge { .. } | ReadError::TooMuch { .. })
    }
}

/// `10 MB`, `1 MB`, `512 KB`, `300 bytes`.
fn megabytes(bytes: usize) -> String {
    if bytes >= MB && bytes.is_multiple_of(MB) {
        format!("{} MB", bytes / MB)
    } else if bytes >= 1024 && bytes.is_multiple_of(1024) {
        format!("{} KB", bytes / 1024)
    } else {
        format!("{bytes} bytes")
    }
}

/// What messages call `path`: `standard input` for `-`.
pub fn display(path: &str) -> &str {
    if path == "-" { "standard input" } else { path }
}

/// Reads a file (`-`: standard input) whole, up to `limit`.
pub fn read_path(path: impl AsRef<std::path::Path>, limit: Limit) -> Result<Vec<u8>, ReadError> {
    // A path need not be UTF-8 (a Latin-1 file name): it is named lossily.
    let path = path.as_ref();
    let what = display(&path.to_string_lossy()).to_string();
    if path.as_os_str() == "-" {
        return read_all(io::stdin().lock(), &what, limit);
    }
    let file = std::fs::File::open(path).map_err(|source| ReadError::Io {
        what: what.clone(),
        source,
    })?;
    // A regular file says its size: refuse a big one without reading it. Anything else (a
    // device, a FIFO, a procfs file claiming 0 bytes) is judged by what is read.
    let size = file
        .metadata()
        .ok()
        .filter(|m| m.is_file())
        .map(|m| m.len());
    if let Some(size) = size
        && size > limit.bytes as u64
    {
        return Err(ReadError::TooLarge { what, size, limit });
    }
    read_sized(file, &what, limit, size)
}

/// Reads `file` to its end like [`read_all`]; when it says its size (a regular file), the
/// buffer is allocated once, to that size, and filled in place (no chunk copies, no regrowth).
/// The limit holds whatever the size claimed: a file that grows while read is cut off at
/// `limit + 1` bytes and refused.
fn read_sized(
    file: std::fs::File,
    what: &str,
    limit: Limit,
    size: Option<u64>,
) -> Result<Vec<u8>, ReadError> {
    let Some(size) = size.filter(|&s| s > 0) else {
        return read_all(file, what, limit);
    };
    // One byte more than the file says, so that the end is seen without a second allocation.
    let want = usize::try_from(size).unwrap_or(usize::MAX).min(limit.bytes) + 1;
    let mut buf: Vec<u8> = Vec::new();
    buf.try_reserve_exact(want)
        .map_err(|_| ReadError::OutOfMemory {
            what: what.to_string(),
            read: 0,
            limit,
        })?;
    let cap = u64::try_from(limit.bytes)
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    match file.take(cap).read_to_end(&mut buf) {
        Ok(_) => {}
        Err(source) => {
            return Err(ReadError::Io {
                what: what.to_string(),
                source,
            });
        }
    }
    if buf.len() > limit.bytes {
        return Err(ReadError::TooMuch {
            what: what.to_string(),
            limit,
        });
    }
    Ok(buf)
}

/// Reads `reader` to its end, refusing more than `limit` bytes.
pub fn read_all(mut reader: impl Read, what: &str, limit: Limit) -> Result<Vec<u8>, ReadError> {
    let mut buf: Vec<u8> = Vec::new();
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        if buf.len() > limit.bytes {
            return Err(ReadError::TooMuch {
                what: what.to_string(),
                limit,
            });
        }
        let want = (limit.bytes + 1 - buf.len()).min(chunk.len());
        let n = match reader.read(&mut chunk[..want]) {
            Ok(0) => return Ok(buf),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(source) => {
                return Err(ReadError::Io {
                    what: what.to_string(),
                    source,
                });
            }
        };
        buf.try_reserve(n).map_err(|_| ReadError::OutOfMemory {
            what: what.to_string(),
            read: buf.len(),
            limit,
        })?;
        buf.extend_from_slice(&chunk[..n]);
    }
}

/// Reads one line (through `\n`, which is kept) into `line`, which is cleared first; `Ok(false)`
/// at the end of the input. A line longer than `limit` is an error, found after reading at most
/// `limit + 1` bytes of it.
pub fn read_line(
    reader: &mut impl BufRead,
    line: &mut Vec<u8>,
    what: &str,
    limit: Limit,
) -> Result<bool, ReadError> {
    line.clear();
    loop {
        let available = match reader.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(source) => {
                return Err(ReadError::Io {
                    what: what.to_string(),
                    source,
                });
            }
        };
        if available.is_empty() {
            return Ok(!line.is_empty());
        }
        let (take, done) = match available.iter().position(|&b| b == b'\n') {
            Some(p) => (p + 1, true),
            None => (available.len(), false),
        };
        let take = take.min(limit.bytes + 1 - line.len().min(limit.bytes));
        line.try_reserve(take).map_err(|_| ReadError::OutOfMemory {
            what: what.to_string(),
            read: line.len(),
            limit,
        })?;
        line.extend_from_slice(&available[..take]);
        reader.consume(take);
        let ended = done && line.last() == Some(&b'\n');
        if line.len() > limit.bytes && !(ended && line.len() == limit.bytes + 1) {
            return Err(ReadError::TooMuch {
                what: what.to_string(),
                limit,
            });
        }
        if ended {
            return Ok(true);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: Limit = Limit {
        name: "test input",
        bytes: 10,
    };

    #[test]
    fn reads_up_to_the_limit_and_refuses_one_byte_more() {
        assert_eq!(read_all(&b"0123456789"[..], "x", SMALL).unwrap().len(), 10);
        let e = read_all(&b"0123456789A"[..], "x", SMALL).unwrap_err();
        assert_eq!(
            e.to_string(),
            "more than 10 bytes read from x: the test input limit is 10 bytes (10 bytes)"
        );
        assert!(e.is_too_large());
    }

    #[test]
    fn an_endless_stream_stops_at_the_limit() {
        let e = read_all(io::repeat(0), "/dev/zero", MAPPING_FILE).unwrap_err();
        assert_eq!(
            e.to_string(),
            "more than 10 MB read from /dev/zero: the mapping file limit is 10 MB (10485760 bytes)"
        );
    }

    #[test]
    fn lines_are_bounded() {
        let mut r = io::Cursor::new(b"0123456789\nabc\n0123456789A\n".to_vec());
        let mut line = Vec::new();
        // 10 bytes and the line break: the line holds 10 bytes.
        assert!(read_line(&mut r, &mut line, "x", SMALL).unwrap());
        assert_eq!(line, b"0123456789\n");
        assert!(read_line(&mut r, &mut line, "x", SMALL).unwrap());
        assert_eq!(line, b"abc\n");
        let e = read_line(&mut r, &mut line, "x", SMALL).unwrap_err();
        assert!(e.is_too_large(), "{e}");
        let mut endless = io::BufReader::new(io::repeat(b'x'));
        assert!(read_line(&mut endless, &mut line, "x", SMALL).is_err());
        assert!(line.len() <= 11);
        let mut last = io::Cursor::new(b"no newline".to_vec());
        assert!(read_line(&mut last, &mut line, "x", SMALL).unwrap());
        assert_eq!(line, b"no newline");
        assert!(!read_line(&mut last, &mut line, "x", SMALL).unwrap());
    }

    #[test]
    fn sizes_are_named_in_megabytes() {
        assert_eq!(MAPPING_FILE.to_string(), "10 MB");
        assert_eq!(PROFILE.to_string(), "1 MB");
        assert_eq!(megabytes(300), "300 bytes");
    }
}

#[cfg(test)]
mod sized_read_tests {
    use super::*;

    /// Reading a regular file by its size gives the bytes the plain chunked reader gives, and
    /// keeps the limit: at the limit it is read, one byte over it is refused.
    #[test]
    fn a_sized_read_equals_the_chunked_read() {
        let dir = std::env::temp_dir().join(format!("entramap-sized-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for len in [1usize, 100, 64 * 1024, 64 * 1024 + 1, 200_003] {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 7 % 251) as u8).collect();
            let path = dir.join(format!("f{len}"));
            std::fs::write(&path, &bytes).unwrap();
            let limit = Limit {
                name: "test file",
                bytes: len,
            };
            let sized = read_path(&path, limit).unwrap();
            let plain = read_all(std::fs::File::open(&path).unwrap(), "f", limit).unwrap();
            assert_eq!(sized, plain);
            assert_eq!(sized, bytes);
            let small = Limit {
                name: "test file",
                bytes: len - 1,
            };
            assert!(read_path(&path, small).unwrap_err().is_too_large());
            let file = std::fs::File::open(&path).unwrap();
            // A size claim below the truth (a file that grew) still stops at the limit.
            assert!(
                read_sized(file, "f", small, Some(1))
                    .unwrap_err()
                    .is_too_large()
            );
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
