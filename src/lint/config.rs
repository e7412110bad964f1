//! `.entramap.yaml`: project configuration, found from the linted file's folder upward.
//!
//! ```yaml
//! profile: unleash            # a built-in profile name or a path (relative to this file)
//! scim-mode: legacy           # legacy | compliant
//! tenant-url: https://app.example/scim/v2?aadOptscim062020   # or say the mode by the tenant URL
//! profile-options: {short-code: octo}
//! select: []                  # only these rules (names or codes)
//! ignore: [constant-expression]
//! per-path-ignores:           # globs relative to this file: rules ignored there
//!   "legacy/**/*.json": [unknown-target-attribute]
//! per-target-ignores:         # object (target object, source object or object mapping
//!   User:                     # name; `*` for any) → target attribute → rules ignored there
//!     active: [active-not-lowercase-boolean]
//! ```
//! Command-line options win over the file.

use crate::profile::ScimMode;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub const FILE_NAME: &str = ".entramap.yaml";

#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    #[serde(default)]
    pub profile: Option<String>,
    #[serde(default)]
    pub scim_mode: Option<ScimMode>,
    /// The provisioning job's tenant URL: `?aadOptscim062020` in it means compliant mode.
    #[serde(default)]
    pub tenant_url: Option<String>,
    /// Options for the profile (`short-code: octo`).
    #[serde(default)]
    pub profile_options: BTreeMap<String, String>,
    #[serde(default)]
    pub select: Vec<String>,
    #[serde(default)]
    pub ignore: Vec<String>,
    #[serde(default)]
    pub per_path_ignores: BTreeMap<String, Vec<String>>,
    /// Rules ignored for one mapping: object → target attribute → rules. This is how a Graph
    /// JSON export, which has no comments, suppresses a rule on one mapping.
    #[serde(default)]
    pub per_target_ignores: BTreeMap<String, BTreeMap<String, Vec<String>>>,
    /// The folder the file was found in (globs and profile paths are relative to it).
    #[serde(skip)]
    pub dir: PathBuf,
}

impl Config {
    /// The nearest `.entramap.yaml` from `file`'s folder upward, if any.
    pub fn discover(file: &Path) -> Result<Option<Config>, String> {
        let start = file.canonicalize().unwrap_or_else(|_| file.to_path_buf());
        let mut dir = start.parent();
        while let Some(d) = dir {
            let candidate = d.join(FILE_NAME);
            if candidate.is_file() {
                return Config::load(&candidate).map(Some);
            }
            dir = d.parent();
        }
        Ok(None)
    }

    /// Reads a configuration file.
    pub fn load(path: &Path) -> Result<Config, String> {
        let text = crate::input::read_path(path, crate::input::CONFIG)
            .map_err(|e| e.to_string())
            .and_then(|b| {
                String::from_utf8(b).map_err(|_| format!("{} is not UTF-8 text", path.display()))
            })?;
        let mut config: Config = if text.trim().is_empty() {
            Config::default()
        } else {
            serde_saphyr::from_str(&text)
                .map_err(|e| format!("{} is not valid: {e}", path.display()))?
        };
        if config.scim_mode.is_some() && config.tenant_url.is_some() {
            return Err(format!(
                "{}: give `scim-mode` or `tenant-url`, not both (the tenant URL says the mode)",
                path.display()
            ));
        }
        let abs = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
        config.dir = abs.parent().map(Path::to_path_buf).unwrap_or_default();
        for glob in config.per_path_ignores.keys() {
            compile_glob(glob).map_err(|e| format!("{}: per-path-ignores: {e}", path.display()))?;
        }
        for key in config
            .select
            .iter()
            .chain(&config.ignore)
            .chain(config.per_path_ignores.values().flatten())
            .chain(
                config
                    .per_target_ignores
                    .values()
                    .flat_map(|t| t.values().flatten()),
            )
        {
            if crate::lint::find_rule(key).is_none() {
                return Err(format!(
                    "{}: no rule named {key:?} (`entramap rules` lists them)",
                    path.display()
                ));
            }
        }
        Ok(config)
    }

