//! `entramap diff` reports as text: human, Markdown (for a pull-request comment) and JSON.

use crate::diff::registry::Kind;
use crate::diff::{Behaviour, MappingChange, MappingView, ObjectChange, Report, Status};

/// The one-line summary: what changed, how many risks and repairs.
pub fn summary(report: &Report) -> String {
    if report.equivalent {
        return "equivalent: no mapping changes".into();
    }
    let mut parts = Vec::new();
    let objects = |s: Status| report.objects.iter().filter(|o| o.status == s).count();
    let mappings = |s: Status| {
        report
            .objects
            .iter()
            .filter(|o| o.status == Status::Changed)
            .flat_map(|o| &o.mappings)
            .filter(|m| m.status == s)
            .count()
    };
    for s in [Status::Added, Status::Removed] {
        let n = objects(s);
        if n > 0 {
            parts.push(format!("{n} object mapping{} {}", plural(n), s.as_str()));
        }
    }
    let settings = report
        .objects
        .iter()
        .filter(|o| o.status == Status::Changed && !o.changed.is_empty())
        .count();
    if settings > 0 {
        parts.push(format!(
            "{settings} object mapping{} with changed settings",
            plural(settings)
        ));
    }
    for s in [Status::Added, Status::Removed, Status::Changed] {
        let n = mappings(s);
        if n > 0 {
            parts.push(format!("{n} attribute mapping{} {}", plural(n), s.as_str()));
        }
    }
    let risks = report.risks();
    let repairs = report.findings.len() - risks;
    format!(
        "{}; {risks} risk{}, {repairs} repair{}",
        parts.join(", "),
        plural(risks),
        plural(repairs)
    )
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn source(v: Option<&MappingView>) -> String {
    match v.and_then(|v| v.source.as_deref()) {
        Some(s) => s.to_string(),
        None => "(no source)".into(),
    }
}

/// A changed field's old and new value, as text.
fn field(m: &MappingChange, name: &str) -> (String, String) {
    let get = |v: Option<&MappingView>| -> String {
        let Some(v) = v else { return "-".into() };
        match name {
            "source" => source(Some(v)),
            "flow_type" => v.flow_type.clone(),
            "matching_priority" => v.matching_priority.to_string(),
            _ => v.default_value.clone().unwrap_or_else(|| "(none)".into()),
        }
    };
    (get(m.old.as_ref()), get(m.new.as_ref()))
}

fn object_field(o: &ObjectChange, name: &str) -> (String, String) {
    let get = |v: Option<&crate::diff::ObjectView>| -> String {
        let Some(v) = v else { return "-".into() };
        match name {
            "enabled" => v.enabled.to_string(),
            "actions" => v.actions.clone(),
            _ if v.scope.is_empty() => "every user".into(),
            _ => v.scope.clone(),
        }
    };
    (get(o.old.as_ref()), get(o.new.as_ref()))
}

fn mark(s: Status) -> char {
    match s {
        Status::Added => '+',
        Status::Removed => '-',
        Status::Changed => '~',
    }
}

/// The report for a terminal.
pub fn human(report: &Report, old: &str, new: &str) -> String {
    let mut out = format!("{old} → {new}: {}\n", summary(report));
    for o in &report.objects {
        out.push_str(&format!(
            "\n{} {} → {} ({})\n",
            mark(o.status),
            o.source_object,
            o.target_object,
            o.status.as_str()
        ));
        for f in &o.changed {
            let (a, b) = object_field(o, f);
            out.push_str(&format!("    {f}: {a}\n      → {b}\n"));
        }
        for m in &o.mappings {
            out.push_str(&format!("  {} {}", mark(m.status), m.target));
            match m.status {
                Status::Added => {
                    out.push_str(&format!(" ← {}\n", source(m.new.as_ref())));
                }
                Status::Removed => {
                    out.push_str(&format!(" ← {}\n", source(m.old.as_ref())));
                }
                Status::Changed => {
                    out.push('\n');
                    for f in &m.changed {
                        let (a, b) = field(m, f);
                        out.push_str(&format!(
                            "      {f}: - {a}\n      {:w$}  + {b}\n",
                            "",
                            w = f.len()
                        ));
                    }
                }
            }
        }
    }
    if !report.findings.is_empty() {
        out.push_str("\nRisks and repairs:\n");
        for f in &report.findings {
            let target = f
                .target
                .as_deref()
                .map(|t| format!(": {t}"))
                .unwrap_or_default();
            out.push_str(&format!(
                "  {} {} ({}) [{}{target}]\n    {}\n    {}\n",
                f.code,
                f.name,
                f.kind.as_str(),
                f.object,
                f.message,
                f.advice
            ));
        }
    }
    if let Some(b) = &report.behaviour {
        out.push('\n');
        out.push_str(&behaviour_human(b));
    }
    out
}

fn behaviour_human(b: &Behaviour) -> String {
    let mut out = format!(
        "Behaviour over {} users ({} created by both mappings): values change for {}, {} entered scope, {} left scope\n",
        b.users, b.compared, b.changed, b.entered_scope, b.left_scope
    );
    if b.created_only_old + b.created_only_new > 0 {
        out.push_str(&format!(
            "  created only by the old mapping: {}; only by the new: {}\n",
            b.created_only_old, b.created_only_new
        ));
    }
    if b.unreadable > 0 {
        out.push_str(&format!("  unreadable users: {}\n", b.unreadable));
    }
    for t in &b.targets {
        out.push_str(&format!(
            "  {}: {} user{}\n",
            t.target,
            t.users,
            plural(t.users as usize)
        ));
        for e in &t.examples {
            out.push_str(&format!(
                "    {}: {} → {}\n",
                e.user,
                e.old.as_deref().unwrap_or("(not sent)"),
                e.new.as_deref().unwrap_or("(not sent)")
            ));
        }
    }
    out
}

/// Text for a Markdown table cell: one line, `|` escaped.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace(['\n', '\r'], " ")
}

