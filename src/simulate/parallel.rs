//! One cycle across threads, with the output in input order and byte-identical to [`run`].
//!
//! The workers share the input ([`Source`]): each in turn, under a lock, cuts the next chunk of
//! up to [`CHUNK_USERS`] users (or [`CHUNK_BYTES`] of input) into a buffer of its own — JSON
//! Lines are read from the file straight into it, and it is still in that core's cache when the
//! worker, the lock released, parses its users, evaluates them and renders the output of the
//! whole chunk into one buffer. Chunks are numbered as they are cut; the calling thread writes
//! their outputs in that order ([`Source::in_order`]). At most `threads` × ([`QUEUE`] + 1) chunks in all
//! are cut and not yet written, so memory stays flat however many users are read and whichever
//! worker runs ahead.
//!
//! `Guid()` and `RandomString()` are seeded with the number of users read before the user; when
//! a mapping calls them the worker cutting a chunk parses its users under the lock (to count
//! them), and only the evaluation runs in parallel.

use super::violations::{self, Checks};
use super::{
    Action, App, Detail, Event, Options, Output, PROGRESS_EVERY, Plan, Processed, Summary, render,
    run_checked, step,
};
use crate::profile::values::{Batch, Checker};
use crate::simulate::users::{InputError, Item, LINES_BLOCK, Parser, RawUser, UserReader};
use std::collections::BTreeMap;
use std::io::{self, Write};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::thread;

/// Users per chunk (at most).
pub const CHUNK_USERS: usize = 1024;
/// Input bytes per chunk (at most, but a chunk holds at least one user).
pub const CHUNK_BYTES: usize = 1 << 20;
/// Chunks cut and not yet written, per worker, beyond the one it works on.
pub const QUEUE: usize = 2;
/// The length a chunk's buffer is kept at: a last block read may start just below
/// [`CHUNK_BYTES`].
const CHUNK_CAPACITY: usize = CHUNK_BYTES + LINES_BLOCK;

/// Users cut from the input, not yet parsed (or parsed, when the plan is seeded).
pub(super) struct Chunk {
    /// Its place in the input: chunks are numbered from 0 as they are cut.
    pub(super) k: u64,
    /// The users' bytes, where their ranges say (bytes outside them are left over from earlier
    /// chunks).
    pub(super) data: Vec<u8>,
    pub(super) users: Vec<RawUser>,
    /// Users read before this chunk (counted only when the plan is seeded).
    pub(super) first_n: u64,
}

/// The input, shared by the workers: each cuts its next chunk itself with [`Source::next`].
pub(super) struct Source {
    state: Mutex<SourceState>,
    /// Signalled when a chunk is written (there is room for another) or the input ends.
    room: Condvar,
}

struct SourceState {
    users: UserReader,
    seeded: bool,
    /// Users read so far (counted only when seeded).
    n: u64,
    /// The number of the next chunk.
    next: u64,
    /// Chunks cut and not yet written, and how many may be.
    in_flight: usize,
    limit: usize,
    /// No chunk is cut any more: the input has ended, or [`Source::stop`] was called.
    ended: bool,
}

impl Source {
    pub(super) fn new(users: UserReader, seeded: bool, threads: usize) -> Source {
        Source {
            state: Mutex::new(SourceState {
                users,
                seeded,
                n: 0,
                next: 0,
                in_flight: 0,
                limit: threads * (QUEUE + 1),
                ended: false,
            }),
            room: Condvar::new(),
        }
    }

