//! The command line: argument parsing, reading inputs, writing results. Results go to stdout,
//! diagnostics and progress to stderr. Exit codes: 0 clean, 1 findings or a failed check,
//! 2 usage, I/O, bad input or internal error.

pub mod convert;
pub mod diff;
pub mod eval;
pub mod generate;
pub mod lint;
pub mod logs;
pub mod profiles;
pub mod render;
pub mod serve;
pub mod simulate;

use crate::catalogue::{self, FunctionSpec};
use crate::graph::{self, MappingSource};
use crate::syntax;
use clap::{Parser, Subcommand, ValueEnum};
use std::io::{self, Write};
use std::process::ExitCode;

const AFTER_HELP: &str = "\
Examples:
  entramap lint --profile unleash mappings/
  entramap parse 'Join(\" \", [givenName], [surname])'
  entramap parse --output canonical 'Switch ([IsSoftDeleted],,\"False\",\"true\",\"True\",\"false\")'
  entramap parse --from-graph tree.json
  entramap functions Replace

Exit codes: 0 success, 1 findings (an invalid expression, lint errors), 2 usage or input errors.";

#[derive(Debug, Parser)]
#[command(
    name = "entramap",
    version,
    about = "Offline parser, evaluator and linter for Microsoft Entra ID provisioning attribute mappings",
    after_help = AFTER_HELP
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Lint mapping files (Graph schema JSON or entramap YAML): files, folders, globs or stdin.
    Lint(Deferred<lint::LintArgs>),
    /// Parse an expression and print Graph's attributeMappingSource tree, its canonical text or
    /// its syntax tree.
    #[command(after_help = "Examples:
  entramap parse 'Replace([preferredLanguage], \"-\", , , \"_\", , )'
  entramap parse --output ast 'Mid([userPrincipalName], 1, 8)'
  echo '[mail]' | entramap parse -
  entramap parse --from-graph tree.json     # a Graph tree back to expression text")]
    Parse(Deferred<ParseArgs>),
    /// Evaluate an expression against attribute values, offline, with Entra's semantics; or
    /// answer a Graph parseExpression request.
    Eval(Deferred<eval::EvalArgs>),
    /// List the function catalogue, or show one function.
    #[command(after_help = "Examples:
  entramap functions                 # every function with its summary
  entramap functions replace         # one function, any casing: signature, parameters, examples")]
    Functions(Deferred<FunctionsArgs>),
    /// Convert a mapping file between Graph JSON and entramap YAML.
    Convert(Deferred<convert::ConvertArgs>),
    /// Simulate what Entra would send to the SCIM app for a set of users.
    Simulate(Deferred<simulate::SimulateArgs>),
    /// Compare two mapping files (Graph JSON or YAML): structure, risks, and with --users
    /// what changes for each user. Exit 0 equivalent, 1 different, 2 error.
    Diff(Deferred<diff::DiffArgs>),
    /// Explain what Entra did, from its provisioning logs or a provisionOnDemand response.
    Logs(Deferred<logs::LogsArgs>),
    /// List every lint rule with its code, default severity and summary.
    #[command(after_help = "Examples:
  entramap rules
  entramap rules | grep EM1          # the profile rules")]
    Rules,
    /// Serve the expression builder and mapping viewer to a browser on this machine
    /// (127.0.0.1 and ::1 only).
    Serve(Deferred<serve::ServeArgs>),
    /// List the built-in app profiles (`--schema`: the profile format's JSON Schema).
    Profiles(Deferred<profiles::ProfilesArgs>),
    /// Explain a lint rule (what it does, why it matters, an example and the fix), an app
    /// profile (its rules, notes and sources) or a `diff` finding (DF001…).
    #[command(after_help = "Examples:
  entramap explain switch-boolean-key-case
  entramap explain EM013
  entramap explain active-stops-flowing   # a diff finding")]
    Explain {
        /// A rule name (`switch-boolean-key-case`) or code (`EM013`), or a profile name
        /// (`github-emu`) or file.
        rule: String,
    },
    /// Print a shell completion script (bash, zsh, fish, powershell or elvish).
    #[command(after_help = "Examples:
  entramap completions bash > ~/.local/share/bash-completion/completions/entramap
  entramap completions zsh > \"${fpath[1]}/_entramap\"
  entramap completions fish > ~/.config/fish/completions/entramap.fish
  entramap completions powershell | Out-String | Invoke-Expression   # in $PROFILE")]
    Completions(Deferred<generate::CompletionsArgs>),
    /// Print the man page (roff), of entramap or of one subcommand.
    #[command(after_help = "Examples:
  entramap man > /usr/local/share/man/man1/entramap.1
  entramap man lint | man -l -")]
    Man(Deferred<generate::ManArgs>),
}

