//! Provisioning logs: what Entra actually did, read from its logs and on-demand results.
//!
//! [`read`] streams events from every documented shape (Graph pages, the portal's JSON and CSV
//! downloads, JSON Lines, a provisionOnDemand response; v1.0 and beta spellings) into one
//! [`Event`] model; [`report`] folds them into a [`Report`] (per-cycle counts, errors with
//! Microsoft's meaning and remedy from [`codes`], skip reasons, repeated updates with their
//! cause); [`connect`] points the report at the mapping file that produces each attribute; and
//! [`ondemand`] replays a provisionOnDemand response against a local mapping.
//!
//! ```
//! use entramap::logs::{self, read::Item};
//!
//! let page = r#"{"value": [
//!   {"cycleId": "c1", "changeId": "a", "provisioningAction": "update",
//!    "provisioningStatusInfo": {"status": "success"},
//!    "sourceIdentity": {"id": "u1", "displayName": "Ann"},
//!    "modifiedProperties": [{"displayName": "title", "oldValue": "dev", "newValue": "Dev"}]},
//!   {"cycleId": "c2", "changeId": "b", "provisioningAction": "update",
//!    "provisioningStatusInfo": {"status": "success"},
//!    "sourceIdentity": {"id": "u1", "displayName": "Ann"},
//!    "modifiedProperties": [{"displayName": "title", "oldValue": "dev", "newValue": "Dev"}]}
//! ]}"#;
//! let mut collector = logs::report::Collector::new();
//! logs::read::read_json("page.json", page.as_bytes(), &mut |item| {
//!     if let Item::Event(e) = item { collector.add(&e) }
//! }).unwrap();
//! let report = collector.finish();
//! assert_eq!(report.repeated[0].attribute, "title");
//! assert_eq!(report.repeated[0].cause.name(), "case-drift");
//! ```

pub mod codes;
pub mod connect;
pub mod event;
pub mod ondemand;
pub mod read;
pub mod report;

pub use event::Event;
pub use report::{Collector, Report};

use std::fmt;
use std::path::{Path, PathBuf};

/// Input that could not be read as provisioning events: which file, where, and what was wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    pub file: String,
    /// 1-based line and column, when the reader knows them.
    pub position: Option<(usize, usize)>,
    pub message: String,
}

impl LoadError {
    pub fn at(file: &str, position: Option<(usize, usize)>, message: &str) -> LoadError {
        LoadError {
            file: file.to_string(),
            position,
            message: message.to_string(),
        }
    }

    pub(crate) fn from_json(file: &str, e: &serde_json::Error) -> LoadError {
        let position = (e.line() > 0).then(|| (e.line(), e.column().max(1)));
        let text = e.to_string();
        // serde_json appends " at line L column C"; the position is shown in front instead.
        let message = match text.rfind(" at line ") {
            Some(i) => text[..i].to_string(),
            None => text,
        };
        let message = if e.is_eof() {
            format!(
                "{message}: the file ends in the middle of a JSON value (a truncated download?)"
            )
        } else if e.is_syntax() {
            format!("not valid JSON: {message}")
        } else if e.is_io() {
            format!("cannot read: {message}")
        } else {
            message
        };
        LoadError {
            file: file.to_string(),
            position,
            message,
        }
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.position {
            Some((line, col)) => write!(f, "{}:{line}:{col}: {}", self.file, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

impl std::error::Error for LoadError {}

/// The files a list of paths stands for: a folder stands for its `.json`, `.jsonl`, `.ndjson`
/// and `.csv` files (not recursively), in name order.
pub fn expand(paths: &[String]) -> Result<Vec<PathBuf>, LoadError> {
    let mut out = Vec::new();
    for p in paths {
        let path = Path::new(p);
        if path.is_dir() {
            let entries = std::fs::read_dir(path)
                .map_err(|e| LoadError::at(p, None, &format!("cannot list the folder: {e}")))?;
            let mut files: Vec<PathBuf> = entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|f| {
                    f.is_file()
                        && f.extension().and_then(|x| x.to_str()).is_some_and(|x| {
                            ["json", "jsonl", "ndjson", "csv"]
                                .iter()
                                .any(|k| x.eq_ignore_ascii_case(k))
                        })
                })
                .collect();
            files.sort();
            if files.is_empty() {
                return Err(LoadError::at(
                    p,
                    None,
                    "the folder holds no .json, .jsonl, .ndjson or .csv files",
                ));
            }
            out.extend(files);
        } else {
            out.push(path.to_path_buf());
        }
    }
    Ok(out)
}

fn is_csv(path: &Path) -> bool {
    path.extension()
        .and_then(|x| x.to_str())
        .is_some_and(|x| x.eq_ignore_ascii_case("csv"))
}

fn open(path: &Path) -> Result<Box<dyn std::io::Read>, LoadError> {
    let name = path.display().to_string();
    if name == "-" {
        return Ok(Box::new(std::io::stdin()));
    }
    std::fs::File::open(path)
        .map(|f| Box::new(f) as Box<dyn std::io::Read>)
        .map_err(|e| LoadError::at(&name, None, &format!("cannot read: {e}")))
}

/// Reads every file (`-` is standard input) and calls `sink` with each item, in file order.
/// CSV files are grouped: every steps and modified-properties file given is indexed first, then
/// each main file is streamed against them. Returns the number of events read.
pub fn read_all(paths: &[PathBuf], sink: &mut dyn FnMut(read::Item)) -> Result<u64, LoadError> {
    let mut side = read::CsvSide::default();
    let mut main_csv = Vec::new();
    for p in paths.iter().filter(|p| is_csv(p)) {
        let name = p.display().to_string();
        match read::csv_header_kind(&name, open(p)?)? {
            read::CsvKind::Events => main_csv.push(p),
            _ => side.add(&name, open(p)?)?,
        }
    }
    if paths.iter().any(|p| is_csv(p)) && main_csv.is_empty() {
        return Err(LoadError::at(
            &paths[0].display().to_string(),
            None,
            "the CSV download's main file (ProvisioningLogs, one event per row) is missing; give all three files or their folder",
        ));
    }
    let mut count = 0;
    for p in paths {
        let name = p.display().to_string();
        if is_csv(p) {
            if main_csv.contains(&p) {
                count += read::read_csv(&name, open(p)?, &side, sink)?;
            }
        } else {
            count += read::read_json(&name, open(p)?, sink)?;
        }
    }
    Ok(count)
}

/// Reads the files and builds the report.
pub fn summarise(paths: &[PathBuf]) -> Result<Report, LoadError> {
    let mut collector = Collector::new();
    read_all(paths, &mut |item| {
        if let read::Item::Event(e) = item {
            collector.add(&e);
        }
    })?;
    Ok(collector.finish())
}
