//! `entramap simulate --threads N`: the chunked pipeline writes the same bytes, in the same
//! order, with the same summary and the same reports as the one-thread streaming run, for every
//! input format, broken input, a target state, seeded functions and inputs of many chunks.

mod common;

#[path = "../benches/support/users.rs"]
mod generated;

use entramap::mapping;
use entramap::profile::ScimMode;
use entramap::simulate::app::{self, App};
use entramap::simulate::parallel::{CHUNK_BYTES, CHUNK_USERS, run_threads};
use entramap::simulate::requests::{Action, Method, Note};
use entramap::simulate::users::UserReader;
use entramap::simulate::{self, Detail, Event, Options, Output, Plan, Summary};
use std::path::PathBuf;

const NOW: &str = "2025-01-01T00:00:00Z";
const MAPPINGS: [&str; 5] = [
    "fixtures/mappings/scim-default-user.json",
    "fixtures/mappings/unleash-correct.json",
    "fixtures/mappings/unleash-seed.json",
    "fixtures/mappings/unleash-gallery-default.json",
    "fixtures/mappings/entramap-example.yaml",
];

fn path(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(rel)
}

fn plan_of(text: &str) -> Plan {
    Plan::new(&mapping::load(text).unwrap()).unwrap()
}

fn plan(rel: &str) -> Plan {
    plan_of(&std::fs::read_to_string(path(rel)).unwrap())
}

/// The options of every run here, and the app: empty, or loaded from a target state.
fn setup(plan: &Plan, target: Option<&str>, mode: ScimMode) -> (Options, App) {
    let options = Options {
        mode,
        now: NOW.parse().unwrap(),
        seed: 7,
    };
    let app = match target {
        Some(t) => app::load_target_state(plan, path(t).to_str().unwrap()).unwrap(),
        None => App::new(plan),
    };
    (options, app)
}

/// Output, summary and reports (stderr lines) of one run.
fn simulate(
    plan: &Plan,
    users: &[u8],
    target: Option<&str>,
    output: Output,
    mode: ScimMode,
    threads: usize,
) -> (Vec<u8>, Summary, Vec<String>) {
    let (options, mut app) = setup(plan, target, mode);
    let reader = UserReader::new(std::io::Cursor::new(users.to_vec()));
    let mut out = Vec::new();
    let mut reports = Vec::new();
    let mut events = |e: Event<'_>| {
        reports.push(match e {
            Event::BadInput(e) => format!("bad input: {e}"),
            Event::UserFailed { user, message } => format!("user {user}: {message}"),
            Event::Progress(n) => format!("progress {n}"),
        })
    };
    let summary = if threads == 0 {
        simulate::run(
            plan,
            &options,
            reader,
            &mut app,
            output,
            &mut out,
            &mut events,
        )
        .unwrap()
    } else {
        run_threads(
            plan,
            &options,
            reader,
            &mut app,
            output,
            threads,
            &mut out,
            &mut events,
        )
        .unwrap()
    };
    (out, summary, reports)
}

/// Every thread count gives what the streaming run gives.
fn same_for_all_threads(plan: &Plan, users: &[u8], target: Option<&str>, output: Output) {
    for mode in [ScimMode::Legacy, ScimMode::Compliant] {
        let (out, summary, reports) = simulate(plan, users, target, output, mode, 0);
        for threads in [1, 2, 3, 4] {
            let (o, s, r) = simulate(plan, users, target, output, mode, threads);
            assert!(
                o == out,
                "{threads} threads, {output:?}: the output differs ({} vs {} bytes)",
                o.len(),
                out.len()
            );
            assert_eq!(s, summary, "{threads} threads, {output:?}");
            assert_eq!(r, reports, "{threads} threads, {output:?}");
        }
    }
}

fn generated(n: usize) -> Vec<u8> {
    let mut out = Vec::new();
    generated::generate(n, 42, &mut out).unwrap();
    out
}

