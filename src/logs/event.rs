//! One provisioning event, as every reader hands it on: the fields the report needs, with the
//! v1.0, beta, portal-download and provisionOnDemand spellings folded together.
//!
//! Field names follow Graph's `provisioningObjectSummary` (v1.0 and beta) and the `value` string
//! of a provisionOnDemand response; see `fixtures/logs/README.md` for the pages they come from.

use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value as Json};

/// What Entra did to the object (`provisioningAction`, or beta's free-text `action`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    Create,
    Update,
    Delete,
    StagedDelete,
    Disable,
    Other,
    /// A value entramap does not know (`unknownFutureValue`, an empty field).
    Unknown,
}

impl Action {
    pub const ALL: [Action; 7] = [
        Action::Create,
        Action::Update,
        Action::Delete,
        Action::StagedDelete,
        Action::Disable,
        Action::Other,
        Action::Unknown,
    ];

    /// Reads `create`, `Create`, and beta's `Create user` / `Update User` alike: the first word
    /// decides, in any letter case.
    pub fn parse(text: &str) -> Action {
        let word = text.split_whitespace().next().unwrap_or("");
        match word.to_ascii_lowercase().as_str() {
            "create" | "add" => Action::Create,
            "update" => Action::Update,
            "delete" => Action::Delete,
            "stageddelete" => Action::StagedDelete,
            "disable" => Action::Disable,
            "other" => Action::Other,
            _ => Action::Unknown,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Delete => "delete",
            Action::StagedDelete => "stagedDelete",
            Action::Disable => "disable",
            Action::Other => "other",
            Action::Unknown => "unknown",
        }
    }
}

/// How the event ended (`provisioningStatusInfo.status`, or beta's `statusInfo.status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Success,
    Warning,
    Failure,
    Skipped,
    Unknown,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Status::Success,
        Status::Warning,
        Status::Failure,
        Status::Skipped,
        Status::Unknown,
    ];

    pub fn parse(text: &str) -> Status {
        match text.trim().to_ascii_lowercase().as_str() {
            "success" => Status::Success,
            "warning" => Status::Warning,
            "failure" | "failed" => Status::Failure,
            "skipped" => Status::Skipped,
            _ => Status::Unknown,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Status::Success => "success",
            Status::Warning => "warning",
            Status::Failure => "failure",
            Status::Skipped => "skipped",
            Status::Unknown => "unknown",
        }
    }
}

/// Which stage of the provisioning pipeline a step belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepKind {
    Import,
    Scoping,
    Matching,
    Processing,
    ReferenceResolution,
    Export,
    Unknown,
}

impl StepKind {
    /// Both spellings the docs show (`Import`, `import`).
    pub fn parse(text: &str) -> StepKind {
        match text.trim().to_ascii_lowercase().as_str() {
            "import" => StepKind::Import,
            "scoping" => StepKind::Scoping,
            "matching" => StepKind::Matching,
            "processing" => StepKind::Processing,
            "referenceresolution" => StepKind::ReferenceResolution,
            "export" => StepKind::Export,
            _ => StepKind::Unknown,
        }
    }
}

/// The error of a failed (or warned) event.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ErrorInfo {
    pub code: String,
    pub reason: Option<String>,
    pub additional_details: Option<String>,
    pub category: Option<String>,
    pub recommended_action: Option<String>,
}

/// One step of the event's pipeline.
#[derive(Debug, Clone)]
pub struct Step {
    pub kind: StepKind,
    pub name: String,
    pub status: Status,
    pub description: String,
    /// The step's open `details` object (strings in every documented example).
    pub details: Map<String, Json>,
}

/// One entry of `modifiedProperties`: a target attribute and its values as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Modified {
    pub name: String,
    pub old: Option<String>,
    pub new: Option<String>,
}

/// One provisioning event.
#[derive(Debug, Clone)]
pub struct Event {
    pub change_id: String,
    pub cycle_id: String,
    pub job_id: String,
    /// `activityDateTime` (or an on-demand run's `startTime`), as written.
    pub time: Option<String>,
    pub duration_ms: Option<u64>,
    pub action: Action,
    pub status: Status,
    pub error: Option<ErrorInfo>,
    pub steps: Vec<Step>,
    pub modified: Vec<Modified>,
    /// What identifies the user across events: the source identity's id, else its name.
    pub user_key: String,
    /// How the report names the user: the display name, else the reportable identifier, else
    /// the id.
    pub user: String,
}

impl Event {
    /// The first step of a kind.
    pub fn step(&self, kind: StepKind) -> Option<&Step> {
        self.steps.iter().find(|s| s.kind == kind)
    }
}

/// A detail's value as text: strings as they are, other JSON as written.
pub fn detail_text(v: &Json) -> Option<String> {
    match v {
        Json::Null => None,
        Json::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

/// Looks a key up in a details object: exactly, then ignoring ASCII case.
pub fn detail<'a>(details: &'a Map<String, Json>, key: &str) -> Option<&'a Json> {
    details.get(key).or_else(|| {
        details
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    })
}

// ------------------------------------------------------------------------------------ raw shapes

