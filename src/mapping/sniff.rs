//! Telling a file that is plainly something else (a package manifest, a CI workflow, an OpenAPI
//! document) from a mapping file, for `lint --skip-non-mappings`.
//!
//! The decision fails closed: a file is skipped only on positive signs of another format, never
//! because it lacks the shape of a mapping. A file that does not parse, that has no recognised
//! signs, or that carries any key close to one of the keys mapping files use (a typo such as
//! `mapings` or `targetAttributename`) is reported.

use serde_json::Value;

/// The keys that make a file a mapping file; a key within a small edit distance of one of them
/// (ignoring case) marks the file as a broken mapping, whatever else it holds.
pub const MAPPING_KEYS: [&str; 6] = [
    "objects",
    "mappings",
    "attributeMappings",
    "targetAttributeName",
    "synchronizationRules",
    "objectMappings",
];

/// How many keys are looked at before the search for near misses stops (a 10 MB file can hold
/// about a million keys; the first 200,000 include the top of any real file).
pub const MAX_KEYS_LOOKED_AT: usize = 200_000;

/// What `--skip-non-mappings` decides about a file that did not load as a mapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sniff {
    /// Clearly another format: skip it. The name says which.
    Other(&'static str),
    /// Not clearly anything else: report the load error. The text says why it is not skipped.
    Report(String),
}

/// Decides whether `text`, which failed to load as a mapping file, is plainly another format.
pub fn sniff(text: &str) -> Sniff {
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first = body
        .trim_start_matches([' ', '\t', '\r', '\n'])
        .chars()
        .next();
    let docs: Vec<Value> = match first {
        None => return Sniff::Report("the file is empty".into()),
        Some('{' | '[') => match serde_json::from_str::<Value>(body) {
            Ok(v) => vec![v],
            Err(_) => return Sniff::Report("the file is JSON that does not parse".into()),
        },
        Some(_) => match serde_saphyr::from_multiple::<Value>(body) {
            Ok(v) if !v.is_empty() => v,
            Ok(_) => return Sniff::Report("the file holds no YAML document".into()),
            Err(_) => return Sniff::Report("the file is YAML that does not parse".into()),
        },
    };
    if let [doc] = docs.as_slice()
        && let Some(name) = ours(doc)
    {
        return Sniff::Other(name);
    }
    let mut keys = Vec::new();
    for doc in &docs {
        collect_keys(doc, &mut keys);
    }
    // A near miss: a key close to a mapping key, holding what that key holds (a list, or the
    // target's name). `mapping:` holding an object (an OpenAPI discriminator) is no near miss.
    let near = |(key, value): &(&str, &Value)| {
        let meant = near_mapping_key(key)?;
        let fits = if meant == "targetAttributeName" {
            value.is_string()
        } else {
            value.is_array()
        };
        fits.then_some((key.to_string(), meant))
    };
    let misspelt = keys
        .iter()
        .filter_map(near)
        .find(|(key, meant)| key != meant);
    if let Some((key, meant)) = misspelt.or_else(|| keys.iter().find_map(near)) {
        return Sniff::Report(if key == meant {
            format!("it has the mapping key `{key}`")
        } else {
            format!("it has the key `{key}`, close to the mapping key `{meant}`")
        });
    }
    let mut found = None;
    for doc in &docs {
        match other_format(doc) {
            Some(name) if found.is_none() || found == Some(name) => found = Some(name),
            Some(_) => {}
            None => {
                return Sniff::Report(
                    "it shows no sign of a format entramap knows to skip".to_string(),
                );
            }
        }
    }
    match found {
        Some(name) => Sniff::Other(name),
        None => Sniff::Report("it shows no sign of a format entramap knows to skip".into()),
    }
}

/// The mapping key `key` is a near miss of, if any: equal ignoring case, or within one edit
/// (two for keys of ten characters or more).
pub fn near_mapping_key(key: &str) -> Option<&'static str> {
    if key.len() > 64 {
        return None;
    }
    let lower = key.to_lowercase();
    MAPPING_KEYS.iter().copied().find(|k| {
        let limit = if k.len() >= 10 { 2 } else { 1 };
        let target = k.to_lowercase();
        lower.len().abs_diff(target.len()) <= limit
            && crate::suggest::distance(&lower, &target) <= limit
    })
}

