//! The target app a cycle runs against: its users, found by matching value and by id, and
//! changed by the cycle's writes for the steady-state check.
//!
//! The app keeps its users in one of two stores, which answer every question the cycle asks
//! the same way:
//! * **trees**: each user as compact JSON text, a tree built when a user is looked at. This is
//!   what `--target-state` loads and what a plain cycle reads.
//! * **fingerprints** (the steady-state check, [`App::compact`]): per user a row of 64-bit
//!   fingerprints, one per mapping whose value the app keeps (what a later cycle compares
//!   against) and one per matching value in lower case (what the matching query finds). A user
//!   of the Unleash profile's default mapping takes 48 bytes, so a million users fit in about
//!   60 MB. Ids the app gave are derived from the row; ids loaded with users are kept.
//!
//! Fingerprints compare as [`scim::json_loose_eq`] does (see [`scim::loose_fingerprint`]).
//! Two different values share a fingerprint with odds of about 2⁻⁶¹ per comparison.
//! The fingerprint store is used only when no mapping's write can change the value another
//! mapping reads back (`name` and `name.givenName` can; `name.givenName` and `name.familyName`
//! cannot); otherwise the app keeps trees.

use super::Plan;
use super::requests::{Method, UserResult};
use super::scim::{self, TargetPath};
use crate::profile::Profile;
use serde_json::{Map, Value as Json};
use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::{self, BufRead};

/// The target app's users.
#[derive(Debug, Clone, Default)]
pub struct App {
    store: Store,
    /// How many users were created without an id so far (their ids are [`new_id`]s).
    next_id: u64,
    persisted: Option<Vec<String>>,
    /// `false` keeps trees even where fingerprints would do (the plain path, for tests).
    may_compact: bool,
}

#[derive(Debug, Clone)]
enum Store {
    Trees(Trees),
    Rows(Rows),
}

impl Default for Store {
    fn default() -> Store {
        Store::Trees(Trees::default())
    }
}

/// Users as compact JSON text.
#[derive(Debug, Clone, Default)]
struct Trees {
    resources: Vec<Box<str>>,
    by_id: HashMap<Box<str>, u32>,
    /// Per matching mapping (in plan order): lower-cased value → the first resource with it.
    index: Vec<HashMap<Box<str>, u32>>,
}

/// Users as rows of fingerprints.
#[derive(Debug, Clone)]
struct Rows {
    /// Per mapping (plan order): its column, when the store keeps its value.
    column: Vec<Option<usize>>,
    /// Per mapping: whether the app keeps its value after a write (the profile persists it).
    kept: Vec<bool>,
    /// Per matching mapping (position in `plan.matching`): the column of its lower-cased value.
    key_column: Vec<Option<usize>>,
    users: usize,
    cells: Cells,
    /// The ids of the first `ids.len()` users (those the app had before the cycles).
    ids: Vec<Box<str>>,
    by_id: HashMap<Box<str>, u32>,
    /// The [`new_id`] number of the first user created after them.
    first_new: u64,
    /// Per matching mapping: the users by lower-cased value.
    index: Vec<KeyTable>,
}

/// The id the app gives its n-th created user.
fn new_id(n: u64) -> String {
    format!("00000000-0000-4000-8000-{n:012}")
}

