//! Writes generated provisioning-log events (Graph `provisioningObjectSummary`, one per line)
//! for measuring `entramap logs` on large inputs:
//!
//! ```text
//! cargo bench --bench gen_logs -- 1000000 100000 target/logs-1m.jsonl
//! /usr/bin/time -v target/release/entramap logs --format json target/logs-1m.jsonl
//! ```
//!
//! COUNT events over USERS users, in cycles of USERS events each (so 1M events over 100k users
//! are 10 cycles). Each user is updated with two attributes per cycle: one whose value changes
//! every cycle (value-changes) and one the target holds in other case (case-drift); every 50th
//! event is a failure and every 20th a skip. Without a count it prints this usage and does
//! nothing (so `cargo bench` stays quick).

use std::io::{BufWriter, Write};

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let (Some(count), Some(users)) = (
        args.first().and_then(|s| s.parse::<u64>().ok()),
        args.get(1)
            .and_then(|s| s.parse::<u64>().ok())
            .filter(|u| *u > 0),
    ) else {
        eprintln!("usage: cargo bench --bench gen_logs -- COUNT USERS [PATH]");
        return;
    };
    let path = args.get(2).map_or("target/logs.jsonl", String::as_str);
    let file = std::fs::File::create(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut out = BufWriter::with_capacity(1 << 20, file);
    for i in 0..count {
        let user = i % users;
        let cycle = i / users;
        let minute = cycle * 40 + (user * 40 / users);
        let time = format!(
            "2026-11-{:02}T{:02}:{:02}:{:02}Z",
            1 + minute / 1440,
            minute / 60 % 24,
            minute % 60,
            user % 60
        );
        let (action, status, error, modified) = if i % 50 == 49 {
            (
                "update",
                "failure",
                r#"{"errorCode":"Timeout","reason":"The target did not answer in time.","errorCategory":"nonServiceFailure"}"#.to_string(),
                String::new(),
            )
        } else if i % 20 == 19 {
            ("other", "skipped", "null".to_string(), String::new())
        } else {
            (
                "update",
                "success",
                "null".to_string(),
                format!(
                    r#"{{"displayName":"employeeNumber","oldValue":"{}-{}","newValue":"{}-{}"}},{{"displayName":"displayName","oldValue":"user {user}","newValue":"User {user}"}}"#,
                    user,
                    cycle.saturating_sub(1),
                    user,
                    cycle
                ),
            )
        };
        writeln!(
            out,
            r#"{{"id":"e{i}","activityDateTime":"{time}","jobId":"scim.0000.job","cycleId":"cycle-{cycle}","changeId":"chg-{i}","provisioningAction":"{action}","durationInMilliseconds":120,"provisioningStatusInfo":{{"status":"{status}","errorInformation":{error}}},"provisioningSteps":[{{"name":"EntryImport","provisioningStepType":"import","status":"success","description":"Retrieved User","details":{{}}}},{{"name":"EntrySynchronizationScoping","provisioningStepType":"scoping","status":"success","description":"Scoping","details":{{"Assigned":"True","IsActive":"True"}}}},{{"name":"EntryImportByMatch","provisioningStepType":"matching","status":"success","description":"Matched","details":{{"userName":"user{user}@contoso.com"}}}}],"modifiedProperties":[{modified}],"sourceIdentity":{{"id":"u{user}","displayName":"user{user}@contoso.com","identityType":"User","details":{{}}}}}}"#
        )
        .expect("write events");
    }
    out.flush().expect("write events");
    eprintln!("wrote {count} events over {users} users to {path}");
}
