//! Readers: every way provisioning events reach entramap, streamed one event at a time.
//!
//! A JSON input is read by one streaming reader that decides the shape by what it meets:
//! - a Graph page `{"@odata.context": …, "value": [events…], "@odata.nextLink": …}`;
//! - the portal's JSON download, a top-level (minified) array of events;
//! - JSON Lines, one event (or one page) per line, or any sequence of the above;
//! - a provisionOnDemand response `{"key": "<JSON text>", "value": "<JSON text>"}`, whose
//!   `value` string is read as one event.
//!
//! Arrays are never held in memory: each element is decoded and handed on before the next is
//! read. The portal's CSV download (three files joined on the change ID) is read by
//! [`read_csv`]: the steps and modified-properties files are indexed by change ID, the main file
//! is streamed.

use super::LoadError;
use super::event::{Event, RawEvent};
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value as Json};
use std::collections::HashMap;
use std::fmt;
use std::io::Read;

/// What a provisionOnDemand response's `key` says about the run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OnDemandResult {
    /// `Success`, `Skipped`, `Failure`, …
    pub result: Option<String>,
    /// `RedundantExport`, …
    pub error_code: Option<String>,
    pub error_message: Option<String>,
}

/// Everything a reader hands on.
pub enum Item {
    Event(Box<Event>),
    OnDemand(OnDemandResult),
}

type Sink<'a> = dyn FnMut(Item) + 'a;

/// Reads JSON provisioning events from `reader`, calling `sink` for each. The error carries the
/// line and column where the input stopped making sense.
pub fn read_json<R: Read>(name: &str, reader: R, sink: &mut Sink<'_>) -> Result<u64, LoadError> {
    let mut de =
        serde_json::Deserializer::from_reader(std::io::BufReader::with_capacity(1 << 16, reader));
    let mut count = 0u64;
    let mut values = 0u64;
    loop {
        match de.end() {
            Ok(()) => break,
            Err(e) if e.is_io() => return Err(LoadError::from_json(name, &e)),
            Err(_) => {}
        }
        let seed = Top {
            sink: &mut *sink,
            count: &mut count,
        };
        seed.deserialize(&mut de)
            .map_err(|e| LoadError::from_json(name, &e))?;
        values += 1;
    }
    if values == 0 {
        return Err(LoadError::at(
            name,
            None,
            "the file is empty; expected provisioning events: a Graph page ({\"value\": [...]}), the portal's JSON download (an array), JSON Lines, or a provisionOnDemand response",
        ));
    }
    Ok(count)
}

/// One top-level JSON value.
struct Top<'s, 'a> {
    sink: &'s mut Sink<'a>,
    count: &'s mut u64,
}

impl<'de> DeserializeSeed<'de> for Top<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Top<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a provisioning event, an array of events, a Graph page or a provisionOnDemand response")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut index = 0u64;
        while let Some(raw) = seq.next_element::<RawEvent>()? {
            if !raw.looks_like_event() {
                return Err(de::Error::custom(format_args!(
                    "element {index} of the array is not a provisioning event (no changeId, cycleId, provisioningAction, action, status or provisioningSteps); a list of pages goes in JSON Lines or separate files"
                )));
            }
            (self.sink)(Item::Event(Box::new(raw.into_event())));
            *self.count += 1;
            index += 1;
        }
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        // Page and response keys are handled as they come; any other key is buffered, so that
        // an object that turns out to be one event is decoded whole.
        let mut rest = Map::new();
        let mut page = false;
        let mut on_demand: Option<OnDemandResult> = None;
        let mut inner: Option<String> = None;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "value" => {
                    let v = map.next_value_seed(PageValue {
                        sink: &mut *self.sink,
                        count: &mut *self.count,
                    })?;
                    match v {
                        Some(text) => inner = Some(text),
                        None => page = true,
                    }
                }
                "key" => {
                    let text: Json = map.next_value()?;
                    if let Json::String(text) = text {
                        on_demand = Some(parse_result(&text).map_err(de::Error::custom)?);
                    }
                }
                k if k.starts_with("@odata.") => {
                    map.next_value::<IgnoredAny>()?;
                }
                _ => {
                    let v: Json = map.next_value()?;
                    rest.insert(key, v);
                }
            }
        }
        if let Some(result) = on_demand.clone() {
            (self.sink)(Item::OnDemand(result));
        }
        if let Some(text) = inner {
            if !text.trim_start().starts_with('{') {
                return Err(de::Error::custom(
                    "the response's `value` string does not hold a JSON object (a provisionOnDemand response's value is one event)",
                ));
            }
            let raw: RawEvent = serde_json::from_str(&text).map_err(|e| {
                de::Error::custom(format_args!(
                    "the response's `value` string is not a provisioning event (at line {}, column {} of the string): {e}",
                    e.line(),
                    e.column()
                ))
            })?;
            (self.sink)(Item::Event(Box::new(raw.into_event())));
            *self.count += 1;
            return Ok(());
        }
        if page {
            return Ok(());
        }
        let raw: RawEvent =
            serde_json::from_value(Json::Object(rest)).map_err(de::Error::custom)?;
        if !raw.looks_like_event() {
            return Err(de::Error::custom(
                "this object is not a provisioning event (no changeId, cycleId, provisioningAction, action, status or provisioningSteps) nor a Graph page (no `value` array)",
            ));
        }
        (self.sink)(Item::Event(Box::new(raw.into_event())));
        *self.count += 1;
        Ok(())
    }
}

