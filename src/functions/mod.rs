//! The implementations of the catalogue's functions, one file per family, dispatched by
//! [`FnId`](crate::catalogue::FnId). The catalogue (`crate::catalogue`) holds the facts about each
//! function; this module only runs them.

pub mod collection;
pub mod date;
pub mod directory;
pub mod encoding;
pub mod logic;
pub mod text;

use crate::catalogue::{self, FnId};
use crate::eval::{Args, NativeFn, Res, Value};
use std::borrow::Cow;
use std::sync::OnceLock;

/// How the evaluator runs a catalogue function.
#[derive(Clone, Copy)]
pub enum Implementation {
    /// Evaluated by this native function.
    Native(NativeFn),
    /// Needs the tenant; evaluating it is an error saying why.
    NotSupported(&'static str),
}

impl std::fmt::Debug for Implementation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Implementation::Native(_) => f.write_str("Native"),
            Implementation::NotSupported(why) => write!(f, "NotSupported({why:?})"),
        }
    }
}

/// The implementation of each catalogue function, by canonical name. The catalogue stays the
/// list of names: a test checks that every catalogue function has exactly one entry here and
/// that every entry names a catalogue function.
pub const IMPLEMENTATIONS: &[(&str, Implementation)] = {
    use Implementation::{Native, NotSupported};
    &[
        ("Append", Native(text::append)),
        ("CStr", Native(text::cstr)),
        ("Guid", Native(text::guid)),
        ("InStr", Native(text::instr)),
        ("Join", Native(text::join)),
        ("Left", Native(text::left)),
        ("Mid", Native(text::mid)),
        ("NormalizeDiacritics", Native(text::normalize_diacritics)),
        ("PCase", Native(text::pcase)),
        ("RandomString", Native(text::random_string)),
        ("Replace", Native(text::replace)),
        ("StripSpaces", Native(text::strip_spaces)),
        ("ToLower", Native(text::to_lower)),
        ("ToUpper", Native(text::to_upper)),
        ("Trim", Native(text::trim)),
        ("Word", Native(text::word)),
        ("Prepend", Native(text::prepend)),
        ("BitAnd", Native(logic::bit_and)),
        ("CBool", Native(logic::cbool)),
        ("Coalesce", Native(logic::coalesce)),
        ("IIF", Native(logic::iif)),
        ("IsNull", Native(logic::is_null)),
        ("IsNullOrEmpty", Native(logic::is_null_or_empty)),
        ("IsPresent", Native(logic::is_present)),
        ("IsString", Native(logic::is_string)),
        ("Not", Native(logic::not)),
        ("Switch", Native(logic::switch)),
        ("IsNothing", Native(logic::is_null)),
        ("CDate", Native(date::cdate)),
        ("DateAdd", Native(date::date_add)),
        ("DateDiff", Native(date::date_diff)),
        ("DateFromNum", Native(date::date_from_num)),
        ("FormatDateTime", Native(date::format_date_time)),
        ("Now", Native(date::now)),
        ("NumFromDate", Native(date::num_from_date)),
        ("ConvertFromBase64", Native(encoding::convert_from_base64)),
        ("ConvertToBase64", Native(encoding::convert_to_base64)),
        ("ConvertToUTF8Hex", Native(encoding::convert_to_utf8_hex)),
        ("StringFromSid", Native(encoding::string_from_sid)),
        ("Count", Native(collection::count)),
        ("Item", Native(collection::item)),
        ("RemoveDuplicates", Native(collection::remove_duplicates)),
        ("Split", Native(collection::split)),
        ("Contains", Native(collection::contains)),
        (
            "AppRoleAssignmentsComplex",
            Native(directory::app_role_assignments_complex),
        ),
        (
            "AssertiveAppRoleAssignmentsComplex",
            Native(directory::assertive_app_role_assignments_complex),
        ),
        (
            "SingleAppRoleAssignment",
            Native(directory::single_app_role_assignment),
        ),
        ("SelectUniqueValue", Native(directory::select_unique_value)),
        ("DNComponent", Native(directory::dn_component)),
        ("CRef", Native(directory::cref)),
        (
            "DefaultDomain",
            NotSupported("it returns the tenant's default domain, which only Entra knows"),
        ),
        (
            "AppRoleAssignments",
            Native(directory::app_role_assignments),
        ),
        (
            "IgnoreFlowIfNullOrEmpty",
            Native(logic::ignore_flow_if_null_or_empty),
        ),
        ("Error", Native(logic::error)),
        ("Redact", Native(logic::redact)),
    ]
};

/// The implementation of each catalogue function, indexed by [`FnId`]; `None` where
/// [`IMPLEMENTATIONS`] has no entry (a test keeps that from happening).
fn table() -> &'static [Option<Implementation>] {
    static TABLE: OnceLock<Vec<Option<Implementation>>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let cat = catalogue::catalogue();
        let mut table = vec![None; cat.functions.len()];
        for &(name, imp) in IMPLEMENTATIONS {
            if let Some(id) = cat.resolve(name) {
                table[id.index()] = Some(imp);
            }
        }
        table
    })
}

/// How a function runs.
pub fn implementation(id: FnId) -> Option<Implementation> {
    table().get(id.index()).copied().flatten()
}

/// Null, borrowed: what a function returns when it produces nothing.
pub fn null<'a>() -> Cow<'a, Value> {
    static NULL: Value = Value::Null;
    Cow::Borrowed(&NULL)
}

/// A freshly computed value.
pub fn owned<'a>(v: Value) -> Res<'a> {
    Ok(Cow::Owned(v))
}

/// Applies a text transformation to an evaluated argument: to each value of a multi-valued
/// value, to the text of a single one; null stays null.
pub fn map_text<'a>(
    a: &Args<'_, 'a>,
    i: usize,
    v: Cow<'a, Value>,
    mut f: impl FnMut(&str) -> Result<String, crate::eval::Stop>,
) -> Res<'a> {
    if let Value::Multi(values) = &*v {
        let mut out = Vec::with_capacity(values.len());
        let mut size = 0usize;
        for s in values {
            let t = f(s)?;
            size = size.saturating_add(t.len() + crate::eval::VALUE_OVERHEAD);
            a.check_size(size)?;
            out.push(t);
        }
        return owned(Value::Multi(out));
    }
    match a.as_text(i, v)? {
        None => Ok(null()),
        Some(t) => owned(Value::Str(f(&t)?)),
    }
}
