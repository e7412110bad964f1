//! `entramap serve`: starts the local web server of [`crate::serve`] and prints its URL.

use super::{CmdResult, Failure, write_stdout};
use crate::serve;

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  entramap serve                 # http://127.0.0.1:8765/
  entramap serve --port 0        # any free port; the URL is printed
  entramap serve --open          # and open the page in the default browser

The server listens on 127.0.0.1 (and ::1 where the host has IPv6), never on another address.
It answers only requests whose Host is 127.0.0.1:PORT, localhost:PORT or [::1]:PORT, reads
request bodies of at most 16 MiB, and never reads or writes a file: the page sends it what you
type or upload. Stop it with Ctrl-C.")]
pub struct ServeArgs {
    /// The port to listen on; 0 picks a free one.
    #[arg(long, default_value_t = 8765, value_name = "N")]
    pub port: u16,
    /// Open the page in the default browser once the server listens.
    #[arg(long)]
    pub open: bool,
}

pub fn cmd_serve(args: ServeArgs) -> CmdResult {
    let bound = serve::bind(args.port).map_err(|e| Failure(e.0))?;
    let url = bound.url();
    let addrs: Vec<String> = bound.addrs().iter().map(ToString::to_string).collect();
    write_stdout(&format!("{url}\n"))?;
    super::eprint_text(&format!(
        "entramap: serving the builder on {} (loopback only); Ctrl-C stops it\n",
        addrs.join(" and ")
    ));
    if args.open
        && let Err(e) = open::that_detached(&url)
    {
        super::eprint_text(&format!(
            "entramap: cannot open a browser ({e}); open {url} yourself\n"
        ));
    }
    bound.run();
    Ok(std::process::ExitCode::SUCCESS)
}