/// The n of an id [`new_id`] made.
fn new_id_number(id: &str) -> Option<u64> {
    let digits = id.strip_prefix("00000000-0000-4000-8000-")?;
    if digits.len() != 12 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// The text a matching query compares (a reference's `value`, a boolean's `true`/`false`).
fn text_of(v: &Json) -> Option<String> {
    match v {
        Json::String(s) => Some(s.clone()),
        Json::Bool(b) => Some(b.to_string()),
        Json::Number(n) => Some(n.to_string()),
        Json::Object(o) => o.get("value").and_then(text_of),
        Json::Array(a) if a.len() == 1 => text_of(&a[0]),
        _ => None,
    }
}

/// The fingerprint of a matching value (never 0, which means "none").
fn key_hash(text: &str) -> u64 {
    let mut h = DefaultHasher::new();
    text.to_lowercase().hash(&mut h);
    h.finish() | 1
}

/// The stored form of a tree: compact JSON without `schemas` and `meta` (which no comparison
/// reads).
fn store_tree(json: &Json) -> Box<str> {
    let mut out = Vec::with_capacity(256);
    match json {
        Json::Object(map) => {
            let mut first = true;
            out.push(b'{');
            for (k, v) in map {
                if k == "schemas" || k == "meta" {
                    continue;
                }
                if !first {
                    out.push(b',');
                }
                first = false;
                scim::write_str(&mut out, k);
                out.push(b':');
                scim::write_json(&mut out, v);
            }
            out.push(b'}');
        }
        other => scim::write_json(&mut out, other),
    }
    String::from_utf8(out).unwrap_or_default().into_boxed_str()
}

/// Keeps only what the app persists (everything without a profile).
fn prune(persisted: Option<&[String]>, json: &mut Json) {
    if let Some(persisted) = persisted {
        scim::prune(json, &|target| {
            persisted.iter().any(|e| Profile::covers(e, target))
        });
    }
}

/// Whether a write to `a` leaves the value read back at `b` as it was.
fn independent(a: &TargetPath, b: &TargetPath) -> bool {
    let same_urn = match (&a.urn, &b.urn) {
        (None, None) => true,
        (Some(x), Some(y)) => x.eq_ignore_ascii_case(y),
        _ => false,
    };
    if !same_urn || !a.attr.eq_ignore_ascii_case(&b.attr) {
        return true;
    }
    match (&a.filter, &b.filter) {
        // `name.givenName` and `name.familyName`; `name` and anything under it are not.
        (None, None) => {
            matches!((&a.sub, &b.sub), (Some(x), Some(y)) if !x.eq_ignore_ascii_case(y))
        }
        // Two elements picked by different values of one attribute.
        (Some((fa, va)), Some((fb, vb))) if !va.eq_ignore_ascii_case(vb) => {
            fa.eq_ignore_ascii_case(fb)
        }
        // One element: writing a sub-attribute creates the element with its filter value (and
        // the work e-mail with `primary`), so only other sub-attributes are left alone.
        (Some((fa, va)), Some((fb, _))) if fa.eq_ignore_ascii_case(fb) => {
            let sub = |p: &TargetPath| p.sub.clone().unwrap_or_else(|| "value".into());
            let (wrote, read) = (sub(a), sub(b));
            let work_email = a.attr.eq_ignore_ascii_case("emails")
                && fa.eq_ignore_ascii_case("type")
                && va.eq_ignore_ascii_case("work");
            let touched = wrote.eq_ignore_ascii_case(&read)
                || read.eq_ignore_ascii_case(fa)
                || (work_email && read.eq_ignore_ascii_case("primary"));
            !touched
        }
        _ => false,
    }
}

impl App {
    /// An app without users.
    pub fn new(plan: &Plan) -> App {
        App {
            store: Store::Trees(Trees {
                index: vec![HashMap::new(); plan.matching.len()],
                ..Trees::default()
            }),
            may_compact: true,
            ..App::default()
        }
    }

    /// Keeps only the attributes the profile says the app persists.
    pub fn persisting(mut self, profile: &Profile) -> App {
        self.persisted = Some(profile.persisted.clone());
        self
    }

    /// Keeps every user as a JSON tree even for the steady-state check (the plain path the
    /// fingerprint store is tested against).
    pub fn as_trees(mut self) -> App {
        self.may_compact = false;
        self
    }

    /// Whether the users are kept as fingerprints.
    pub fn is_compact(&self) -> bool {
        matches!(self.store, Store::Rows(_))
    }

    /// Reads the app's users from JSON Lines (one SCIM User resource per line).
    pub fn load(plan: &Plan, reader: impl BufRead) -> Result<App, String> {
        let mut app = App::new(plan);
        let mut reader = reader;
        let mut bytes = Vec::new();
        for i in 0.. {
            // One line at a time, each at most TARGET_STATE_LINE: a huge line is an error, not
            // an allocation that aborts the process.
            let what = format!("the target state (line {})", i + 1);
            if !crate::input::read_line(
                &mut reader,
                &mut bytes,
                &what,
                crate::input::TARGET_STATE_LINE,
            )
            .map_err(|e| e.to_string())?
            {
                break;
            }
            let line = std::str::from_utf8(&bytes)
                .map_err(|_| format!("target state line {}: not UTF-8 text", i + 1))?;
            if line.trim().is_empty() {
                continue;
            }
            let json: Json = serde_json::from_str(line)
                .map_err(|e| format!("target state line {}: {e}", i + 1))?;
            if !json.is_object() {
                return Err(format!(
                    "target state line {}: expected a SCIM User resource (a JSON object)",
                    i + 1
                ));
            }
            app.insert(plan, json);
        }
        Ok(app)
    }

    /// How many users the app has.
    pub fn len(&self) -> usize {
        match &self.store {
            Store::Trees(t) => t.resources.len(),
            Store::Rows(r) => r.users,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn prune(&self, json: &mut Json) {
        prune(self.persisted.as_deref(), json);
    }

    /// Switches to the fingerprint store when the plan allows it (see the module's notes);
    /// otherwise leaves the app as it is.
    pub fn compact(mut self, plan: &Plan) -> App {
        let Store::Trees(trees) = &self.store else {
            return self;
        };
        if !self.may_compact {
            return self;
        }
        let n = plan.mappings.len();
        // What a write leaves in the app: write a value, prune, and read it back.
        let kept: Vec<bool> = plan
            .mappings
            .iter()
            .map(|m| {
                let mut probe = Json::Object(Map::new());
                scim::set(&mut probe, &m.path, Json::String("x".into()));
                self.prune(&mut probe);
                scim::get(&probe, &m.path).is_some()
            })
            .collect();
        // Users the app already has keep every value until a write prunes them.
        let loaded = !trees.resources.is_empty();
        let stored = |i: usize| kept[i] || loaded;
        // Writes to different attributes are independent (`independent`'s first test), so only
        // mappings of one attribute are compared with each other: linear in the mappings.
        let mut by_attribute: HashMap<(Option<String>, String), Vec<usize>> = HashMap::new();
        for (i, m) in plan.mappings.iter().enumerate() {
            let urn = m.path.urn.as_ref().map(|u| u.to_ascii_lowercase());
            by_attribute
                .entry((urn, m.path.attr.to_ascii_lowercase()))
                .or_default()
                .push(i);
        }
        for group in by_attribute.values() {
            for &j in group.iter().filter(|&&j| stored(j)) {
                for &i in group.iter().filter(|&&i| i != j) {
                    if !independent(&plan.mappings[i].path, &plan.mappings[j].path) {
                        return self;
                    }
                }
            }
        }
        let mut width = 0;
        let column: Vec<Option<usize>> = (0..n)
            .map(|i| {
                stored(i).then(|| {
                    width += 1;
                    width - 1
                })
            })
            .collect();
        let key_column: Vec<Option<usize>> = plan
            .matching
            .iter()
            .map(|&m| {
                column[m].map(|_| {
                    width += 1;
                    width - 1
                })
            })
            .collect();
        let mut rows = Rows {
            column,
            kept,
            key_column,
            users: 0,
            cells: Cells::new(width),
            ids: Vec::with_capacity(trees.resources.len()),
            by_id: HashMap::new(),
            first_new: self.next_id + 1,
            index: (0..plan.matching.len()).map(|_| KeyTable::new()).collect(),
        };
        for text in &trees.resources {
            let json: Json = serde_json::from_str(text).unwrap_or(Json::Null);
            let id = json.get("id").and_then(Json::as_str).unwrap_or_default();
            rows.by_id
                .insert(id.into(), u32::try_from(rows.ids.len()).unwrap_or(u32::MAX));
            rows.ids.push(id.into());
            rows.push(plan, &json);
        }
        self.store = Store::Rows(rows);
        self
    }

    /// Adds a user; one without an `id` gets the next [`new_id`].
    fn insert(&mut self, plan: &Plan, mut json: Json) {
        let id = match json.get("id").and_then(Json::as_str) {
            Some(id) => {
                // A loaded user may already have an id of the form the app gives: later users
                // are numbered after it, so no two users share an id.
                if let Some(n) = new_id_number(id) {
                    self.next_id = self.next_id.max(n);
                }
                id.to_string()
            }
            None => {
                self.next_id += 1;
                let id = new_id(self.next_id);
                if let Json::Object(m) = &mut json {
                    m.insert("id".into(), Json::String(id.clone()));
                }
                id
            }
        };
        match &mut self.store {
            Store::Trees(t) => {
                let i = t.resources.len();
                t.resources.push(store_tree(&json));
                t.by_id.insert(id.into_boxed_str(), i as u32);
                t.index_keys(plan, &json, i, true);
            }
            // Only the cycle's POSTs insert into rows, and their ids are new ones.
            Store::Rows(r) => r.push(plan, &json),
        }
    }

    /// User `r` as the cycle compares against it.
    pub fn stored(&self, r: usize) -> Stored<'_> {
        match &self.store {
            Store::Trees(t) => Stored(StoredIn::Tree(
                serde_json::from_str(&t.resources[r]).unwrap_or(Json::Null),
            )),
            Store::Rows(rows) => Stored(StoredIn::Row { rows, at: r }),
        }
    }

    /// The user whose matching attribute `k` (position in `plan.matching`) equals `value`,
    /// ignoring case as SCIM does for userName.
    pub fn find(&self, k: usize, value: &str) -> Option<usize> {
        if self.is_empty() {
            return None;
        }
        match &self.store {
            Store::Trees(t) => t
                .index
                .get(k)?
                .get(value.to_lowercase().as_str())
                .map(|&i| i as usize),
            Store::Rows(r) => {
                let col = (*r.key_column.get(k)?)?;
                let hash = key_hash(value);
                r.index[k]
                    .find(hash, |row| r.cells.row(row as usize)[col])
                    .map(|row| row as usize)
            }
        }
    }

    /// Applies a user's requests (POST creates, PATCH changes), keeping only what the app
    /// persists.
    pub fn apply(&mut self, plan: &Plan, result: &UserResult) {
        for r in &result.requests {
            match r.method {
                Method::Get => {}
                Method::Post => {
                    if let Some(mut body) = r.body_json() {
                        if let Json::Object(m) = &mut body {
                            m.remove("id");
                        }
                        self.prune(&mut body);
                        self.insert(plan, body);
                    }
                }
                Method::Patch => {
                    let Some(id) = r.id.as_deref() else { continue };
                    // Each op's (target, value) pairs, in the order they are applied.
                    let mut writes: Vec<(&str, &Json)> = Vec::new();
                    for op in r.ops() {
                        match (&op.path, &op.value) {
                            (Some(p), v) => writes.push((p, v)),
                            (None, Json::Object(values)) => {
                                writes.extend(values.iter().map(|(p, v)| (p.as_str(), v)));
                            }
                            _ => {}
                        }
                    }
                    let persisted = self.persisted.as_deref();
                    match &mut self.store {
                        Store::Rows(rows) => rows.patch(plan, id, &writes),
                        Store::Trees(t) => {
                            let Some(&i) = t.by_id.get(id) else { continue };
                            let i = i as usize;
                            let mut json: Json =
                                serde_json::from_str(&t.resources[i]).unwrap_or(Json::Null);
                            t.index_keys(plan, &json, i, false);
                            for (p, v) in writes {
                                scim::set(&mut json, &TargetPath::parse(p), v.clone());
                            }
                            prune(persisted, &mut json);
                            t.resources[i] = store_tree(&json);
                            t.index_keys(plan, &json, i, true);
                        }
                    }
                }
            }
        }
    }
}

impl Trees {
    /// Adds (or removes) resource `i` under its matching values.
    fn index_keys(&mut self, plan: &Plan, json: &Json, i: usize, add: bool) {
        for (k, &m) in plan.matching.iter().enumerate() {
            let Some(text) = scim::get(json, &plan.mappings[m].path).and_then(text_of) else {
                continue;
            };
            let key = text.to_lowercase().into_boxed_str();
            if add {
                // Two users with one value: the first is found, as a filter's first result.
                self.index[k].entry(key).or_insert(i as u32);
            } else if self.index[k].get(&key) == Some(&(i as u32)) {
                self.index[k].remove(&key);
            }
        }
    }
}

impl Rows {
    fn row(&self, at: usize) -> &[u64] {
        self.cells.row(at)
    }

    /// Appends a user read from a (pruned) tree.
    fn push(&mut self, plan: &Plan, json: &Json) {
        let at = self.users;
        self.users += 1;
        let row = self.cells.push();
        for (i, m) in plan.mappings.iter().enumerate() {
            if let Some(c) = self.column[i] {
                row[c] = scim::get(json, &m.path).map_or(0, scim::loose_fingerprint);
            }
        }
        for (k, &m) in plan.matching.iter().enumerate() {
            if let Some(c) = self.key_column[k] {
                row[c] = scim::get(json, &plan.mappings[m].path)
                    .and_then(text_of)
                    .map_or(0, |t| key_hash(&t));
            }
        }
        self.index_keys(at, true);
    }

    /// Adds (or removes) user `at` under its matching values.
    fn index_keys(&mut self, at: usize, add: bool) {
        let cells = &self.cells;
        for (k, col) in self.key_column.iter().enumerate() {
            let Some(col) = *col else { continue };
            let hash = cells.row(at)[col];
            if hash == 0 {
                continue;
            }
            let key_at = |row: u32| cells.row(row as usize)[col];
            if add {
                // Two users with one value: the first is found, as a filter's first result.
                self.index[k].insert_absent(hash, at as u32, key_at);
            } else {
                self.index[k].remove(hash, at as u32, key_at);
            }
        }
    }

    /// The row of an id.
    fn position(&self, id: &str) -> Option<usize> {
        if let Some(&i) = self.by_id.get(id) {
            return Some(i as usize);
        }
        let n = new_id_number(id)?;
        let at = usize::try_from(n.checked_sub(self.first_new)?).ok()? + self.ids.len();
        (at < self.users).then_some(at)
    }

    /// Applies a PATCH's writes: each written mapping's value, then the prune of what the app
    /// does not keep.
    fn patch(&mut self, plan: &Plan, id: &str, writes: &[(&str, &Json)]) {
        let Some(at) = self.position(id) else { return };
        self.index_keys(at, false);
        let row = self.cells.row_mut(at);
        for &(target, value) in writes {
            for (i, m) in plan.mappings.iter().enumerate() {
                if m.target != target {
                    continue;
                }
                if let Some(c) = self.column[i] {
                    row[c] = scim::loose_fingerprint(value);
                }
                if let Some(k) = plan.matching.iter().position(|&x| x == i)
                    && let Some(c) = self.key_column[k]
                {
                    row[c] = text_of(value).map_or(0, |t| key_hash(&t));
                }
            }
        }
        for (i, _) in plan.mappings.iter().enumerate() {
            if self.kept[i] {
                continue;
            }
            if let Some(c) = self.column[i] {
                row[c] = 0;
            }
            if let Some(k) = plan.matching.iter().position(|&x| x == i)
                && let Some(c) = self.key_column[k]
            {
                row[c] = 0;
            }
        }
        self.index_keys(at, true);
    }
}

/// Rows of `width` cells in chunks of [`CHUNK_ROWS`] rows: growing never copies what is there
/// (a doubling vector would briefly hold the old and the new copy).
#[derive(Debug, Clone)]
struct Cells {
    width: usize,
    chunks: Vec<Box<[u64]>>,
    rows: usize,
}

const CHUNK_ROWS: usize = 4096;

impl Cells {
    fn new(width: usize) -> Cells {
        Cells {
            width,
            chunks: Vec::new(),
            rows: 0,
        }
    }

    fn row(&self, at: usize) -> &[u64] {
        let start = (at % CHUNK_ROWS) * self.width;
        &self.chunks[at / CHUNK_ROWS][start..start + self.width]
    }

    fn row_mut(&mut self, at: usize) -> &mut [u64] {
        let start = (at % CHUNK_ROWS) * self.width;
        &mut self.chunks[at / CHUNK_ROWS][start..start + self.width]
    }

    /// A new row of zeros (no value).
    fn push(&mut self) -> &mut [u64] {
        if self.rows.is_multiple_of(CHUNK_ROWS) {
            self.chunks
                .push(vec![0; CHUNK_ROWS * self.width].into_boxed_slice());
        }
        self.rows += 1;
        self.row_mut(self.rows - 1)
    }
}

/// A user of the app, as a cycle compares against it.
pub struct Stored<'a>(StoredIn<'a>);

enum StoredIn<'a> {
    Tree(Json),
    Row { rows: &'a Rows, at: usize },
}

impl Stored<'_> {
    /// The id the app gave the user.
    pub fn id(&self) -> String {
        match &self.0 {
            StoredIn::Tree(json) => json
                .get("id")
                .and_then(Json::as_str)
                .unwrap_or_default()
                .to_string(),
            StoredIn::Row { rows, at } => match rows.ids.get(*at) {
                Some(id) => id.to_string(),
                None => new_id(rows.first_new + (*at - rows.ids.len()) as u64),
            },
        }
    }

    /// Whether the app has a value for mapping `i`, and if so whether it means `value` (as
    /// [`scim::json_loose_eq`] decides).
    pub fn compare(&self, plan: &Plan, i: usize, value: &Json) -> Option<bool> {
        match &self.0 {
            StoredIn::Tree(json) => {
                scim::get(json, &plan.mappings[i].path).map(|c| scim::json_loose_eq(c, value))
            }
            StoredIn::Row { rows, at } => {
                let fp = rows.row(*at)[rows.column[i]?];
                (fp != 0).then(|| scim::fingerprints_loose_eq(fp, scim::loose_fingerprint(value)))
            }
        }
    }
}

