//! Reading users on all cores for callers that tally rather than print (`entramap diff`).
//!
//! The workers cut the input into chunks as [`super::parallel`]'s do (a shared
//! [`Source`]); each hands every user of its chunks to a [`Fold`] and keeps one tally per
//! chunk; the calling thread takes the tallies back in chunk order and merges them, so a tally
//! that keeps "the first few examples" keeps the same ones whatever the number of threads.

use super::parallel::{self, QUEUE, Source, StopOnDrop, StopOnPanic};
use super::users::{InputError, Item, Parser, Position, UserReader, UserRecord};
use super::{Event, PROGRESS_EVERY};
use std::convert::Infallible;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread;

/// What is done with each user, and how tallies combine.
pub trait Fold: Sync {
    /// What one run (or one chunk of it) counts.
    type Tally: Send + Default;
    /// Handles one user. `n` counts the users read so far, this one included (it seeds
    /// `Guid()`); the user's memory is recycled afterwards.
    fn user(&self, position: Position, user: &mut UserRecord, n: u64, tally: &mut Self::Tally);
    /// Adds `later` (the users after those of `into`) to `into`.
    fn merge(&self, into: &mut Self::Tally, later: Self::Tally);
}

/// The users read, and those that could not be.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub read: u64,
    /// Lines or elements that could not be read (each reported as [`Event::BadInput`]).
    pub errors: u64,
}

