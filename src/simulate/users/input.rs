//! The users input: a buffer over any reader that can look ahead by a bounded number of bytes
//! without consuming them (to tell JSON Lines from one document, and a Graph page from a user,
//! whatever the line length), while serving as an ordinary `BufRead`.

use std::io::{self, BufRead, Read};

/// Bytes read from the source at a time.
const CHUNK: usize = 1 << 16;

pub struct Input {
    inner: Box<dyn Read + Send>,
    /// Bytes `pos..end` are read and not consumed; `end..` is spare room (initialised once,
    /// never zeroed again: reads go straight into it).
    buf: Vec<u8>,
    pos: usize,
    end: usize,
    eof: bool,
    /// A read error met after [`Input::read_into`] had bytes to give: returned by the next read.
    deferred: Option<io::Error>,
}

impl Input {
    pub fn new(inner: impl Read + Send + 'static) -> Input {
        Input {
            inner: Box::new(inner),
            buf: vec![0; CHUNK],
            pos: 0,
            end: 0,
            eof: false,
            deferred: None,
        }
    }

    /// Reads more into the buffer (keeping the unconsumed bytes, moved to its front when that
    /// makes room); `false` at the end.
    fn more(&mut self) -> io::Result<bool> {
        if self.eof {
            return Ok(false);
        }
        if let Some(e) = self.deferred.take() {
            return Err(e);
        }
        if self.pos > 0 {
            self.buf.copy_within(self.pos..self.end, 0);
            self.end -= self.pos;
            self.pos = 0;
        }
        if self.buf.len() - self.end < CHUNK / 2 {
            // Looking further ahead than the buffer holds: grow it (bounded by the callers'
            // look-ahead limits).
            let len = self.buf.len();
            self.buf.resize(len + CHUNK, 0);
        }
        let n = loop {
            match self.inner.read(&mut self.buf[self.end..]) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        };
        self.end += n;
        if n == 0 {
            self.eof = true;
        }
        Ok(n > 0)
    }

    /// The unconsumed bytes up to and including the next line break, reading ahead as needed but
    /// never holding more than `max` bytes: `(bytes, whole)` where `whole` says the line (or the
    /// input) ended within them.
    pub fn peek_line(&mut self, max: usize) -> io::Result<(&[u8], bool)> {
        let mut searched = 0;
        loop {
            let avail = &self.buf[self.pos..self.end];
            if let Some(i) = avail[searched..].iter().position(|&b| b == b'\n') {
                let end = (searched + i + 1).min(max);
                return Ok((&self.buf[self.pos..self.pos + end], end == searched + i + 1));
            }
            searched = avail.len();
            if searched >= max {
                return Ok((&self.buf[self.pos..self.pos + max], false));
            }
            if !self.more()? {
                return Ok((&self.buf[self.pos..self.end], true));
            }
        }
    }

    /// The bytes read and not consumed yet (reads nothing).
    #[inline]
    pub fn buffered(&self) -> &[u8] {
        &self.buf[self.pos..self.end]
    }

    /// At least `n` unconsumed bytes (fewer only at the end of the input), not consumed.
    pub fn peek(&mut self, n: usize) -> io::Result<&[u8]> {
        while self.end - self.pos < n {
            if !self.more()? {
                break;
            }
        }
        Ok(&self.buf[self.pos..self.end])
    }

