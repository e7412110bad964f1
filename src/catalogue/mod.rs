//! The function catalogue: every function of the language, its parameters (named as Graph
//! names them), kinds, traits and examples. The data lives in `grammar/functions.yaml`; `build.rs`
//! turns it into JSON, which the binary embeds and reads (YAML took about 2 ms of every start).
//! This is the only list of function names in entramap.
//!
//! This module is a leaf: it depends on nothing else in the crate. Every other stage identifies a
//! function by its [`FnId`] and asks the catalogue about it ([`FunctionSpec::has`] for a
//! [`Trait`], [`FunctionSpec::returns`], …) instead of comparing names.

use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

/// The catalogue's source text, `grammar/functions.yaml`.
pub const CATALOGUE_YAML: &str = include_str!("../../grammar/functions.yaml");

/// The same document as JSON, written by `build.rs` at build time, without the functions'
/// examples: what [`catalogue`] reads.
pub const CATALOGUE_JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/functions.json"));

/// The functions' examples as JSON, one list per function in catalogue order (`build.rs` moves
/// them here): read by [`FunctionSpec::examples`] the first time any are asked for.
pub const EXAMPLES_JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/examples.json"));

/// The functions' summaries as JSON, one per function in catalogue order (`build.rs` moves them
/// here): read by [`FunctionSpec::summary`] the first time one is asked for.
pub const SUMMARIES_JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/summaries.json"));

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalogue {
    pub functions: Vec<FunctionSpec>,
    #[serde(skip)]
    by_name: HashMap<String, FnId>,
}

/// A function's identity: its position in the catalogue. Every stage after the check refers to
/// functions by id; only the catalogue maps names to ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FnId(u16);

impl FnId {
    /// The position of the function in [`Catalogue::functions`].
    pub fn index(self) -> usize {
        usize::from(self.0)
    }

    /// The function's entry in the embedded catalogue.
    pub fn spec(self) -> &'static FunctionSpec {
        &catalogue().functions[self.index()]
    }
}

/// A fact about a function that later stages act on (see the header of
/// `grammar/functions.yaml`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Trait {
    /// The result depends on the current time.
    Clock,
    /// A fresh random value on every evaluation.
    Random,
    /// Answers whether its argument has a value (`True`/`False`).
    PresenceTest,
    /// Chooses one of two branches by a condition.
    Conditional,
    /// Returns the value paired with the first key equal (case-sensitively) to its source.
    KeyedChoice,
    /// Reads values already present in the target directory.
    ReadsTarget,
    /// Applied by Entra only when the target object is created.
    CreationOnly,
    /// Must be the whole expression.
    TopLevelOnly,
    /// Defined only for inputs with at most one value; Entra fails the object otherwise.
    SingleAssignment,
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
    /// Set when the catalogue is loaded.
    #[serde(skip, default = "FnId::placeholder")]
    pub id: FnId,
    pub name: String,
    pub family: Family,
    pub availability: Availability,
    pub returns: Kind,
    /// Facts later stages act on.
    #[serde(default)]
    pub traits: Vec<Trait>,
    /// Read with the rest from YAML (where it is required: [`Catalogue::from_yaml`]); in the
    /// embedded catalogue, empty (see [`Self::summary`]).
    #[serde(default)]
    summary: String,
    #[serde(default)]
    pub parameters: Vec<ParamSpec>,
    /// Alternative parameter lists by argument count (FormatDateTime's 3-argument form).
    #[serde(default)]
    pub forms: BTreeMap<usize, Vec<String>>,
    /// Read with the rest from YAML; in the embedded catalogue, empty (see [`Self::examples`]).
    #[serde(default)]
    examples: Vec<Example>,
    /// Whether the examples and the summary are in [`EXAMPLES_JSON`] and [`SUMMARIES_JSON`]
    /// rather than in `examples` and `summary`.
    #[serde(skip)]
    apart: bool,
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
        let cat: Catalogue = serde_saphyr::from_str(text).map_err(|e| e.to_string())?;
        if let Some(f) = cat.functions.iter().find(|f| f.summary.is_empty()) {
            return Err(format!("function {} has no summary", f.name));
        }
        Catalogue::indexed(cat)
    }

    /// Parses the JSON form `build.rs` writes of a catalogue document and indexes it by name;
    /// the same catalogue as [`Catalogue::from_yaml`] of the YAML.
    pub fn from_json(text: &str) -> Result<Catalogue, String> {
        serde_json::from_str(text)
            .map_err(|e| e.to_string())
            .and_then(Catalogue::indexed)
    }

    fn indexed(mut cat: Catalogue) -> Result<Catalogue, String> {
        if cat.functions.len() > usize::from(u16::MAX) {
            return Err("too many functions".into());
        }
        for (i, f) in cat.functions.iter_mut().enumerate() {
            let id = FnId(i as u16);
            f.id = id;
            if f.name.len() > MAX_NAME
                || cat
                    .by_name
                    .insert(f.name.to_ascii_lowercase(), id)
                    .is_some()
            {
                return Err(format!(
                    "function {} is listed twice or its name is too long",
                    f.name
                ));
            }
            f.validate()?;
        }
        Ok(cat)
    }

    /// A function's id by name, ignoring ASCII case (the linter reports non-canonical casing).
    /// Does not allocate.
    pub fn resolve(&self, name: &str) -> Option<FnId> {
        let bytes = name.as_bytes();
        if bytes.len() > MAX_NAME {
            return None;
        }
        let mut buf = [0u8; MAX_NAME];
        for (b, c) in buf.iter_mut().zip(bytes) {
            *b = c.to_ascii_lowercase();
        }
        let lower = std::str::from_utf8(&buf[..bytes.len()]).ok()?;
        self.by_name.get(lower).copied()
    }

    /// A function by name, ignoring ASCII case.
    pub fn get(&self, name: &str) -> Option<&FunctionSpec> {
        self.resolve(name).map(|id| &self.functions[id.index()])
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.functions.iter().map(|f| f.name.as_str())
    }
}