/// A subcommand's arguments, defined only when clap needs them (the subcommand is run, or its
/// help, a completion script or a man page is written), through [`clap::Command::defer`]:
/// building the arguments of every subcommand took a tenth of a lint's start-up. The arguments,
/// their help and their parsing are those of `T`; `tests/cli_generate.rs` (completions and man
/// pages of every subcommand) and `deferred_arguments_parse_as_the_plain_ones` show it.
#[derive(Debug)]
pub struct Deferred<T>(pub T);

impl<T: clap::Args> clap::Args for Deferred<T> {
    fn augment_args(cmd: clap::Command) -> clap::Command {
        cmd.defer(T::augment_args)
    }
    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        cmd.defer(T::augment_args_for_update)
    }
    fn group_id() -> Option<clap::Id> {
        T::group_id()
    }
}

impl<T: clap::FromArgMatches> clap::FromArgMatches for Deferred<T> {
    fn from_arg_matches(matches: &clap::ArgMatches) -> Result<Self, clap::Error> {
        T::from_arg_matches(matches).map(Deferred)
    }
    fn from_arg_matches_mut(matches: &mut clap::ArgMatches) -> Result<Self, clap::Error> {
        T::from_arg_matches_mut(matches).map(Deferred)
    }
    fn update_from_arg_matches(&mut self, matches: &clap::ArgMatches) -> Result<(), clap::Error> {
        self.0.update_from_arg_matches(matches)
    }
    fn update_from_arg_matches_mut(
        &mut self,
        matches: &mut clap::ArgMatches,
    ) -> Result<(), clap::Error> {
        self.0.update_from_arg_matches_mut(matches)
    }
}

