//! `entramap simulate`: what Entra would send to the SCIM app for a set of users.

use super::{CmdResult, Failure, render};
use crate::mapping;
use crate::profile::values::Checker;
use crate::profile::{Profile, ScimMode};
use crate::simulate::app::{self, App};
use crate::simulate::users::UserReader;
use crate::simulate::violations::{self, Checks};
use crate::simulate::{self, Event, Options, Output, Plan, steady};
use jiff::Timestamp;
use std::collections::BTreeMap;
use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// Progress and summaries on stderr that never panic: a closed stderr ends quietly.
macro_rules! say {
    ($($arg:tt)*) => { super::eprint_text(&format!($($arg)*)) };
}

/// [`say!`] with a line break.
macro_rules! say_line {
    ($($arg:tt)*) => { super::eprint_text(&format!("{}\n", format_args!($($arg)*))) };
}

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  entramap simulate -m fixtures/mappings/scim-default-user.json -u fixtures/users/users.json
  entramap simulate -m export.json -u users.jsonl --output requests --scim-mode compliant
  entramap simulate -m export.json -u users.json --output trace --now 2025-01-01T00:00:00Z
  entramap simulate -m export.json -u users.json --target-state app.jsonl --output requests
  entramap simulate -m export.json -u users.json --profile unleash --check-steady
  entramap simulate -m export.json -u users.json --profile github-emu --profile-option short-code=octo --output violations

Users: Graph's /users response ({\"value\": [...]}), a JSON array, JSON Lines, or YAML, with Graph
property names (id, businessPhones, mobilePhone, officeLocation, faxNumber are translated to the
provisioning names objectId, telephoneNumber, mobile, physicalDeliveryOfficeName,
facsimileTelephoneNumber), `manager` as an id, and optionally `assigned: false`, `deletedDateTime`
or `IsSoftDeleted: true`. JSON Lines and arrays are streamed; a broken line is reported and skipped.
With --threads N (default: the number of cores), N workers take turns cutting the input into
chunks of 1,024 users, parse and evaluate them, and the output is written in input order, byte for
byte as with --threads 1 (which streams on one thread); memory stays flat.

IsSoftDeleted is true for a disabled, deleted or unassigned user, or one outside the scoping
filter. A soft-deleted user the app has gets the deactivation PATCH; one it does not have is skipped.

Output (JSON Lines on stdout): resources = the User each POST creates; requests = every request
of the cycle (GET matching query, POST, PATCH); trace = per user and mapping, the expression, what
it read, its result and whether it flowed (and why not). A summary goes to stderr.

With --profile, the profile's value rules (max-length, unique, …) are checked on every user Entra
would create or update; --output violations prints one JSON line per broken rule (user, target,
rule, value, message), a summary per rule goes to stderr, and the exit code is 1 when any rule
is broken. `unique` keeps 16 bytes per distinct value, not the values.

--check-steady applies cycle 1 to an app that keeps only what the profile persists, runs cycle 2
and prints every write cycle 2 still sends, with the mappings that cause it.

Exit codes: 0 done (and steady, with --check-steady), 1 not steady, a value rule broken, or some
users failed or could not be read (reported on stderr), 2 bad usage, a mapping that does not load or parse, unreadable files.")]
pub struct SimulateArgs {
    /// The mapping file (Graph schema JSON or entramap YAML).
    #[arg(long, short, value_name = "FILE")]
    pub mapping: String,
    /// The users (`-` for stdin): Graph /users JSON, a JSON array, JSON Lines or YAML.
    #[arg(long, short, value_name = "FILE")]
    pub users: String,
    /// The target app's profile: a built-in name (`unleash`) or a profile YAML file; its value
    /// rules are checked on every user, and it decides what the app persists for --check-steady.
    #[arg(long, value_name = "NAME|PATH")]
    pub profile: Option<String>,
    /// A profile option, KEY=VALUE (repeatable): `short-code=octo` for github-emu.
    #[arg(long = "profile-option", value_name = "KEY=VALUE", value_parser = crate::profile::parse_option)]
    pub profile_options: Vec<(String, String)>,
    /// How the tenant sends PATCH requests: `legacy` (tenant URL without ?aadOptscim062020) or
    /// `compliant` (with it).
    #[arg(long, value_enum, default_value_t = ScimMode::Legacy)]
    pub scim_mode: ScimMode,
    /// What to print.
    #[arg(long, short, value_enum, default_value_t = Output::Resources)]
    pub output: Output,
    /// The app's current users: JSON Lines of SCIM User resources (with their `id`).
    #[arg(long, value_name = "FILE")]
    pub target_state: Option<String>,
    /// Run two cycles and report what the second still sends (exit 1 when anything).
    #[arg(long)]
    pub check_steady: bool,
    /// The time Now() returns, RFC 3339 (default: the current time).
    #[arg(long, value_name = "RFC3339")]
    pub now: Option<String>,
    /// Seed for Guid() and RandomString().
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub seed: u64,
    /// Refuse the whole run (exit 2) when a mapping cannot be evaluated, instead of leaving that
    /// target out for every user (exit 1).
    #[arg(long)]
    pub strict: bool,
    /// Worker threads (default: the number of cores). 1 runs on one thread, streaming; more
    /// parse and evaluate users in chunks on that many threads, with the same output in the same
    /// order. --output trace and --check-steady always run on one thread.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub threads: Option<u16>,
}