    /// The state; if a worker panicked while holding it (the input may be half-read), no more
    /// chunks are cut.
    fn lock(&self) -> MutexGuard<'_, SourceState> {
        self.state.lock().unwrap_or_else(|poisoned| {
            let mut s = poisoned.into_inner();
            s.ended = true;
            s
        })
    }

    /// Cuts the next chunk into `data` (a buffer of the caller's, reused), waiting while too
    /// many chunks are cut and not written; `None` once the input has ended.
    pub(super) fn next(&self, data: Vec<u8>) -> Option<Chunk> {
        let mut s = self.lock();
        while !s.ended && s.in_flight >= s.limit {
            s = self.room.wait(s).unwrap_or_else(PoisonError::into_inner);
        }
        if s.ended {
            return None;
        }
        let mut chunk = Chunk {
            k: s.next,
            data,
            users: Vec::with_capacity(CHUNK_USERS),
            first_n: s.n,
        };
        let SourceState {
            users, seeded, n, ..
        } = &mut *s;
        let end = cut(users, *seeded, n, &mut chunk);
        if end {
            s.ended = true;
            self.room.notify_all();
        }
        if chunk.users.is_empty() {
            return None;
        }
        s.next += 1;
        s.in_flight += 1;
        Some(chunk)
    }

    /// A chunk is written: another may be cut.
    pub(super) fn written(&self) {
        let mut s = self.lock();
        s.in_flight = s.in_flight.saturating_sub(1);
        self.room.notify_one();
    }

    /// No more chunks are cut (the writer has stopped: a fatal input error, or it failed).
    pub(super) fn stop(&self) {
        self.lock().ended = true;
        self.room.notify_all();
    }

    /// Hands the workers' results (`k` tells each one's chunk) to `each` in the order the
    /// chunks were cut, holding back any that come early, and marks each chunk written once
    /// `each` is done with it. Stops when `each` says to (`Ok(false)`: a fatal input error
    /// ended the input) or fails.
    pub(super) fn in_order<T, E>(
        &self,
        results: Receiver<T>,
        k: impl Fn(&T) -> u64,
        mut each: impl FnMut(T) -> Result<bool, E>,
    ) -> Result<(), E> {
        let mut early = BTreeMap::new();
        let mut next = 0;
        for result in results {
            early.insert(k(&result), result);
            while let Some(result) = early.remove(&next) {
                next += 1;
                let go_on = each(result)?;
                self.written();
                if !go_on {
                    return Ok(());
                }
            }
        }
        Ok(())
    }
}

/// Stops the [`Source`] when dropped, however the writer returns (so no worker waits for room
/// that will never come).
pub(super) struct StopOnDrop<'a>(pub(super) &'a Source);

impl Drop for StopOnDrop<'_> {
    fn drop(&mut self) {
        self.0.stop();
    }
}

/// Stops the [`Source`] if a worker panics (its chunk will never be written, so the others
/// must not wait for room; the panic is raised again when the threads are joined).
pub(super) struct StopOnPanic<'a>(pub(super) &'a Source);

impl Drop for StopOnPanic<'_> {
    fn drop(&mut self) {
        if thread::panicking() {
            self.0.stop();
        }
    }
}

