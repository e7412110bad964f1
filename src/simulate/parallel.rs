//! One cycle across threads, with the output in input order and byte-identical to [`run`].
//!
//! A reader thread cuts the input into chunks of up to [`CHUNK_USERS`] users (or
//! [`CHUNK_BYTES`] of input), as raw bytes: it only finds where each user ends. Chunk `k` goes to
//! worker `k % threads`, which parses its users, evaluates them and renders the output of the
//! whole chunk into one buffer. The calling thread takes the buffers back from the workers in
//! the same round-robin order, so the output keeps the input's order without re-sorting, and
//! writes them. Every channel is bounded ([`QUEUE`] chunks per worker on each side), so memory
//! stays flat however many users are read: a few chunks in flight per worker.
//!
//! `Guid()` and `RandomString()` are seeded with the number of users read before the user; when
//! a mapping calls them the reader thread parses the users itself (to count them), and only the
//! evaluation runs on the workers.

use super::violations::{self, Checks};
use super::{
    Action, App, Event, Options, Output, PROGRESS_EVERY, Plan, Processed, Summary, render,
    run_checked, step,
};
use crate::profile::values::{Batch, Checker};
use crate::simulate::users::{InputError, Item, LINES_BLOCK, Parser, RawUser, UserReader};
use std::io::{self, Write};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread;

/// Users per chunk (at most).
pub const CHUNK_USERS: usize = 1024;
/// Input bytes per chunk (at most, but a chunk holds at least one user).
pub const CHUNK_BYTES: usize = 1 << 20;
/// Chunks queued per worker, to it and from it.
pub const QUEUE: usize = 2;
/// The length a chunk's buffer is kept at: a last block read may start just below
/// [`CHUNK_BYTES`].
const CHUNK_CAPACITY: usize = CHUNK_BYTES + LINES_BLOCK;

/// Users cut from the input, not yet parsed (or parsed, when the plan is seeded).
pub(super) struct Chunk {
    /// The users' bytes, where their ranges say (bytes outside them are left over from earlier
    /// chunks).
    pub(super) data: Vec<u8>,
    pub(super) users: Vec<RawUser>,
    /// Users read before this chunk (counted only when the plan is seeded).
    pub(super) first_n: u64,
}

/// What a worker made of a chunk.
struct Done {
    out: Vec<u8>,
    summary: Summary,
    reports: Vec<Report>,
    /// A fatal input error ended the input.
    stop: bool,
    /// The chunk's input buffer, handed back to the reader for reuse.
    data: Vec<u8>,
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
/// threads plus a reader thread. With one thread, or for the trace, it is [`run`].
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
    let seeded = plan.seeded();
    let parsers: Vec<Parser> = (0..threads).map(|_| users.parser()).collect();
    thread::scope(|scope| {
        let (spare_tx, spare_rx) = sync_channel::<Vec<u8>>(threads * (2 * QUEUE + 2));
        let mut to_workers = Vec::with_capacity(threads);
        let mut from_workers = Vec::with_capacity(threads);
        let mut back_to_workers = Vec::with_capacity(threads);
        for (i, parser) in parsers.into_iter().enumerate() {
            let (tx, rx) = sync_channel::<Chunk>(QUEUE);
            let (done_tx, done_rx) = sync_channel::<Done>(QUEUE);
            let (back_tx, back_rx) = sync_channel::<Returned>(QUEUE + 1);
            to_workers.push(tx);
            from_workers.push(done_rx);
            back_to_workers.push(back_tx);
            let spare = Spare { back: back_rx };
            thread::Builder::new()
                .name(format!("simulate-{i}"))
                .spawn_scoped(scope, move || {
                    work(
                        plan, options, app, output, checker, parser, rx, done_tx, spare,
                    );
                })?;
        }
        thread::Builder::new()
            .name("read-users".into())
            .spawn_scoped(scope, move || read(users, seeded, to_workers, spare_rx))?;
        write(
            &from_workers,
            spare_tx,
            &back_to_workers,
            out,
            events,
            checks,
        )
    })
}