#[test]
fn fixture_users_in_every_format() {
    let graph = std::fs::read(path("fixtures/users/users.json")).unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&graph).unwrap();
    let list = doc["value"].as_array().unwrap();
    let array = serde_json::to_vec(list).unwrap();
    let mut lines = Vec::new();
    for u in list {
        lines.extend(serde_json::to_vec(u).unwrap());
        lines.push(b'\n');
    }
    let page_lines = format!(
        "{}\n{}\n",
        serde_json::json!({"value": list}),
        serde_json::json!({"value": []})
    );
    let broken = std::fs::read(path("fixtures/users/broken-line.jsonl")).unwrap();
    let yaml = b"- id: a\n  userPrincipalName: a@x\n  displayName: Y\n- id: b\n  accountEnabled: false\n  userPrincipalName: b@x\n- 3\n";
    for rel in MAPPINGS {
        let plan = plan(rel);
        for users in [
            &graph,
            &array,
            &lines,
            page_lines.as_bytes(),
            &broken,
            &yaml[..],
        ] {
            for output in [Output::Resources, Output::Requests] {
                same_for_all_threads(&plan, users, None, output);
                same_for_all_threads(
                    &plan,
                    users,
                    Some("fixtures/users/target-state.jsonl"),
                    output,
                );
            }
        }
    }
}

#[test]
fn twenty_thousand_generated_users() {
    let users = generated(20_000);
    const { assert!(20_000 > 4 * CHUNK_USERS) };
    for rel in MAPPINGS {
        let plan = plan(rel);
        for output in [Output::Resources, Output::Requests] {
            same_for_all_threads(&plan, &users, None, output);
        }
    }
}

/// The same JSON with the first ASCII letter of every string (keys too) written as a `\u`
/// escape, which the hand-written fast path of the users reader leaves to serde.
fn escaped(json: &str) -> String {
    let (mut out, mut in_string, mut done, mut after_backslash) =
        (String::new(), false, false, false);
    for c in json.chars() {
        if !in_string {
            in_string = c == '"';
            done = false;
            out.push(c);
        } else if after_backslash {
            after_backslash = false;
            out.push(c);
        } else if c == '\\' || c == '"' || done || !c.is_ascii_alphabetic() {
            after_backslash = c == '\\';
            in_string = c != '"';
            out.push(c);
        } else {
            out.push_str(&format!("\\u{:04x}", c as u32));
            done = true;
        }
    }
    out
}

#[test]
fn users_read_by_the_fast_path_and_by_serde_give_the_same_bytes() {
    // Every user of `plain` is read by the fast path; every user of `escaped` by serde (an
    // escape in every string); `mixed` alternates, so that the keys the fast path remembers
    // come and go. All three must give the same output, summary and reports, on one thread
    // and on two.
    let plain = String::from_utf8(generated(3_000)).unwrap();
    let escaped_users: String = plain.lines().map(|l| escaped(l) + "\n").collect();
    let mixed: String = plain
        .lines()
        .enumerate()
        .map(|(i, l)| if i % 3 == 1 { escaped(l) } else { l.to_string() } + "\n")
        .collect();
    assert_ne!(plain, escaped_users);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(plain.lines().next().unwrap()).unwrap(),
        serde_json::from_str::<serde_json::Value>(escaped_users.lines().next().unwrap()).unwrap()
    );
    for rel in MAPPINGS {
        let plan = plan(rel);
        for output in [Output::Resources, Output::Requests] {
            for threads in [0, 2] {
                let run = |users: &str| {
                    simulate(
                        &plan,
                        users.as_bytes(),
                        None,
                        output,
                        ScimMode::Compliant,
                        threads,
                    )
                };
                let want = run(&plain);
                assert!(!want.0.is_empty(), "{rel}");
                assert!(
                    run(&escaped_users) == want,
                    "{rel} {output:?} {threads}: escaped"
                );
                assert!(run(&mixed) == want, "{rel} {output:?} {threads}: mixed");
            }
        }
    }
}

