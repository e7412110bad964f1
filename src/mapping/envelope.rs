//! Writing Graph JSON back into the document a mapping came from, so that nothing entramap does
//! not model is lost: rule ids, names, priorities and metadata, directories and attribute
//! definitions, object-mapping metadata, fields Graph adds later, and the exact spelling of what
//! entramap does read (`"scope": {"filterGroups": []}` stays as written).
//!
//! [`merge`] takes a Graph document (the *base*: a file's own export, the `graph:` section of a
//! YAML file, or a live schema for `convert --base`) and the model, and returns the base with
//! its object mappings replaced by the model's, matched by source and target object names:
//! - every field the model holds is written from the model only where the model differs from
//!   what the base says (read the same way); every other field of the base stays as it is;
//! - the model decides which attribute mappings an object has and in which order; one the base
//!   has for the same target keeps its unmodelled fields, one the base lacks is written fresh;
//! - empty stand-ins (`{}`) of shortened samples stay where they were;
//! - rules, directories and the schema's own fields are never touched.
//!
//! With nothing edited, the result is the base itself: Graph → Graph is lossless.
//!
//! [`reduce`] is how a YAML file carries a base (its `graph:` section) without repeating its
//! mappings: an attribute mapping that [`super::to_graph_json`] would write exactly as the base
//! has it becomes its target name, a JSON string; [`merge`] writes such an item from the model.

use super::emit::{attribute_mapping_json, object_json};
use super::model::*;
use super::{graph_source, load};
use serde_json::{Map, Value};
use std::collections::{HashMap, VecDeque};

/// Whether object mappings of the base that the model lacks are kept or dropped, and whether a
/// model object the base lacks is added or refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MergeMode {
    /// The model is the whole set of object mappings (a file's own envelope): base objects the
    /// model lacks are dropped, model objects the base lacks are added to the rule of their
    /// directories.
    Replace,
    /// The base is a live schema (`convert --base`): base objects the model lacks stay, and a
    /// model object the base lacks is an error.
    Base,
}

/// Why a model could not be merged into a base.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MergeError {
    /// The base is no Graph document with object mappings.
    #[error(
        "the base is not a Graph synchronization schema, rule or objectMapping: it has no synchronizationRules, objectMappings or attributeMappings"
    )]
    NotGraph,
    /// The model has an object mapping the base lacks.
    #[error("the base has no object mapping from {source_object:?} to {target_object:?}")]
    UnknownObject {
        source_object: String,
        target_object: String,
        /// The base's object mappings (source, target), in order.
        available: Vec<(String, String)>,
        /// The closest of them, when one is a plausible typo.
        suggestion: Option<(String, String)>,
    },
}

/// A place in the base where object mappings live.
enum Slots {
    /// A schema: per rule, its objectMappings array (when it has one).
    Schema,
    /// A rule: its objectMappings array.
    Rule,
    /// One objectMapping document.
    Object,
    /// A bare attributeMappings array.
    Array,
}

fn slots(base: &Value) -> Option<Slots> {
    match base {
        Value::Array(_) => Some(Slots::Array),
        Value::Object(m) if m.contains_key("synchronizationRules") => Some(Slots::Schema),
        Value::Object(m) if m.contains_key("objectMappings") => Some(Slots::Rule),
        Value::Object(m) if m.contains_key("attributeMappings") => Some(Slots::Object),
        _ => None,
    }
}

/// Whether a value has the shape of a Graph document entramap can merge into.
pub fn is_graph_document(v: &Value) -> bool {
    slots(v).is_some()
}