/// Text in any JSON form: strings as they are, numbers and booleans as written, null as none.
/// Objects and arrays are written back as JSON text.
fn lenient<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let v = Json::deserialize(d)?;
    Ok(detail_text(&v))
}

fn details<'de, D: Deserializer<'de>>(d: D) -> Result<Map<String, Json>, D::Error> {
    Ok(match Json::deserialize(d)? {
        Json::Object(m) => m,
        // A details value that is itself JSON text (as CSV downloads hold).
        Json::String(s) => match serde_json::from_str::<Json>(&s) {
            Ok(Json::Object(m)) => m,
            _ => Map::new(),
        },
        _ => Map::new(),
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(
    default,
    rename_all = "camelCase",
    expecting = "an errorInformation object (errorCode, reason, errorCategory, …)"
)]
pub(crate) struct RawError {
    #[serde(deserialize_with = "lenient")]
    error_code: Option<String>,
    #[serde(deserialize_with = "lenient")]
    reason: Option<String>,
    #[serde(deserialize_with = "lenient")]
    additional_details: Option<String>,
    #[serde(deserialize_with = "lenient")]
    error_category: Option<String>,
    #[serde(deserialize_with = "lenient")]
    recommended_action: Option<String>,
}

impl RawError {
    fn into_info(self) -> Option<ErrorInfo> {
        let code = self.error_code.filter(|c| !c.trim().is_empty())?;
        Some(ErrorInfo {
            code,
            reason: self.reason,
            additional_details: self.additional_details,
            category: self.error_category,
            recommended_action: self.recommended_action,
        })
    }
}

/// v1.0's `provisioningStatusInfo` and beta's `statusInfo` (a `statusBase`, or `statusDetails`
/// with the error fields flat), and an on-demand run's flat `statusInfo`.
#[derive(Debug, Default, Deserialize)]
#[serde(
    default,
    rename_all = "camelCase",
    expecting = "a provisioningStatusInfo object (status, errorInformation)"
)]
pub(crate) struct RawStatus {
    #[serde(deserialize_with = "lenient")]
    status: Option<String>,
    error_information: Option<RawError>,
    error_info: Option<RawError>,
    #[serde(rename = "errorinfo")]
    error_info_lower: Option<RawError>,
    #[serde(flatten)]
    flat: RawError,
}

#[derive(Debug, Default, Deserialize)]
#[serde(
    default,
    rename_all = "camelCase",
    expecting = "a provisioning step object (name, provisioningStepType, status, description, details)"
)]
pub(crate) struct RawStep {
    #[serde(deserialize_with = "lenient")]
    name: Option<String>,
    #[serde(deserialize_with = "lenient")]
    provisioning_step_type: Option<String>,
    /// provisionOnDemand's spelling of `provisioningStepType`.
    #[serde(rename = "type", deserialize_with = "lenient")]
    kind: Option<String>,
    #[serde(deserialize_with = "lenient")]
    status: Option<String>,
    #[serde(deserialize_with = "lenient")]
    description: Option<String>,
    #[serde(deserialize_with = "details")]
    details: Map<String, Json>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(
    default,
    rename_all = "camelCase",
    expecting = "a modifiedProperties entry object (displayName, oldValue, newValue)"
)]
pub(crate) struct RawModified {
    #[serde(deserialize_with = "lenient")]
    display_name: Option<String>,
    #[serde(deserialize_with = "lenient")]
    old_value: Option<String>,
    #[serde(deserialize_with = "lenient")]
    new_value: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(
    default,
    rename_all = "camelCase",
    expecting = "an identity object (id, displayName, identityType, details)"
)]
pub(crate) struct RawIdentity {
    #[serde(deserialize_with = "lenient")]
    id: Option<String>,
    #[serde(deserialize_with = "lenient")]
    display_name: Option<String>,
}

/// One event as any reader finds it. Unknown fields are ignored; both spellings of a renamed
/// field may be present (beta bodies carry `action` and `provisioningAction`).
#[derive(Debug, Default, Deserialize)]
#[serde(
    default,
    rename_all = "camelCase",
    expecting = "a provisioning event object"
)]
pub(crate) struct RawEvent {
    #[serde(deserialize_with = "lenient")]
    pub change_id: Option<String>,
    #[serde(deserialize_with = "lenient")]
    pub cycle_id: Option<String>,
    #[serde(deserialize_with = "lenient")]
    pub job_id: Option<String>,
    #[serde(deserialize_with = "lenient")]
    pub activity_date_time: Option<String>,
    #[serde(deserialize_with = "lenient")]
    pub start_time: Option<String>,
    #[serde(deserialize_with = "lenient")]
    pub duration_in_milliseconds: Option<String>,
    #[serde(deserialize_with = "lenient")]
    pub provisioning_action: Option<String>,
    #[serde(deserialize_with = "lenient")]
    pub action: Option<String>,
    pub provisioning_status_info: Option<RawStatus>,
    pub status_info: Option<RawStatus>,
    pub provisioning_steps: Option<Vec<RawStep>>,
    pub modified_properties: Option<Vec<RawModified>>,
    pub source_identity: Option<RawIdentity>,
    #[serde(deserialize_with = "lenient")]
    pub reportable_identifier: Option<String>,
}

