//! The function catalogue: every function of the language, its parameters (named as Graph
//! names them), kinds and examples. The data lives in `grammar/functions.yaml`, embedded in the
//! binary; this is the only list of function names in entramap.

pub mod collection;
pub mod date;
pub mod directory;
pub mod encoding;
pub mod logic;
pub mod text;

use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

/// The catalogue's source text, as embedded.
pub const CATALOGUE_YAML: &str = include_str!("../../grammar/functions.yaml");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalogue {
    pub functions: Vec<FunctionSpec>,
    #[serde(skip)]
    by_name: HashMap<String, usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Family {
    Text,
    Logic,
    Date,
    Encoding,
    Collection,
    Directory,
    Flow,
}

/// Where Microsoft documents a function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Availability {
    /// In both the app-provisioning and the cloud-sync references.
    Both,
    /// In the app-provisioning reference only.
    Provisioning,
    /// In the cloud-sync reference only.
    CloudSync,
    /// Only named in Graph's function-schema sample; undocumented.
    GraphOnly,
}

/// What a parameter expects, or what a function returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    String,
    Integer,
    Boolean,
    Datetime,
    /// A multi-valued attribute or list.
    Multi,
    /// An attribute reference is required (`[appRoleAssignments]`).
    Attribute,
    /// A bare identifier from a fixed set (`vbTextCompare`).
    Enum,
    /// SCIM role objects (AppRoleAssignmentsComplex).
    Roles,
    /// Flow control: the function decides whether the attribute flows.
    Flow,
    Any,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::String => "string",
            Kind::Integer => "integer",
            Kind::Boolean => "boolean",
            Kind::Datetime => "datetime",
            Kind::Multi => "multi",
            Kind::Attribute => "attribute",
            Kind::Enum => "enum",
            Kind::Roles => "roles",
            Kind::Flow => "flow",
            Kind::Any => "any",
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FunctionSpec {
    pub name: String,
    pub family: Family,
    pub availability: Availability,
    pub returns: Kind,
    pub summary: String,
    #[serde(default)]
    pub parameters: Vec<ParamSpec>,
    /// Alternative parameter lists by argument count (FormatDateTime's 3-argument form).
    #[serde(default)]
    pub forms: BTreeMap<usize, Vec<String>>,
    #[serde(default)]
    pub examples: Vec<Example>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParamSpec {
    /// The key Graph uses for this parameter in `attributeMappingSource.parameters`.
    pub name: String,
    pub kind: Kind,
    pub required: bool,
    #[serde(default)]
    pub repeating: bool,
    /// For `enum` parameters: the identifiers accepted.
    #[serde(default)]
    pub values: Vec<String>,
}

/// A worked example; every one is evaluated by the test suite.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Example {
    pub expr: String,
    #[serde(default)]
    pub inputs: BTreeMap<String, serde_json::Value>,
    #[serde(default)]
    pub expect: Option<serde_json::Value>,
    #[serde(default)]
    pub outcome: Option<String>,
    #[serde(default)]
    pub now: Option<String>,
    #[serde(default)]
    pub existing: Vec<String>,
}

impl Catalogue {
    /// Parses a catalogue document and indexes it by name.
    pub fn from_yaml(text: &str) -> Result<Catalogue, String> {
        let mut cat: Catalogue = serde_saphyr::from_str(text).map_err(|e| e.to_string())?;
        for (i, f) in cat.functions.iter().enumerate() {
            if cat.by_name.insert(f.name.to_ascii_lowercase(), i).is_some() {
                return Err(format!("function {} is listed twice", f.name));
            }
            f.validate()?;
        }
        Ok(cat)
    }

    /// A function by name, ignoring ASCII case (the linter reports non-canonical casing).
    pub fn get(&self, name: &str) -> Option<&FunctionSpec> {
        self.by_name
            .get(&name.to_ascii_lowercase())
            .map(|&i| &self.functions[i])
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.functions.iter().map(|f| f.name.as_str())
    }
}

/// The embedded catalogue.
pub fn catalogue() -> &'static Catalogue {
    static CATALOGUE: OnceLock<Catalogue> = OnceLock::new();
    CATALOGUE.get_or_init(|| {
        Catalogue::from_yaml(CATALOGUE_YAML)
            .unwrap_or_else(|e| panic!("grammar/functions.yaml is invalid: {e}"))
    })
}

/// Looks a function up in the embedded catalogue.
pub fn lookup(name: &str) -> Option<&'static FunctionSpec> {
    catalogue().get(name)
}