fn str_field(m: &Map<String, Value>, key: &str) -> String {
    m.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// The (source, target) names of a base object mapping; `None` for an empty stand-in or a
/// value that is not an object.
fn object_key(v: &Value) -> Option<(String, String)> {
    let m = v.as_object().filter(|m| !m.is_empty())?;
    Some((
        str_field(m, "sourceObjectName"),
        str_field(m, "targetObjectName"),
    ))
}

/// The base with the model's object mappings merged in (see the module documentation).
pub fn merge(base: &Value, file: &MappingFile, mode: MergeMode) -> Result<Value, MergeError> {
    let kind = slots(base).ok_or(MergeError::NotGraph)?;
    let objects = &file.object_mappings;
    match kind {
        Slots::Array => {
            let [om] = objects.as_slice() else {
                return Err(MergeError::NotGraph);
            };
            let items = base.as_array().map(Vec::as_slice).unwrap_or_default();
            Ok(Value::Array(merge_attribute_mappings(items, om)))
        }
        Slots::Object => {
            let base_obj = base.as_object().cloned().unwrap_or_default();
            let key = object_key(base).unwrap_or_default();
            let om = match objects.as_slice() {
                [om] if mode == MergeMode::Replace => om,
                _ => {
                    let found = objects
                        .iter()
                        .find(|o| (o.source_object.clone(), o.target_object.clone()) == key);
                    if let Some(extra) = objects
                        .iter()
                        .find(|o| (o.source_object.clone(), o.target_object.clone()) != key)
                    {
                        return Err(unknown(extra, std::slice::from_ref(&key)));
                    }
                    match found {
                        Some(om) => om,
                        None => return Ok(base.clone()),
                    }
                }
            };
            Ok(Value::Object(merge_object(&base_obj, om, mode)))
        }
        Slots::Rule | Slots::Schema => {
            let mut out = base.clone();
            // Every object mapping of the base: (rule index, item index).
            let rules: Vec<&mut Map<String, Value>> = match kind {
                Slots::Schema => out
                    .get_mut("synchronizationRules")
                    .and_then(Value::as_array_mut)
                    .map(|rs| rs.iter_mut().filter_map(Value::as_object_mut).collect())
                    .unwrap_or_default(),
                _ => out.as_object_mut().into_iter().collect(),
            };
            merge_rules(rules, objects, mode)?;
            Ok(out)
        }
    }
}

fn unknown(om: &ObjectMapping, available: &[(String, String)]) -> MergeError {
    let names: Vec<String> = available
        .iter()
        .map(|(s, t)| format!("{s} -> {t}"))
        .collect();
    let wanted = format!("{} -> {}", om.source_object, om.target_object);
    let suggestion = crate::suggest::did_you_mean(&wanted, names.iter().map(String::as_str))
        .and_then(|s| names.iter().position(|n| n == s))
        .map(|i| available[i].clone());
    MergeError::UnknownObject {
        source_object: om.source_object.clone(),
        target_object: om.target_object.clone(),
        available: available.to_vec(),
        suggestion,
    }
}

fn merge_rules(
    mut rules: Vec<&mut Map<String, Value>>,
    objects: &[ObjectMapping],
    mode: MergeMode,
) -> Result<(), MergeError> {
    // Which model object goes to which base object: the first unused one with the same names.
    let mut places: Vec<(usize, usize, (String, String))> = Vec::new();
    for (r, rule) in rules.iter().enumerate() {
        if let Some(items) = rule.get("objectMappings").and_then(Value::as_array) {
            for (i, item) in items.iter().enumerate() {
                if let Some(key) = object_key(item) {
                    places.push((r, i, key));
                }
            }
        }
    }
    let mut taken: Vec<Option<usize>> = vec![None; places.len()];
    let mut added: Vec<usize> = Vec::new();
    let mut by_key: HashMap<&(String, String), VecDeque<usize>> = HashMap::new();
    for (p, (_, _, k)) in places.iter().enumerate() {
        by_key.entry(k).or_default().push_back(p);
    }
    let place_of: HashMap<(usize, usize), usize> = places
        .iter()
        .enumerate()
        .map(|(p, (r, i, _))| ((*r, *i), p))
        .collect();
    for (n, om) in objects.iter().enumerate() {
        let key = (om.source_object.clone(), om.target_object.clone());
        match by_key.get_mut(&key).and_then(VecDeque::pop_front) {
            Some(p) => taken[p] = Some(n),
            None if mode == MergeMode::Base => {
                let available: Vec<(String, String)> =
                    places.iter().map(|(_, _, k)| k.clone()).collect();
                return Err(unknown(om, &available));
            }
            None => added.push(n),
        }
    }
    for (r, rule) in rules.iter_mut().enumerate() {
        let Some(items) = rule.get_mut("objectMappings").and_then(Value::as_array_mut) else {
            continue;
        };
        let mut new_items = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            match place_of.get(&(r, i)).copied() {
                // An empty stand-in, or something else that is no object mapping: kept.
                None => new_items.push(item.clone()),
                Some(p) => match taken[p] {
                    Some(n) => {
                        let base_obj = item.as_object().cloned().unwrap_or_default();
                        new_items.push(Value::Object(merge_object(&base_obj, &objects[n], mode)));
                    }
                    None if mode == MergeMode::Base => new_items.push(item.clone()),
                    None => {}
                },
            }
        }
        *items = new_items;
    }
    // Objects the base lacks: into the rule that connects their directories, else a new rule.
    for n in added {
        let om = &objects[n];
        let fresh = object_json(om);
        let same_dirs = |rule: &Map<String, Value>| {
            rule.get("sourceDirectoryName").and_then(Value::as_str)
                == om.source_directory.as_deref()
                && rule.get("targetDirectoryName").and_then(Value::as_str)
                    == om.target_directory.as_deref()
        };
        let target = match rules.iter().position(|r| same_dirs(r)) {
            Some(r) => Some(r),
            None if rules.len() == 1 && om.source_directory.is_none() => Some(0),
            None => None,
        };
        match target {
            Some(r) => match rules[r]
                .entry("objectMappings")
                .or_insert_with(|| Value::Array(Vec::new()))
            {
                Value::Array(items) => items.push(fresh),
                _ => return Err(MergeError::NotGraph),
            },
            None => {
                // A schema whose rules do not connect these directories: the object goes to the
                // last rule (Graph's own rules are per directory pair; entramap cannot invent an id).
                // Without any rule, or with a rule whose objectMappings is not a list, there is no
                // place for it: an error, so that no object mapping is dropped in silence.
                let Some(rule) = rules.last_mut() else {
                    return Err(MergeError::NotGraph);
                };
                match rule
                    .entry("objectMappings")
                    .or_insert_with(|| Value::Array(Vec::new()))
                {
                    Value::Array(items) => items.push(fresh),
                    _ => return Err(MergeError::NotGraph),
                }
            }
        }
    }
    Ok(())
}

