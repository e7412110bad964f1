//! `entramap diff OLD NEW`: what a change to a mapping file changes, for review.

use super::{CmdResult, Failure, render};
use crate::diff::{self, behaviour};
use crate::mapping::{self, MappingFile};
use crate::profile::{Profile, ScimMode};
use crate::simulate::users::UserReader;
use crate::simulate::{self, Event, Plan};
use clap::ValueEnum;
use jiff::Timestamp;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  entramap diff live.json mapping.yaml                  # review a change before uploading it
  entramap diff fixtures/mappings/unleash-seed.json fixtures/mappings/unleash-correct.json
  entramap diff old.json new.json --format markdown > comment.md   # a pull-request comment
  entramap diff old.yaml new.yaml --users users.jsonl   # how many users' values change
  entramap diff old.yaml new.yaml --profile unleash --fail-on risk  # CI: fail only on risks

Either side may be Graph JSON (a schema export or any part of it) or entramap YAML. Object
mappings are paired by source and target object, attribute mappings by target name. Two files
are equivalent when they hold the same mappings after every expression is printed canonically,
whatever the key order, the format, and the order of the attribute mappings.

Structure: attribute mappings added, removed and changed (source as canonical text, flow type,
matching priority, default value), and each object mapping's enabled flag, actions and scope.

Risks and repairs (codes DF001-DF009): matching-changed, external-id-source-changed,
user-name-source-changed, active-stops-flowing / active-starts-flowing (active evaluated for
IsSoftDeleted and accountEnabled both ways, as the active lint rules do, in --scim-mode),
new-target-not-allowed (with --profile), scope-widened, scope-narrowed, scope-changed.

Behaviour, with --users: both mappings are evaluated for every user (streamed, on all cores, as
simulate does) and each target lists how many users' create request carries a different value,
with the first three (user: old → new), plus how many users enter or leave the scoping filter.

Exit codes (as diff(1)): 0 equivalent, 1 different (with --fail-on risk: only when a risk is
found), 2 bad usage, a file that does not load, unreadable users.")]
pub struct DiffArgs {
    /// The mapping before the change (Graph JSON or YAML; `-` for stdin).
    #[arg(value_name = "OLD")]
    pub old: String,
    /// The mapping after the change (Graph JSON or YAML; `-` for stdin).
    #[arg(value_name = "NEW")]
    pub new: String,
    /// How to print the report.
    #[arg(long, short, value_enum, default_value_t = DiffFormat::Human)]
    pub format: DiffFormat,
    /// What makes the exit code 1.
    #[arg(long, value_enum, default_value_t = FailOn::Change)]
    pub fail_on: FailOn,
    /// Users to evaluate both mappings for (Graph /users JSON, a JSON array, JSON Lines or
    /// YAML, as simulate reads them).
    #[arg(long, short, value_name = "FILE")]
    pub users: Option<String>,
    /// The target app's profile (built-in name or YAML file): a target newly sent that it does
    /// not accept is a risk.
    #[arg(long, value_name = "NAME|PATH")]
    pub profile: Option<String>,
    /// The tenant's SCIM mode, for what `active` sends.
    #[arg(long, value_enum, default_value_t = ScimMode::Legacy)]
    pub scim_mode: ScimMode,
    /// Worker threads for --users (default: the number of cores).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub threads: Option<u16>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    /// Text for a terminal.
    Human,
    /// A pull-request comment: summary line, risks table, collapsible details.
    Markdown,
    /// The whole report as JSON.
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Any difference in the mappings.
    Change,
    /// Only a finding of kind risk.
    Risk,
}

/// Reads and loads one side, reporting a load error against the file's text.
fn load(path: &str) -> Result<MappingFile, Failure> {
    let text = match super::read_mapping_file(path)? {
        super::MappingRead::Text { text, .. } => text,
        super::MappingRead::Bad { error, shown } => {
            super::eprint_text(&render::human(
                &error.to_diagnostic(),
                path,
                &shown,
                render::stderr_color(),
            ));
            return Err(Failure(format!(
                "{path} is not a mapping file entramap can read"
            )));
        }
    };
    mapping::load(&text).map_err(|e| {
        super::eprint_text(&render::human(
            &e.to_diagnostic(),
            path,
            &text,
            render::stderr_color(),
        ));
        Failure(format!("{path} does not load as a mapping file"))
    })
}

fn plan(file: &MappingFile, path: &str) -> Result<Plan, Failure> {
    let plan = Plan::new(file).map_err(|e| Failure(format!("{path}: {e}")))?;
    for left in &plan.left_out {
        super::eprint_text(&format!(
            "entramap: {path}: the mapping to {} cannot be evaluated ({}); it is left out for every user\n",
            left.target, left.diagnostic.message
        ));
    }
    Ok(plan)
}

pub fn cmd_diff(args: DiffArgs) -> CmdResult {
    if args.old == "-" && args.new == "-" {
        return Err(Failure(
            "only one of OLD and NEW can be `-` (standard input)".into(),
        ));
    }
    if args.users.as_deref() == Some("-") && (args.old == "-" || args.new == "-") {
        return Err(Failure(
            "--users - and a mapping from `-` cannot both read standard input".into(),
        ));
    }
    let old = load(&args.old)?;
    let new = load(&args.new)?;
    let profile = match &args.profile {
        Some(p) => Some(Profile::resolve_loaded(p)?.profile),
        None => None,
    };
    let options = diff::Options {
        profile,
        mode: args.scim_mode,
    };
    let mut report = diff::compare(&old, &new, &options);
    if let Some(users) = &args.users {
        let old_plan = plan(&old, &args.old)?;
        let new_plan = plan(&new, &args.new)?;
        let reader =
            UserReader::open(users).map_err(|e| Failure(format!("cannot read {users}: {e}")))?;
        let threads = args
            .threads
            .map_or_else(simulate::parallel::default_threads, usize::from);
        let mut fatal = None;
        let mut events = |e: Event<'_>| {
            if let Event::BadInput(e) = e {
                super::eprint_text(&format!(
                    "entramap: {users}: {e}{}\n",
                    if e.fatal { "" } else { "; skipped" }
                ));
                if e.fatal {
                    fatal = Some(e.to_string());
                }
            }
        };
        let run = behaviour::Run {
            options: simulate::Options {
                mode: args.scim_mode,
                now: Timestamp::now(),
                seed: 0,
            },
            threads,
        };
        let b = behaviour::run(&old_plan, &new_plan, reader, run, &mut events);
        if let Some(e) = fatal {
            return Err(Failure(format!("{users}: {e}")));
        }
        report.behaviour = Some(b);
    }
    let text = match args.format {
        DiffFormat::Human => render::diff::human(&report, &args.old, &args.new),
        DiffFormat::Markdown => render::diff::markdown(&report, &args.old, &args.new),
        DiffFormat::Json => render::diff::json(&report, &args.old, &args.new),
    };
    super::write_stdout(&text)?;
    let failed = match args.fail_on {
        FailOn::Change => !report.equivalent,
        FailOn::Risk => report.risks() > 0,
    };
    Ok(ExitCode::from(u8::from(failed)))
}

/// `entramap explain DF004` / `explain active-stops-flowing`: one diff finding, when `key` names
/// one.
pub fn explain(key: &str) -> Option<CmdResult> {
    let meta = diff::registry::find(key)?;
    Some(super::write_stdout(&render::diff::explain(meta)).map(|()| ExitCode::SUCCESS))
}