#[derive(Debug, clap::Args)]
struct ParseArgs {
    /// The expression; `-` reads it from standard input.
    #[arg(required_unless_present = "from_graph", conflicts_with = "from_graph")]
    expression: Option<String>,
    /// What to print.
    #[arg(long, short, value_enum, default_value_t = ParseOutput::Graph)]
    output: ParseOutput,
    /// Read an attributeMappingSource JSON tree from FILE (`-` for stdin) and print its
    /// expression text.
    #[arg(long, value_name = "FILE")]
    from_graph: Option<String>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ParseOutput {
    /// Graph's attributeMappingSource tree as JSON.
    Graph,
    /// The canonical expression text.
    Canonical,
    /// The syntax tree with byte spans.
    Ast,
}

#[derive(Debug, clap::Args)]
struct FunctionsArgs {
    /// A function name (any casing); without it, every function is listed.
    name: Option<String>,
}

/// Why a command failed before producing its result (exit 2).
#[derive(Debug)]
pub struct Failure(pub String);

impl<E: std::fmt::Display> From<E> for Failure {
    fn from(e: E) -> Self {
        Failure(e.to_string())
    }
}

type CmdResult = Result<ExitCode, Failure>;

/// Runs the command line and returns the process's exit code: 0, 1 or 2, whatever the input.
/// Never panics outward: a panic is reported as an internal error with exit code 2. Nothing is
/// written with `print!`/`eprint!`, which panic when the stream is closed.
pub fn run() -> ExitCode {
    std::panic::set_hook(Box::new(|info| {
        eprint_text(&format!(
            "entramap: internal error: {info}\n\
             This is a bug in entramap; please report it with the input that caused it.\n"
        ));
    }));
    std::panic::catch_unwind(|| {
        let cli = match Cli::try_parse() {
            Ok(cli) => cli,
            Err(e) => {
                let code = if e.use_stderr() { 2 } else { 0 };
                let _ = e.print();
                return ExitCode::from(code);
            }
        };
        match dispatch(cli) {
            Ok(code) => code,
            Err(Failure(message)) => {
                if !message.is_empty() {
                    eprint_text(&format!("entramap: error: {message}\n"));
                }
                ExitCode::from(2)
            }
        }
    })
    .unwrap_or(ExitCode::from(2))
}

/// Writes to stderr, ignoring failure: a closed stderr (`entramap … 2>&1 | head -1`) must not
/// turn a report into a panic.
pub fn eprint_text(text: &str) {
    let mut err = io::stderr().lock();
    let _ = err.write_all(text.as_bytes());
    let _ = err.flush();
}

/// What an I/O error says when stdout is a closed pipe: a command that passes such an error up
/// (rather than writing through [`write_stdout`]) ends quietly too.
const BROKEN_PIPE: &str = "Broken pipe";

fn dispatch(cli: Cli) -> CmdResult {
    let result = match cli.command {
        Command::Parse(Deferred(args)) => cmd_parse(args),
        Command::Eval(Deferred(args)) => eval::cmd_eval(args),
        Command::Functions(Deferred(args)) => cmd_functions(args),
        Command::Convert(Deferred(args)) => convert::cmd_convert(args),
        Command::Lint(Deferred(args)) => lint::cmd_lint(args),
        Command::Simulate(Deferred(args)) => simulate::cmd_simulate(args),
        Command::Diff(Deferred(args)) => diff::cmd_diff(args),
        Command::Logs(Deferred(args)) => logs::cmd_logs(args),
        Command::Serve(Deferred(args)) => serve::cmd_serve(args),
        Command::Rules => lint::cmd_rules(),
        Command::Completions(Deferred(args)) => generate::cmd_completions(args),
        Command::Man(Deferred(args)) => generate::cmd_man(args),
        Command::Profiles(Deferred(args)) => profiles::cmd_profiles(args),
        Command::Explain { rule } => match profiles::explain(&rule) {
            Some(result) => result,
            None => match diff::explain(&rule) {
                Some(result) => result,
                None => lint::cmd_explain(&rule),
            },
        },
    };
    match result {
        // A closed pipe (`entramap … | head`) ends quietly.
        Err(Failure(m)) if m.contains(BROKEN_PIPE) => Ok(ExitCode::SUCCESS),
        other => other,
    }
}

/// Reads a named file, or stdin for `-`, as UTF-8 text without its byte-order mark, reading no
/// more than `limit` allows.
pub fn read_input(path: &str, limit: crate::input::Limit) -> Result<String, Failure> {
    let bytes = crate::input::read_path(path, limit).map_err(|e| Failure(e.to_string()))?;
    let mut text = String::from_utf8(bytes).map_err(|e| {
        Failure(format!(
            "{} is not valid UTF-8 (first bad byte at offset {}); entramap reads UTF-8 text",
            display_name(path),
            e.utf8_error().valid_up_to()
        ))
    })?;
    if text.starts_with('\u{feff}') {
        text.drain(..'\u{feff}'.len_utf8());
    }
    Ok(text)
}

/// A mapping file as read from disk or standard input.
pub enum MappingRead {
    /// Its text without a byte-order mark, and whether it had one.
    Text { text: String, bom: bool },
    /// Bytes that cannot be a mapping file (over 10 MB, not UTF-8): the error, and the text to
    /// show it against.
    Bad {
        error: crate::mapping::LoadError,
        shown: String,
    },
}

/// Reads a mapping file (or stdin for `-`) without reading more than the size limit allows.
pub fn read_mapping_file(path: impl AsRef<std::path::Path>) -> Result<MappingRead, Failure> {
    use crate::input::{self, ReadError};
    use crate::mapping;
    let bytes = match input::read_path(path, input::MAPPING_FILE) {
        Ok(bytes) => bytes,
        Err(e @ (ReadError::TooLarge { .. } | ReadError::TooMuch { .. })) => {
            let mut error = mapping::too_large(0);
            error.message = match &e {
                ReadError::TooLarge { size, .. } => format!(
                    "the file is {size} bytes; entramap reads mapping files of at most {} bytes (10 MB)",
                    mapping::MAX_FILE_BYTES
                ),
                _ => e.to_string(),
            };
            return Ok(MappingRead::Bad {
                error,
                shown: String::new(),
            });
        }
        Err(e) => return Err(Failure(e.to_string())),
    };
    if let Err(error) = mapping::decode(&bytes) {
        return Ok(MappingRead::Bad {
            error,
            shown: String::from_utf8_lossy(&bytes).into_owned(),
        });
    }
    // `decode` accepted the bytes as UTF-8: they become the text without a copy.
    let mut text = String::from_utf8(bytes)
        .map_err(|e| Failure(format!("cannot read the mapping file as UTF-8: {e}")))?;
    let bom = text.starts_with('\u{feff}');
    if bom {
        text.drain(..'\u{feff}'.len_utf8());
    }
    Ok(MappingRead::Text { text, bom })
}

fn display_name(path: &str) -> &str {
    if path == "-" { "<stdin>" } else { path }
}

/// Writes results to stdout. A closed pipe (`entramap … | head -1`) is not an error: the rest
/// is dropped quietly and the command still ends with the exit code its results call for.
fn write_stdout(text: &str) -> Result<(), Failure> {
    let mut out = io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure(format!("cannot write to standard output: {e}"))),
    }
}