/// A model value compared with what the base says: equal means the base's spelling is kept.
fn same_actions(a: Option<&str>, b: Option<&str>) -> bool {
    let norm = |s: Option<&str>| {
        s.unwrap_or("Add, Update, Delete")
            .split(',')
            .map(|p| p.trim().to_string())
            .collect::<Vec<_>>()
    };
    norm(a) == norm(b)
}

/// The model's reading of one base object mapping without its attribute mappings.
fn read_object(base_obj: &Map<String, Value>) -> Option<ObjectMapping> {
    let mut shell = base_obj.clone();
    shell.insert("attributeMappings".into(), Value::Array(Vec::new()));
    let text = serde_json::to_string(&Value::Object(shell)).ok()?;
    let mut file = load(&text).ok()?;
    (file.object_mappings.len() == 1).then(|| file.object_mappings.remove(0))
}

/// The model's reading of one base attribute mapping; `None` for an empty stand-in (or anything
/// else that is not an attribute mapping).
fn read_attribute_mapping(item: &Value) -> Option<AttributeMapping> {
    let text = serde_json::to_string(&Value::Array(vec![item.clone()])).ok()?;
    let mut file = load(&text).ok()?;
    let om = file.object_mappings.pop()?;
    om.attribute_mappings.into_iter().next()
}

