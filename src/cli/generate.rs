//! `entramap completions SHELL` and `entramap man [COMMAND]`: shell completion scripts and roff
//! man pages, both generated from the clap definitions in [`super::Cli`], so they can never list
//! a subcommand or option the binary does not have.

use super::{Cli, CmdResult, Failure, write_stdout};
use clap::CommandFactory;
use clap_complete::Shell;
use std::process::ExitCode;

/// The command name completions are registered under: the binary's name.
const BIN_NAME: &str = "entramap";

#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell to write a completion script for.
    #[arg(value_enum)]
    shell: Shell,
}

#[derive(Debug, clap::Args)]
pub struct ManArgs {
    /// A subcommand (`lint`, `eval`, …) to print the page of; without it, the page of
    /// `entramap` itself, which lists every subcommand.
    command: Option<String>,
}

/// Writes the completion script for one shell to stdout.
pub fn cmd_completions(args: CompletionsArgs) -> CmdResult {
    let mut cmd = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, BIN_NAME, &mut out);
    write_stdout(&utf8(out)?)?;
    Ok(ExitCode::SUCCESS)
}

/// Writes a man page (roff) to stdout: `entramap(1)`, or `entramap-COMMAND(1)`.
pub fn cmd_man(args: ManArgs) -> CmdResult {
    let mut cmd = Cli::command();
    cmd.build();
    let page = match &args.command {
        None => cmd,
        Some(name) => {
            let Some(sub) = cmd.find_subcommand(name) else {
                let known: Vec<&str> = cmd
                    .get_subcommands()
                    .map(|s| s.get_name())
                    .filter(|&n| n != "help")
                    .collect();
                return Err(Failure(format!(
                    "`{name}` is not an entramap command; `entramap man` takes one of: {}",
                    known.join(", ")
                )));
            };
            // After `build`, a subcommand's display name is `entramap-NAME`: the page's title.
            sub.clone().version(env!("CARGO_PKG_VERSION"))
        }
    };
    let mut out = Vec::new();
    clap_mangen::Man::new(page)
        .render(&mut out)
        .map_err(|e| Failure(format!("cannot render the man page: {e}")))?;
    write_stdout(&utf8(out)?)?;
    Ok(ExitCode::SUCCESS)
}

fn utf8(bytes: Vec<u8>) -> Result<String, Failure> {
    String::from_utf8(bytes).map_err(|e| Failure(format!("generated text is not UTF-8: {e}")))
}