/// The reader thread: cuts the input into chunks and deals them to the workers in turn (also
/// the reader of [`super::fold`]).
///
/// JSON Lines are read a block at a time straight into the chunk's buffer
/// ([`UserReader::next_lines`]), which is kept at its full length between chunks so that it is
/// never zeroed again; only `used` bytes of it are the chunk's. Anything else goes user by user
/// through [`UserReader::next_raw`].
pub(super) fn read(
    mut users: UserReader,
    seeded: bool,
    to_workers: Vec<SyncSender<Chunk>>,
    spare: Receiver<Vec<u8>>,
) {
    let mut n = 0u64;
    for k in 0.. {
        let mut chunk = Chunk {
            data: spare
                .try_recv()
                .unwrap_or_else(|_| Vec::with_capacity(CHUNK_CAPACITY)),
            users: Vec::with_capacity(CHUNK_USERS),
            first_n: n,
        };
        let mut used = 0;
        let mut end = false;
        while chunk.users.len() < CHUNK_USERS && used < CHUNK_BYTES {
            if !seeded && users.reads_lines() {
                if chunk.data.len() < CHUNK_CAPACITY {
                    chunk.data.resize(CHUNK_CAPACITY, 0);
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
                end = true;
                break;
            };
            if let RawUser::Ready(item) = &raw {
                match &**item {
                    Ok(_) => n += 1,
                    Err(e) => end |= e.fatal,
                }
            }
            chunk.users.push(raw);
            if end {
                break;
            }
        }
        if !chunk.users.is_empty() && to_workers[k % to_workers.len()].send(chunk).is_err() {
            return;
        }
        if end {
            return;
        }
    }
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

/// A worker thread: parses, evaluates and renders chunks until the reader has no more.
#[allow(clippy::too_many_arguments)]
fn work(
    plan: &Plan,
    options: &Options,
    app: &App,
    output: Output,
    checker: Option<&Checker>,
    mut parser: Parser,
    chunks: Receiver<Chunk>,
    done: SyncSender<Done>,
    spare: Spare,
) {
    for chunk in chunks {
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
            out,
            summary: Summary::default(),
            reports: Vec::new(),
            stop: false,
            data: Vec::new(),
            checks,
        };
        let mut n = chunk.first_n;
        each_user(chunk.users, &chunk.data, &mut parser, |item, parser| {
            one(
                plan,
                options,
                app,
                output,
                checker,
                parser,
                item,
                &mut n,
                &mut result,
            );
            !result.stop
        });
        result.data = chunk.data;
        if done.send(result).is_err() {
            return;
        }
    }
}

/// One user of a chunk, as [`super::cycle`] handles it.
#[allow(clippy::too_many_arguments)]
fn one(
    plan: &Plan,
    options: &Options,
    app: &App,
    output: Output,
    checker: Option<&Checker>,
    parser: &mut Parser,
    item: Item,
    n: &mut u64,
    done: &mut Done,
) {
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
    let (read, evaluated, result) = step(plan, options, 1, *n, app, position, &mut user, false);
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
    render(output, plan, options.mode, &p, &mut done.out);
    if let Some(c) = checker {
        violations::user_check(plan, c, &p, &mut done.checks);
    }
    drop(evaluated);
    parser.recycle(user);
}

/// The calling thread: takes the workers' chunks back in order, writes them and reports.
fn write(
    from_workers: &[Receiver<Done>],
    spare: SyncSender<Vec<u8>>,
    back: &[SyncSender<Returned>],
    out: &mut dyn Write,
    events: &mut dyn FnMut(Event<'_>),
    mut checks: Option<&mut Checks<'_>>,
) -> io::Result<Summary> {
    let mut summary = Summary::default();
    for k in 0.. {
        let Ok(mut done) = from_workers[k % from_workers.len()].recv() else {
            break;
        };
        out.write_all(&done.out)?;
        if let Some(c) = checks.as_deref_mut() {
            c.settle(&done.checks, out)?;
        }
        let _ = back[k % back.len()].try_send(Returned {
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
        let before = summary.read / PROGRESS_EVERY;
        summary.add(&done.summary);
        for p in before + 1..=summary.read / PROGRESS_EVERY {
            events(Event::Progress(p * PROGRESS_EVERY));
        }
        // Not cleared: the reader keeps a buffer at its full length (see [`read`]).
        let _ = spare.try_send(std::mem::take(&mut done.data));
        if done.stop {
            break;
        }
    }
    Ok(summary)
}