/// Runs `fold` over every user, keeping only the attributes named in `reads`. With
/// `threads` ≤ 1 it runs on this thread, streaming. `seeded`: whether `n` must count users
/// exactly (the reader then parses users itself, as simulate does for `Guid()`).
pub fn fold_users<F: Fold>(
    fold: &F,
    users: UserReader,
    reads: &[String],
    seeded: bool,
    threads: usize,
    events: &mut dyn FnMut(Event<'_>),
) -> (F::Tally, Counts) {
    let users = users.only(reads.iter().map(String::as_str));
    if threads <= 1 {
        return one_thread(fold, users, events);
    }
    let parsers: Vec<Parser> = (0..threads).map(|_| users.parser()).collect();
    let source = Source::new(users, seeded, threads);
    let source = &source;
    thread::scope(|scope| {
        let _stop = StopOnDrop(source);
        let (done_tx, done_rx) = sync_channel::<Done<F::Tally>>(threads * (QUEUE + 1));
        for parser in parsers {
            let done = done_tx.clone();
            scope.spawn(move || work(fold, source, parser, done));
        }
        drop(done_tx);
        collect(fold, source, done_rx, events)
    })
}

fn one_thread<F: Fold>(
    fold: &F,
    mut users: UserReader,
    events: &mut dyn FnMut(Event<'_>),
) -> (F::Tally, Counts) {
    let mut tally = F::Tally::default();
    let mut counts = Counts::default();
    while let Some(item) = users.next() {
        match item {
            Ok((position, mut user)) => {
                counts.read += 1;
                if counts.read.is_multiple_of(PROGRESS_EVERY) {
                    events(Event::Progress(counts.read));
                }
                fold.user(position, &mut user, counts.read, &mut tally);
                users.recycle(user);
            }
            Err(e) => {
                counts.errors += 1;
                events(Event::BadInput(&e));
                if e.fatal {
                    break;
                }
            }
        }
    }
    (tally, counts)
}

/// What a worker made of one chunk.
struct Done<T> {
    /// The chunk's number.
    k: u64,
    tally: T,
    counts: Counts,
    bad: Vec<InputError>,
    stop: bool,
}

fn work<F: Fold>(fold: &F, source: &Source, mut parser: Parser, done: SyncSender<Done<F::Tally>>) {
    let _stop = StopOnPanic(source);
    let mut data = Vec::new();
    while let Some(chunk) = source.next(std::mem::take(&mut data)) {
        let mut result = Done {
            k: chunk.k,
            tally: F::Tally::default(),
            counts: Counts::default(),
            bad: Vec::new(),
            stop: false,
        };
        let mut n = chunk.first_n;
        let mut one = |item: Item, parser: &mut Parser, result: &mut Done<F::Tally>| match item {
            Ok((position, mut user)) => {
                n += 1;
                result.counts.read += 1;
                fold.user(position, &mut user, n, &mut result.tally);
                parser.recycle(user);
            }
            Err(e) => {
                result.counts.errors += 1;
                result.stop |= e.fatal;
                result.bad.push(e);
            }
        };
        parallel::each_user(chunk.users, &chunk.data, &mut parser, |item, parser| {
            one(item, parser, &mut result);
            !result.stop
        });
        data = chunk.data;
        if done.send(result).is_err() {
            return;
        }
    }
}

fn collect<F: Fold>(
    fold: &F,
    source: &Source,
    from_workers: Receiver<Done<F::Tally>>,
    events: &mut dyn FnMut(Event<'_>),
) -> (F::Tally, Counts) {
    let mut tally = F::Tally::default();
    let mut counts = Counts::default();
    let merged: Result<(), Infallible> = source.in_order(
        from_workers,
        |done| done.k,
        |mut done| {
            for e in &done.bad {
                events(Event::BadInput(e));
            }
            let before = counts.read;
            counts.read += done.counts.read;
            counts.errors += done.counts.errors;
            parallel::progress(events, before, counts.read);
            fold.merge(&mut tally, std::mem::take(&mut done.tally));
            Ok(!done.stop)
        },
    );
    let Ok(()) = merged;
    (tally, counts)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Keeps the order users were seen in.
    struct Order;

    impl Fold for Order {
        type Tally = Vec<u64>;
        fn user(&self, _: Position, _: &mut UserRecord, n: u64, tally: &mut Vec<u64>) {
            tally.push(n);
        }
        fn merge(&self, into: &mut Vec<u64>, later: Vec<u64>) {
            into.extend(later);
        }
    }

    #[test]
    fn chunks_merge_in_input_order_on_any_number_of_threads() {
        let text: String = (0..5000)
            .map(|i| format!("{{\"id\": \"u{i}\"}}\n"))
            .collect();
        let want: Vec<u64> = (1..=5000).collect();
        for threads in [1, 2, 3] {
            let run = |seeded| {
                fold_users(
                    &Order,
                    UserReader::from_text(&text),
                    &[],
                    seeded,
                    threads,
                    &mut |_| {},
                )
            };
            let (order, counts) = run(true);
            assert_eq!(counts.read, 5000, "threads {threads}");
            assert_eq!(order, want, "threads {threads}");
            // Not seeded, `n` counts within each chunk only; the chunks' tallies still merge
            // in input order, each chunk's counts starting from 1.
            let (order, counts) = run(false);
            assert_eq!(counts.read, 5000, "threads {threads}");
            assert_eq!(order.len(), 5000);
            if threads > 1 {
                let restarts = order.windows(2).filter(|w| w[1] != w[0] + 1).count();
                assert_eq!(restarts, 5000 / parallel::CHUNK_USERS, "threads {threads}");
            }
        }
    }

    /// Panics at one user.
    struct Boom;

    impl Fold for Boom {
        type Tally = u64;
        fn user(&self, _: Position, _: &mut UserRecord, n: u64, tally: &mut u64) {
            assert_ne!(n, 3_000, "boom");
            *tally += 1;
        }
        fn merge(&self, into: &mut u64, later: u64) {
            *into += later;
        }
    }

    /// A worker that panics stops the input, so the others do not wait for room its chunk
    /// will never free, and the panic comes out of the run instead of a hang.
    #[test]
    fn a_worker_that_panics_ends_the_run_with_its_panic() {
        let text: String = (0..30_000)
            .map(|i| format!("{{\"id\": \"u{i}\"}}\n"))
            .collect();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let run = std::panic::catch_unwind(|| {
                fold_users(
                    &Boom,
                    UserReader::from_text(&text),
                    &[],
                    true,
                    2,
                    &mut |_| {},
                )
            });
            let _ = tx.send(run.is_err());
        });
        let panicked = rx.recv_timeout(std::time::Duration::from_secs(60));
        assert_eq!(panicked, Ok(true), "the run hung or did not panic");
    }
}
