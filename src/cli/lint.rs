//! `entramap lint`, `entramap rules` and `entramap explain`.

use super::render::{self, FileReport, Output};
use super::{CmdResult, Failure, MappingRead, write_stdout};
use crate::diagnostic::Diagnostic;
use crate::lint::config::Config;
use crate::lint::{self, Finding, LintOptions, RULES, fix};
use crate::mapping::{self, LoadError, LoadErrorKind, sniff};
use crate::profile::{Profile, ScimMode};
use crate::span::Span;
use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Graphical reports with the file's source, wrapped to the terminal's width.
    Human,
    /// `path:line:col: severity[code] name: message`, one line each.
    Short,
    /// A JSON document (schema in the README).
    Json,
    /// SARIF 2.1.0, for code-scanning tools (GitHub code scanning).
    Sarif,
    /// GitHub Actions workflow commands (annotations on the pull request).
    Github,
    /// Azure Pipelines logging commands (`##vso[task.logissue ...]`).
    Azure,
    /// A GitLab Code Quality report (JSON).
    Gitlab,
}

/// When to colour human output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ColorChoice {
    /// On a terminal, unless NO_COLOR is set; always when FORCE_COLOR or CLICOLOR_FORCE is.
    #[default]
    Auto,
    Always,
    Never,
}

