//! `entramap profiles`: the built-in app profiles, and the JSON Schema of the profile format.

use super::{CmdResult, Failure, render, write_stdout};
use crate::profile::{self, BUILT_IN, Profile};
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  entramap profiles
  entramap explain github-emu
  entramap profiles --schema > entramap-profile.schema.json")]
pub struct ProfilesArgs {
    /// Print the JSON Schema of profile format 2 (for editors) instead of the list.
    #[arg(long)]
    pub schema: bool,
}

pub fn cmd_profiles(args: ProfilesArgs) -> CmdResult {
    if args.schema {
        let text = serde_json::to_string_pretty(&profile::json_schema())
            .map_err(|e| Failure(format!("cannot write the schema: {e}")))?;
        write_stdout(&format!("{text}\n"))?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut rows = Vec::new();
    for (name, _) in BUILT_IN {
        let p = Profile::resolve(name).map_err(|e| Failure(e.to_string()))?;
        rows.push(p);
    }
    write_stdout(&render::profile_list(&rows))?;
    Ok(ExitCode::SUCCESS)
}

/// `entramap explain PROFILE`, when the name is a built-in profile or a profile file.
pub fn explain(key: &str) -> Option<CmdResult> {
    let is_file = key.ends_with(".yaml") || key.ends_with(".yml");
    if !is_file && !BUILT_IN.iter().any(|(n, _)| n.eq_ignore_ascii_case(key)) {
        return None;
    }
    Some(match Profile::resolve_loaded(key) {
        Ok(loaded) => {
            if let Some(note) = &loaded.note {
                super::eprint_text(&format!("entramap: note: {note}\n"));
            }
            write_stdout(&render::profile_text(&loaded.profile)).map(|()| ExitCode::SUCCESS)
        }
        Err(e) => Err(Failure(e.to_string())),
    })
}