impl RawEvent {
    /// Whether the object has any field of an event (a page's `@odata.context` alone does not).
    pub fn looks_like_event(&self) -> bool {
        self.change_id.is_some()
            || self.cycle_id.is_some()
            || self.provisioning_action.is_some()
            || self.action.is_some()
            || self.provisioning_status_info.is_some()
            || self.status_info.is_some()
            || self.provisioning_steps.is_some()
    }

    pub fn into_event(self) -> Event {
        let action = self
            .provisioning_action
            .as_deref()
            .or(self.action.as_deref())
            .map_or(Action::Unknown, Action::parse);
        let status_info = self.provisioning_status_info.or(self.status_info);
        let (status, error) = match status_info {
            None => (Status::Unknown, None),
            Some(s) => {
                let status = s.status.as_deref().map_or(Status::Unknown, Status::parse);
                let error = s
                    .error_information
                    .and_then(RawError::into_info)
                    .or_else(|| s.error_info.and_then(RawError::into_info))
                    .or_else(|| s.error_info_lower.and_then(RawError::into_info))
                    .or_else(|| s.flat.into_info());
                (status, error)
            }
        };
        let steps = self
            .provisioning_steps
            .unwrap_or_default()
            .into_iter()
            .map(|s| Step {
                kind: s
                    .provisioning_step_type
                    .as_deref()
                    .or(s.kind.as_deref())
                    .map_or(StepKind::Unknown, StepKind::parse),
                name: s.name.unwrap_or_default(),
                status: s.status.as_deref().map_or(Status::Unknown, Status::parse),
                description: s.description.unwrap_or_default(),
                details: s.details,
            })
            .collect();
        let modified = self
            .modified_properties
            .unwrap_or_default()
            .into_iter()
            .filter_map(|m| {
                Some(Modified {
                    name: m.display_name.filter(|n| !n.is_empty())?,
                    old: m.old_value,
                    new: m.new_value,
                })
            })
            .collect();
        let identity = self.source_identity.unwrap_or_default();
        let id = identity.id.filter(|s| !s.is_empty());
        let name = identity.display_name.filter(|s| !s.is_empty());
        let reportable = self.reportable_identifier.filter(|s| !s.is_empty());
        let user_key = id
            .clone()
            .or_else(|| reportable.clone())
            .or_else(|| name.clone())
            .unwrap_or_default();
        let user = name.or(reportable).or(id).unwrap_or_default();
        Event {
            change_id: self.change_id.unwrap_or_default(),
            cycle_id: self.cycle_id.unwrap_or_default(),
            job_id: self.job_id.unwrap_or_default(),
            time: self.activity_date_time.or(self.start_time),
            duration_ms: self
                .duration_in_milliseconds
                .and_then(|d| d.trim().parse::<f64>().ok())
                .filter(|d| d.is_finite() && *d >= 0.0)
                .map(|d| d as u64),
            action,
            status,
            error,
            steps,
            modified,
            user_key,
            user,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(json: &str) -> Event {
        serde_json::from_str::<RawEvent>(json).unwrap().into_event()
    }

    #[test]
    fn both_spellings_of_a_renamed_field_may_be_present() {
        let e = event(
            r#"{"action": "Create user", "provisioningAction": "update",
                "statusInfo": {"status": "Failure", "errorCode": "Old"},
                "provisioningStatusInfo": {"status": "failure",
                    "errorInfo": {"errorCode": "Timeout", "errorCategory": "nonServiceFailure"}},
                "servicePrincipal": [{"id": "1", "name": "Contoso"}]}"#,
        );
        assert_eq!(e.action, Action::Update);
        assert_eq!(e.status, Status::Failure);
        assert_eq!(e.error.unwrap().code, "Timeout");
    }

    #[test]
    fn beta_status_details_and_on_demand_step_types_are_read() {
        let e = event(
            r##"{"action": "Update User", "statusInfo": {"@odata.type": "#microsoft.graph.statusDetails",
                "status": "failure", "errorCode": "ContosoEntryConflict", "errorCategory": "NonServiceFailure"},
                "provisioningSteps": [{"name": "EntryImport", "type": "Import", "status": "Success",
                    "details": {"accountEnabled": "True", "count": 3}}],
                "modifiedProperties": [{"displayName": "active", "oldValue": null, "newValue": true}],
                "reportableIdentifier": "ann@contoso.com"}"##,
        );
        assert_eq!(e.action, Action::Update);
        assert_eq!(e.error.as_ref().unwrap().code, "ContosoEntryConflict");
        assert_eq!(e.steps[0].kind, StepKind::Import);
        assert_eq!(e.steps[0].status, Status::Success);
        assert_eq!(
            detail_text(&e.steps[0].details["count"]).as_deref(),
            Some("3")
        );
        assert_eq!(e.modified[0].new.as_deref(), Some("true"));
        assert_eq!(e.user, "ann@contoso.com");
        assert_eq!(e.user_key, "ann@contoso.com");
    }
}
