//! `entramap logs`: what Entra did, from its provisioning logs and on-demand results.

use super::{CmdResult, Failure, MappingRead, read_mapping_file, render, write_stdout};
use crate::logs::connect::MappingContext;
use crate::logs::ondemand::{self, OnDemandReport, Verdict};
use crate::logs::read::{Item, OnDemandResult};
use crate::logs::report::{MappingRef, Report};
use crate::logs::{self, Event};
use crate::mapping::{self, MappingFile};
use crate::profile::Profile;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogsFormat {
    /// A report for people.
    Human,
    /// The report as JSON (versioned: `version` is 1).
    Json,
    /// The report as Markdown (for a ticket or a pull request).
    Markdown,
}

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  entramap logs fixtures/logs/repeated-causes.json
  entramap logs downloads/                      # every .json/.jsonl/.csv file in the folder
  entramap logs page1.json page2.json --mapping export.json --profile unleash
  entramap logs --on-demand response.json --mapping export.json

Inputs: Graph pages of GET /auditLogs/provisioning ({\"value\": [...]}), the portal's JSON
download (an array), JSON Lines of events, the portal's CSV download (ProvisioningLogs,
ProvisioningLogs_ProvisioningSteps and ProvisioningLogs_ModifiedProperties, joined on the change
ID), and provisionOnDemand responses; v1.0 and beta field names. JSON is streamed.

A repeated update is a user and attribute updated in two or more cycles; its cause is one of
target-drops-value, case-drift, type-drift, order-drift, reference-not-echoed, value-changes,
target-alters-value, unexplained.

Exit codes: 0 no failures and no repeated updates (with --on-demand: the local mapping agrees
with the response), 1 otherwise, 2 bad usage or input that cannot be read.")]
pub struct LogsArgs {
    /// Log files or folders (`-` reads standard input as JSON).
    #[arg(value_name = "FILE", required_unless_present = "on_demand")]
    pub files: Vec<String>,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = LogsFormat::Human)]
    pub format: LogsFormat,
    /// The mapping file (Graph schema JSON or entramap YAML): each repeated attribute and error
    /// names the mapping that writes it.
    #[arg(long, short, value_name = "FILE")]
    pub mapping: Option<String>,
    /// The target app's profile (`unleash` or a YAML file): calls out updated targets the app
    /// does not persist. Needs --mapping.
    #[arg(long, value_name = "NAME|PATH", requires = "mapping")]
    pub profile: Option<String>,
    /// A provisionOnDemand response: evaluate the local mapping with the import step's values
    /// and compare with the target's values. Needs --mapping.
    #[arg(
        long,
        value_name = "RESPONSE.json",
        requires = "mapping",
        conflicts_with = "files"
    )]
    pub on_demand: Option<String>,
    /// The time Now() returns with --on-demand, RFC 3339 (default: the response's start time).
    #[arg(long, value_name = "RFC3339")]
    pub now: Option<String>,
}

struct LoadedMapping {
    path: String,
    text: String,
    file: MappingFile,
}

fn load_mapping(path: &str) -> Result<LoadedMapping, Failure> {
    let (text, error, shown) = match read_mapping_file(path)? {
        MappingRead::Text { text, .. } => match mapping::load(&text) {
            Ok(file) => {
                return Ok(LoadedMapping {
                    path: path.to_string(),
                    text,
                    file,
                });
            }
            Err(e) => (text.clone(), e, text),
        },
        MappingRead::Bad { error, shown } => (String::new(), error, shown),
    };
    let _ = text;
    super::eprint_text(&render::human(
        &error.to_diagnostic(),
        path,
        &shown,
        render::stderr_color(),
    ));
    Err(Failure(String::new()))
}