/// Text as inline code in a table cell.
fn code(text: &str) -> String {
    let ticks = if text.contains('`') { "``" } else { "`" };
    format!("{ticks}{}{ticks}", cell(text))
}

/// The report as a pull-request comment: summary line, risks table, collapsible details.
pub fn markdown(report: &Report, old: &str, new: &str) -> String {
    let mut out = format!(
        "**entramap diff** {} → {}: {}\n",
        code(old),
        code(new),
        summary(report)
    );
    if !report.findings.is_empty() {
        out.push_str("\n| | Code | Finding | Where | What |\n|---|---|---|---|---|\n");
        for f in &report.findings {
            let icon = match f.kind {
                Kind::Risk => "⚠️ risk",
                Kind::Repair => "✅ repair",
            };
            let place = match &f.target {
                Some(t) => format!("{} {}", cell(&f.object), code(t)),
                None => cell(&f.object),
            };
            out.push_str(&format!(
                "| {icon} | {} | {} | {place} | {} |\n",
                f.code,
                f.name,
                cell(&f.message)
            ));
        }
        out.push_str("\n<details><summary>What to do</summary>\n\n");
        for f in &report.findings {
            out.push_str(&format!("- **{}** {}: {}\n", f.code, f.name, f.advice));
        }
        out.push_str("\n</details>\n");
    }
    if !report.objects.is_empty() {
        let n: usize = report
            .objects
            .iter()
            .map(|o| o.mappings.len() + o.changed.len())
            .sum();
        out.push_str(&format!(
            "\n<details><summary>Mapping changes ({n})</summary>\n"
        ));
        for o in &report.objects {
            out.push_str(&format!(
                "\n**{} → {}** ({})\n\n| | Target | Field | Old | New |\n|---|---|---|---|---|\n",
                cell(&o.source_object),
                cell(&o.target_object),
                o.status.as_str()
            ));
            for f in &o.changed {
                let (a, b) = object_field(o, f);
                out.push_str(&format!(
                    "| ~ | (object) | {f} | {} | {} |\n",
                    code(&a),
                    code(&b)
                ));
            }
            for m in &o.mappings {
                let fields: Vec<&str> = match m.status {
                    Status::Changed => m.changed.clone(),
                    _ => vec!["source"],
                };
                for f in fields {
                    let (a, b) = field(m, f);
                    let show = |s: &str| if s == "-" { "".to_string() } else { code(s) };
                    out.push_str(&format!(
                        "| {} | {} | {f} | {} | {} |\n",
                        mark(m.status),
                        code(&m.target),
                        show(&a),
                        show(&b)
                    ));
                }
            }
        }
        out.push_str("\n</details>\n");
    }
    if let Some(b) = &report.behaviour {
        out.push_str(&format!(
            "\n<details><summary>Behaviour over {} users ({} created by both mappings): values change for {}, {} entered scope, {} left scope</summary>\n\n",
            b.users,
            b.compared,
            b.changed,
            b.entered_scope,
            b.left_scope
        ));
        if b.targets.is_empty() {
            out.push_str("No user's values change.\n");
        } else {
            out.push_str("| Target | Users | Examples (user: old → new) |\n|---|---|---|\n");
            for t in &b.targets {
                let examples: Vec<String> = t
                    .examples
                    .iter()
                    .map(|e| {
                        format!(
                            "{}: {} → {}",
                            cell(&e.user),
                            code(e.old.as_deref().unwrap_or("(not sent)")),
                            code(e.new.as_deref().unwrap_or("(not sent)"))
                        )
                    })
                    .collect();
                out.push_str(&format!(
                    "| {} | {} | {} |\n",
                    code(&t.target),
                    t.users,
                    examples.join("<br>")
                ));
            }
        }
        out.push_str("\n</details>\n");
    }
    out
}

/// The report as JSON (the library's structure, with the summary line).
pub fn json(report: &Report, old: &str, new: &str) -> String {
    let mut value = serde_json::to_value(report).unwrap_or_default();
    if let Some(map) = value.as_object_mut() {
        map.insert("old".into(), old.into());
        map.insert("new".into(), new.into());
        map.insert("summary".into(), summary(report).into());
    }
    serde_json::to_string_pretty(&value).unwrap_or_default() + "\n"
}

/// One diff finding for `entramap explain`.
pub fn explain(meta: &crate::diff::registry::FindingMeta) -> String {
    format!(
        "{} ({}) — {}, a {} that `entramap diff` reports\n\nWhat to do: {}\n",
        meta.name,
        meta.code,
        meta.summary,
        meta.kind.as_str(),
        meta.advice
    )
}