fn cmd_parse(args: ParseArgs) -> CmdResult {
    if let Some(path) = &args.from_graph {
        let text = read_input(path, crate::input::GRAPH_TREE)?;
        let tree: MappingSource = serde_json::from_str(&text).map_err(|e| {
            Failure(format!(
                "{} is not an attributeMappingSource JSON object: {e}",
                display_name(path)
            ))
        })?;
        let expr = graph::from_graph(&tree)
            .map_err(|e| Failure(format!("{}: {e}", display_name(path))))?;
        write_stdout(&format!("{}\n", syntax::print(&expr)))?;
        return Ok(ExitCode::SUCCESS);
    }
    let Some(arg) = args.expression else {
        return Err(Failure(
            "an expression (or `-` for standard input) is required".into(),
        ));
    };
    let (name, text) = if arg == "-" {
        ("<stdin>", read_input("-", crate::input::EXPRESSION)?)
    } else {
        ("<expression>", arg)
    };
    let expr = match syntax::parse(&text) {
        Ok(expr) => expr,
        Err(e) => {
            eprint_text(&render::human(
                &e.to_diagnostic(),
                name,
                &text,
                render::stderr_color(),
            ));
            return Ok(ExitCode::from(1));
        }
    };
    let out = match args.output {
        ParseOutput::Graph => serde_json::to_string_pretty(&graph::to_graph(&expr))? + "\n",
        ParseOutput::Canonical => syntax::print(&expr) + "\n",
        ParseOutput::Ast => syntax::print_tree(&expr),
    };
    write_stdout(&out)?;
    Ok(ExitCode::SUCCESS)
}

fn cmd_functions(args: FunctionsArgs) -> CmdResult {
    let cat = catalogue::catalogue();
    let Some(name) = args.name else {
        let width = cat.names().map(str::len).max().unwrap_or(0);
        let mut out = String::new();
        for f in &cat.functions {
            out.push_str(&format!("{:width$}  {}\n", f.name, f.summary()));
        }
        write_stdout(&out)?;
        return Ok(ExitCode::SUCCESS);
    };
    let Some(spec) = cat.get(&name) else {
        let hint = crate::suggest::did_you_mean(&name, cat.names())
            .map(|s| format!("; did you mean {s}?"))
            .unwrap_or_default();
        return Err(Failure(format!(
            "no function named {name:?} in the catalogue{hint} (`entramap functions` lists them all)"
        )));
    };
    write_stdout(&describe_function(spec))?;
    Ok(ExitCode::SUCCESS)
}