pub fn cmd_logs(args: LogsArgs) -> CmdResult {
    let mapping = args.mapping.as_deref().map(load_mapping).transpose()?;
    let profile = match &args.profile {
        Some(p) => Some(Profile::resolve(p)?),
        None => None,
    };
    if let Some(path) = &args.on_demand {
        let Some(m) = &mapping else {
            return Err(Failure("--on-demand needs --mapping FILE".into()));
        };
        return on_demand(&args, path, m, profile.as_ref());
    }
    let paths = logs::expand(&args.files).map_err(|e| Failure(e.to_string()))?;
    let mut report = logs::summarise(&paths).map_err(|e| Failure(e.to_string()))?;
    if let Some(m) = &mapping {
        MappingContext {
            file: &m.file,
            path: &m.path,
            text: &m.text,
            profile: profile.as_ref(),
        }
        .apply(&mut report);
    }
    let out = match args.format {
        LogsFormat::Json => serde_json::to_string_pretty(&report)? + "\n",
        LogsFormat::Human => human(&report),
        LogsFormat::Markdown => markdown(&report),
    };
    write_stdout(&out)?;
    Ok(if report.has_findings() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn on_demand(
    args: &LogsArgs,
    path: &str,
    m: &LoadedMapping,
    profile: Option<&Profile>,
) -> CmdResult {
    let mut event: Option<Event> = None;
    let mut result = OnDemandResult::default();
    logs::read_all(&[PathBuf::from(path)], &mut |item| match item {
        Item::Event(e) => {
            if event.is_none() {
                event = Some(*e);
            }
        }
        Item::OnDemand(r) => result = r,
    })
    .map_err(|e| Failure(e.to_string()))?;
    let Some(event) = event else {
        return Err(Failure(format!(
            "{path}: no provisioning event found; expected a provisionOnDemand response ({{\"key\": \"…\", \"value\": \"…\"}})"
        )));
    };
    let now = match args.now.as_deref().or(event.time.as_deref()) {
        Some(t) => t
            .parse::<jiff::Timestamp>()
            .map_err(|e| Failure(format!("the time {t:?} is not RFC 3339: {e}")))?,
        None => jiff::Timestamp::now(),
    };
    let ctx = MappingContext {
        file: &m.file,
        path: &m.path,
        text: &m.text,
        profile,
    };
    let report = ondemand::replay(&event, &result, &ctx, now);
    let out = match args.format {
        LogsFormat::Json => serde_json::to_string_pretty(&report)? + "\n",
        LogsFormat::Human => on_demand_text(&report, &m.path, false),
        LogsFormat::Markdown => on_demand_text(&report, &m.path, true),
    };
    write_stdout(&out)?;
    Ok(if report.has_findings() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn opt(v: &Option<String>) -> String {
    v.as_ref()
        .map_or("(none)".to_string(), |s| format!("{s:?}"))
}

fn on_demand_text(r: &OnDemandReport, path: &str, md: bool) -> String {
    let mut out = String::new();
    let h = if md { "## " } else { "" };
    let _ = writeln!(
        out,
        "{h}On-demand run for {}: Entra's result {}{}, action {}",
        if r.user.is_empty() {
            "(unnamed user)"
        } else {
            &r.user
        },
        r.result.as_deref().unwrap_or("(none)"),
        r.result_code
            .as_deref()
            .map(|c| format!(" ({c})"))
            .unwrap_or_default(),
        r.action
    );
    out.push('\n');
    let bullet = if md { "- " } else { "  " };
    for p in &r.predictions {
        let what = match p.verdict {
            Verdict::Send => format!("send {} → {}", opt(&p.current), opt(&p.local)),
            Verdict::Redundant => format!("redundant ({})", opt(&p.local)),
            Verdict::NoValue => "nothing to send".to_string(),
            Verdict::CreateOnly => "not sent (create only)".to_string(),
            Verdict::Error => "cannot evaluate".to_string(),
        };
        let _ = writeln!(
            out,
            "{bullet}{}  {path}:{}:{}  {what}: {}",
            p.target, p.line, p.column, p.why
        );
        if p.differs_from_log {
            let _ = writeln!(
                out,
                "{bullet}  differs from the log: Entra sent {}; the mapping in the tenant is not this file",
                match &p.entra_sent {
                    Some(v) => format!("{v:?}"),
                    None => "nothing".to_string(),
                }
            );
        }
    }
    out.push('\n');
    let sends = r
        .predictions
        .iter()
        .filter(|p| p.verdict == Verdict::Send)
        .count();
    let _ = writeln!(
        out,
        "{sends} attribute{} would be sent now; {} differ{} from what the response shows Entra did.",
        if sends == 1 { "" } else { "s" },
        r.differs.len(),
        if r.differs.len() == 1 { "s" } else { "" }
    );
    out
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn counts(map: &std::collections::BTreeMap<&'static str, u64>) -> String {
    map.iter()
        .map(|(k, v)| format!("{k} {v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn mapping_line(m: &MappingRef) -> String {
    format!(
        "{}:{}:{} ({}): {}",
        m.file, m.line, m.column, m.target, m.advice
    )
}

fn human(r: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} over {} in {}: {}, {}.",
        plural(r.events, "event", "events"),
        plural(r.users, "user", "users"),
        plural(r.cycles.len() as u64, "cycle", "cycles"),
        plural(r.failures, "failure", "failures"),
        plural(r.repeated_pairs, "repeated update", "repeated updates"),
    );
    out.push_str("\nCycles\n");
    for c in &r.cycles {
        let _ = writeln!(
            out,
            "  {}  {}{}  {} · actions: {} · statuses: {}",
            if c.cycle_id.is_empty() {
                "(no cycle id)"
            } else {
                &c.cycle_id
            },
            c.first.as_deref().unwrap_or("(no time)"),
            c.duration_seconds
                .map(|d| format!(" +{d}s"))
                .unwrap_or_default(),
            plural(c.users, "user", "users"),
            counts(&c.actions),
            counts(&c.statuses),
        );
    }
    if !r.errors.is_empty() {
        out.push_str("\nErrors\n");
        for e in &r.errors {
            let doc = match e.documented_as {
                Some(d) if d != e.code => format!(" (documented as {d})"),
                Some(_) => String::new(),
                None => " (not in Microsoft's error-code table)".to_string(),
            };
            let _ = writeln!(
                out,
                "  {}{doc}: {}, {}: {}{}",
                e.code,
                plural(e.events, "event", "events"),
                plural(e.users, "user", "users"),
                e.examples.join(", "),
                match e.users.saturating_sub(e.examples.len() as u64) {
                    0 => String::new(),
                    more => format!(" and {more} more"),
                }
            );
            if let Some(m) = e.meaning {
                let _ = writeln!(out, "    meaning: {m}");
            }
            if let Some(m) = e.remedy {
                let _ = writeln!(out, "    remedy: {m}");
            }
            for m in &e.mappings {
                let _ = writeln!(out, "    mapping: {}", mapping_line(m));
            }
        }
    }
    if !r.repeated.is_empty() {
        out.push_str("\nRepeated updates\n");
        for g in &r.repeated {
            let more = g.users.saturating_sub(g.examples.len() as u64);
            let _ = writeln!(
                out,
                "  {}  {}  {}, up to {} cycles: {}{}",
                g.attribute,
                g.cause.name(),
                plural(g.users, "user", "users"),
                g.max_cycles,
                g.examples
                    .iter()
                    .map(|x| x.user.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                }
            );
            let _ = writeln!(out, "    why: {}", g.explanation);
            if let Some(m) = &g.mapping {
                let _ = writeln!(out, "    mapping: {}", mapping_line(m));
            }
        }
    }
    if !r.not_persisted.is_empty() {
        let _ = writeln!(
            out,
            "\nUpdated targets the profile says the app does not persist: {}",
            r.not_persisted.join(", ")
        );
    }
    if !r.skips.is_empty() {
        out.push_str("\nSkips\n");
        for s in &r.skips {
            let _ = writeln!(
                out,
                "  {}: {}: {} ({})",
                s.reason,
                plural(s.events, "event", "events"),
                s.explanation,
                s.examples.join(", ")
            );
        }
    }
    out
}

fn md_cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn markdown(r: &Report) -> String {
    let mut out = String::from("# Provisioning log report\n\n");
    let _ = writeln!(
        out,
        "{} over {} in {}: {}, {}.\n",
        plural(r.events, "event", "events"),
        plural(r.users, "user", "users"),
        plural(r.cycles.len() as u64, "cycle", "cycles"),
        plural(r.failures, "failure", "failures"),
        plural(r.repeated_pairs, "repeated update", "repeated updates"),
    );
    out.push_str("## Cycles\n\n| cycle | first event | duration (s) | users | actions | statuses |\n|---|---|---|---|---|---|\n");
    for c in &r.cycles {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            md_cell(&c.cycle_id),
            c.first.as_deref().unwrap_or(""),
            c.duration_seconds
                .map(|d| d.to_string())
                .unwrap_or_default(),
            c.users,
            counts(&c.actions),
            counts(&c.statuses)
        );
    }
    if !r.errors.is_empty() {
        out.push_str("\n## Errors\n\n| code | events | users | meaning | remedy | mapping |\n|---|---|---|---|---|---|\n");
        for e in &r.errors {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} |",
                md_cell(&e.code),
                e.events,
                e.users,
                md_cell(e.meaning.unwrap_or("")),
                md_cell(e.remedy.unwrap_or("")),
                md_cell(
                    &e.mappings
                        .iter()
                        .map(|m| format!("{}:{}:{}", m.file, m.line, m.column))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            );
        }
    }
    if !r.repeated.is_empty() {
        out.push_str("\n## Repeated updates\n\n| attribute | cause | users | max cycles | examples | mapping |\n|---|---|---|---|---|---|\n");
        for g in &r.repeated {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} |",
                md_cell(&g.attribute),
                g.cause.name(),
                g.users,
                g.max_cycles,
                md_cell(
                    &g.examples
                        .iter()
                        .map(|x| x.user.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                g.mapping
                    .as_ref()
                    .map(|m| md_cell(&mapping_line(m)))
                    .unwrap_or_default()
            );
        }
    }
    if !r.skips.is_empty() {
        out.push_str("\n## Skips\n\n| reason | events | explanation |\n|---|---|---|\n");
        for s in &r.skips {
            let _ = writeln!(
                out,
                "| {} | {} | {} |",
                s.reason,
                s.events,
                md_cell(s.explanation)
            );
        }
    }
    out
}