impl FunctionSpec {
    fn validate(&self) -> Result<(), String> {
        let repeating: Vec<usize> = (0..self.parameters.len())
            .filter(|&i| self.parameters[i].repeating)
            .collect();
        if repeating.len() > 1
            || repeating
                .first()
                .is_some_and(|&i| i + 1 != self.parameters.len())
        {
            return Err(format!("{}: only the last parameter may repeat", self.name));
        }
        for (argc, names) in &self.forms {
            if names.len() != *argc || names.iter().any(|n| self.param(n).is_none()) {
                return Err(format!(
                    "{}: form {argc} names unknown parameters",
                    self.name
                ));
            }
        }
        Ok(())
    }

    /// The parameter with this Graph key (exact, then ignoring case).
    pub fn param(&self, key: &str) -> Option<&ParamSpec> {
        self.parameters.iter().find(|p| p.name == key).or_else(|| {
            self.parameters
                .iter()
                .find(|p| p.name.eq_ignore_ascii_case(key))
        })
    }

    /// The position of a parameter in the full parameter list.
    pub fn position(&self, key: &str) -> Option<usize> {
        let p = self.param(key)?;
        self.parameters.iter().position(|q| std::ptr::eq(p, q))
    }

    /// The parameter that argument `index` of a call with `argc` arguments binds to, if any.
    pub fn param_at(&self, index: usize, argc: usize) -> Option<&ParamSpec> {
        if let Some(form) = self.forms.get(&argc) {
            return self.param(&form[index]);
        }
        match self.parameters.get(index) {
            Some(p) if !p.repeating => Some(p),
            _ => self.parameters.last().filter(|p| p.repeating),
        }
    }

    /// The fewest and the most arguments a call may have (`None`: no upper bound).
    pub fn arity(&self) -> (usize, Option<usize>) {
        let required = self
            .parameters
            .iter()
            .rposition(|p| p.required)
            .map_or(0, |i| i + 1);
        let min = self
            .forms
            .keys()
            .copied()
            .chain([required])
            .min()
            .unwrap_or(required);
        let max = if self.parameters.last().is_some_and(|p| p.repeating) {
            None
        } else {
            Some(self.parameters.len())
        };
        (min, max)
    }

    /// `Name(param, [param], param…)`: the signature as people read it.
    pub fn signature(&self) -> String {
        let params: Vec<String> = self
            .parameters
            .iter()
            .map(|p| {
                let mut s = p.name.clone();
                if p.repeating {
                    s.push('…');
                }
                if p.required { s } else { format!("[{s}]") }
            })
            .collect();
        format!("{}({})", self.name, params.join(", "))
    }
}

// ---------------------------------------------------------------------------- implementations

use crate::eval::{Args, NativeFn, Res, Value};
use std::borrow::Cow;

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

/// The implementation of a function (any casing).
pub fn implementation(name: &str) -> Option<Implementation> {
    resolve(name).map(|(i, _)| i)
}

/// A function's implementation and catalogue entry (any casing), without allocating: the
/// evaluator's lookup for every call.
pub fn resolve(name: &str) -> Option<(Implementation, &'static FunctionSpec)> {
    type Table = HashMap<String, (Implementation, &'static FunctionSpec), Fnv>;
    static TABLE: OnceLock<Table> = OnceLock::new();
    let table = TABLE.get_or_init(|| {
        IMPLEMENTATIONS
            .iter()
            .filter_map(|&(name, imp)| {
                let spec = lookup(name)?;
                Some((spec.name.to_ascii_lowercase(), (imp, spec)))
            })
            .collect()
    });
    let mut buf = [0u8; 48];
    let bytes = name.as_bytes();
    if bytes.len() > buf.len() {
        return None;
    }
    for (b, c) in buf.iter_mut().zip(bytes) {
        *b = c.to_ascii_lowercase();
    }
    let lower = std::str::from_utf8(&buf[..bytes.len()]).ok()?;
    table.get(lower).copied()
}

/// FNV-1a: a fast hash for the short, trusted keys of the implementation table.
#[derive(Default, Clone, Copy)]
struct Fnv;

struct FnvHasher(u64);

impl std::hash::BuildHasher for Fnv {
    type Hasher = FnvHasher;
    fn build_hasher(&self) -> FnvHasher {
        FnvHasher(0xcbf2_9ce4_8422_2325)
    }
}

impl std::hash::Hasher for FnvHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
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
