// entramap serve: the page's script. Plain JavaScript; it talks only to this server's /api.
"use strict";

const $ = (id) => document.getElementById(id);
const RESERVED = ["expr", "target", "now", "seed", "profile", "mode", "tab"];
const state = { catalogue: { functions: [], attributes: [], profiles: [] }, inputs: new Map(), file: null, fileName: "" };

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v; else if (k === "text") e.textContent = v; else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c);
  return e;
}

async function post(path, body) {
  const r = await fetch(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  const doc = await r.json();
  if (!r.ok) throw new Error(doc.error || ("HTTP " + r.status));
  return doc;
}

function attrInfo(name) {
  const n = name.toLowerCase();
  return state.catalogue.attributes.find((a) => a.name.toLowerCase() === n) || { name, type: "String", multivalued: false };
}

// ---------------------------------------------------------------- URL fragment (shared state)

function readFragment() {
  const params = new URLSearchParams(location.hash.replace(/^#/, ""));
  $("expr").value = params.get("expr") || "";
  $("target").value = params.get("target") || "";
  $("now").value = params.get("now") || "";
  $("seed").value = params.get("seed") || "0";
  if (params.get("mode")) $("mode").value = params.get("mode");
  $("profile").value = params.get("profile") || "";
  state.inputs = new Map();
  for (const key of new Set(params.keys())) {
    if (RESERVED.includes(key)) continue;
    const values = params.getAll(key);
    state.inputs.set(key, attrInfo(key).multivalued ? values : values[0]);
  }
  showTab(params.get("tab") === "mapping" ? "mapping" : "builder");
}

function writeFragment() {
  const params = new URLSearchParams();
  params.set("expr", $("expr").value);
  for (const [k, v] of state.inputs) {
    if (v === null || v === undefined) continue;
    if (Array.isArray(v)) v.forEach((x) => params.append(k, x)); else params.set(k, v);
  }
  if ($("target").value) params.set("target", $("target").value);
  if ($("now").value) params.set("now", $("now").value);
  if ($("seed").value && $("seed").value !== "0") params.set("seed", $("seed").value);
  if ($("profile").value) params.set("profile", $("profile").value);
  if ($("mode").value !== "legacy") params.set("mode", $("mode").value);
  if (!$("mapping").hidden) params.set("tab", "mapping");
  history.replaceState(null, "", "#" + params.toString().replace(/\+/g, "%20"));
}

// ---------------------------------------------------------------- test inputs

function inputValue(name) {
  const v = state.inputs.get(name);
  if (v === undefined || v === null) return null;
  const info = attrInfo(name);
  if (info.type === "Boolean") return /^true$/i.test(v) ? true : /^false$/i.test(v) ? false : v;
  if (info.multivalued) return Array.isArray(v) ? v : String(v).split("\n").filter((x) => x !== "");
  return Array.isArray(v) ? v.join("") : v;
}

function renderInputs(names) {
  const box = $("inputs");
  const all = [...names];
  for (const k of state.inputs.keys()) if (!all.some((n) => n.toLowerCase() === k.toLowerCase())) all.push(k);
  box.replaceChildren();
  if (all.length === 0) { box.append(el("p", { class: "note", text: "The expression reads no attribute." })); return; }
  all.forEach((name, i) => {
    const info = attrInfo(name);
    const id = "in-" + i;
    const row = el("div", { class: "input-row" });
    const label = el("label", { for: id, text: name });
    label.append(el("span", { class: "note", text: " " + info.type + (info.multivalued ? ", multi-valued" : "") }));
    const cur = state.inputs.get(name);
    let control;
    if (info.type === "Boolean") {
      control = el("select", { id });
      for (const [v, t] of [["", "not set (null)"], ["true", "true"], ["false", "false"]]) control.append(el("option", { value: v, text: t }));
      control.value = cur === undefined || cur === null ? "" : (/^true$/i.test(cur) ? "true" : "false");
      control.addEventListener("change", () => { setInput(name, control.value === "" ? null : control.value); });
    } else if (info.multivalued) {
      control = el("textarea", { id, rows: "2", placeholder: "one value a line" + (name === "appRoleAssignments" ? " (role names)" : ""), spellcheck: "false" });
      control.value = Array.isArray(cur) ? cur.join("\n") : (cur || "");
      control.addEventListener("input", () => setInput(name, control.value === "" ? null : control.value.split("\n")));
    } else {
      control = el("input", { id, autocomplete: "off", placeholder: "not set (null)" });
      control.value = cur === undefined || cur === null ? "" : cur;
      control.addEventListener("input", () => setInput(name, control.value === "" && !empty.checked ? null : control.value));
    }
    const empty = el("input", { type: "checkbox", id: id + "-empty", title: "the empty string, not null" });
    const emptyLabel = el("label", { for: id + "-empty", class: "note", text: "empty" });
    emptyLabel.prepend(empty);
    if (cur === "") empty.checked = true;
    empty.addEventListener("change", () => setInput(name, empty.checked ? "" : null));
    row.append(label, control, info.type === "Boolean" || info.multivalued ? el("span") : emptyLabel);
    box.append(row);
  });
}

function setInput(name, value) {
  if (value === null) state.inputs.delete(name); else state.inputs.set(name, value);
  schedule();
}

// ---------------------------------------------------------------- evaluation

let timer = null;
let seq = 0;
function schedule() { clearTimeout(timer); timer = setTimeout(run, 150); }

function byteToChar(text, byteOffset) {
  const bytes = new TextEncoder().encode(text);
  return new TextDecoder().decode(bytes.slice(0, byteOffset)).length;
}

function showDiagnostics(text, diagnostics) {
  const box = $("diagnostics");
  box.replaceChildren();
  const under = $("underline");
  under.replaceChildren();
  for (const d of diagnostics || []) {
    const div = el("div", { class: "diag " + d.severity });
    div.append(el("code", { text: d.severity + "[" + d.code + "] " + d.name }), ": " + d.message + " (line " + d.line + ", column " + d.column + ")");
    if (d.help) div.append(el("div", { class: "note", text: "help: " + d.help }));
    box.append(div);
  }
  const first = (diagnostics || [])[0];
  if (first) {
    const s = byteToChar(text, first.offset);
    const e = Math.max(s + 1, byteToChar(text, first.offset + first.length));
    const bad = el("mark", { class: "bad", text: text.slice(s, e) || " " });
    under.append(text.slice(0, s), bad, text.slice(e));
  }
}

function valueText(v) {
  if (v === null || v === undefined) return "null";
  if (Array.isArray(v)) return "[" + v.map((x) => JSON.stringify(x)).join(", ") + "]";
  return JSON.stringify(v);
}

function showResult(doc) {
  const box = $("result");
  box.replaceChildren();
  const r = doc.result || {};
  if (r.outcome === "value") {
    box.append(el("span", { class: "flows", text: "flows: " }), el("code", { id: "result-value", text: valueText(r.value) }));
  } else if (r.outcome === "error") {
    box.append(el("span", { class: "none", text: "error: " }), r.error || "");
  } else {
    box.append(el("span", { class: "none", text: "no value flows" }), el("span", { text: " (" + r.outcome + ")" }));
    if (r.why) box.append(el("div", { class: "note", text: r.why }));
  }
  box.dataset.outcome = r.outcome || "";
}

function showTrace(doc) {
  const body = $("trace").tBodies[0];
  body.replaceChildren();
  for (const s of (doc.trace && doc.trace.steps) || []) {
    const shown = s.outcome === "value" ? valueText(s.value) : s.outcome === "error" ? "error: " + s.error : s.outcome;
    body.append(el("tr", {}, el("td", {}, el("code", { text: s.expression })), el("td", {}, el("code", { text: shown }))));
  }
  if (doc.trace && doc.trace.left_out) body.append(el("tr", {}, el("td", { colspan: "2", class: "note", text: doc.trace.left_out + " more sub-expressions not shown" })));
}

function showActive(doc) {
  const box = $("active-table");
  box.replaceChildren();
  if (!doc.active) return;
  box.append(el("h2", { text: "active over IsSoftDeleted / accountEnabled" }));
  for (const mode of Object.keys(doc.active)) {
    const t = el("table", { class: "active" });
    t.append(el("caption", { class: "note", text: mode + " SCIM mode" }));
    t.append(el("tr", {}, ...["IsSoftDeleted", "accountEnabled", "other attributes", "sent", "app reads", "should be"].map((h) => el("th", { scope: "col", text: h }))));
    for (const c of doc.active[mode]) {
      const right = c.correct;
      t.append(el("tr", {},
        el("td", { text: String(c.IsSoftDeleted) }), el("td", { text: String(c.accountEnabled) }),
        el("td", { text: !c.others_read ? "—" : c.others === null ? "null" : JSON.stringify(c.others) }),
        el("td", {}, el("code", { text: c.sent })),
        el("td", { text: c.reads_as === null ? "not a boolean" : String(c.reads_as) }),
        el("td", { class: right ? "right" : "wrong", text: String(c.expected_active) + (right ? " ✓" : " ✗") })));
    }
    box.append(t);
  }
}

function showHelp(doc) {
  const text = $("expr").value;
  const caret = $("expr").selectionStart || 0;
  const before = text.slice(0, caret).match(/([A-Za-z_][A-Za-z0-9_]*)\s*\(?[^()]*$/);
  const names = (doc && doc.functions) || [];
  let name = before && state.catalogue.functions.find((f) => f.name.toLowerCase() === before[1].toLowerCase()) ? before[1] : names[names.length - 1];
  const f = name && state.catalogue.functions.find((x) => x.name.toLowerCase() === name.toLowerCase());
  $("help").textContent = f ? f.help : "Type a function name to see its help.";
}

let lastDoc = null;
async function run() {
  const my = ++seq;
  const text = $("expr").value;
  writeFragment();
  const attributes = {};
  for (const k of state.inputs.keys()) attributes[k] = inputValue(k);
  try {
    const doc = await post("/api/eval", { expression: text, attributes, now: $("now").value || null, seed: Number($("seed").value) || 0, target: $("target").value || null });
    if (my !== seq) return;
    lastDoc = doc;
    showDiagnostics(text, doc.diagnostics);
    $("canonical").textContent = doc.canonical || "";
    $("graph").textContent = doc.graph ? JSON.stringify(doc.graph, null, 2) : "";
    renderInputsIfChanged(doc.attributes || []);
    showResult(doc);
    showTrace(doc);
    showActive(doc);
    showHelp(doc);
  } catch (e) {
    $("result").textContent = "error: " + e.message;
  }
}

let shownNames = "";
function renderInputsIfChanged(names) {
  const key = names.join("\u0000") + "|" + [...state.inputs.keys()].join("\u0000");
  if (key === shownNames) return;
  const focused = document.activeElement && document.activeElement.closest && document.activeElement.closest("#inputs");
  if (focused) return;
  shownNames = key;
  renderInputs(names);
}

// ---------------------------------------------------------------- completion

let completion = { items: [], index: 0, start: 0, end: 0 };

function wordAtCaret() {
  const ta = $("expr");
  const caret = ta.selectionStart;
  const before = ta.value.slice(0, caret);
  const m = before.match(/(\[)?([A-Za-z_][A-Za-z0-9_.\-]*)?$/);
  const word = (m && m[2]) || "";
  const inBracket = /\[[^\]]*$/.test(before);
  return { word, start: caret - word.length, end: caret, inBracket };
}

function openCompletion(force) {
  const w = wordAtCaret();
  if (!force && w.word.length < 2) { closeCompletion(); return; }
  const low = w.word.toLowerCase();
  const pool = w.inBracket
    ? state.catalogue.attributes.map((a) => ({ label: a.name, insert: a.name }))
    : state.catalogue.functions.map((f) => ({ label: f.signature, insert: f.name + "(" }));
  const items = pool.filter((p) => p.insert.toLowerCase().startsWith(low)).slice(0, 8);
  if (items.length === 0) { closeCompletion(); return; }
  completion = { items, index: 0, start: w.start, end: w.end };
  const list = $("completions");
  list.replaceChildren(...items.map((it, i) => {
    const li = el("li", { role: "option", id: "completion-" + i, "aria-selected": String(i === 0), text: it.label });
    li.addEventListener("mousedown", (e) => { e.preventDefault(); completion.index = i; acceptCompletion(); });
    return li;
  }));
  list.hidden = false;
  $("expr").setAttribute("aria-expanded", "true");
  $("expr").setAttribute("aria-activedescendant", "completion-0");
}

function closeCompletion() {
  $("completions").hidden = true;
  $("expr").setAttribute("aria-expanded", "false");
  $("expr").removeAttribute("aria-activedescendant");
}

function moveCompletion(by) {
  const n = completion.items.length;
  completion.index = (completion.index + by + n) % n;
  [...$("completions").children].forEach((li, i) => li.setAttribute("aria-selected", String(i === completion.index)));
  $("expr").setAttribute("aria-activedescendant", "completion-" + completion.index);
}

function acceptCompletion() {
  const it = completion.items[completion.index];
  const ta = $("expr");
  ta.value = ta.value.slice(0, completion.start) + it.insert + ta.value.slice(completion.end);
  const caret = completion.start + it.insert.length;
  ta.setSelectionRange(caret, caret);
  closeCompletion();
  schedule();
}

// ---------------------------------------------------------------- mapping file

function showTab(which) {
  $("builder").hidden = which !== "builder";
  $("mapping").hidden = which !== "mapping";
  $("tab-builder").setAttribute("aria-pressed", String(which === "builder"));
  $("tab-mapping").setAttribute("aria-pressed", String(which === "mapping"));
}

let lintSeq = 0;
async function lintFile() {
  if (state.file === null) return;
  const my = ++lintSeq;
  const summary = $("lint-summary");
  try {
    const doc = await post("/api/lint", { file: state.file, name: state.fileName, profile: $("profile").value || null, scim_mode: $("mode").value });
    if (my !== lintSeq) return; // a newer lint (another profile or mode) is on its way
    const report = doc.report;
    const diags = report.files[0].diagnostics;
    const count = (n, what) => n + " " + what + (n === 1 ? "" : "s");
    summary.textContent = state.fileName + ": " + count(report.summary.errors, "error") + ", " + count(report.summary.warnings, "warning") + ", " + count(report.summary.infos, "info") + ($("profile").value ? " (profile " + $("profile").value + ")" : "");
    const box = $("mappings");
    box.replaceChildren();
    doc.object_mappings.forEach((om) => {
      box.append(el("h2", { text: (om.name || om.source_object + " → " + om.target_object) + (om.enabled ? "" : " (disabled)") }));
      if (om.findings.length) box.append(findingList(om.findings.map((i) => diags[i])));
      const t = el("table", { class: "mapping-table" });
      t.append(el("tr", {}, ...["Target", "Source", "Type", "Flow", "Matching", "Findings"].map((h) => el("th", { scope: "col", text: h }))));
      for (const am of om.attribute_mappings) {
        const cell = el("td");
        if (am.findings.length) cell.append(findingList(am.findings.map((i) => diags[i])));
        t.append(el("tr", {}, el("td", { text: am.target }), el("td", {}, el("code", { text: am.source || "" })), el("td", { text: am.type || "" }), el("td", { text: am.flow }), el("td", { text: am.matching ? String(am.matching) : "" }), cell));
      }
      box.append(t);
    });
    const loose = diags.filter((d, i) => !doc.object_mappings.some((om) => om.findings.includes(i) || om.attribute_mappings.some((am) => am.findings.includes(i))));
    if (loose.length) { box.append(el("h2", { text: "Other findings" }), findingList(loose)); }
  } catch (e) {
    summary.textContent = "error: " + e.message;
    $("mappings").replaceChildren();
  }
}

function findingList(diags) {
  return el("ul", { class: "findings" }, ...diags.map((d) => el("li", { class: "finding " + d.severity }, el("code", { text: d.severity + "[" + d.code + "]" }), " " + d.message + " (line " + d.line + ")")));
}

async function simulateOne() {
  const out = $("sim-out");
  if (state.file === null) { out.textContent = "Open a mapping file first."; return; }
  let user;
  try { user = JSON.parse($("user").value); } catch (e) { out.textContent = "The user is not JSON: " + e.message; return; }
  try {
    const doc = await post("/api/simulate", { file: state.file, user, profile: $("profile").value || null, scim_mode: $("mode").value });
    const parts = [];
    for (const p of doc.problems) parts.push("problem: " + p);
    for (const l of doc.left_out) parts.push("left out: " + l.target + ": " + l.message);
    for (const r of doc.requests) parts.push(JSON.stringify(r, null, 2));
    if (doc.requests.length === 0) parts.push("No request: Entra would send nothing for this user.");
    out.textContent = parts.join("\n\n");
  } catch (e) {
    out.textContent = "error: " + e.message;
  }
}

// ---------------------------------------------------------------- wiring

async function start() {
  try {
    const r = await fetch("/api/catalogue");
    state.catalogue = await r.json();
  } catch (e) { /* completion and help stay empty */ }
  $("attribute-names").replaceChildren(...state.catalogue.attributes.map((a) => el("option", { value: a.name })));
  for (const p of state.catalogue.profiles) $("profile").append(el("option", { value: p, text: p }));
  $("user").value = JSON.stringify({ id: "5f1e0c1a-0000-4000-8000-000000000001", userPrincipalName: "ada@contoso.com", mailNickname: "ada", givenName: "Ada", surname: "Lovelace", displayName: "Ada Lovelace", accountEnabled: true }, null, 2);
  readFragment();
  const ta = $("expr");
  ta.addEventListener("input", () => { schedule(); if (!$("completions").hidden || /[A-Za-z_\[]$/.test(ta.value.slice(0, ta.selectionStart))) openCompletion(false); });
  ta.addEventListener("keydown", (e) => {
    const open = !$("completions").hidden;
    if (e.key === " " && e.ctrlKey) { e.preventDefault(); openCompletion(true); return; }
    if (!open) return;
    if (e.key === "ArrowDown") { e.preventDefault(); moveCompletion(1); }
    else if (e.key === "ArrowUp") { e.preventDefault(); moveCompletion(-1); }
    else if (e.key === "Enter") { e.preventDefault(); acceptCompletion(); }
    else if (e.key === "Escape") { e.preventDefault(); closeCompletion(); }
  });
  ta.addEventListener("blur", () => setTimeout(() => { if (document.activeElement !== ta) closeCompletion(); }, 100));
  ta.addEventListener("click", () => showHelp(lastDoc));
  ta.addEventListener("keyup", (e) => { if (e.key.startsWith("Arrow")) showHelp(lastDoc); });
  for (const id of ["target", "now", "seed"]) $(id).addEventListener("input", schedule);
  $("add-btn").addEventListener("click", () => {
    const name = $("add-attr").value.trim();
    if (!name) return;
    if (!state.inputs.has(name)) state.inputs.set(name, attrInfo(name).type === "Boolean" ? "false" : "");
    $("add-attr").value = "";
    shownNames = "";
    schedule();
  });
  $("share").addEventListener("click", async () => {
    writeFragment();
    try { await navigator.clipboard.writeText(location.href); $("share-note").textContent = "Link copied."; }
    catch (e) { $("share-note").textContent = "Copy this address: " + location.href; }
  });
  $("copy-graph").addEventListener("click", async () => {
    try { await navigator.clipboard.writeText($("graph").textContent); } catch (e) { /* the tree stays selectable */ }
  });
  $("tab-builder").addEventListener("click", () => { showTab("builder"); writeFragment(); });
  $("tab-mapping").addEventListener("click", () => { showTab("mapping"); writeFragment(); });
  $("file").addEventListener("change", () => {
    const f = $("file").files[0];
    if (!f) return;
    const reader = new FileReader();
    reader.onload = () => { state.file = String(reader.result); state.fileName = f.name; lintFile(); };
    reader.onerror = () => { $("lint-summary").textContent = "cannot read " + f.name; };
    reader.readAsText(f);
  });
  $("profile").addEventListener("change", () => { writeFragment(); lintFile(); });
  $("mode").addEventListener("change", () => { writeFragment(); lintFile(); });
  $("simulate").addEventListener("click", simulateOne);
  window.addEventListener("hashchange", () => { readFragment(); shownNames = ""; run(); lintFile(); });
  run();
  document.body.dataset.ready = "true";
}

document.addEventListener("DOMContentLoaded", start);