#[test]
fn broken_lines_across_chunks_and_a_fatal_end() {
    let mut users = Vec::new();
    for (i, line) in generated(5_000)
        .split_inclusive(|&b| b == b'\n')
        .enumerate()
    {
        users.extend_from_slice(line);
        match i % 700 {
            3 => users.extend_from_slice(b"{\"id\": broken\n"),
            5 => users.extend_from_slice(b"\n   \n"),
            9 => users.extend_from_slice(
                b"{\"value\": [{\"id\": \"p1\", \"userPrincipalName\": \"p1@x\"}, 3]}\n",
            ),
            11 => users.extend_from_slice(b"{\"id\": \"no-upn\"}\n"),
            _ => {}
        }
    }
    let plan = plan("fixtures/mappings/unleash-correct.json");
    same_for_all_threads(&plan, &users, None, Output::Requests);
    // A JSON array cut short: a fatal error ends the input.
    let mut array = b"[".to_vec();
    for line in generated(3_000)
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
    {
        array.extend_from_slice(line);
        array.push(b',');
    }
    array.extend_from_slice(b"{\"id\": \"x");
    same_for_all_threads(&plan, &array, None, Output::Resources);
}

/// What a cycle gives for each user, as far as `--output resources` reads it: the action, each
/// mapping's note, the POST bodies, and the name of a user that failed.
type Seen = (Action, Vec<Note>, Vec<Vec<u8>>, Option<String>);

fn cycle_as_seen(
    plan: &Plan,
    users: &[u8],
    target: Option<&str>,
    mode: ScimMode,
    detail: Detail,
) -> (Vec<Seen>, usize) {
    let (options, mut app) = setup(plan, target, mode);
    let mut seen = Vec::new();
    let mut gets = 0;
    simulate::cycle(
        plan,
        &options,
        1,
        UserReader::new(std::io::Cursor::new(users.to_vec())),
        &mut app,
        false,
        detail,
        &mut |p| {
            let r = p.result;
            gets += r
                .requests
                .iter()
                .filter(|q| q.method == Method::Get)
                .count();
            let posts = r.requests.iter().filter(|q| q.method == Method::Post);
            seen.push((
                r.action.clone(),
                r.notes.clone(),
                posts.map(|q| q.body_bytes().to_vec()).collect(),
                matches!(r.action, Action::Error(_)).then(|| r.user.clone()),
            ));
            Ok(())
        },
        &mut |_| {},
    )
    .unwrap();
    (seen, gets)
}

/// `--output resources` without value rules reads less of each user's cycle
/// (`Detail::Resources`: no matching queries written out, no name unless the user fails); what
/// it reads is what the plain path gives, for every shipped mapping, with and without a target
/// state, and for users that fail.
#[test]
fn the_resources_detail_is_the_plain_cycle_less_the_queries() {
    let mut users = generated(3_000);
    users.extend_from_slice(b"{\"id\": \"no-upn\", \"displayName\": \"N\"}\n{\"id\": broken\n");
    let mut failed = 0;
    for rel in MAPPINGS {
        let plan = plan(rel);
        for target in [None, Some("fixtures/users/target-state.jsonl")] {
            for mode in [ScimMode::Legacy, ScimMode::Compliant] {
                let (plain, gets) = cycle_as_seen(&plan, &users, target, mode, Detail::Requests);
                let (lean, no_gets) = cycle_as_seen(&plan, &users, target, mode, Detail::Resources);
                assert!(gets > 400, "{rel}: {gets} matching queries");
                assert_eq!(no_gets, 0, "{rel}");
                assert_eq!(plain.len(), lean.len(), "{rel}");
                for (a, b) in plain.iter().zip(&lean) {
                    assert_eq!(a, b, "{rel} {target:?} {mode:?}");
                }
                failed += plain.iter().filter(|s| s.3.is_some()).count();
            }
        }
    }
    // The user without a userPrincipalName cannot be matched (outside the example's scope).
    assert_eq!(failed, 4 * (MAPPINGS.len() - 1));
}