/// Progress events for the multiples of [`PROGRESS_EVERY`] users passed between `before` and
/// `after` users read.
pub(super) fn progress(events: &mut dyn FnMut(Event<'_>), before: u64, after: u64) {
    for p in before / PROGRESS_EVERY + 1..=after / PROGRESS_EVERY {
        events(Event::Progress(p * PROGRESS_EVERY));
    }
}

/// What a worker made of a chunk.
struct Done {
    /// The worker that made it (its buffers go back to it), and the chunk's number.
    worker: usize,
    k: u64,
    out: Vec<u8>,
    summary: Summary,
    reports: Vec<Report>,
    /// A fatal input error ended the input.
    stop: bool,
    /// The chunk's value checks (with a profile's value rules), handed back to the worker for
    /// reuse once settled.
    checks: Batch,
}

/// An [`Event`] held until its chunk is written.
enum Report {
    BadInput(InputError),
    UserFailed { user: String, message: String },
}

/// The number of threads to use by default: the machine's cores.
pub fn default_threads() -> usize {
    thread::available_parallelism().map_or(1, usize::from)
}

/// Runs one cycle like [`run`] (same output, same summary, same events), on `threads` worker
/// threads. With one thread, or for the trace, it is [`run`].
#[allow(clippy::too_many_arguments)]
pub fn run_threads(
    plan: &Plan,
    options: &Options,
    users: UserReader,
    app: &mut App,
    output: Output,
    threads: usize,
    out: &mut dyn Write,
    events: &mut dyn FnMut(Event<'_>),
) -> io::Result<Summary> {
    run_threads_checked(
        plan, options, users, app, output, threads, out, events, None,
    )
}

/// [`run_threads`], checking a profile's value rules on every user as well: the workers check
/// each user, the calling thread settles them in input order (so `unique` and the output are
/// the same as on one thread).
#[allow(clippy::too_many_arguments)]
pub fn run_threads_checked(
    plan: &Plan,
    options: &Options,
    users: UserReader,
    app: &mut App,
    output: Output,
    threads: usize,
    out: &mut dyn Write,
    events: &mut dyn FnMut(Event<'_>),
    checks: Option<&mut Checks<'_>>,
) -> io::Result<Summary> {
    if threads <= 1 || output == Output::Trace {
        return run_checked(plan, options, users, app, output, out, events, checks);
    }
    let app: &App = app;
    let checker: Option<&Checker> = checks.as_deref().map(|c| c.checker);
    let users = users.only(plan.reads.iter().map(String::as_str));
    let parsers: Vec<Parser> = (0..threads).map(|_| users.parser()).collect();
    let source = Source::new(users, plan.seeded(), threads);
    let source = &source;
    thread::scope(|scope| {
        // Before any worker starts: whatever way this returns, no worker waits for room.
        let _stop = StopOnDrop(source);
        let (done_tx, done_rx) = sync_channel::<Done>(threads * (QUEUE + 1));
        let mut back_to_workers = Vec::with_capacity(threads);
        let detail = Detail::of(output, checker.is_some());
        for (i, parser) in parsers.into_iter().enumerate() {
            // Room for what one worker usually has in flight (a buffer that finds no room is
            // freed here); bounded so that many threads do not make many large channels.
            let (back_tx, back_rx) = sync_channel::<Returned>((QUEUE + 1) * threads.min(4));
            back_to_workers.push(back_tx);
            let done = done_tx.clone();
            let spare = Spare { back: back_rx };
            let me = Worker {
                index: i,
                plan,
                options,
                app,
                output,
                checker,
                detail,
            };
            thread::Builder::new()
                .name(format!("simulate-{i}"))
                .spawn_scoped(scope, move || me.work(source, parser, done, spare))?;
        }
        drop(done_tx);
        write(source, done_rx, &back_to_workers, out, events, checks)
    })
}

/// Cuts a chunk (JSON Lines a block at a time straight into its buffer, with
/// [`UserReader::next_lines`]; anything else user by user with [`UserReader::next_raw`]);
/// whether the input has ended. The buffer is kept at its full length between chunks, so that
/// it is never zeroed again; only the users' ranges of it are the chunk's. A chunk comes back
/// empty only at the end.
pub(super) fn cut(users: &mut UserReader, seeded: bool, n: &mut u64, chunk: &mut Chunk) -> bool {
    let mut used = 0;
    while chunk.users.len() < CHUNK_USERS && (used < CHUNK_BYTES || chunk.users.is_empty()) {
        if !seeded && users.reads_lines() {
            if chunk.data.len() < CHUNK_CAPACITY {
                chunk.data.resize(CHUNK_CAPACITY, 0);
            }
            if used >= CHUNK_BYTES {
                // A buffer of nothing but blank lines (no user yet): start it again.
                used = 0;
            }
            if users.next_lines(&mut chunk.data, &mut used, &mut chunk.users, CHUNK_USERS) {
                continue;
            }
        }
        chunk.data.truncate(used);
        let raw = if seeded {
            users.next().map(|item| RawUser::Ready(Box::new(item)))
        } else {
            users.next_raw(&mut chunk.data)
        };
        used = chunk.data.len();
        let Some(raw) = raw else {
            return true;
        };
        let mut end = false;
        if let RawUser::Ready(item) = &raw {
            match &**item {
                Ok(_) => *n += 1,
                Err(e) => end = e.fatal,
            }
        }
        chunk.users.push(raw);
        if end {
            return true;
        }
    }
    false
}

/// Hands every user of a chunk to `each` in input order: a raw user, then whatever else the
/// parser finds in the same bytes (a Graph page holds many). `each` says whether to go on;
/// once it says no, the raw users after the current one are left alone.
pub(super) fn each_user(
    users: Vec<RawUser>,
    data: &[u8],
    parser: &mut Parser,
    mut each: impl FnMut(Item, &mut Parser) -> bool,
) {
    let mut go_on = true;
    for raw in users {
        if !go_on {
            break;
        }
        match raw {
            RawUser::Ready(item) => go_on = each(*item, parser),
            RawUser::Bytes {
                position,
                line,
                range,
            } => {
                let mut next = Some(parser.parse(&data[range], position, line));
                while let Some(item) = next {
                    go_on = each(item, parser);
                    next = parser.next();
                }
            }
        }
    }
}

/// Buffers the writer hands back to a worker, so that they are freed on the thread that
/// allocated them and their capacity is reused.
struct Spare {
    back: Receiver<Returned>,
}

/// A chunk's output and value checks, written and settled, on their way back to the worker.
struct Returned {
    out: Vec<u8>,
    checks: Batch,
}

/// What every worker shares.
struct Worker<'a> {
    index: usize,
    plan: &'a Plan,
    options: &'a Options,
    app: &'a App,
    output: Output,
    checker: Option<&'a Checker>,
    /// What of each user's cycle `output` and `checker` read (decided once for the run).
    detail: Detail,
}

impl Worker<'_> {
    /// A worker thread: cuts, parses, evaluates and renders chunks until the input ends.
    fn work(self, source: &Source, mut parser: Parser, done: SyncSender<Done>, spare: Spare) {
        let _stop = StopOnPanic(source);
        let mut data = Vec::new();
        while let Some(chunk) = source.next(std::mem::take(&mut data)) {
            let Returned {
                mut out,
                mut checks,
            } = spare.back.try_recv().unwrap_or_else(|_| Returned {
                out: Vec::with_capacity(chunk.users.len() * 320),
                checks: Batch::default(),
            });
            out.clear();
            checks.clear();
            let mut result = Done {
                worker: self.index,
                k: chunk.k,
                out,
                summary: Summary::default(),
                reports: Vec::new(),
                stop: false,
                checks,
            };
            let mut n = chunk.first_n;
            each_user(chunk.users, &chunk.data, &mut parser, |item, parser| {
                self.one(parser, item, &mut n, &mut result);
                !result.stop
            });
            data = chunk.data;
            if done.send(result).is_err() {
                return;
            }
        }
    }

    /// One user of a chunk, as [`super::cycle`] handles it.
    fn one(&self, parser: &mut Parser, item: Item, n: &mut u64, done: &mut Done) {
        let (position, mut user) = match item {
            Ok(x) => x,
            Err(e) => {
                done.summary.errors += 1;
                done.stop |= e.fatal;
                done.reports.push(Report::BadInput(e));
                return;
            }
        };
        *n += 1;
        done.summary.read += 1;
        let (plan, options) = (self.plan, self.options);
        let (read, evaluated, result) = step(
            plan,
            options,
            1,
            *n,
            self.app,
            position,
            &mut user,
            self.detail,
        );
        done.summary.count(&result.action);
        if let Action::Error(message) = &result.action {
            done.reports.push(Report::UserFailed {
                user: result.user.clone(),
                message: message.clone(),
            });
        }
        let p = Processed {
            position,
            user: read,
            result: &result,
            evaluated: &evaluated,
        };
        render(self.output, plan, options.mode, &p, &mut done.out);
        if let Some(c) = self.checker {
            violations::user_check(plan, c, &p, &mut done.checks);
        }
        drop(evaluated);
        parser.recycle(user);
    }
}

/// The calling thread: takes the chunks back in the order they were cut, writes them and
/// reports.
fn write(
    source: &Source,
    from_workers: Receiver<Done>,
    back: &[SyncSender<Returned>],
    out: &mut dyn Write,
    events: &mut dyn FnMut(Event<'_>),
    mut checks: Option<&mut Checks<'_>>,
) -> io::Result<Summary> {
    let mut summary = Summary::default();
    source.in_order(
        from_workers,
        |done| done.k,
        |mut done| {
            out.write_all(&done.out)?;
            if let Some(c) = checks.as_deref_mut() {
                c.settle(&done.checks, out)?;
            }
            let _ = back[done.worker].try_send(Returned {
                out: std::mem::take(&mut done.out),
                checks: std::mem::take(&mut done.checks),
            });
            for r in &done.reports {
                match r {
                    Report::BadInput(e) => events(Event::BadInput(e)),
                    Report::UserFailed { user, message } => {
                        events(Event::UserFailed { user, message });
                    }
                }
            }
            let before = summary.read;
            summary.add(&done.summary);
            progress(events, before, summary.read);
            Ok::<_, io::Error>(!done.stop)
        },
    )?;
    Ok(summary)
}