fn collect_keys<'a>(value: &'a Value, out: &mut Vec<(&'a str, &'a Value)>) {
    let mut stack = vec![value];
    while let Some(v) = stack.pop() {
        if out.len() >= MAX_KEYS_LOOKED_AT {
            return;
        }
        match v {
            Value::Object(map) => {
                for (k, child) in map {
                    out.push((k, child));
                    stack.push(child);
                }
            }
            Value::Array(items) => stack.extend(items),
            _ => {}
        }
    }
}

/// An entramap profile (format 1 or 2) or configuration file: every top-level key one of that
/// format's keys.
fn ours(doc: &Value) -> Option<&'static str> {
    const PROFILE: [&str; 19] = [
        "format",
        "name",
        "description",
        "object",
        "target-kind",
        "targets",
        "persisted",
        "matches-by",
        "active",
        "values",
        "options",
        "scim-flag",
        "scim-flag-note",
        "groups",
        "actions",
        "notes",
        "sources",
        // format 1
        "allowed",
        "required",
    ];
    const CONFIG: [&str; 8] = [
        "profile",
        "scim-mode",
        "tenant-url",
        "profile-options",
        "select",
        "ignore",
        "per-path-ignores",
        "per-target-ignores",
    ];
    let Value::Object(map) = doc else {
        return None;
    };
    let only = |set: &[&str]| !map.is_empty() && map.keys().all(|k| set.contains(&k.as_str()));
    let profile_shaped = map.contains_key("name")
        && ["allowed", "targets", "format"]
            .iter()
            .any(|k| map.contains_key(*k));
    if only(&PROFILE) && profile_shaped {
        Some("an entramap profile")
    } else if only(&CONFIG) {
        Some("an entramap configuration")
    } else {
        None
    }
}

/// The other format one document plainly is, by its top-level keys.
fn other_format(doc: &Value) -> Option<&'static str> {
    if let Value::Array(items) = doc {
        // .pre-commit-hooks.yaml: a list of hooks, each with an id and an entry.
        let hooks = !items.is_empty()
            && items
                .iter()
                .all(|i| i.get("id").is_some() && i.get("entry").is_some());
        return hooks.then_some("a pre-commit hooks file");
    }
    let Value::Object(map) = doc else {
        return None;
    };
    let has = |k: &str| map.contains_key(k);
    let any = |ks: &[&str]| ks.iter().any(|k| has(k));
    if has("openapi") || has("swagger") {
        return Some("an OpenAPI document");
    }
    if has("apiVersion") && has("kind") {
        return Some("a Kubernetes manifest");
    }
    if has("on") && has("jobs") {
        return Some("a GitHub Actions workflow");
    }
    if has("runs") && any(&["name", "description", "inputs"]) {
        return Some("a GitHub Action definition");
    }
    if has("repos") && map.get("repos").is_some_and(Value::is_array) {
        return Some("a pre-commit configuration");
    }
    if has("services") && map.get("services").is_some_and(Value::is_object) {
        return Some("a Compose file");
    }
    if has("compilerOptions") || (has("extends") && any(&["include", "files", "references"])) {
        return Some("a TypeScript or JavaScript project configuration");
    }
    if has("name")
        && any(&[
            "version",
            "dependencies",
            "devDependencies",
            "scripts",
            "workspaces",
            "private",
        ])
        && !any(&["mappings", "objects"])
    {
        return Some("a package manifest");
    }
    if has("$schema") && any(&["properties", "definitions", "$defs", "type"]) {
        return Some("a JSON Schema");
    }
    if has("version") && has("updates") {
        return Some("a Dependabot configuration");
    }
    if any(&["stages", "trigger", "pool", "pr"]) && any(&["steps", "jobs", "stages"]) {
        return Some("a CI pipeline");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_misses_of_mapping_keys() {
        assert_eq!(near_mapping_key("mapings"), Some("mappings"));
        assert_eq!(near_mapping_key("mapping"), Some("mappings"));
        assert_eq!(
            near_mapping_key("targetAttributename"),
            Some("targetAttributeName")
        );
        assert_eq!(
            near_mapping_key("attributeMapping"),
            Some("attributeMappings")
        );
        assert_eq!(near_mapping_key("subjects"), None);
        assert_eq!(near_mapping_key("projects"), None);
        assert_eq!(near_mapping_key("name"), None);
    }
}