    /// Moves the buffered bytes into `out`, then reads from the source straight into the rest
    /// of it (one read, no copy through the buffer): how many bytes `out` now starts with.
    /// Zero only at the end of the input. An error met after some bytes were moved is kept,
    /// and returned by the next read once the bytes before it are taken.
    pub fn read_into(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let moved = (self.end - self.pos).min(out.len());
        out[..moved].copy_from_slice(&self.buf[self.pos..self.pos + moved]);
        self.pos += moved;
        if moved == out.len() || self.eof || (moved > 0 && self.deferred.is_some()) {
            return Ok(moved);
        }
        if let Some(e) = self.deferred.take() {
            return Err(e);
        }
        loop {
            match self.inner.read(&mut out[moved..]) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(moved);
                }
                Ok(n) => return Ok(moved + n),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) if moved > 0 => {
                    self.deferred = Some(e);
                    return Ok(moved);
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Puts bytes taken by [`Input::read_into`] back in front of what is buffered, to be read
    /// again.
    pub fn unread(&mut self, bytes: &[u8]) {
        if bytes.len() <= self.pos {
            // In the consumed room before what is still buffered.
            self.pos -= bytes.len();
            self.buf[self.pos..self.pos + bytes.len()].copy_from_slice(bytes);
            return;
        }
        if self.pos == self.end && bytes.len() <= self.buf.len() {
            // The usual case: everything buffered was taken, and the bytes fit.
            self.buf[..bytes.len()].copy_from_slice(bytes);
            self.pos = 0;
            self.end = bytes.len();
            return;
        }
        let mut buf = Vec::with_capacity(bytes.len() + self.end - self.pos + CHUNK);
        buf.extend_from_slice(bytes);
        buf.extend_from_slice(&self.buf[self.pos..self.end]);
        self.end = buf.len();
        self.pos = 0;
        buf.resize(self.end + CHUNK, 0);
        self.buf = buf;
    }

    /// Whether the source has ended and every byte read from it was consumed.
    pub fn exhausted(&self) -> bool {
        self.eof && self.pos == self.end
    }
}

impl Read for Input {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let avail = self.fill_buf()?;
        let n = avail.len().min(out.len());
        out[..n].copy_from_slice(&avail[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl BufRead for Input {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.pos == self.end {
            self.pos = 0;
            self.end = 0;
            self.more()?;
        }
        Ok(&self.buf[self.pos..self.end])
    }

    fn consume(&mut self, n: usize) {
        self.pos = (self.pos + n).min(self.end);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that returns one byte per read, to exercise refills.
    struct Trickle(Vec<u8>, usize);

    impl Read for Trickle {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            if self.1 >= self.0.len() || out.is_empty() {
                return Ok(0);
            }
            out[0] = self.0[self.1];
            self.1 += 1;
            Ok(1)
        }
    }

    /// Reading into blocks of every size and putting back any tail of each gives the source's
    /// bytes, in order, whichever way `unread` finds room (before the buffered bytes, in an
    /// empty buffer, or by growing it).
    #[test]
    fn read_into_and_unread_lose_and_repeat_nothing() {
        let source: Vec<u8> = (0..200_000u32).map(|i| (i * 7 % 251) as u8).collect();
        for (block, back) in [(10, 3), (4096, 4000), (70_000, 65_000), (100, 0), (1, 1)] {
            let mut input = Input::new(Trickle(source.clone(), 0));
            // Buffer some of it first, so that `read_into` leaves bytes behind at times.
            input.peek(50_000).unwrap();
            let mut got = Vec::new();
            let mut out = vec![0; block];
            let mut round = 0usize;
            loop {
                let n = input.read_into(&mut out).unwrap();
                if n == 0 {
                    assert!(input.exhausted());
                    break;
                }
                // Put back a varying tail (never all of it, so that it moves on).
                let keep = if n > 1 {
                    n - (back.min(n - 1) * (round % 3)) / 2
                } else {
                    n
                };
                got.extend_from_slice(&out[..keep]);
                input.unread(&out[keep..n]);
                round += 1;
            }
            assert_eq!(got, source, "block {block}, back {back}");
        }
    }

    #[test]
    fn peeking_does_not_consume() {
        let mut input = Input::new(Trickle(b"{\"a\":1}\n{\"b\":2}\n".to_vec(), 0));
        assert_eq!(input.peek_line(100).unwrap(), (&b"{\"a\":1}\n"[..], true));
        assert_eq!(input.peek_line(3).unwrap(), (&b"{\"a"[..], false));
        let mut all = String::new();
        input.read_to_string(&mut all).unwrap();
        assert_eq!(all, "{\"a\":1}\n{\"b\":2}\n");
    }

    #[test]
    fn a_last_line_without_a_break_is_whole() {
        let mut input = Input::new(&b"  {\"a\":1}"[..]);
        assert_eq!(input.peek_line(100).unwrap(), (&b"  {\"a\":1}"[..], true));
        assert_eq!(input.peek(4).unwrap().len(), 9);
    }
}
