//! The linter: one walk over a mapping file, with every rule hooked into it.
//!
//! The walk parses each mapping's expression once, then offers the file, each object mapping,
//! each attribute mapping and each expression node to the rules that are enabled. Rules report
//! findings in expression or file coordinates; the walk maps expression spans into the file
//! through the mapping's offset map, so every finding points at the file's own bytes.

pub mod config;
pub mod fix;
pub mod registry;
pub mod rules;

use crate::catalogue::FunctionSpec;
use crate::check::{self, Certainty, Checking, ProblemKind};
use crate::diagnostic::{Diagnostic, Severity};
use crate::mapping::schema::{ObjectView, Schema};
use crate::mapping::{AttributeMapping, MappingFile, ObjectMapping};
use crate::span::Span;
use crate::syntax::{self, Call, Expr, ExprKind};
pub use registry::{RULES, RuleMeta, find_rule};

/// The work each evaluation a lint rule runs on sample inputs may do (bytes of text produced or
/// scanned; see [`crate::eval::DEFAULT_BUDGET`]): 1 MiB, a thousand times what a real mapping
/// needs, so that a hostile expression ends a lint in well under a second.
pub const EVAL_BUDGET: u64 = 1024 * 1024;

/// Documentation and identity of a rule; its `doc` is what `entramap explain` prints.
pub trait Rule: Sync {
    fn meta(&self) -> &'static RuleMeta;
    /// Once per file.
    fn check_file(&self, _cx: &FileCx, _out: &mut Sink) {}
    /// Once per object mapping.
    fn check_object(&self, _cx: &ObjectCx, _out: &mut Sink) {}
    /// Once per attribute mapping (`cx.expr` is `None` when its expression does not parse).
    fn check_mapping(&self, _cx: &MappingCx, _out: &mut Sink) {}
    /// Once per node of each expression that parses, parents before children.
    fn check_node(&self, _cx: &MappingCx, _node: &Expr, _out: &mut Sink) {}
}

/// Declares a rule: its doc comment becomes the text `entramap explain` prints.
#[macro_export]
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])+
        pub struct $name:ident {
            code: $code:literal,
            name: $kebab:literal,
            severity: $severity:ident,
            summary: $summary:literal
            $(, refines: [$($refined:literal),* $(,)?])? $(,)?
        }
    ) => {
        $(#[doc = $doc])+
        pub struct $name;

        impl $name {
            pub const META: $crate::lint::RuleMeta = $crate::lint::RuleMeta {
                code: $code,
                name: $kebab,
                severity: $crate::diagnostic::Severity::$severity,
                summary: $summary,
                doc: concat!($($doc, "\n"),+),
                refines: &[$($($refined),*)?],
            };
        }
    };
}

/// What a fix changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FixEdit {
    /// Replace a span of the mapping's expression text (expression coordinates).
    Expression { span: Span, text: String },
    /// Replace the mapping's whole expression.
    WholeExpression { text: String },
    /// Remove the mapping.
    RemoveMapping,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    pub message: String,
    /// Safe fixes keep the mapping's intent and are applied by `--fix`; the others need
    /// `--unsafe-fixes`.
    pub safe: bool,
    pub edit: FixEdit,
}

/// One finding: the diagnostic (spans in file coordinates) and where it came from.
#[derive(Debug, Clone)]
pub struct Finding {
    pub diagnostic: Diagnostic,
    /// The target attribute of the mapping it is about, when it is about one.
    pub target: Option<String>,
    /// Indexes of the object mapping and attribute mapping it is about.
    pub location: Option<(usize, Option<usize>)>,
    pub fix: Option<Fix>,
}

/// Options that shape a lint run.
#[derive(Debug, Clone, Default)]
pub struct LintOptions {
    /// Only these rules (names or codes); empty = every rule.
    pub select: Vec<String>,
    /// Never these rules (names or codes).
    pub ignore: Vec<String>,
    /// The receiving app's expectations, when linting against a profile.
    pub profile: Option<crate::profile::Profile>,
    pub scim_mode: crate::profile::ScimMode,
}

impl LintOptions {
    pub fn enabled(&self, meta: &RuleMeta) -> bool {
        let hit = |list: &[String]| list.iter().any(|s| meta.matches(s));
        (self.select.is_empty() || hit(&self.select)) && !hit(&self.ignore)
    }
}

/// Collects findings.
#[derive(Debug, Default)]
pub struct Sink {
    findings: Vec<Finding>,
}

impl Sink {
    pub fn push(&mut self, finding: Finding) {
        self.findings.push(finding);
    }
}

/// What every hook sees about the file.
pub struct FileCx<'a> {
    pub file: &'a MappingFile,
    pub options: &'a LintOptions,
}