/// A page's `value`: an array of events (streamed; `None`), or an on-demand response's JSON
/// text (`Some`).
struct PageValue<'s, 'a> {
    sink: &'s mut Sink<'a>,
    count: &'s mut u64,
}

impl<'de> DeserializeSeed<'de> for PageValue<'_, '_> {
    type Value = Option<String>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<String>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for PageValue<'_, '_> {
    type Value = Option<String>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of provisioning events, or a provisionOnDemand response's JSON text")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Option<String>, A::Error> {
        Top {
            sink: self.sink,
            count: self.count,
        }
        .visit_seq(seq)?;
        Ok(None)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Option<String>, E> {
        Ok(Some(v.to_string()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Option<String>, E> {
        Ok(Some(v))
    }
}

fn parse_result(text: &str) -> Result<OnDemandResult, String> {
    let v: Json = serde_json::from_str(text).map_err(|e| {
        format!(
            "the response's `key` string is not JSON (at line {}, column {} of the string): {e}",
            e.line(),
            e.column()
        )
    })?;
    let s = |v: Option<&Json>| v.and_then(Json::as_str).map(str::to_string);
    Ok(OnDemandResult {
        result: s(v.get("result")),
        error_code: s(v.pointer("/details/errorCode")),
        error_message: s(v.pointer("/details/errorMessage")),
    })
}

// ------------------------------------------------------------------------------------ CSV

/// Which of the portal's three CSV files a file is, by its header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CsvKind {
    /// `ProvisioningLogs`: one event per row.
    Events,
    /// `ProvisioningLogs_ProvisioningSteps`: one step per row.
    Steps,
    /// `ProvisioningLogs_ModifiedProperties`: one property per row.
    Modified,
}

/// A header name reduced to lowercase letters and digits (`Change ID` → `changeid`).
fn norm(h: &str) -> String {
    h.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The column of the first spelling found.
fn column(headers: &[String], names: &[&str]) -> Option<usize> {
    names
        .iter()
        .find_map(|n| headers.iter().position(|h| h == n))
}

/// Decides a CSV file's kind from its header row.
pub fn csv_kind(headers: &[String]) -> Option<CsvKind> {
    let has = |names: &[&str]| column(headers, names).is_some();
    if !has(CHANGE_ID) {
        return None;
    }
    if has(OLD_VALUE) || has(NEW_VALUE) {
        Some(CsvKind::Modified)
    } else if has(STEP_TYPE) || has(&["stepname", "description"]) {
        Some(CsvKind::Steps)
    } else {
        Some(CsvKind::Events)
    }
}

// The header spellings the CSV reader accepts (normalised as by `norm`). The portal's column
// names are not documented; these cover the field names of the Graph resource and the labels
// the portal shows.
const CHANGE_ID: &[&str] = &["changeid"];
const CYCLE_ID: &[&str] = &["cycleid"];
const JOB_ID: &[&str] = &["jobid"];
const DATE: &[&str] = &["activitydatetime", "date", "activitydate", "datetime"];
const DURATION: &[&str] = &["durationinmilliseconds", "durationms", "duration"];
const ACTION: &[&str] = &["provisioningaction", "action"];
const STATUS: &[&str] = &["status", "provisioningstatus"];
const ERROR_CODE: &[&str] = &["errorcode", "statuserrorcode"];
const REASON: &[&str] = &["reason", "errorreason", "statusreason", "failurereason"];
const CATEGORY: &[&str] = &["errorcategory"];
const RECOMMENDED: &[&str] = &["recommendedaction"];
const SOURCE_ID: &[&str] = &["sourceidentityid", "sourceid"];
const SOURCE_NAME: &[&str] = &[
    "sourceidentitydisplayname",
    "sourceidentityname",
    "sourcename",
    "identity",
];
const STEP_NAME: &[&str] = &["stepname", "name"];
const STEP_TYPE: &[&str] = &["provisioningsteptype", "steptype", "type"];
const STEP_STATUS: &[&str] = &["stepstatus", "status"];
const DESCRIPTION: &[&str] = &["description"];
const DETAILS: &[&str] = &["details"];
const PROPERTY: &[&str] = &[
    "displayname",
    "attribute",
    "attributename",
    "property",
    "name",
];
const OLD_VALUE: &[&str] = &["oldvalue"];
const NEW_VALUE: &[&str] = &["newvalue"];

/// The steps and modified properties of the CSV download, indexed by change ID.
#[derive(Debug, Default)]
pub struct CsvSide {
    steps: HashMap<String, Vec<Json>>,
    modified: HashMap<String, Vec<Json>>,
}

fn csv_reader<R: Read>(reader: R) -> csv::Reader<R> {
    csv::ReaderBuilder::new().flexible(true).from_reader(reader)
}

fn csv_error(name: &str, e: &csv::Error) -> LoadError {
    let line = e.position().map(|p| p.line() as usize);
    LoadError::at(
        name,
        line.map(|l| (l, 1)),
        &format!("not a readable CSV file: {e}"),
    )
}

/// A CSV file's header, each name normalised for matching.
fn csv_headers<R: Read>(name: &str, r: &mut csv::Reader<R>) -> Result<Vec<String>, LoadError> {
    Ok(r.headers()
        .map_err(|e| csv_error(name, &e))?
        .iter()
        .map(norm)
        .collect())
}

/// Reads a CSV file's header and says which of the three files it is.
pub fn csv_header_kind<R: Read>(name: &str, reader: R) -> Result<CsvKind, LoadError> {
    let mut r = csv_reader(reader);
    let headers = csv_headers(name, &mut r)?;
    csv_kind(&headers).ok_or_else(|| {
        LoadError::at(
            name,
            Some((1, 1)),
            "this CSV file has no `Change ID` column: it is not one of the portal's provisioning-log downloads (ProvisioningLogs, ProvisioningLogs_ProvisioningSteps, ProvisioningLogs_ModifiedProperties)",
        )
    })
}

impl CsvSide {
    /// Indexes a steps or modified-properties file by change ID.
    pub fn add<R: Read>(&mut self, name: &str, reader: R) -> Result<(), LoadError> {
        let mut r = csv_reader(reader);
        let headers = csv_headers(name, &mut r)?;
        let kind = csv_kind(&headers);
        let change = column(&headers, CHANGE_ID);
        let (Some(kind), Some(change)) = (kind, change) else {
            return Err(LoadError::at(name, Some((1, 1)), "no `Change ID` column"));
        };
        let get = |rec: &csv::StringRecord, names: &[&str]| -> Json {
            column(&headers, names)
                .and_then(|i| rec.get(i))
                .filter(|s| !s.is_empty())
                .map_or(Json::Null, |s| Json::String(s.to_string()))
        };
        for rec in r.records() {
            let rec = rec.map_err(|e| csv_error(name, &e))?;
            let id = rec.get(change).unwrap_or("").to_string();
            match kind {
                CsvKind::Steps => {
                    let mut step = Map::new();
                    step.insert("name".into(), get(&rec, STEP_NAME));
                    step.insert("provisioningStepType".into(), get(&rec, STEP_TYPE));
                    step.insert("status".into(), get(&rec, STEP_STATUS));
                    step.insert("description".into(), get(&rec, DESCRIPTION));
                    step.insert("details".into(), get(&rec, DETAILS));
                    self.steps.entry(id).or_default().push(Json::Object(step));
                }
                CsvKind::Modified => {
                    let mut m = Map::new();
                    m.insert("displayName".into(), get(&rec, PROPERTY));
                    m.insert("oldValue".into(), get(&rec, OLD_VALUE));
                    m.insert("newValue".into(), get(&rec, NEW_VALUE));
                    self.modified.entry(id).or_default().push(Json::Object(m));
                }
                CsvKind::Events => {
                    return Err(LoadError::at(
                        name,
                        Some((1, 1)),
                        "expected a steps or modified-properties file",
                    ));
                }
            }
        }
        Ok(())
    }
}

/// Streams the main `ProvisioningLogs` CSV file, joining each row with its steps and modified
/// properties by change ID.
pub fn read_csv<R: Read>(
    name: &str,
    reader: R,
    side: &CsvSide,
    sink: &mut Sink<'_>,
) -> Result<u64, LoadError> {
    let mut r = csv_reader(reader);
    let headers = csv_headers(name, &mut r)?;
    let Some(change) = column(&headers, CHANGE_ID) else {
        return Err(LoadError::at(name, Some((1, 1)), "no `Change ID` column"));
    };
    let text = |rec: &csv::StringRecord, names: &[&str]| -> Json {
        column(&headers, names)
            .and_then(|i| rec.get(i))
            .filter(|s| !s.is_empty())
            .map_or(Json::Null, |s| Json::String(s.to_string()))
    };
    let mut count = 0;
    for rec in r.records() {
        let rec = rec.map_err(|e| csv_error(name, &e))?;
        let line = rec.position().map_or(0, |p| p.line() as usize);
        let id = rec.get(change).unwrap_or("").to_string();
        let mut error = Map::new();
        error.insert("errorCode".into(), text(&rec, ERROR_CODE));
        error.insert("reason".into(), text(&rec, REASON));
        error.insert("errorCategory".into(), text(&rec, CATEGORY));
        error.insert("recommendedAction".into(), text(&rec, RECOMMENDED));
        let mut status = Map::new();
        status.insert("status".into(), text(&rec, STATUS));
        status.insert("errorInformation".into(), Json::Object(error));
        let mut identity = Map::new();
        identity.insert("id".into(), text(&rec, SOURCE_ID));
        identity.insert("displayName".into(), text(&rec, SOURCE_NAME));
        let mut event = Map::new();
        event.insert("changeId".into(), Json::String(id.clone()));
        event.insert("cycleId".into(), text(&rec, CYCLE_ID));
        event.insert("jobId".into(), text(&rec, JOB_ID));
        event.insert("activityDateTime".into(), text(&rec, DATE));
        event.insert("durationInMilliseconds".into(), text(&rec, DURATION));
        event.insert("provisioningAction".into(), text(&rec, ACTION));
        event.insert("provisioningStatusInfo".into(), Json::Object(status));
        event.insert("sourceIdentity".into(), Json::Object(identity));
        event.insert(
            "provisioningSteps".into(),
            Json::Array(side.steps.get(&id).cloned().unwrap_or_default()),
        );
        event.insert(
            "modifiedProperties".into(),
            Json::Array(side.modified.get(&id).cloned().unwrap_or_default()),
        );
        let raw: RawEvent = serde_json::from_value(Json::Object(event)).map_err(|e| {
            LoadError::at(
                name,
                Some((line, 1)),
                &format!("not a provisioning event: {e}"),
            )
        })?;
        sink(Item::Event(Box::new(raw.into_event())));
        count += 1;
    }
    Ok(count)
}
