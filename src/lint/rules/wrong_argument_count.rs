use crate::check::ProblemKind;
use crate::lint::{MappingCx, Rule, RuleMeta, Sink};

crate::declare_rule! {
    /// ## What it does
    /// Reports a call with fewer or more arguments than the function takes, and a required
    /// argument left empty (`Mid([mail], , 3)`).
    ///
    /// ## Why it matters
    /// Entra rejects such an expression, or reads the arguments in the wrong positions.
    ///
    /// ## Example
    /// ```text
    /// Left([givenName])
    /// ```
    ///
    /// ## Fix
    /// Pass every required argument: `Left([givenName], 1)`. `entramap functions Left` shows the
    /// parameters.
    pub struct WrongArgumentCount {
        code: "EM004",
        name: "wrong-argument-count",
        severity: Error,
        summary: "too few or too many arguments, or a required one left empty",
    }
}

impl Rule for WrongArgumentCount {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    /// The check stage finds these; the rule reports them.
    fn check_mapping(&self, cx: &MappingCx, out: &mut Sink) {
        cx.report_problems(ProblemKind::WrongArgumentCount, &Self::META, out);
    }
}