pub fn describe_function(f: &FunctionSpec) -> String {
    let mut out = format!("{}\n\n{}\n\n", f.signature(), f.summary());
    out.push_str(&format!(
        "returns: {}\nfamily: {:?}\ndocumented for: {}\n",
        f.returns.as_str(),
        f.family,
        match f.availability {
            catalogue::Availability::Both => "app provisioning and cloud sync",
            catalogue::Availability::Provisioning => "app provisioning",
            catalogue::Availability::CloudSync => "cloud sync only",
            catalogue::Availability::GraphOnly => "nothing (only named in Graph's function schema)",
        }
    ));
    if !f.parameters.is_empty() {
        out.push_str("\nparameters (Graph keys):\n");
        for p in &f.parameters {
            let mut line = format!(
                "  {:<28} {:<9} {}",
                p.name,
                p.kind.as_str(),
                if p.required { "required" } else { "optional" }
            );
            if p.repeating {
                line.push_str(", repeating");
            }
            if !p.values.is_empty() {
                line.push_str(&format!(" ({})", p.values.join(" | ")));
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
    }
    for (argc, names) in &f.forms {
        out.push_str(&format!(
            "\nwith {argc} arguments: {}({})\n",
            f.name,
            names.join(", ")
        ));
    }
    if !f.examples().is_empty() {
        out.push_str("\nexamples:\n");
        for ex in f.examples() {
            out.push_str(&format!("  {}\n", ex.expr));
            if let Some(expect) = &ex.expect {
                out.push_str(&format!("    → {expect}\n"));
            }
        }
    }
    out
}

#[cfg(test)]
mod deferred_tests {
    use super::*;
    use clap::{Args, CommandFactory, FromArgMatches};

    /// Every argument of a subcommand as clap describes it once built.
    fn arguments(mut cmd: clap::Command) -> Vec<String> {
        cmd.build();
        cmd.get_arguments().map(|a| format!("{a:?}")).collect()
    }

    /// The same subcommand built plainly, without deferring its arguments.
    fn plain<T: Args>(name: &'static str) -> clap::Command {
        T::augment_args(clap::Command::new(name))
    }

    /// Deferring a subcommand's arguments changes neither them nor how an argument list parses.
    #[test]
    fn deferred_arguments_parse_as_the_plain_ones() {
        let mut cli = Cli::command();
        cli.build();
        let plain_commands = [
            plain::<lint::LintArgs>("lint"),
            plain::<ParseArgs>("parse"),
            plain::<eval::EvalArgs>("eval"),
            plain::<FunctionsArgs>("functions"),
            plain::<convert::ConvertArgs>("convert"),
            plain::<simulate::SimulateArgs>("simulate"),
            plain::<diff::DiffArgs>("diff"),
            plain::<logs::LogsArgs>("logs"),
            plain::<serve::ServeArgs>("serve"),
            plain::<profiles::ProfilesArgs>("profiles"),
            plain::<generate::CompletionsArgs>("completions"),
            plain::<generate::ManArgs>("man"),
        ];
        for p in plain_commands {
            let name = p.get_name().to_string();
            let deferred = cli.find_subcommand(&name).unwrap().clone();
            let args = arguments(p);
            assert!(!args.is_empty(), "{name}");
            assert_eq!(arguments(deferred), args, "{name}");
        }
        for argv in [
            &[
                "lint", "a.json", "--format", "json", "--select", "EM001", "-q",
            ][..],
            &[
                "lint",
                "--fix",
                "--unsafe-fixes",
                "--color",
                "never",
                "x.yaml",
                "y.json",
            ],
            &["lint", "-"],
        ] {
            let Command::Lint(Deferred(lazy)) =
                Cli::try_parse_from(std::iter::once("entramap").chain(argv.iter().copied()))
                    .unwrap()
                    .command
            else {
                panic!("not lint: {argv:?}");
            };
            let matches = plain::<lint::LintArgs>("lint")
                .try_get_matches_from(argv.iter().copied())
                .unwrap();
            let eager = lint::LintArgs::from_arg_matches(&matches).unwrap();
            assert_eq!(format!("{lazy:?}"), format!("{eager:?}"), "{argv:?}");
        }
        let bad = Cli::try_parse_from(["entramap", "lint", "--formt", "json"]).unwrap_err();
        assert!(bad.to_string().contains("--format"), "{bad}");
        let none = Cli::try_parse_from(["entramap", "lint"]).unwrap_err();
        assert_eq!(none.kind(), clap::error::ErrorKind::MissingRequiredArgument);
    }
}