/// Users by one matching value: open addressing (linear probing) over row numbers, each entry
/// checked against the row's stored value fingerprint. At most three quarters full, so a
/// million users take 8 MB.
#[derive(Debug, Clone)]
struct KeyTable {
    slots: Vec<u32>,
    len: usize,
}

const EMPTY: u32 = u32::MAX;

impl KeyTable {
    fn new() -> KeyTable {
        KeyTable {
            slots: Vec::new(),
            len: 0,
        }
    }

    fn home(&self, hash: u64) -> usize {
        (hash >> 7) as usize & (self.slots.len() - 1)
    }

    fn find(&self, hash: u64, key_at: impl Fn(u32) -> u64) -> Option<u32> {
        if self.slots.is_empty() {
            return None;
        }
        let mask = self.slots.len() - 1;
        let mut i = self.home(hash);
        loop {
            let row = self.slots[i];
            if row == EMPTY {
                return None;
            }
            if key_at(row) == hash {
                return Some(row);
            }
            i = (i + 1) & mask;
        }
    }

    /// Adds `row` under `hash` unless a row already has that value.
    fn insert_absent(&mut self, hash: u64, row: u32, key_at: impl Fn(u32) -> u64) {
        if (self.len + 1) * 4 > self.slots.len() * 3 {
            self.grow(&key_at);
        }
        let mask = self.slots.len() - 1;
        let mut i = self.home(hash);
        loop {
            let at = self.slots[i];
            if at == EMPTY {
                self.slots[i] = row;
                self.len += 1;
                return;
            }
            if key_at(at) == hash {
                return;
            }
            i = (i + 1) & mask;
        }
    }