/// Prints progress and problems on stderr.
struct Reporter {
    progress: bool,
    started: Instant,
    last: Instant,
    shown: bool,
}

impl Reporter {
    fn event(&mut self, e: Event<'_>) {
        let mut err = io::stderr().lock();
        if self.shown {
            let _ = write!(err, "\r\x1b[K");
            self.shown = false;
        }
        match e {
            Event::BadInput(e) => {
                let _ = writeln!(
                    err,
                    "entramap: users: {e}{}",
                    if e.fatal { "" } else { "; skipped" }
                );
            }
            Event::UserFailed { user, message } => {
                let _ = writeln!(err, "entramap: user {user}: {message}");
            }
            Event::Progress(n) => {
                if self.progress && self.last.elapsed() >= Duration::from_millis(250) {
                    self.last = Instant::now();
                    let rate = n as f64 / self.started.elapsed().as_secs_f64().max(1e-6);
                    let _ = write!(err, "{n} users… ({rate:.0}/s)");
                    self.shown = true;
                }
            }
        }
    }

    fn finish(&mut self) {
        if self.shown {
            say!("\r\x1b[K");
            self.shown = false;
        }
    }
}

fn open_users(path: &str) -> io::Result<UserReader> {
    UserReader::open(path)
}

pub fn cmd_simulate(args: SimulateArgs) -> CmdResult {
    let text = match super::read_mapping_file(&args.mapping)? {
        super::MappingRead::Text { text, .. } => text,
        super::MappingRead::Bad { error, shown } => {
            say!(
                "{}",
                render::human(
                    &error.to_diagnostic(),
                    &args.mapping,
                    &shown,
                    render::stderr_color()
                )
            );
            return Err(Failure(String::new()));
        }
    };
    let file = match mapping::load(&text) {
        Ok(f) => f,
        Err(e) => {
            say!(
                "{}",
                render::human(
                    &e.to_diagnostic(),
                    &args.mapping,
                    &text,
                    render::stderr_color()
                )
            );
            return Err(Failure(String::new()));
        }
    };
    let plan = Plan::new(&file).map_err(|e| Failure(format!("{}: {e}", args.mapping)))?;
    // Each mapping that cannot run is reported once, before any user.
    for left in &plan.left_out {
        say!(
            "{}",
            render::human(
                &left.diagnostic,
                &args.mapping,
                &text,
                render::stderr_color()
            )
        );
    }
    if !plan.left_out.is_empty() {
        let targets: Vec<&str> = plan.left_out.iter().map(|l| l.target.as_str()).collect();
        if args.strict {
            return Err(Failure(format!(
                "{}: {} mapping{} cannot be evaluated ({}); --strict refuses the run",
                args.mapping,
                targets.len(),
                if targets.len() == 1 { "" } else { "s" },
                targets.join(", ")
            )));
        }
        say_line!(
            "entramap: leaving out {} for every user: the mapping{} cannot be evaluated",
            targets.join(", "),
            if targets.len() == 1 { "" } else { "s" }
        );
    }
    let profile = match &args.profile {
        Some(p) => {
            let loaded = Profile::resolve_loaded(p)?;
            if let Some(note) = &loaded.note {
                say_line!("entramap: note: {note}");
            }
            Some(loaded.profile)
        }
        None => None,
    };
    let profile_options: BTreeMap<String, String> = args.profile_options.iter().cloned().collect();
    let checker = match &profile {
        Some(p) => {
            p.check_options(&profile_options)?;
            let c =
                Checker::new(p, &profile_options, violations::finder(&plan)).map_err(Failure)?;
            for a in &c.assumptions {
                say_line!("entramap: note: {a}");
            }
            (!c.is_empty()).then_some(c)
        }
        None if !args.profile_options.is_empty() => {
            return Err(Failure("--profile-option needs --profile".into()));
        }
        None => None,
    };
    if args.output == Output::Violations && checker.is_none() {
        return Err(Failure(match &profile {
            Some(p) => format!(
                "--output violations: profile {} has no value rules to check",
                p.name
            ),
            None => {
                "--output violations needs --profile (the value rules come from the profile)".into()
            }
        }));
    }
    let now = match &args.now {
        None => Timestamp::now(),
        Some(t) => t
            .parse::<Timestamp>()
            .map_err(|e| Failure(format!("--now {t:?} is not an RFC 3339 time: {e}")))?,
    };
    let options = Options {
        mode: args.scim_mode,
        now,
        seed: args.seed,
    };
    let app = match &args.target_state {
        Some(path) => app::load_target_state(&plan, path).map_err(Failure)?,
        None => App::new(&plan),
    };
    if args.check_steady && args.users == "-" {
        return Err(Failure(
            "--check-steady reads the users twice; give a file, not stdin".into(),
        ));
    }
    let large = args.users == "-"
        || std::fs::metadata(&args.users).is_ok_and(|m| m.len() > 16 * 1024 * 1024);
    let mut reporter = Reporter {
        progress: large && io::stderr().is_terminal(),
        started: Instant::now(),
        last: Instant::now(),
        shown: false,
    };
    let mut events = |e: Event<'_>| reporter.event(e);
    let stdout = io::stdout();
    let mut out = io::BufWriter::with_capacity(1 << 16, stdout.lock());
    let users_path = args.users.clone();

    let left_out = !plan.left_out.is_empty();
    if args.check_steady {
        let report = steady::check(
            &plan,
            &options,
            &|| open_users(&users_path),
            app,
            profile.as_ref(),
            &mut out,
            &mut events,
        )
        .map_err(|e| Failure(format!("{}: {e}", args.users)))?;
        out.flush()?;
        reporter.finish();
        say_line!("entramap: cycle 1: {}", report.cycle1);
        if report.is_steady() {
            say_line!("entramap: steady: cycle 2 sends no writes");
            return Ok(failed_users(&report.cycle1, left_out));
        }
        say_line!(
            "entramap: not steady: cycle 2 still sends {} writes to {} users",
            report.writes,
            report.users
        );
        for (target, n, why) in &report.targets {
            let users = if *n == 1 { "user" } else { "users" };
            say_line!("  {target}: {n} {users}; {why}");
        }
        return Ok(ExitCode::from(1));
    }

    let users =
        open_users(&args.users).map_err(|e| Failure(format!("cannot read {}: {e}", args.users)))?;
    let threads = args
        .threads
        .map_or_else(simulate::parallel::default_threads, usize::from);
    let mut checks = checker
        .as_ref()
        .map(|c| Checks::new(c, args.output == Output::Violations));
    let summary = simulate::parallel::run_threads_checked(
        &plan,
        &options,
        users,
        &mut { app },
        args.output,
        threads,
        &mut out,
        &mut events,
        checks.as_mut(),
    )?;
    out.flush()?;
    reporter.finish();
    say_line!("entramap: {summary}");
    let mut code = failed_users(&summary, left_out);
    if let (Some(c), Some(p)) = (&checks, &profile) {
        let text = render::violation_summary(&p.name, &c.tally);
        say!("{text}");
        if c.tally.total > 0 {
            code = ExitCode::from(1);
        }
    }
    Ok(code)
}

/// Exit 1 when a user failed or a mapping was left out.
fn failed_users(summary: &simulate::Summary, left_out: bool) -> ExitCode {
    if summary.errors > 0 || left_out {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
