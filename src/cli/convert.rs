//! `entramap convert FILE --to yaml|graph [-o OUT]`: a mapping file from one format to the other.

use super::{CmdResult, Failure, render, write_stdout};
use crate::mapping::{self, MappingFile};
use crate::syntax;
use clap::ValueEnum;
use std::path::Path;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  entramap convert schema.json --to yaml -o mapping.yaml   # a Graph export to mapping-as-code
  entramap convert mapping.yaml --to graph                 # back to Graph JSON, on stdout
  entramap convert mapping.yaml --to graph --base live.json -o put.json
                                       # the live schema with these object mappings: a PUT body

Graph → Graph and Graph → YAML → Graph give back the same document: what YAML has no keys for
(ids, metadata, directories) is written after the mappings, under `graph:`, and converting back
merges the mappings into it. A YAML file without `graph:` becomes an objectMapping for one object
(an attributeMappings array when it has no names) and a synchronizationRule for several.
--base LIVE.json writes the live schema with FILE's object mappings in place of its own (matched
by source and target object names), everything else kept: the body of `PUT …/schema`.")]
pub struct ConvertArgs {
    /// The mapping file: Graph JSON or entramap YAML (`-` reads standard input).
    file: String,
    /// The format to write.
    #[arg(long, value_enum)]
    to: ConvertTo,
    /// Write to OUT instead of standard output.
    #[arg(long, short, value_name = "OUT")]
    output: Option<String>,
    /// With `--to graph`: a live schema (Graph's `GET …/synchronization/jobs/{id}/schema`);
    /// its object mappings are replaced by FILE's, matched by source and target object names,
    /// and everything else is kept: the output is the body of the `PUT`.
    #[arg(long, value_name = "LIVE.json")]
    base: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ConvertTo {
    /// entramap's mapping-as-code YAML.
    Yaml,
    /// Microsoft Graph synchronization JSON.
    Graph,
}

pub fn cmd_convert(args: ConvertArgs) -> CmdResult {
    let name = if args.file == "-" {
        "<stdin>"
    } else {
        args.file.as_str()
    };
    if args.base.is_some() && args.to != ConvertTo::Graph {
        return Err(Failure(
            "--base merges into a live Graph schema, so it goes with --to graph; nothing was written".into(),
        ));
    }
    if args.file == "-" && args.base.as_deref() == Some("-") {
        return Err(Failure(
            "FILE and --base cannot both be standard input (`-`); give one of them as a path"
                .into(),
        ));
    }
    if let Some(out) = &args.output {
        let inputs = [
            (Some(&args.file), "the input file"),
            (args.base.as_ref(), "the --base file"),
        ];
        for (input, what) in inputs {
            if let Some(input) = input
                && input != "-"
                && same_file(Path::new(input), Path::new(out))
            {
                return Err(Failure(format!(
                    "{out} is {what}: convert does not overwrite its input; nothing was written (write to another file, then rename it)"
                )));
            }
        }
    }
    let base = match &args.base {
        None => None,
        Some(path) => match read_base(path)? {
            Ok(base) => Some(base),
            Err(code) => return Ok(code),
        },
    };
    let (text, file) = match load_reported(&args.file, name)? {
        Ok(loaded) => loaded,
        Err(code) => return Ok(code),
    };
    if args.to == ConvertTo::Graph && !report_unparsable(&file, name, &text) {
        return Ok(ExitCode::from(1));
    }
    let out = match (args.to, &base) {
        (ConvertTo::Yaml, _) => mapping::to_yaml(&file),
        (ConvertTo::Graph, None) => mapping::to_graph_json(&file),
        (ConvertTo::Graph, Some((base_name, base))) => {
            match mapping::to_graph_json_with_base(&file, base) {
                Ok(out) => out,
                Err(e) => {
                    super::eprint_text(&render::merge_error(&e, name, base_name));
                    return Ok(ExitCode::from(2));
                }
            }
        }
    };
    match &args.output {
        None => write_stdout(&out)?,
        Some(path) => {
            write_atomically(Path::new(path), &out)?;
            if let Some((base_name, _)) = &base {
                super::eprint_text(&render::base_written(&file, base_name, path));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Reads the live schema of `--base`: through the bounded reader every input takes, loaded as a
/// mapping file (so a broken one gets the usual diagnostic) and then kept as a JSON value.
/// `Err(code)` when it was reported and convert should end with that code.
fn read_base(path: &str) -> Result<Result<(String, serde_json::Value), ExitCode>, Failure> {
    let name = if path == "-" { "<stdin>" } else { path };
    let file = match load_reported(path, name)? {
        Ok((_, file)) => file,
        Err(code) => return Ok(Err(code)),
    };
    match file.envelope.and_then(mapping::Envelope::into_document) {
        Some(base) if file.format == mapping::Format::Graph => Ok(Ok((name.to_string(), base))),
        _ => Err(Failure(format!(
            "{name} is not Graph JSON: --base takes the live schema as Graph returns it (`GET …/synchronization/jobs/{{jobId}}/schema`, or the schema editor's download); nothing was written"
        ))),
    }
}

/// Reads and loads a mapping file (`-`: standard input) shown as `name`; a file that cannot be
/// read or loaded is reported with its diagnostic, and `Err(2)` says convert should end.
fn load_reported(
    path: &str,
    name: &str,
) -> Result<Result<(String, MappingFile), ExitCode>, Failure> {
    let text = match super::read_mapping_file(path)? {
        super::MappingRead::Text { text, .. } => text,
        super::MappingRead::Bad { error, shown } => {
            super::eprint_text(&render::human(
                &error.to_diagnostic(),
                name,
                &shown,
                render::stderr_color(),
            ));
            return Ok(Err(ExitCode::from(2)));
        }
    };
    match mapping::load(&text) {
        Ok(file) => Ok(Ok((text, file))),
        Err(e) => {
            super::eprint_text(&render::human(
                &e.to_diagnostic(),
                name,
                &text,
                render::stderr_color(),
            ));
            Ok(Err(ExitCode::from(2)))
        }
    }
}

/// Graph needs a tree for every expression; one that does not parse (and came with no tree)
/// has none. Reports each such expression; returns whether there were none.
fn report_unparsable(file: &MappingFile, name: &str, text: &str) -> bool {
    let mut ok = true;
    let shown = render::Shown::new(name, text);
    for m in file
        .object_mappings
        .iter()
        .flat_map(|o| &o.attribute_mappings)
    {
        let Some(expr) = &m.source else { continue };
        if mapping::graph_source(expr).is_some() {
            continue;
        }
        if let Err(e) = syntax::parse(&expr.text) {
            ok = false;
            let d = e.to_diagnostic().shifted(|s| expr.map.span(s));
            super::eprint_text(&render::human_in(&d, &shown, render::stderr_color()));
        }
    }
    if !ok {
        super::eprint_text(
            "entramap: nothing written: Graph JSON needs every expression to parse\n",
        );
    }
    ok
}

/// Whether two paths name one file (the same path, a symbolic link or a hard link to it).
fn same_file(a: &Path, b: &Path) -> bool {
    let (Ok(ma), Ok(mb)) = (std::fs::metadata(a), std::fs::metadata(b)) else {
        return false;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        ma.dev() == mb.dev() && ma.ino() == mb.ino()
    }
    #[cfg(not(unix))]
    {
        let _ = (ma, mb);
        matches!((a.canonicalize(), b.canonicalize()), (Ok(x), Ok(y)) if x == y)
    }
}

/// Writes `path` through a temporary file beside it, so a failure leaves the old file whole.
fn write_atomically(path: &Path, contents: &str) -> Result<(), Failure> {
    crate::lint::fix::write_atomically(path, contents)
        .map_err(|e| Failure(format!("cannot write {}: {e}", path.display())))
}