#[derive(Debug, clap::Args)]
#[command(
    args_override_self = true,
    after_help = "Examples:
  entramap lint fixtures/                                  # every *.json, *.yaml, *.yml below
  entramap lint 'mappings/**/*.json' --exclude 'legacy/**'
  entramap lint --profile unleash --format short mappings/*.json
  entramap lint --format sarif export.json > entramap.sarif
  entramap lint --select switch-boolean-key-case,EM008 export.json
  entramap lint --profile unleash --diff mapping.json      # show the safe fixes
  entramap lint --profile unleash --fix mapping.json       # apply them in place
  cat m.yaml | entramap lint --stdin-filename m.yaml -     # editors and pipes
  entramap lint --statistics --exit-zero .

Configuration: the nearest .entramap.yaml above each file (profile, scim-mode, select, ignore,
per-path-ignores); command-line options win. In YAML mapping files, a comment
`# entramap: ignore[rule-name]` on a mapping suppresses that rule there.

Environment: NO_COLOR, FORCE_COLOR and CLICOLOR_FORCE (colour; see --color).

Exit codes: 0 no errors (warnings alone do not fail unless --deny-warnings), 1 errors found,
2 bad usage or a file that cannot be read or is not a mapping file."
)]
pub struct LintArgs {
    /// Mapping files, folders (walked for *.json, *.yaml, *.yml, honouring .gitignore), quoted
    /// globs, or `-` for standard input.
    #[arg(required = true, value_name = "PATH")]
    pub files: Vec<PathBuf>,
    /// Output format (when given more than once, the last one wins).
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Only these rules (names or codes, comma-separated or repeated).
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub select: Vec<String>,
    /// Skip these rules (names or codes, comma-separated or repeated).
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub ignore: Vec<String>,
    /// Leave out files and folders matching this glob (repeatable); matched against the path
    /// as given or walked, and against the file name.
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// The name to report standard input (`-`) under, and to find its configuration by.
    #[arg(long, value_name = "PATH")]
    pub stdin_filename: Option<PathBuf>,
    /// Fail (exit 1) on warnings too.
    #[arg(long)]
    pub deny_warnings: bool,
    /// Exit 0 even when there are findings (a file that cannot be read still exits 2).
    #[arg(long)]
    pub exit_zero: bool,
    /// Print how many findings each rule has instead of each finding (human and short; with
    /// other formats the counts go to stderr).
    #[arg(long)]
    pub statistics: bool,
    /// Print the findings only: no summary, no "fixed" messages.
    #[arg(long, short)]
    pub quiet: bool,
    /// Colour in human output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
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
    /// Skip files that are plainly another format (package.json, CI workflows, OpenAPI,
    /// Kubernetes, Compose): for pre-commit hooks handed every JSON and YAML file. A file that
    /// looks like a broken mapping, or shows no sign of another format, is still reported.
    #[arg(long)]
    pub skip_non_mappings: bool,
    /// Apply safe fixes in place (written atomically), then report what is left. On standard
    /// input the fixed text goes to stdout and the report to stderr.
    #[arg(long)]
    pub fix: bool,
    /// Show the fixes as a unified diff on stdout; with --fix, show them and write them.
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

/// One input to lint: a file on disk, or standard input.
struct Input {
    /// The file to read (`-` for standard input).
    path: PathBuf,
    /// The name it is reported under and configured by (`--stdin-filename` for stdin).
    name: PathBuf,
    stdin: bool,
}

/// The glob set of `--exclude`.
fn exclude_set(globs: &[String]) -> Result<globset::GlobSet, Failure> {
    let mut builder = globset::GlobSetBuilder::new();
    for g in globs {
        let glob = globset::GlobBuilder::new(g)
            .literal_separator(true)
            .build()
            .map_err(|e| Failure(format!("--exclude {g:?} is not a valid glob: {e}")))?;
        builder.add(glob);
    }
    builder
        .build()
        .map_err(|e| Failure(format!("--exclude: {e}")))
}

/// Whether `path` is left out by `--exclude`: the glob matches the path (without a leading
/// `./`) or its file name.
fn excluded(set: &globset::GlobSet, path: &Path) -> bool {
    if set.is_empty() {
        return false;
    }
    let clean = path.strip_prefix("./").unwrap_or(path);
    set.is_match(clean) || path.file_name().is_some_and(|n| set.is_match(Path::new(n)))
}

/// Whether a walked file is one entramap reads: `*.json`, `*.yaml`, `*.yml` (any case).
fn lintable(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        ["json", "yaml", "yml"]
            .iter()
            .any(|x| e.eq_ignore_ascii_case(x))
    })
}

/// Whether an argument is a glob pattern rather than a path.
fn is_glob(arg: &Path) -> bool {
    arg.to_str()
        .is_some_and(|s| s.contains(['*', '?', '[', '{']))
        && !arg.exists()
}

/// Walks `root` (honouring .gitignore, .ignore and hidden files as ripgrep does) for files
/// entramap reads, in path order, leaving out what `--exclude` names.
fn walk(
    root: &Path,
    exclude: &globset::GlobSet,
    keep: &dyn Fn(&Path) -> bool,
    out: &mut Vec<PathBuf>,
) -> Result<(), Failure> {
    let exclude_dirs = exclude.clone();
    let walker = ignore::WalkBuilder::new(root)
        .require_git(false)
        .sort_by_file_name(|a, b| a.cmp(b))
        .filter_entry(move |e| {
            let dir = e.file_type().is_some_and(|t| t.is_dir());
            e.depth() == 0 || !dir || !excluded(&exclude_dirs, e.path())
        })
        .build();
    for entry in walker {
        let entry = entry.map_err(|e| Failure(format!("cannot walk {}: {e}", root.display())))?;
        if entry.file_type().is_some_and(|t| t.is_file()) && keep(entry.path()) {
            out.push(entry.into_path());
        }
    }
    Ok(())
}

/// The inputs the arguments name: files as given, folders walked, globs expanded.
fn inputs(args: &LintArgs) -> Result<Vec<Input>, Failure> {
    let exclude = exclude_set(&args.exclude)?;
    let mut out = Vec::new();
    for arg in &args.files {
        if arg.as_os_str() == "-" {
            out.push(Input {
                path: arg.clone(),
                name: args
                    .stdin_filename
                    .clone()
                    .unwrap_or_else(|| PathBuf::from("-")),
                stdin: true,
            });
        } else if arg.is_dir() {
            let mut found = Vec::new();
            walk(
                arg,
                &exclude,
                &|p| lintable(p) && !excluded(&exclude, p),
                &mut found,
            )?;
            out.extend(found.into_iter().map(|p| Input {
                name: p.clone(),
                path: p,
                stdin: false,
            }));
        } else if is_glob(arg) {
            let pattern = arg.to_string_lossy();
            let glob = globset::GlobBuilder::new(&pattern)
                .literal_separator(true)
                .build()
                .map_err(|e| Failure(format!("{pattern:?} is not a valid glob: {e}")))?
                .compile_matcher();
            // Walk from the longest leading part without glob characters.
            let base: PathBuf = arg
                .components()
                .take_while(|c| {
                    !c.as_os_str()
                        .to_string_lossy()
                        .contains(['*', '?', '[', '{'])
                })
                .collect();
            let root = if base.as_os_str().is_empty() {
                PathBuf::from(".")
            } else {
                base
            };
            let mut found = Vec::new();
            let strip_dot = root == Path::new(".") && !pattern.starts_with("./");
            let shown = |p: &Path| -> PathBuf {
                if strip_dot {
                    p.strip_prefix("./").unwrap_or(p).to_path_buf()
                } else {
                    p.to_path_buf()
                }
            };
            if root.exists() {
                walk(&root, &exclude, &|p| glob.is_match(shown(p)), &mut found)?;
            }
            if found.is_empty() {
                return Err(Failure(format!(
                    "no file matches the glob {pattern:?} (folders are walked from {})",
                    root.display()
                )));
            }
            found.retain(|p| !excluded(&exclude, &shown(p)));
            out.extend(found.into_iter().map(|p| {
                let p = if strip_dot {
                    p.strip_prefix("./").map(Path::to_path_buf).unwrap_or(p)
                } else {
                    p
                };
                Input {
                    name: p.clone(),
                    path: p,
                    stdin: false,
                }
            }));
        } else if !excluded(&exclude, arg) {
            out.push(Input {
                path: arg.clone(),
                name: arg.clone(),
                stdin: false,
            });
        }
    }
    Ok(out)
}

/// A load error as a finding of its file.
fn load_finding(error: &LoadError) -> Finding {
    Finding {
        diagnostic: error.to_diagnostic(),
        target: None,
        location: None,
        fix: None,
    }
}

/// A file that could not be read at all, as a finding.
fn unreadable(message: String) -> Finding {
    let kind = LoadErrorKind::Unreadable;
    Finding {
        diagnostic: Diagnostic::new(
            kind.code(),
            kind.name(),
            crate::diagnostic::Severity::Error,
            message,
        )
        .with_label(Span::at(0), "")
        .with_help("check the path and its permissions; entramap reads regular files and standard input (`-`)"),
        target: None,
        location: None,
        fix: None,
    }
}

/// Whether human output gets colour: `--color`, then FORCE_COLOR / CLICOLOR_FORCE, then
/// NO_COLOR, then whether stdout is a terminal.
pub fn color_for(choice: ColorChoice) -> bool {
    let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty() && v != "0");
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto if set("FORCE_COLOR") || set("CLICOLOR_FORCE") => true,
        ColorChoice::Auto if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) => false,
        ColorChoice::Auto => std::io::stdout().is_terminal(),
    }
}

/// The width to wrap human output to: the terminal's, or none when stdout is not a terminal.
fn wrap_width() -> Option<usize> {
    if !std::io::stdout().is_terminal() {
        return None;
    }
    terminal_size::terminal_size_of(std::io::stdout())
        .map(|(w, _)| usize::from(w.0))
        .filter(|&w| w >= 20)
        .or(Some(100))
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
    let inputs = inputs(&args)?;
    let mut profiles: HashMap<String, Profile> = HashMap::new();
    let mut reports = Vec::new();
    let mut diffs = String::new();
    let mut notes = String::new(); // "fixed …" lines, for stderr
    let mut fixed_stdin: Option<String> = None;
    let mut fix_failed = 0usize;
    for input in &inputs {
        let shown_name = input.name.to_string_lossy().into_owned();
        let failed = |text: String, finding: Finding| FileReport {
            path: input.name.clone(),
            text,
            findings: vec![finding],
            fingerprints: Vec::new(),
            failed: true,
        };
        let (text, bom) = match super::read_mapping_file(&input.path) {
            Ok(MappingRead::Text { text, bom }) => (text, bom),
            Ok(MappingRead::Bad { error, shown }) => {
                reports.push(failed(shown, load_finding(&error)));
                continue;
            }
            Err(Failure(message)) => {
                reports.push(failed(String::new(), unreadable(message)));
                continue;
            }
        };
        // A lint never writes Graph JSON back: the file's text is not copied into it.
        let file = match mapping::load_unenveloped(&text) {
            Ok(file) => file,
            Err(e) => {
                let sniffable = e.is_not_a_mapping()
                    || matches!(
                        e.kind,
                        LoadErrorKind::InvalidYaml | LoadErrorKind::InvalidJson
                    );
                if args.skip_non_mappings
                    && sniffable
                    && let sniff::Sniff::Other(_) = sniff::sniff(&text)
                {
                    continue;
                }
                let mut finding = load_finding(&e);
                if args.skip_non_mappings
                    && let sniff::Sniff::Report(why) = sniff::sniff(&text)
                {
                    let help = finding.diagnostic.help.take().unwrap_or_default();
                    finding.diagnostic.help = Some(format!(
                        "{help}\n--skip-non-mappings did not skip this file: {why} (leave it out with --exclude)"
                    ).trim_start().to_string());
                }
                reports.push(failed(text, finding));
                continue;
            }
        };
        let config = match (
            &explicit_config,
            args.no_config || (input.stdin && args.stdin_filename.is_none()),
        ) {
            (Some(c), _) => Some(c.clone()),
            (None, true) => None,
            (None, false) => Config::discover(&input.name)?,
        };
        let options = options_for(&args, config.as_ref(), &input.name, &mut profiles)?;
        let per_target = |mut found: Vec<Finding>| {
            if let Some(c) = &config {
                found.retain(|f| !c.ignores_finding(&file, f));
            }
            found
        };
        let mut findings = per_target(lint::lint(&file, &options));
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
                Ok(plan) if plan.edits.is_empty() => {
                    if args.fix && input.stdin {
                        fixed_stdin = Some(with_bom(&text, bom).into_owned());
                    }
                }
                Ok(plan) => {
                    if args.diff {
                        diffs.push_str(&fix::unified_diff(&shown_name, &text, &plan));
                    }
                    if args.fix {
                        let refreshed =
                            mapping::load(&plan.text).map_err(|e| Failure(e.message))?;
                        let after = lint::lint(&refreshed, &options);
                        let after = match &config {
                            Some(c) => after
                                .into_iter()
                                .filter(|f| !c.ignores_finding(&refreshed, f))
                                .collect(),
                            None => after,
                        };
                        let fixed = fixed_count(&findings, &after);
                        let written = if input.stdin {
                            fixed_stdin = Some(with_bom(&plan.text, bom).into_owned());
                            Ok(())
                        } else {
                            let original = with_bom(&text, bom);
                            let new = with_bom(&plan.text, bom);
                            write_fixed(&input.path, &original, &new)
                        };
                        match written {
                            Err(message) => {
                                notes.push_str(&format!("entramap: error: {message}\n"));
                                fix_failed += 1;
                            }
                            Ok(()) => {
                                notes.push_str(&format!(
                                    "entramap: fixed {fixed} problem{} in {}\n",
                                    plural(fixed),
                                    render::escape_line(&shown_name)
                                ));
                                findings = after;
                                text = plan.text;
                            }
                        }
                    }
                }
                Err(e) => {
                    notes.push_str(&format!(
                        "entramap: error: {}: {e}\n",
                        render::escape_line(&shown_name)
                    ));
                    fix_failed += 1;
                }
            }
        }
        let fingerprints = fingerprints(&file, &findings);
        reports.push(FileReport {
            path: input.name.clone(),
            text,
            findings,
            fingerprints,
            failed: false,
        });
    }
    let load_failed = reports.iter().filter(|r| r.failed).count();
    let output = Output {
        color: color_for(args.color),
        width: wrap_width(),
        unsafe_fixes: args.unsafe_fixes,
    };
    let stats = args.statistics.then(|| render::statistics(&reports));
    let mut out = String::new();
    if args.diff {
        out.push_str(&diffs);
    }
    if !args.diff || args.fix {
        let text_format = matches!(args.format, Format::Human | Format::Short);
        out.push_str(&match (args.format, &stats) {
            (Format::Human | Format::Short, Some(stats)) => stats.clone(),
            (Format::Human, None) => render::human_reports(&reports, &output),
            (Format::Short, None) => render::short(&reports),
            (Format::Json, _) => render::json_report(&reports),
            (Format::Sarif, _) => render::sarif(&reports),
            (Format::Github, _) => render::github(&reports),
            (Format::Azure, _) => render::azure(&reports),
            (Format::Gitlab, _) => render::gitlab(&reports),
        });
        if text_format && !args.quiet {
            out.push_str(&render::summary(
                &reports,
                args.fix || args.diff,
                fix_failed,
                &output,
            ));
        }
        if !text_format && let Some(stats) = &stats {
            super::eprint_text(stats);
        }
    }
    if let Some(fixed) = &fixed_stdin {
        // The fixed text is the result; the report goes to stderr.
        super::eprint_text(&out);
        write_stdout(fixed)?;
    } else {
        write_stdout(&out)?;
    }
    if !args.quiet || fix_failed > 0 {
        let notes: String = notes
            .lines()
            .filter(|l| !args.quiet || l.starts_with("entramap: error"))
            .map(|l| format!("{l}\n"))
            .collect();
        super::eprint_text(&notes);
    }
    let (errors, warnings, _) = render::totals(&reports);
    Ok(ExitCode::from(if load_failed + fix_failed > 0 {
        2
    } else if args.exit_zero {
        0
    } else if errors > 0 || (args.deny_warnings && warnings > 0) {
        1
    } else {
        0
    }))
}

/// How many of the findings before a fix are gone after it.
fn fixed_count(before: &[Finding], after: &[Finding]) -> usize {
    let key = |f: &Finding| {
        (
            f.diagnostic.code,
            f.target.clone(),
            f.diagnostic.message.clone(),
        )
    };
    let mut left: HashMap<_, usize> = HashMap::new();
    for f in after {
        *left.entry(key(f)).or_default() += 1;
    }
    before
        .iter()
        .filter(|f| match left.get_mut(&key(f)) {
            Some(n) if *n > 0 => {
                *n -= 1;
                false
            }
            _ => true,
        })
        .count()
}

/// What each finding's fingerprint is computed from, besides its rule and file: the target
/// attribute and the canonical text of the mapping's expression (so it survives line shifts
/// and reformatting), or the message for findings not about one mapping.
fn fingerprints(file: &mapping::MappingFile, findings: &[Finding]) -> Vec<String> {
    findings
        .iter()
        .map(|f| {
            let mapping = f.location.and_then(|(oi, mi)| {
                let om = file.object_mappings.get(oi)?;
                Some((om, mi.and_then(|mi| om.attribute_mappings.get(mi))))
            });
            match mapping {
                Some((om, Some(m))) => {
                    let expr = m.source.as_ref().map_or(String::new(), |s| {
                        crate::syntax::parse(&s.text)
                            .map(|e| crate::syntax::print(&e))
                            .unwrap_or_else(|_| s.text.clone())
                    });
                    format!(
                        "{}\u{0}{}\u{0}{}\u{0}{}",
                        om.target_object, m.target.value, expr, f.diagnostic.message
                    )
                }
                Some((om, None)) => {
                    format!("{}\u{0}{}", om.target_object, f.diagnostic.message)
                }
                None => f.diagnostic.message.clone(),
            }
        })
        .collect()
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
            render::escape_line(&path.to_string_lossy())
        ),
        other => render::escape_line(&other.to_string()),
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
    use crate::simulate::{self, Output, Plan, app::App, users::UserReader, violations};
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

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