/// One object mapping of the base with the model's merged in. With [`MergeMode::Base`], a
/// name or object actions the file leaves out are the live schema's (a hand-written YAML file
/// rarely states them); otherwise the model's value is compared as it is.
fn merge_object(
    base_obj: &Map<String, Value>,
    om: &ObjectMapping,
    mode: MergeMode,
) -> Map<String, Value> {
    let mut out = base_obj.clone();
    let fresh = match object_json(om) {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    let read = read_object(base_obj);
    let mut set = |key: &str, same: bool| {
        if !same && let Some(v) = fresh.get(key) {
            out.insert(key.to_string(), v.clone());
        }
    };
    match &read {
        Some(b) => {
            let unstated = mode == MergeMode::Base;
            set("name", b.name == om.name || (unstated && om.name.is_none()));
            set("enabled", b.enabled == om.enabled);
            set(
                "flowTypes",
                same_actions(b.actions.as_deref(), om.actions.as_deref())
                    || (unstated && om.actions.is_none()),
            );
            set("scope", b.scope == om.scope);
            set("sourceObjectName", b.source_object == om.source_object);
            set("targetObjectName", b.target_object == om.target_object);
        }
        None => {
            for key in [
                "name",
                "enabled",
                "flowTypes",
                "scope",
                "sourceObjectName",
                "targetObjectName",
            ] {
                set(key, false);
            }
        }
    }
    let items = base_obj
        .get("attributeMappings")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let merged = merge_attribute_mappings(items, om);
    // A base without the key (a resource sample) keeps going without it while nothing is mapped.
    if !merged.is_empty() || base_obj.contains_key("attributeMappings") {
        out.insert("attributeMappings".into(), Value::Array(merged));
    }
    out
}

/// One item of a base attributeMappings array, as the merge sees it.
enum Item {
    /// Reduced to its target name: written from the model.
    Reduced(String),
    /// A whole attribute mapping, with the model's reading of it.
    Whole(Box<AttributeMapping>),
    /// An empty stand-in or anything else that is not an attribute mapping: kept in its place.
    Other,
}

fn merge_attribute_mappings(items: &[Value], om: &ObjectMapping) -> Vec<Value> {
    let classified: Vec<Item> = items
        .iter()
        .map(|v| match v {
            Value::String(s) => Item::Reduced(s.clone()),
            Value::Object(_) => match read_attribute_mapping(v) {
                Some(am) => Item::Whole(Box::new(am)),
                None => Item::Other,
            },
            _ => Item::Other,
        })
        .collect();
    // The base's items by target, in order: a target mapped twice takes them in turn. (A map,
    // not a search per mapping: a 10 MB file holds tens of thousands of mappings.)
    let mut by_target: HashMap<&str, VecDeque<usize>> = HashMap::new();
    for (i, item) in classified.iter().enumerate() {
        let target = match item {
            Item::Reduced(t) => t.as_str(),
            Item::Whole(b) => b.target.value.as_str(),
            Item::Other => continue,
        };
        by_target.entry(target).or_default().push_back(i);
    }
    let mut out: Vec<Value> = Vec::with_capacity(om.attribute_mappings.len());
    for am in &om.attribute_mappings {
        let found = by_target
            .get_mut(am.target.value.as_str())
            .and_then(VecDeque::pop_front);
        let value = match found {
            Some(i) => match (&classified[i], &items[i]) {
                (Item::Whole(b), Value::Object(base_item)) => {
                    Value::Object(merge_attribute_mapping(base_item, b, am))
                }
                _ => attribute_mapping_json(am),
            },
            None => attribute_mapping_json(am),
        };
        out.push(value);
    }
    // Empty stand-ins go back where they were.
    for (i, item) in classified.iter().enumerate() {
        if matches!(item, Item::Other) {
            out.insert(i.min(out.len()), items[i].clone());
        }
    }
    out
}

fn same_source(a: Option<&MappingExpr>, b: Option<&MappingExpr>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => {
            a.text == b.text && a.kind == b.kind && graph_source(a) == graph_source(b)
        }
        _ => false,
    }
}

