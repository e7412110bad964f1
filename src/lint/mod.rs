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

use crate::diagnostic::{Diagnostic, Severity};
use crate::functions::FunctionSpec;
use crate::mapping::{AttributeDefinition, AttributeMapping, MappingFile, ObjectMapping, builtin};
use crate::span::Span;
use crate::syntax::{self, Call, Expr, ExprKind};
pub use registry::{RULES, RuleMeta, find_rule};

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
            summary: $summary:literal $(,)?
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
    /// Each mapping's parsed expression, in order (`None`: no source, or it does not parse).
    pub exprs: &'a [Option<Expr>],
}

/// What mapping- and node-level hooks see.
pub struct MappingCx<'a> {
    pub object: &'a ObjectCx<'a>,
    pub index: usize,
    pub mapping: &'a AttributeMapping,
    pub expr: Option<&'a Expr>,
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

impl<'a> ObjectCx<'a> {
    /// The source object's attribute definitions: from the file, else Entra's built-in user.
    pub fn source_attributes(&self) -> (&'a [AttributeDefinition], bool) {
        let om = self.object;
        match definitions(
            self.file.file,
            om.source_directory.as_deref(),
            &om.source_object,
            true,
        ) {
            Some(defs) => (defs, true),
            None if om.source_object.eq_ignore_ascii_case("User") => (builtin::entra_user(), false),
            None => (&[], false),
        }
    }

    /// The target object's attribute definitions: from the file, else the SCIM app's User.
    pub fn target_attributes(&self) -> (&'a [AttributeDefinition], bool) {
        let om = self.object;
        match definitions(
            self.file.file,
            om.target_directory.as_deref(),
            &om.target_object,
            false,
        ) {
            Some(defs) => (defs, true),
            None if om.target_object.eq_ignore_ascii_case("User") => (builtin::scim_user(), false),
            None => (&[], false),
        }
    }

    /// The definition of a source attribute (exact name first, then ignoring case).
    pub fn source_attribute(&self, name: &str) -> Option<&'a AttributeDefinition> {
        let (defs, _) = self.source_attributes();
        defs.iter()
            .find(|d| d.name == name)
            .or_else(|| defs.iter().find(|d| d.name.eq_ignore_ascii_case(name)))
    }

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
        use crate::syntax::ExprKind;
        match &node.kind {
            ExprKind::Attribute(name) => self
                .object
                .source_attribute(name)
                .is_some_and(|d| d.kind.eq_ignore_ascii_case("Boolean")),
            ExprKind::Compare(_) => true,
            ExprKind::Call(call) => crate::functions::lookup(&call.name)
                .is_some_and(|f| f.returns == crate::functions::Kind::Boolean),
            _ => false,
        }
    }
}

/// A call node with its catalogue entry, when the node calls a function the catalogue knows.
pub fn known_call(node: &Expr) -> Option<(&Call, &'static FunctionSpec)> {
    let ExprKind::Call(call) = &node.kind else {
        return None;
    };
    Some((call, crate::functions::lookup(&call.name)?))
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
pub fn near_miss<'a>(name: &str, defs: &'a [AttributeDefinition]) -> NearMiss<'a> {
    if let Some(d) = defs.iter().find(|d| d.name.eq_ignore_ascii_case(name)) {
        return NearMiss::Case(&d.name);
    }
    match crate::suggest::did_you_mean(name, defs.iter().map(|d| d.name.as_str())) {
        Some(s) => NearMiss::Similar(s),
        None => NearMiss::None,
    }
}

/// The attribute definitions a file carries for an object of a directory. Without a directory
/// name, the source side is the Entra ID directory and the target side any other.
fn definitions<'a>(
    file: &'a MappingFile,
    directory: Option<&str>,
    object: &str,
    source: bool,
) -> Option<&'a [AttributeDefinition]> {
    let is_entra = |name: &str| name == "Azure Active Directory" || name == "Microsoft Entra ID";
    let dir = file.directories.iter().find(|d| match directory {
        Some(name) => d.name.eq_ignore_ascii_case(name),
        None => is_entra(&d.name) == source,
    })?;
    let obj = dir
        .objects
        .iter()
        .find(|o| o.name.eq_ignore_ascii_case(object))?;
    (!obj.attributes.is_empty()).then_some(obj.attributes.as_slice())
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
    for (oi, object) in file.object_mappings.iter().enumerate() {
        let exprs: Vec<Option<Expr>> = object
            .attribute_mappings
            .iter()
            .map(|m| m.source.as_ref().and_then(|s| syntax::parse(&s.text).ok()))
            .collect();
        let ocx = ObjectCx {
            file: &fcx,
            index: oi,
            object,
            exprs: &exprs,
        };
        for rule in &rules {
            rule.check_object(&ocx, &mut sink);
        }
        for (mi, mapping) in object.attribute_mappings.iter().enumerate() {
            let mcx = MappingCx {
                object: &ocx,
                index: mi,
                mapping,
                expr: exprs[mi].as_ref(),
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
    findings.sort_by_key(|f| {
        (
            f.diagnostic.primary_span().map(|s| s.start),
            f.diagnostic.code.clone(),
        )
    });
    findings
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