/// The embedded catalogue.
pub fn catalogue() -> &'static Catalogue {
    static CATALOGUE: OnceLock<Catalogue> = OnceLock::new();
    CATALOGUE.get_or_init(|| {
        let mut cat = Catalogue::from_json(CATALOGUE_JSON)
            .unwrap_or_else(|e| panic!("grammar/functions.yaml is invalid: {e}"));
        for f in &mut cat.functions {
            f.apart = true;
        }
        cat
    })
}

/// The embedded catalogue's examples, by function id.
fn embedded_examples() -> &'static [Vec<Example>] {
    static EXAMPLES: OnceLock<Vec<Vec<Example>>> = OnceLock::new();
    EXAMPLES.get_or_init(|| {
        examples_from_json(EXAMPLES_JSON)
            .unwrap_or_else(|e| panic!("grammar/functions.yaml has invalid examples: {e}"))
    })
}

/// The embedded catalogue's summaries, by function id.
fn embedded_summaries() -> &'static [String] {
    static SUMMARIES: OnceLock<Vec<String>> = OnceLock::new();
    SUMMARIES.get_or_init(|| {
        serde_json::from_str(SUMMARIES_JSON)
            .unwrap_or_else(|e| panic!("grammar/functions.yaml has invalid summaries: {e}"))
    })
}

/// Reads the examples file `build.rs` writes: one list of examples per function.
pub fn examples_from_json(text: &str) -> Result<Vec<Vec<Example>>, String> {
    serde_json::from_str(text).map_err(|e| e.to_string())
}

/// Looks a function up in the embedded catalogue.
pub fn lookup(name: &str) -> Option<&'static FunctionSpec> {
    catalogue().get(name)
}

/// The id of a function in the embedded catalogue (any casing).
pub fn resolve(name: &str) -> Option<FnId> {
    catalogue().resolve(name)
}

/// Names longer than this are no function's (the longest is 34 bytes).
const MAX_NAME: usize = 48;

impl FnId {
    fn placeholder() -> FnId {
        FnId(u16::MAX)
    }
}

