//! The page and everything it loads, compiled into the binary: nothing comes from elsewhere.

use crate::catalogue;
use crate::mapping::builtin;
use serde_json::json;
use std::sync::OnceLock;

const INDEX_HTML: &str = include_str!("page/index.html");
const APP_JS: &str = include_str!("page/app.js");
const APP_CSS: &str = include_str!("page/app.css");
/// The page's icon: a small SVG, so that the browser asks for no `/favicon.ico`.
const ICON_SVG: &str = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 16 16\"><rect width=\"16\" height=\"16\" rx=\"3\" fill=\"#0b4f8a\"/><text x=\"8\" y=\"12\" font-size=\"10\" text-anchor=\"middle\" fill=\"#fff\" font-family=\"sans-serif\">e</text></svg>";

/// The content type and bytes served at `path`, for a GET.
pub fn get(path: &str) -> Option<(&'static str, &'static [u8])> {
    Some(match path {
        "/" | "/index.html" => ("text/html; charset=utf-8", INDEX_HTML.as_bytes()),
        "/app.js" => ("text/javascript; charset=utf-8", APP_JS.as_bytes()),
        "/app.css" => ("text/css; charset=utf-8", APP_CSS.as_bytes()),
        "/icon.svg" => ("image/svg+xml", ICON_SVG.as_bytes()),
        "/api/catalogue" => ("application/json; charset=utf-8", catalogue_json()),
        _ => return None,
    })
}

/// `GET /api/catalogue`: every function (name, signature, summary, the help `entramap functions
/// NAME` prints) and every Entra user attribute (name, type, multi-valued), for completion,
/// help and typed test inputs.
pub fn catalogue_json() -> &'static [u8] {
    static CELL: OnceLock<Vec<u8>> = OnceLock::new();
    CELL.get_or_init(|| {
        let cat = catalogue::catalogue();
        let functions: Vec<_> = cat
            .functions
            .iter()
            .map(|f| {
                json!({
                    "name": f.name,
                    "signature": f.signature(),
                    "summary": f.summary(),
                    "help": crate::cli::describe_function(f),
                })
            })
            .collect();
        let attributes: Vec<_> = builtin::entra_user()
            .iter()
            .map(|a| json!({"name": a.name, "type": a.ty.as_str(), "multivalued": a.multivalued}))
            .collect();
        let profiles: Vec<&str> = crate::profile::BUILT_IN.iter().map(|(n, _)| *n).collect();
        serde_json::to_vec(&json!({
            "functions": functions,
            "attributes": attributes,
            "profiles": profiles,
        }))
        .unwrap_or_default()
    })
}