fn merge_attribute_mapping(
    base_item: &Map<String, Value>,
    b: &AttributeMapping,
    am: &AttributeMapping,
) -> Map<String, Value> {
    let mut out = base_item.clone();
    let fresh = match attribute_mapping_json(am) {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    let behavior = |m: &AttributeMapping| {
        m.flow_behavior
            .clone()
            .unwrap_or_else(|| super::emit::DEFAULT_FLOW_BEHAVIOR.to_string())
    };
    for (key, same) in [
        ("targetAttributeName", b.target.value == am.target.value),
        ("source", same_source(b.source.as_ref(), am.source.as_ref())),
        (
            "matchingPriority",
            b.matching_priority == am.matching_priority,
        ),
        ("flowType", b.flow_type == am.flow_type),
        ("flowBehavior", behavior(b) == behavior(am)),
        (
            "exportMissingReferences",
            b.export_missing_references == am.export_missing_references,
        ),
        ("defaultValue", b.default_value == am.default_value),
    ] {
        if !same && let Some(v) = fresh.get(key) {
            out.insert(key.to_string(), v.clone());
        }
    }
    out
}

/// The base as a YAML file's `graph:` section carries it: every attribute mapping that
/// [`attribute_mapping_json`] writes exactly as the base has it becomes its target name.
pub fn reduce(base: &Value) -> Value {
    let mut out = base.clone();
    let reduce_items = |items: &mut Vec<Value>| {
        for item in items.iter_mut() {
            if item.is_object()
                && let Some(am) = read_attribute_mapping(item)
                && attribute_mapping_json(&am) == *item
            {
                *item = Value::String(am.target.value);
            }
        }
    };
    let reduce_object = |obj: &mut Value| {
        if let Some(Value::Array(items)) = obj.get_mut("attributeMappings") {
            reduce_items(items);
        }
    };
    let reduce_rule = |rule: &mut Value| {
        if let Some(Value::Array(objects)) = rule.get_mut("objectMappings") {
            objects.iter_mut().for_each(reduce_object);
        }
    };
    match slots(base) {
        Some(Slots::Array) => {
            if let Value::Array(items) = &mut out {
                reduce_items(items);
            }
        }
        Some(Slots::Object) => reduce_object(&mut out),
        Some(Slots::Rule) => reduce_rule(&mut out),
        Some(Slots::Schema) => {
            if let Some(Value::Array(rules)) = out.get_mut("synchronizationRules") {
                rules.iter_mut().for_each(reduce_rule);
            }
        }
        None => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_object_is_never_dropped_for_want_of_a_place() {
        let file = crate::mapping::load(
            "objects:\n  - source: User\n    target: User\n    mappings:\n      - target: userName\n        source: '[userPrincipalName]'\n",
        )
        .unwrap();
        // A rule without an objectMappings list gets one.
        let base = json!({"synchronizationRules": [{"id": "r", "name": "R"}]});
        let merged = merge(&base, &file, MergeMode::Replace).unwrap();
        let objects = &merged["synchronizationRules"][0]["objectMappings"];
        assert_eq!(objects.as_array().map(Vec::len), Some(1), "{merged}");
        assert_eq!(objects[0]["sourceObjectName"], "User");
        // No rule at all, or objectMappings that is not a list: an error, not a silent loss.
        for base in [
            json!({"synchronizationRules": []}),
            json!({"synchronizationRules": [{"id": "r", "objectMappings": 7}]}),
        ] {
            assert_eq!(
                merge(&base, &file, MergeMode::Replace),
                Err(MergeError::NotGraph),
                "{base}"
            );
        }
    }
}