impl FunctionSpec {
    /// The worked examples (every one is evaluated by the test suite). In the embedded
    /// catalogue they are read on first use, for every function at once.
    pub fn examples(&self) -> &[Example] {
        if self.apart {
            embedded_examples()
                .get(self.id.index())
                .map_or(&[], Vec::as_slice)
        } else {
            &self.examples
        }
    }

    /// What the function does, in a sentence or two. In the embedded catalogue the summaries
    /// are read on first use, for every function at once.
    pub fn summary(&self) -> &str {
        if self.apart {
            embedded_summaries()
                .get(self.id.index())
                .map_or("", String::as_str)
        } else {
            &self.summary
        }
    }

    /// Whether the function has this trait.
    pub fn has(&self, t: Trait) -> bool {
        self.traits.contains(&t)
    }

    /// Whether its value differs between evaluations with the same inputs (`Now`, `Guid`,
    /// `RandomString`).
    pub fn non_deterministic(&self) -> bool {
        self.has(Trait::Clock) || self.has(Trait::Random)
    }

    /// Whether it returns several values.
    pub fn multi_valued(&self) -> bool {
        matches!(self.returns, Kind::Multi | Kind::Roles)
    }

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

#[cfg(test)]
mod tests {
    use super::*;

    /// The JSON that `build.rs` embeds reads as the very catalogue the YAML source describes:
    /// every function, parameter, form, trait and example, in the same order, with the same ids.
    #[test]
    fn the_built_json_is_the_yaml_catalogue() {
        let mut yaml = Catalogue::from_yaml(CATALOGUE_YAML).unwrap();
        let json = Catalogue::from_json(CATALOGUE_JSON).unwrap();
        assert!(yaml.functions.len() > 50);
        // The examples are apart in the JSON: compare them apart, and the rest as it is.
        let yaml_examples: Vec<Vec<Example>> = yaml
            .functions
            .iter_mut()
            .map(|f| std::mem::take(&mut f.examples))
            .collect();
        let yaml_summaries: Vec<String> = yaml
            .functions
            .iter_mut()
            .map(|f| std::mem::take(&mut f.summary))
            .collect();
        assert_eq!(
            format!("{:#?}", yaml.functions),
            format!("{:#?}", json.functions)
        );
        assert_eq!(
            format!("{yaml_examples:#?}"),
            format!("{:#?}", examples_from_json(EXAMPLES_JSON).unwrap())
        );
        let mut examples = 0;
        for f in &yaml.functions {
            assert_eq!(json.resolve(&f.name), Some(f.id));
            let embedded = &catalogue().functions[f.id.index()];
            assert_eq!(embedded.name, f.name);
            assert_eq!(
                format!("{:#?}", embedded.examples()),
                format!("{:#?}", yaml_examples[f.id.index()])
            );
            examples += embedded.examples().len();
            assert_eq!(embedded.summary(), yaml_summaries[f.id.index()]);
            assert!(!embedded.summary().is_empty(), "{}", f.name);
        }
        assert!(examples > 100, "only {examples} examples");
    }

    /// A catalogue read from YAML keeps its own examples and summaries, and needs a summary.
    #[test]
    fn a_yaml_catalogue_answers_with_its_own_examples() {
        let yaml = Catalogue::from_yaml(CATALOGUE_YAML).unwrap();
        for f in &yaml.functions {
            assert!(std::ptr::eq(f.examples(), f.examples.as_slice()));
            assert!(std::ptr::eq(f.summary(), f.summary.as_str()));
        }
        let e = Catalogue::from_yaml(
            "functions:\n  - {name: X, family: text, availability: both, returns: string}\n",
        )
        .unwrap_err();
        assert!(e.contains("X has no summary"), "{e}");
    }

    #[test]
    fn a_bad_json_catalogue_is_an_error() {
        let err = Catalogue::from_json(r#"{"functions": [{"name": "X"}]}"#).unwrap_err();
        assert!(err.contains("missing field"), "{err}");
    }
}