/// More blank lines than two chunks hold (lines of spaces, some only a line break), between
/// users and at the end: no chunk comes out empty, and the chunks after them keep their order.
#[test]
fn a_chunk_worth_of_blank_lines_keeps_the_order() {
    let users = generated(3_000);
    let lines: Vec<&[u8]> = users.split_inclusive(|&b| b == b'\n').collect();
    let mut blank = Vec::new();
    while blank.len() <= 5 * CHUNK_BYTES / 2 {
        blank.extend(std::iter::repeat_n(b' ', 4_000));
        blank.extend_from_slice(b"\n\n\n");
    }
    let mut text = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        text.extend_from_slice(line);
        if i == 1_000 || i == 2_000 {
            text.extend_from_slice(&blank);
        }
    }
    text.extend_from_slice(&blank);
    let plan = plan("fixtures/mappings/unleash-correct.json");
    same_for_all_threads(&plan, &text, None, Output::Requests);
}

#[test]
fn seeded_functions_count_users_as_one_thread_does() {
    let plan = plan_of(
        r#"[
  {"targetAttributeName": "userName", "matchingPriority": 1,
   "source": {"type": "Attribute", "name": "userPrincipalName", "expression": "[userPrincipalName]"}},
  {"targetAttributeName": "externalId",
   "source": {"type": "Function", "name": "Guid", "expression": "Guid()"}},
  {"targetAttributeName": "nickName",
   "source": {"type": "Function", "name": "RandomString", "expression": "RandomString(8, 1, 1, 1, 1, \"\")"}}
]"#,
    );
    assert!(plan.seeded());
    let mut users = generated(3_000);
    users.extend_from_slice(b"{\"id\": broken\n{\"value\": [{\"id\": \"a\", \"userPrincipalName\": \"a@x\"}, {\"id\": \"b\", \"userPrincipalName\": \"b@x\"}]}\n");
    users.extend(generated(2_000));
    same_for_all_threads(&plan, &users, None, Output::Resources);
}

#[test]
fn progress_is_reported_at_the_same_counts() {
    let users = generated(2 * simulate::PROGRESS_EVERY as usize + 10);
    let plan = plan("fixtures/mappings/unleash-correct.json");
    let (_, _, one) = simulate(&plan, &users, None, Output::Resources, ScimMode::Legacy, 0);
    let (_, _, two) = simulate(&plan, &users, None, Output::Resources, ScimMode::Legacy, 2);
    assert_eq!(one, two);
    assert_eq!(one, ["progress 65536", "progress 131072"]);
}

#[test]
fn cli_threads_give_the_same_bytes() {
    let dir = path("target/simulate-threads");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("users-20k.jsonl");
    std::fs::write(&file, generated(20_000)).unwrap();
    let file = file.to_str().unwrap();
    let run = |threads: &str, output: &str| {
        common::entramap()
            .args([
                "simulate",
                "-m",
                "fixtures/mappings/scim-default-user.json",
                "-u",
                file,
                "--now",
                NOW,
                "--output",
                output,
                "--threads",
                threads,
            ])
            .output()
            .unwrap()
    };
    for output in ["resources", "requests"] {
        let one = run("1", output);
        assert!(one.status.success());
        for threads in ["2", "5"] {
            let many = run(threads, output);
            assert_eq!(many.status.code(), one.status.code());
            assert!(
                many.stdout == one.stdout,
                "--threads {threads} --output {output}"
            );
            assert_eq!(many.stderr, one.stderr);
        }
    }
    let (code, _, stderr) = common::run_with(
        &[
            "simulate",
            "-m",
            "fixtures/mappings/unleash-correct.json",
            "-u",
            "-",
            "--threads",
            "0",
        ],
        "",
    );
    assert_eq!(code, 2, "{stderr}");
}