/// What object-level hooks see.
pub struct ObjectCx<'a> {
    pub file: &'a FileCx<'a>,
    pub index: usize,
    pub object: &'a ObjectMapping,
    /// What is known about the source object's attributes.
    pub source: ObjectView<'a>,
    /// What is known about the target object's attributes.
    pub target: ObjectView<'a>,
    /// Each mapping's checked expression, in order (`None`: no source, or it does not parse).
    pub checks: &'a [Option<Checking>],
}

impl<'a> ObjectCx<'a> {
    /// Whether the object mapping names neither object: a bare `attributeMappings` array, or a
    /// YAML file with only `mappings:`. Rules that need the object judge it as the profile's
    /// object (see [`ObjectCx::profile_object`]) or not at all.
    pub fn is_bare(&self) -> bool {
        self.object.source_object.is_empty() && self.object.target_object.is_empty()
    }

    /// The profile, when its app receives this object: the object mapping's target is the
    /// profile's object, or the file is a bare list, which is then judged as that object.
    pub fn profile_object(&self) -> Option<&'a crate::profile::Profile> {
        let profile = self.file.options.profile.as_ref()?;
        let named = profile.is_about(&self.object.target_object);
        (self.object.enabled && (named || self.is_bare())).then_some(profile)
    }

    /// What a finding on a bare list adds to its message: which object it was judged as.
    pub fn bare_note(&self) -> String {
        match (&self.file.options.profile, self.is_bare()) {
            (Some(profile), true) => format!(
                " (the file is a bare list of attribute mappings, checked as {}'s `{}` object)",
                profile.name, profile.object
            ),
            _ => String::new(),
        }
    }

    /// Each mapping's resolved expression tree, in order.
    pub fn exprs(&self) -> impl Iterator<Item = Option<&'a Expr>> + 'a {
        self.checks.iter().map(|c| c.as_ref().map(Checking::tree))
    }
}

/// What mapping- and node-level hooks see.
pub struct MappingCx<'a> {
    pub object: &'a ObjectCx<'a>,
    pub index: usize,
    pub mapping: &'a AttributeMapping,
    /// The expression, with its calls resolved by the check stage.
    pub expr: Option<&'a Expr>,
    /// The check stage's verdict on it.
    pub check: Option<&'a Checking>,
}

impl FileCx<'_> {
    /// Builds a finding for `meta` with a message and a primary label at a file span.
    pub fn finding(&self, meta: &RuleMeta, span: Span, message: impl Into<String>) -> Finding {
        Finding {
            diagnostic: Diagnostic::new(meta.code, meta.name, meta.severity, message)
                .with_label(span, ""),
            target: None,
            location: None,
            fix: None,
        }
    }
}

impl ObjectCx<'_> {
    /// A finding about the object mapping as a whole.
    pub fn finding(&self, meta: &RuleMeta, span: Span, message: impl Into<String>) -> Finding {
        let mut f = self.file.finding(meta, span, message);
        f.location = Some((self.index, None));
        f
    }
}

impl MappingCx<'_> {
    /// The mapping's expression text.
    pub fn text(&self) -> &str {
        self.mapping.source.as_ref().map_or("", |s| s.text.as_str())
    }

    /// The file span of a span in the expression.
    pub fn file_span(&self, span: Span) -> Span {
        match &self.mapping.source {
            Some(src) => src.map.span(span),
            None => self.mapping.target.span,
        }
    }

    /// A finding at a span of the expression.
    pub fn at_expr(&self, meta: &RuleMeta, span: Span, message: impl Into<String>) -> Finding {
        self.at_file(meta, self.file_span(span), message)
    }

    /// A finding at a file span, about this mapping.
    pub fn at_file(&self, meta: &RuleMeta, span: Span, message: impl Into<String>) -> Finding {
        let mut f = self.object.file.finding(meta, span, message);
        f.target = Some(self.mapping.target.value.clone());
        f.location = Some((self.object.index, Some(self.index)));
        f
    }

    /// Whether an expression node yields a Boolean (`True` / `False`).
    pub fn is_boolean(&self, node: &Expr) -> bool {
        match &node.kind {
            ExprKind::Attribute(name) => self.object.source.is_boolean(name),
            ExprKind::Compare(_) => true,
            ExprKind::Call(call) => call
                .func
                .is_some_and(|id| id.spec().returns == crate::catalogue::Kind::Boolean),
            _ => false,
        }
    }

    /// Reports the check stage's problems of one kind as findings of `meta`: a problem the
    /// check is only fairly sure of (against built-in knowledge) is a warning.
    pub fn report_problems(&self, kind: ProblemKind, meta: &RuleMeta, out: &mut Sink) {
        let Some(check) = self.check else { return };
        for p in check.problems.iter().filter(|p| p.kind == kind) {
            let mut finding = self.at_expr(meta, p.span, p.message.clone());
            finding.diagnostic.help = p.help.clone();
            if p.certainty == Certainty::Likely && meta.severity == Severity::Error {
                finding.diagnostic.severity = Severity::Warning;
            }
            out.push(finding);
        }
    }
}

