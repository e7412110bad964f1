use crate::check::ProblemKind;
use crate::lint::{MappingCx, Rule, RuleMeta, Sink};

crate::declare_rule! {
    /// ## What it does
    /// Reports an argument whose kind cannot be what the parameter takes: a constant that is not
    /// an integer where one is expected (`Mid([mail], "one", 3)`), a bare identifier such as
    /// `vbTextCompare` where the function takes no such option, an identifier outside the
    /// parameter's options, or a constant where an attribute reference is required
    /// (`[appRoleAssignments]`).
    ///
    /// ## Why it matters
    /// These mistakes make the expression fail for every user, and Entra reports them only in the
    /// provisioning logs.
    ///
    /// ## Example
    /// ```text
    /// InStr([mail], "@", 1, vbTextCompar)
    /// ```
    ///
    /// ## Fix
    /// Pass a value of the right kind: here, `vbTextCompare`.
    pub struct ArgumentKind {
        code: "EM005",
        name: "argument-kind",
        severity: Error,
        summary: "an argument of a kind the parameter cannot take",
    }
}

impl Rule for ArgumentKind {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    /// The check stage finds these; the rule reports them.
    fn check_mapping(&self, cx: &MappingCx, out: &mut Sink) {
        cx.report_problems(ProblemKind::ArgumentKind, &Self::META, out);
    }
}