    fn grow(&mut self, key_at: &impl Fn(u32) -> u64) {
        let size = (self.slots.len() * 2).max(1024);
        let old = std::mem::replace(&mut self.slots, vec![EMPTY; size]);
        let mask = self.slots.len() - 1;
        for row in old.into_iter().filter(|&r| r != EMPTY) {
            let mut i = self.home(key_at(row));
            while self.slots[i] != EMPTY {
                i = (i + 1) & mask;
            }
            self.slots[i] = row;
        }
    }

    /// Removes the entry of `row` under `hash`, if it is that row's (another row with the same
    /// value stays unfound, as a filter after the first user changed).
    fn remove(&mut self, hash: u64, row: u32, key_at: impl Fn(u32) -> u64) {
        if self.slots.is_empty() {
            return;
        }
        let mask = self.slots.len() - 1;
        let mut i = self.home(hash);
        loop {
            let at = self.slots[i];
            if at == EMPTY {
                return;
            }
            if at == row && key_at(at) == hash {
                break;
            }
            i = (i + 1) & mask;
        }
        // Backward-shift deletion: move later entries of the probe run into the hole.
        self.slots[i] = EMPTY;
        self.len -= 1;
        let mut hole = i;
        let mut j = (i + 1) & mask;
        while self.slots[j] != EMPTY {
            let home = self.home(key_at(self.slots[j]));
            // The entry at j may move to the hole when its home is not in (hole, j].
            let between = if hole <= j {
                hole < home && home <= j
            } else {
                hole < home || home <= j
            };
            if !between {
                self.slots[hole] = self.slots[j];
                self.slots[j] = EMPTY;
                hole = j;
            }
            j = (j + 1) & mask;
        }
    }
}

/// Reads a target-state file (`-` is not allowed: stdin carries the users).
pub fn load_target_state(plan: &Plan, path: &str) -> Result<App, String> {
    if path == "-" {
        return Err(
            "--target-state cannot be standard input (`-`), which may carry the users: give a file of JSON Lines".into(),
        );
    }
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    App::load(plan, io::BufReader::new(file))
}