/// A call node with its catalogue entry, when the check stage resolved it.
pub fn known_call(node: &Expr) -> Option<(&Call, &'static FunctionSpec)> {
    let ExprKind::Call(call) = &node.kind else {
        return None;
    };
    Some((call, call.func?.spec()))
}

/// How close an unknown attribute name comes to a defined one.
pub enum NearMiss<'a> {
    /// The same name in other capitals.
    Case(&'a str),
    /// A plausible typo of this name.
    Similar(&'a str),
    None,
}

/// The defined attribute an unknown name most likely meant.
pub fn near_miss<'a>(name: &str, view: &ObjectView<'a>) -> NearMiss<'a> {
    match view.near_miss(name) {
        Some((real, true)) => NearMiss::Case(real),
        Some((similar, false)) => NearMiss::Similar(similar),
        None => NearMiss::None,
    }
}

/// Lints one loaded mapping file.
pub fn lint(file: &MappingFile, options: &LintOptions) -> Vec<Finding> {
    let rules: Vec<&dyn Rule> = RULES
        .iter()
        .copied()
        .filter(|r| options.enabled(r.meta()))
        .collect();
    let mut sink = Sink::default();
    let fcx = FileCx { file, options };
    for rule in &rules {
        rule.check_file(&fcx, &mut sink);
    }
    let syntax_enabled = options.enabled(&rules::syntax_error::SyntaxError::META);
    let declared_kind = options.profile.as_ref().and_then(|p| p.target_kind);
    let schema = Schema::new(file, declared_kind);
    for (oi, object) in file.object_mappings.iter().enumerate() {
        let source = schema.source(object);
        let checks: Vec<Option<Checking>> = object
            .attribute_mappings
            .iter()
            .map(|m| {
                let expr = syntax::parse(&m.source.as_ref()?.text).ok()?;
                Some(check::check(expr, Some(&source)))
            })
            .collect();
        let ocx = ObjectCx {
            file: &fcx,
            index: oi,
            object,
            source,
            target: schema.target(object),
            checks: &checks,
        };
        for rule in &rules {
            rule.check_object(&ocx, &mut sink);
        }
        for (mi, mapping) in object.attribute_mappings.iter().enumerate() {
            let check = checks[mi].as_ref();
            let mcx = MappingCx {
                object: &ocx,
                index: mi,
                mapping,
                expr: check.map(Checking::tree),
                check,
            };
            if syntax_enabled && mcx.expr.is_none() {
                rules::syntax_error::report(&mcx, &mut sink);
            }
            for rule in &rules {
                rule.check_mapping(&mcx, &mut sink);
            }
            if let Some(expr) = mcx.expr {
                expr.walk(&mut |node| {
                    for rule in &rules {
                        rule.check_node(&mcx, node, &mut sink);
                    }
                });
            }
        }
    }
    let mut findings = sink.findings;
    rules::unused_suppression::apply(file, options, &mut findings);
    drop_refined(&mut findings);
    findings.sort_by_key(|f| {
        (
            f.diagnostic.primary_span().map(|s| s.start),
            f.diagnostic.code,
        )
    });
    findings
}

/// One mistake, one finding: where a rule that refines another (see [`RuleMeta::refines`])
/// reports the same span of the same mapping, the general rule's finding there is dropped.
fn drop_refined(findings: &mut Vec<Finding>) {
    use std::collections::HashSet;
    type Key = (Option<(usize, Option<usize>)>, Option<Span>, &'static str);
    let mut covered: HashSet<Key> = HashSet::new();
    for f in findings.iter() {
        let Some(meta) = find_rule(f.diagnostic.code) else {
            continue;
        };
        for general in meta.refines {
            covered.insert((f.location, f.diagnostic.primary_span(), general));
        }
    }
    if covered.is_empty() {
        return;
    }
    findings.retain(|f| {
        !covered.contains(&(f.location, f.diagnostic.primary_span(), f.diagnostic.name))
    });
}

/// The number of findings at each severity: (errors, warnings, infos).
pub fn counts(findings: &[Finding]) -> (usize, usize, usize) {
    findings
        .iter()
        .fold((0, 0, 0), |(e, w, i), f| match f.diagnostic.severity {
            Severity::Error => (e + 1, w, i),
            Severity::Warning => (e, w + 1, i),
            Severity::Info => (e, w, i + 1),
        })
}
