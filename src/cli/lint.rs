//! `entramap lint`, `entramap rules` and `entramap explain`.

use super::render::{self, FileReport};
use super::{CmdResult, Failure, MappingRead, write_stdout};
use crate::lint::config::Config;
use crate::lint::{self, LintOptions, RULES, fix};
use crate::mapping;
use crate::profile::{Profile, ScimMode};
use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Graphical reports with the file's source (colour only on a terminal; NO_COLOR respected).
    Human,
    /// `path:line:col: severity[code] name: message`, one line each.
    Short,
    /// A JSON document (schema in the README).
    Json,
    /// SARIF 2.1.0, for code-scanning tools.
    Sarif,
    /// GitHub Actions workflow commands (annotations on the pull request).
    Github,
}

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  entramap lint fixtures/mappings/scim-default-user.json
  entramap lint --profile unleash --format short mappings/*.json
  entramap lint --format sarif export.json > entramap.sarif
  entramap lint --select switch-boolean-key-case,EM008 export.json
  entramap lint --profile unleash --diff mapping.json      # show the safe fixes
  entramap lint --profile unleash --fix mapping.json       # apply them in place

Configuration: the nearest .entramap.yaml above each file (profile, scim-mode, select, ignore,
per-path-ignores); command-line options win. In YAML mapping files, a comment
`# entramap: ignore[rule-name]` on a mapping suppresses that rule there.

Exit codes: 0 no errors (warnings alone do not fail unless --deny-warnings), 1 errors found,
2 bad usage or a file that cannot be read or is not a mapping file.")]
pub struct LintArgs {
    /// Mapping files: Graph schema JSON (whole export, rule, objectMapping or attributeMappings
    /// array) or entramap YAML.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Only these rules (names or codes, comma-separated or repeated).
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub select: Vec<String>,
    /// Skip these rules (names or codes, comma-separated or repeated).
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub ignore: Vec<String>,
    /// Fail (exit 1) on warnings too.
    #[arg(long)]
    pub deny_warnings: bool,
    /// Check against a target app's profile: a built-in name (`unleash`) or a profile YAML file.
    #[arg(long, value_name = "NAME|PATH")]
    pub profile: Option<String>,
    /// How the tenant sends values: `legacy` (tenant URL without ?aadOptscim062020) or
    /// `compliant` (with it).
    #[arg(long, value_enum)]
    pub scim_mode: Option<ScimMode>,
    /// A profile option, KEY=VALUE (repeatable): `short-code=octo` for github-emu.
    #[arg(long = "profile-option", value_name = "KEY=VALUE", value_parser = crate::profile::parse_option)]
    pub profile_options: Vec<(String, String)>,
    /// Users (Graph /users JSON, a JSON array, JSON Lines or YAML) to check the profile's value
    /// rules on: each file's mapping is evaluated for every user (rule value-rule, EM110).
    #[arg(long, value_name = "FILE")]
    pub users: Option<String>,
    /// Skip files that are not mapping files (package.json, CI configs) quietly: for pre-commit
    /// hooks that are handed every JSON and YAML file.
    #[arg(long)]
    pub skip_non_mappings: bool,
    /// Apply safe fixes in place (written atomically), then report what is left.
    #[arg(long)]
    pub fix: bool,
    /// Show the fixes as a unified diff on stdout without writing anything.
    #[arg(long)]
    pub diff: bool,
    /// With --fix or --diff, also apply fixes that change what the mapping does (removing
    /// mappings the profile's app does not accept, changing Switch keys).
    #[arg(long)]
    pub unsafe_fixes: bool,
    /// Use this configuration file instead of the nearest `.entramap.yaml`.
    #[arg(long, value_name = "FILE")]
    pub config: Option<String>,
    /// Ignore `.entramap.yaml` files.
    #[arg(long, conflicts_with = "config")]
    pub no_config: bool,
}

pub fn cmd_rules() -> CmdResult {
    let width = RULES.iter().map(|r| r.meta().name.len()).max().unwrap_or(0);
    let mut out = String::new();
    for rule in RULES {
        let m = rule.meta();
        out.push_str(&format!(
            "{}  {:width$}  {:7}  {}\n",
            m.code,
            m.name,
            m.severity.as_str(),
            m.summary
        ));
    }
    write_stdout(&out)?;
    Ok(ExitCode::SUCCESS)
}

pub fn cmd_explain(key: &str) -> CmdResult {
    let Some(meta) = lint::find_rule(key) else {
        let hint = crate::suggest::did_you_mean(key, RULES.iter().map(|r| r.meta().name))
            .map(|s| format!("; did you mean {s}?"))
            .unwrap_or_default();
        return Err(Failure(format!(
            "no rule named {key:?}{hint} (`entramap rules` lists them)"
        )));
    };
    write_stdout(&render::explain_text(meta))?;
    Ok(ExitCode::SUCCESS)
}

pub fn cmd_lint(args: LintArgs) -> CmdResult {
    for key in args.select.iter().chain(&args.ignore) {
        if lint::find_rule(key).is_none() {
            return Err(Failure(format!(
                "--select/--ignore: no rule named {key:?} (`entramap rules` lists them)"
            )));
        }
    }
    let explicit_config = match &args.config {
        Some(path) => Some(Config::load(Path::new(path))?),
        None => None,
    };
    let mut profiles: HashMap<String, Profile> = HashMap::new();
    let mut reports = Vec::new();
    let mut diffs = String::new();
    let mut failed = 0usize; // files that could not be read, loaded or fixed
    for path in &args.files {
        let (text, bom) = match super::read_mapping_file(path) {
            Ok(MappingRead::Text { text, bom }) => (text, bom),
            Ok(MappingRead::Bad { error, shown }) => {
                super::eprint_text(&render::human(
                    &error.to_diagnostic(),
                    path,
                    &shown,
                    render::stderr_color(),
                ));
                failed += 1;
                continue;
            }
            Err(Failure(message)) => {
                super::eprint_text(&format!("entramap: error: {message}\n"));
                failed += 1;
                continue;
            }
        };
        let file = match mapping::load(&text) {
            Ok(file) => file,
            Err(_) if args.skip_non_mappings && !mapping::is_mapping_shaped(&text) => continue,
            Err(e) => {
                super::eprint_text(&render::human(
                    &e.to_diagnostic(),
                    path,
                    &text,
                    render::stderr_color(),
                ));
                failed += 1;
                continue;
            }
        };
        let config = match (&explicit_config, args.no_config || path == "-") {
            (Some(c), _) => Some(c.clone()),
            (None, true) => None,
            (None, false) => Config::discover(Path::new(path))?,
        };
        let options = options_for(&args, config.as_ref(), Path::new(path), &mut profiles)?;
        let mut findings = lint::lint(&file, &options);
        if let (Some(users), Some(profile)) = (&args.users, &options.profile)
            && options.enabled(&crate::lint::rules::value_rule::ValueRule::META)
        {
            let mut given = config
                .as_ref()
                .map(|c| c.profile_options.clone())
                .unwrap_or_default();
            given.extend(args.profile_options.iter().cloned());
            findings.extend(value_findings(
                &file,
                profile,
                &given,
                users,
                options.scim_mode,
            )?);
        }
        let mut text = text;
        if args.fix || args.diff {
            match fix::plan(&text, &file, &findings, args.unsafe_fixes) {
                Ok(plan) if plan.edits.is_empty() => {}
                Ok(plan) => {
                    if args.diff {
                        diffs.push_str(&fix::unified_diff(path, &text, &plan));
                    }
                    if args.fix && path != "-" {
                        let original = with_bom(&text, bom);
                        let fixed = with_bom(&plan.text, bom);
                        if let Err(message) = write_fixed(Path::new(path), &original, &fixed) {
                            super::eprint_text(&format!("entramap: error: {message}\n"));
                            failed += 1;
                        } else {
                            super::eprint_text(&format!(
                                "entramap: fixed {} problem{} in {path}\n",
                                plan.applied.len(),
                                plural(plan.applied.len())
                            ));
                            let refreshed =
                                mapping::load(&plan.text).map_err(|e| Failure(e.message))?;
                            findings = lint::lint(&refreshed, &options);
                            text = plan.text;
                        }
                    }
                }
                Err(e) => {
                    super::eprint_text(&format!("entramap: error: {path}: {e}\n"));
                    failed += 1;
                }
            }
        }
        reports.push(FileReport {
            path: path.clone(),
            text,
            findings,
        });
    }
    let out = if args.diff && !args.fix {
        diffs
    } else {
        match args.format {
            Format::Human => {
                let color = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && std::io::stdout().is_terminal();
                render::human_reports(&reports, color) + &summary(&reports, failed)
            }
            Format::Short => render::short(&reports) + &summary(&reports, failed),
            Format::Json => render::json_report(&reports),
            Format::Sarif => render::sarif(&reports),
            Format::Github => render::github(&reports),
        }
    };
    write_stdout(&out)?;
    let (errors, warnings, _) = totals(&reports);
    Ok(ExitCode::from(if failed > 0 {
        2
    } else if errors > 0 || (args.deny_warnings && warnings > 0) {
        1
    } else {
        0
    }))
}

/// The file's text as it is on disk: with its byte-order mark when it had one.
fn with_bom(text: &str, bom: bool) -> std::borrow::Cow<'_, str> {
    if bom {
        format!("\u{feff}{text}").into()
    } else {
        text.into()
    }
}

/// Writes a fixed file in place of `original` without losing an edit saved meanwhile, and
/// with what the file has (owner, mode bits, extended attributes): see
/// [`fix::replace_verified`]. On any failure or refusal the file is left as it was.
fn write_fixed(path: &Path, original: &str, fixed: &str) -> Result<(), String> {
    fix::replace_verified(path, original.as_bytes(), fixed).map_err(|e| match e {
        fix::ReplaceError::Io(e) => format!(
            "cannot write {}: {e}; the file is unchanged",
            path.display()
        ),
        other => other.to_string(),
    })
}

/// The options for one file: the command line first, then its configuration file.
fn options_for(
    args: &LintArgs,
    config: Option<&Config>,
    path: &Path,
    profiles: &mut HashMap<String, Profile>,
) -> Result<LintOptions, Failure> {
    let profile_key = args
        .profile
        .clone()
        .or_else(|| config.and_then(Config::profile_path));
    let profile = match profile_key {
        Some(key) => Some(match profiles.get(&key) {
            Some(p) => p.clone(),
            None => {
                let loaded = Profile::resolve_loaded(&key)?;
                if let Some(note) = &loaded.note {
                    super::eprint_text(&format!("entramap: note: {note}\n"));
                }
                let p = loaded.profile;
                let mut given = config
                    .map(|c| c.profile_options.clone())
                    .unwrap_or_default();
                given.extend(args.profile_options.iter().cloned());
                p.check_options(&given)?;
                profiles.insert(key, p.clone());
                p
            }
        }),
        None if !args.profile_options.is_empty() => {
            return Err(Failure("--profile-option needs --profile".into()));
        }
        None => None,
    };
    let mut ignore = args.ignore.clone();
    let mut select = args.select.clone();
    if let Some(c) = config {
        ignore.extend(c.ignore.iter().cloned());
        ignore.extend(c.ignores_for(path));
        if select.is_empty() {
            select = c.select.clone();
        }
    }
    Ok(LintOptions {
        select,
        ignore,
        profile,
        scim_mode: args
            .scim_mode
            .or(config.and_then(Config::mode))
            .unwrap_or_default(),
    })
}

/// `--users`: the profile's value rules over every user, as findings.
fn value_findings(
    file: &mapping::MappingFile,
    profile: &Profile,
    given: &std::collections::BTreeMap<String, String>,
    users: &str,
    mode: ScimMode,
) -> Result<Vec<lint::Finding>, Failure> {
    use crate::profile::values::Checker;
    use crate::simulate::{self, Output, Plan, requests::App, users::UserReader, violations};
    if profile.values.is_empty() {
        return Ok(Vec::new());
    }
    let plan = Plan::new(file).map_err(|e| Failure(format!("--users: {e}")))?;
    let checker = Checker::new(profile, given, violations::finder(&plan)).map_err(Failure)?;
    let reader =
        UserReader::open(users).map_err(|e| Failure(format!("cannot read {users}: {e}")))?;
    let options = simulate::Options {
        mode,
        ..simulate::Options::default()
    };
    let mut checks = violations::Checks::new(&checker, false);
    let mut events = |e: simulate::Event<'_>| {
        if let simulate::Event::BadInput(e) = e {
            super::eprint_text(&format!("entramap: {users}: {e}; skipped\n"));
        }
    };
    simulate::parallel::run_threads_checked(
        &plan,
        &options,
        reader,
        &mut App::new(&plan),
        Output::Violations,
        simulate::parallel::default_threads(),
        &mut std::io::sink(),
        &mut events,
        Some(&mut checks),
    )
    .map_err(|e| Failure(format!("{users}: {e}")))?;
    Ok(crate::lint::rules::value_rule::findings(
        file,
        profile,
        &checks.tally,
    ))
}

fn totals(reports: &[FileReport]) -> (usize, usize, usize) {
    reports.iter().fold((0, 0, 0), |acc, r| {
        let (e, w, i) = lint::counts(&r.findings);
        (acc.0 + e, acc.1 + w, acc.2 + i)
    })
}

fn summary(reports: &[FileReport], failed: usize) -> String {
    let (e, w, i) = totals(reports);
    let files = reports.len();
    let mut out = if files == 0 && failed > 0 {
        String::new()
    } else if e + w + i == 0 {
        format!("entramap: no problems in {files} file{}\n", plural(files))
    } else {
        format!(
            "entramap: {e} error{}, {w} warning{}, {i} info{} in {files} file{}\n",
            plural(e),
            plural(w),
            plural(i),
            plural(files)
        )
    };
    if failed > 0 {
        out.push_str(&format!(
            "entramap: {failed} file{} failed: see the errors above\n",
            plural(failed)
        ));
    }
    out
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