    /// The profile setting resolved against the config's folder when it is a path.
    pub fn profile_path(&self) -> Option<String> {
        let p = self.profile.as_ref()?;
        if crate::profile::BUILT_IN
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case(p))
        {
            return Some(p.clone());
        }
        Some(self.dir.join(p).to_string_lossy().into_owned())
    }

    /// The SCIM mode the configuration says: `scim-mode`, else from `tenant-url`.
    pub fn mode(&self) -> Option<ScimMode> {
        self.scim_mode.or_else(|| {
            self.tenant_url
                .as_deref()
                .map(crate::profile::mode_of_tenant_url)
        })
    }

    /// Rules ignored for `file` by `per-path-ignores`.
    pub fn ignores_for(&self, file: &Path) -> Vec<String> {
        let abs = file.canonicalize().unwrap_or_else(|_| file.to_path_buf());
        let Ok(rel) = abs.strip_prefix(&self.dir) else {
            return Vec::new();
        };
        let rel = rel.to_string_lossy().replace('\\', "/");
        self.per_path_ignores
            .iter()
            .filter(|(glob, _)| glob_match(glob, &rel))
            .flat_map(|(_, rules)| rules.iter().cloned())
            .collect()
    }
}

impl Config {
    /// Whether `per-target-ignores` silences `finding` (about a mapping of `file`).
    pub fn ignores_finding(
        &self,
        file: &crate::mapping::MappingFile,
        finding: &crate::lint::Finding,
    ) -> bool {
        let (Some((oi, Some(_))), Some(target)) = (finding.location, &finding.target) else {
            return false;
        };
        let Some(om) = file.object_mappings.get(oi) else {
            return false;
        };
        let d = &finding.diagnostic;
        self.per_target_ignores.iter().any(|(object, targets)| {
            let object_matches = object == "*"
                || object.eq_ignore_ascii_case(&om.target_object)
                || object.eq_ignore_ascii_case(&om.source_object)
                || om
                    .name
                    .as_ref()
                    .is_some_and(|n| object.eq_ignore_ascii_case(n));
            object_matches
                && targets.iter().any(|(t, rules)| {
                    t.eq_ignore_ascii_case(target)
                        && rules.iter().any(|r| {
                            r.eq_ignore_ascii_case(d.name) || r.eq_ignore_ascii_case(d.code)
                        })
                })
        })
    }
}

/// Glob matching through `globset` (linear in the path's length whatever the glob): `*` and
/// `?` stay within a path segment, `**` spans segments, `{a,b}` and `[a-z]` as usual. A glob
/// that does not compile matches nothing (configuration loading reports it first).
pub fn glob_match(glob: &str, path: &str) -> bool {
    compile_glob(glob).is_ok_and(|m| m.is_match(path))
}

/// A glob as `per-path-ignores` and `--exclude` read it.
pub fn compile_glob(glob: &str) -> Result<globset::GlobMatcher, String> {
    globset::GlobBuilder::new(glob)
        .literal_separator(true)
        .build()
        .map(|g| g.compile_matcher())
        .map_err(|e| format!("{glob:?} is not a valid glob: {e}"))
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    #[test]
    fn globs() {
        assert!(glob_match("legacy/**/*.json", "legacy/a/b/x.json"));
        assert!(glob_match("legacy/**/*.json", "legacy/x.json"));
        assert!(!glob_match("legacy/*.json", "legacy/a/x.json"));
        assert!(glob_match("*.yaml", "m.yaml"));
        assert!(!glob_match("*.yaml", "dir/m.yaml"));
        assert!(glob_match("m?.yaml", "m1.yaml"));
        assert!(!glob_match("[", "["), "an invalid glob matches nothing");
    }

    /// The glob that took over a minute with backtracking: answered at once, correctly.
    #[test]
    fn pathological_glob_is_linear() {
        let glob = "*a*a*a*a*a*a*a*a*a*a*b"; // 22 bytes
        assert_eq!(glob.len(), 22);
        let path = "a".repeat(45);
        assert!(!glob_match(glob, &path));
        assert!(glob_match(glob, &format!("{path}b")));
    }
}
