//! Reading users on all cores for callers that tally rather than print (`entramap diff`).
//!
//! The same reader thread as [`super::parallel`] cuts the input into chunks; each worker hands
//! every user of its chunks to a [`Fold`] and keeps one tally per chunk; the calling thread
//! takes the tallies back in chunk order and merges them, so a tally that keeps "the first few
//! examples" keeps the same ones whatever the number of threads.

use super::parallel::{self, Chunk, QUEUE};
use super::users::{InputError, Item, Parser, Position, UserReader, UserRecord};
use super::{Event, PROGRESS_EVERY};
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
    thread::scope(|scope| {
        let (spare_tx, spare_rx) = sync_channel::<Vec<u8>>(threads * (2 * QUEUE + 2));
        let mut to_workers = Vec::with_capacity(threads);
        let mut from_workers = Vec::with_capacity(threads);
        for parser in parsers {
            let (tx, rx) = sync_channel::<Chunk>(QUEUE);
            let (done_tx, done_rx) = sync_channel::<Done<F::Tally>>(QUEUE);
            to_workers.push(tx);
            from_workers.push(done_rx);
            scope.spawn(move || work(fold, parser, rx, done_tx));
        }
        scope.spawn(move || parallel::read(users, seeded, to_workers, spare_rx));
        collect(fold, &from_workers, spare_tx, events)
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
    tally: T,
    counts: Counts,
    bad: Vec<InputError>,
    stop: bool,
    data: Vec<u8>,
}

fn work<F: Fold>(
    fold: &F,
    mut parser: Parser,
    chunks: Receiver<Chunk>,
    done: SyncSender<Done<F::Tally>>,
) {
    for chunk in chunks {
        let mut result = Done {
            tally: F::Tally::default(),
            counts: Counts::default(),
            bad: Vec::new(),
            stop: false,
            data: Vec::new(),
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
        result.data = chunk.data;
        if done.send(result).is_err() {
            return;
        }
    }
}

fn collect<F: Fold>(
    fold: &F,
    from_workers: &[Receiver<Done<F::Tally>>],
    spare: SyncSender<Vec<u8>>,
    events: &mut dyn FnMut(Event<'_>),
) -> (F::Tally, Counts) {
    let mut tally = F::Tally::default();
    let mut counts = Counts::default();
    for k in 0.. {
        let Ok(mut done) = from_workers[k % from_workers.len()].recv() else {
            break;
        };
        for e in &done.bad {
            events(Event::BadInput(e));
        }
        let before = counts.read / PROGRESS_EVERY;
        counts.read += done.counts.read;
        counts.errors += done.counts.errors;
        for p in before + 1..=counts.read / PROGRESS_EVERY {
            events(Event::Progress(p * PROGRESS_EVERY));
        }
        fold.merge(&mut tally, std::mem::take(&mut done.tally));
        let _ = spare.try_send(std::mem::take(&mut done.data));
        if done.stop {
            break;
        }
    }
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
            let (order, counts) = fold_users(
                &Order,
                UserReader::from_text(&text),
                &[],
                true,
                threads,
                &mut |_| {},
            );
            assert_eq!(counts.read, 5000, "threads {threads}");
            assert_eq!(order, want, "threads {threads}");
        }
    }
}
