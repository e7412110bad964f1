//! `entramap serve`'s HTTP side: what it listens on, what it refuses (foreign Host, cross-site
//! Origin, non-JSON posts, bodies over the cap) and that its JSON API answers as the CLI does.
//! Every request goes to the loopback address the server bound; each loop is bounded.

use assert_cmd::Command;
use entramap::serve::{self, MAX_BODY_BYTES};
use serde_json::{Value, json};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

fn start() -> serve::Running {
    serve::bind(0).expect("bind a loopback port").spawn()
}

fn addr(server: &serve::Running) -> SocketAddr {
    server.addrs[0]
}

/// One raw HTTP/1.1 exchange (the test must forge Host headers and oversized bodies, which a
/// client crate would not send): the status code, the head and the body.
fn exchange(to: SocketAddr, head: &str, body: &[u8]) -> (u16, String, Vec<u8>) {
    let mut s = TcpStream::connect(to).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    s.write_all(head.as_bytes()).unwrap();
    let _ = s.write_all(body);
    read_response(&mut s)
}

fn read_response(s: &mut TcpStream) -> (u16, String, Vec<u8>) {
    // Read the head, then as many body bytes as Content-Length says (the server may keep the
    // connection open after refusing a body it did not read).
    let mut raw = Vec::new();
    let mut buf = [0u8; 8192];
    let split = loop {
        if let Some(i) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        let n = s.read(&mut buf).expect("a response");
        assert!(n > 0, "the connection closed before a response head");
        raw.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let status: u16 = head.split(' ').nth(1).unwrap().parse().unwrap();
    let length: usize = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse().ok())?
        })
        .expect("a Content-Length");
    let mut body = raw[split + 4..].to_vec();
    while body.len() < length {
        let n = s.read(&mut buf).expect("the response body");
        assert!(n > 0, "the connection closed inside the body");
        body.extend_from_slice(&buf[..n]);
    }
    (status, head, body)
}

fn get(to: SocketAddr, path: &str, host: &str) -> (u16, String, Vec<u8>) {
    exchange(
        to,
        &format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"),
        b"",
    )
}

fn post_json(to: SocketAddr, path: &str, body: &Value) -> (u16, Value) {
    let body = body.to_string();
    let (status, _, bytes) = exchange(
        to,
        &format!(
            "POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            to.port(),
            body.len()
        ),
        body.as_bytes(),
    );
    (
        status,
        serde_json::from_slice(&bytes).expect("a JSON answer"),
    )
}

#[test]
fn listens_on_loopback_only_and_serves_the_page_with_a_strict_policy() {
    let server = start();
    assert!(server.port > 0);
    assert!(!server.addrs.is_empty());
    for a in &server.addrs {
        assert!(a.ip().is_loopback(), "{a} is not a loopback address");
        assert_eq!(a.port(), server.port);
    }
    let to = addr(&server);
    let (status, head, body) = get(to, "/", &format!("127.0.0.1:{}", to.port()));
    assert_eq!(status, 200);
    let head = head.to_ascii_lowercase();
    assert!(head.contains("content-security-policy: default-src 'none'; script-src 'self'"));
    assert!(head.contains("x-content-type-options: nosniff"));
    let page = String::from_utf8(body).unwrap();
    assert!(page.contains(r#"<script src="/app.js" defer></script>"#));
    assert!(
        !page.contains("http://") && !page.contains("https://"),
        "the page loads nothing from elsewhere"
    );
    let (status, _, js) = get(to, "/app.js", &format!("localhost:{}", to.port()));
    assert_eq!(status, 200);
    let js = String::from_utf8(js).unwrap();
    assert!(js.contains("/api/eval"));
    assert!(
        !js.contains("https://"),
        "the script fetches nothing from elsewhere"
    );
    let (status, _, _) = get(to, "/etc/passwd", &format!("127.0.0.1:{}", to.port()));
    assert_eq!(status, 404);
    let (status, _, _) = get(to, "/../Cargo.toml", &format!("127.0.0.1:{}", to.port()));
    assert_eq!(status, 404);
}

#[test]
fn a_foreign_host_is_refused() {
    let server = start();
    let to = addr(&server);
    let port = to.port();
    for host in [
        "example.com".to_string(),
        format!("example.com:{port}"),
        format!("127.0.0.1:{}", port.wrapping_add(1)),
        format!("attacker.localhost:{port}"),
        "127.0.0.1".to_string(),
    ] {
        let (status, _, body) = get(to, "/", &host);
        assert_eq!(status, 421, "Host {host}");
        let doc: Value = serde_json::from_slice(&body).unwrap();
        assert!(
            doc["error"]
                .as_str()
                .unwrap()
                .contains("is not this server")
        );
    }
    for host in [format!("LOCALHOST:{port}"), format!("[::1]:{port}")] {
        assert_eq!(get(to, "/", &host).0, 200, "Host {host}");
    }
}

#[test]
fn cross_site_origins_and_non_json_posts_are_refused() {
    let server = start();
    let to = addr(&server);
    let port = to.port();
    let body = r#"{"expression":"[mail]"}"#;
    let (status, _, _) = exchange(
        to,
        &format!(
            "POST /api/parse HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nOrigin: https://evil.example\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        ),
        body.as_bytes(),
    );
    assert_eq!(status, 403);
    let (status, _, _) = exchange(
        to,
        &format!(
            "POST /api/parse HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        ),
        body.as_bytes(),
    );
    assert_eq!(status, 415);
    let (status, _, answer) = exchange(
        to,
        &format!(
            "POST /api/parse HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nOrigin: http://127.0.0.1:{port}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        ),
        body.as_bytes(),
    );
    assert_eq!(status, 200);
    let doc: Value = serde_json::from_slice(&answer).unwrap();
    assert_eq!(doc["canonical"], "[mail]");
}

#[test]
fn a_100_mb_body_is_refused_before_it_is_read() {
    let server = start();
    let to = addr(&server);
    let hundred_mb = 100 * 1024 * 1024;
    let mut s = TcpStream::connect(to).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    s.write_all(
        format!(
            "POST /api/lint HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Type: application/json\r\nContent-Length: {hundred_mb}\r\n\r\n",
            to.port()
        )
        .as_bytes(),
    )
    .unwrap();
    // Send the first megabyte at most; the server answers without waiting for the rest.
    let chunk = vec![b' '; 64 * 1024];
    for _ in 0..16 {
        if s.write_all(&chunk).is_err() {
            break;
        }
    }
    let (status, _, body) = read_response(&mut s);
    assert_eq!(status, 413);
    let doc: Value = serde_json::from_slice(&body).unwrap();
    let message = doc["error"].as_str().unwrap();
    assert!(
        message.contains(&format!("{hundred_mb} bytes")),
        "{message}"
    );
    assert!(
        message.contains(&format!("at most {MAX_BODY_BYTES} bytes")),
        "{message}"
    );
}

#[test]
fn a_chunked_body_over_the_cap_is_refused() {
    let server = start();
    let to = addr(&server);
    let mut s = TcpStream::connect(to).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    s.write_all(
        format!(
            "POST /api/lint HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
            to.port()
        )
        .as_bytes(),
    )
    .unwrap();
    let chunk = vec![b' '; 1024 * 1024];
    // 17 chunks of 1 MiB: one more than the cap allows.
    for _ in 0..(MAX_BODY_BYTES / chunk.len() + 1) {
        if s.write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
            .is_err()
            || s.write_all(&chunk).is_err()
            || s.write_all(b"\r\n").is_err()
        {
            break;
        }
    }
    let _ = s.write_all(b"0\r\n\r\n");
    let (status, _, _) = read_response(&mut s);
    assert_eq!(status, 413);
}

const DONE_WHEN: &str = r#"Switch([IsSoftDeleted], , "false", "true", "true", "false")"#;

#[test]
fn eval_answers_as_the_cli_does() {
    let server = start();
    let to = addr(&server);
    let (status, doc) = post_json(
        to,
        "/api/eval",
        &json!({"expression": DONE_WHEN, "attributes": {"IsSoftDeleted": true}}),
    );
    assert_eq!(status, 200);
    assert_eq!(doc["result"]["outcome"], "no-value");
    assert_eq!(doc["result"]["flows"], false);
    assert!(
        doc["result"]["why"]
            .as_str()
            .unwrap()
            .contains("returned null")
    );
    let cli = Command::cargo_bin("entramap")
        .unwrap()
        .args([
            "eval",
            DONE_WHEN,
            "--set",
            "IsSoftDeleted=true",
            "--output",
            "json",
        ])
        .output()
        .unwrap();
    let cli: Value = serde_json::from_slice(&cli.stdout).unwrap();
    for key in ["outcome", "value", "error"] {
        assert_eq!(doc["result"][key], cli[key], "{key}");
    }
    // The trace: the attribute read, then the Switch.
    let steps = doc["trace"]["steps"].as_array().unwrap();
    assert_eq!(steps[0]["expression"], "[IsSoftDeleted]");
    assert_eq!(steps[0]["value"], true);
    assert_eq!(steps.last().unwrap()["outcome"], "no-value");

    let (_, doc) = post_json(
        to,
        "/api/eval",
        &json!({"expression": r#"Join(" ", [givenName], [surname])"#,
                "attributes": {"givenName": "Ada", "surname": "Lovelace", "proxyAddresses": ["a", "b"]}}),
    );
    assert_eq!(doc["result"]["outcome"], "value");
    assert_eq!(doc["result"]["value"], "Ada Lovelace");
    assert_eq!(doc["canonical"], r#"Join(" ", [givenName], [surname])"#);
    assert_eq!(doc["graph"]["name"], "Join");
    assert_eq!(doc["attributes"], json!(["givenName", "surname"]));
}

#[test]
fn parse_diagnostics_carry_the_cli_code_and_span() {
    let server = start();
    let to = addr(&server);
    let (status, doc) = post_json(
        to,
        "/api/parse",
        &json!({"expression": "Join(\" \", [givenName]"}),
    );
    assert_eq!(status, 200);
    assert_eq!(doc["ok"], false);
    let d = &doc["diagnostics"][0];
    let cli = Command::cargo_bin("entramap")
        .unwrap()
        .args(["parse", "Join(\" \", [givenName]"])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&cli.stderr);
    assert!(
        stderr.contains(d["code"].as_str().unwrap()),
        "{stderr} vs {d}"
    );
    assert!(
        stderr.contains(d["message"].as_str().unwrap()),
        "{stderr} vs {d}"
    );
    assert_eq!(d["line"], 1);
    assert!(d["offset"].as_u64().unwrap() <= 22);

    let (status, doc) = post_json(to, "/api/parse", &json!({"expression": "x".repeat(70_000)}));
    assert_eq!(status, 400);
    assert!(
        doc["error"]
            .as_str()
            .unwrap()
            .contains("at most 65536 bytes")
    );
    let (status, doc) = post_json(to, "/api/parse", &json!({"text": "[mail]"}));
    assert_eq!(status, 400);
    assert!(
        doc["error"]
            .as_str()
            .unwrap()
            .contains("not the JSON this call takes")
    );
}

#[test]
fn the_active_truth_table_is_the_linters() {
    let server = start();
    let to = addr(&server);
    let (_, good) = post_json(
        to,
        "/api/eval",
        &json!({"expression": r#"Switch([IsSoftDeleted], , "False", "true", "True", "false")"#, "target": "active"}),
    );
    let (_, bad) = post_json(
        to,
        "/api/eval",
        &json!({"expression": DONE_WHEN, "target": "active"}),
    );
    for mode in ["legacy", "compliant"] {
        let cases = good["active"][mode].as_array().unwrap();
        assert_eq!(cases.len(), 3);
        assert!(
            cases.iter().all(|c| c["correct"] == true),
            "{mode}: {cases:?}"
        );
        let cases = bad["active"][mode].as_array().unwrap();
        assert!(
            cases.iter().any(|c| c["correct"] == false),
            "{mode}: {cases:?}"
        );
    }
    let (_, none) = post_json(to, "/api/eval", &json!({"expression": "[mail]"}));
    assert!(none.get("active").is_none());
}

#[test]
fn lint_answers_with_the_cli_report() {
    let server = start();
    let to = addr(&server);
    let path = "fixtures/mappings/unleash-gallery-default.json";
    let text = std::fs::read_to_string(path).unwrap();
    let (status, doc) = post_json(
        to,
        "/api/lint",
        &json!({"file": text, "name": path, "profile": "unleash"}),
    );
    assert_eq!(status, 200);
    let cli = Command::cargo_bin("entramap")
        .unwrap()
        .args([
            "lint",
            "--no-config",
            "--profile",
            "unleash",
            "--format",
            "json",
            path,
        ])
        .output()
        .unwrap();
    let cli: Value = serde_json::from_slice(&cli.stdout).unwrap();
    assert_eq!(doc["report"], cli);
    assert!(cli["summary"]["errors"].as_u64().unwrap() > 0);
    let rows = doc["object_mappings"].as_array().unwrap();
    assert!(!rows.is_empty());
    let some_row_has_findings = rows.iter().any(|om| {
        om["attribute_mappings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|am| !am["findings"].as_array().unwrap().is_empty())
    });
    assert!(some_row_has_findings);

    // The server reads no file: a profile path is refused.
    let (status, doc) = post_json(
        to,
        "/api/lint",
        &json!({"file": text, "profile": "fixtures/profiles/acme-wiki.yaml"}),
    );
    assert_eq!(status, 400);
    assert!(doc["error"].as_str().unwrap().contains("reads no file"));
}

#[test]
fn simulate_one_user_shows_the_scim_request() {
    let server = start();
    let to = addr(&server);
    let text = std::fs::read_to_string("fixtures/mappings/scim-default-user.json").unwrap();
    let user = json!({"id": "u-1", "userPrincipalName": "ada@contoso.com", "mailNickname": "ada",
                      "givenName": "Ada", "surname": "Lovelace", "displayName": "Ada Lovelace",
                      "accountEnabled": true});
    let (status, doc) = post_json(to, "/api/simulate", &json!({"file": text, "user": user}));
    assert_eq!(status, 200, "{doc}");
    let requests = doc["requests"].as_array().unwrap();
    let post = requests
        .iter()
        .find(|r| r["method"] == "POST")
        .unwrap_or_else(|| panic!("no POST in {requests:?}"));
    assert_eq!(post["body"]["userName"], "ada@contoso.com");
    assert!(!doc["trace"].as_array().unwrap().is_empty());
}

#[test]
fn wrong_methods_and_unknown_calls_say_what_is_served() {
    let server = start();
    let to = addr(&server);
    let host = format!("127.0.0.1:{}", to.port());
    let (status, _, body) = get(to, "/api/eval", &host);
    assert_eq!(status, 405);
    let doc: Value = serde_json::from_slice(&body).unwrap();
    assert!(doc["error"].as_str().unwrap().contains("takes POST"));
    let (status, doc) = post_json(to, "/api/format", &json!({}));
    assert_eq!(status, 404);
    assert!(
        doc["error"]
            .as_str()
            .unwrap()
            .contains("parse, eval, lint and simulate")
    );
    let (status, _, body) = get(to, "/api/catalogue", &host);
    assert_eq!(status, 200);
    let doc: Value = serde_json::from_slice(&body).unwrap();
    let names: Vec<&str> = doc["functions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"Switch") && names.contains(&"Join"));
    let soft = doc["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "IsSoftDeleted")
        .unwrap();
    assert_eq!(soft["type"], "Boolean");
    let (status, doc) = post_json(
        to,
        "/api/eval",
        &json!({"expression": "[mail]", "now": "yesterday"}),
    );
    assert_eq!(status, 400);
    assert!(
        doc["error"]
            .as_str()
            .unwrap()
            .contains("not an RFC 3339 time")
    );
}

#[test]
fn typed_inputs_multi_valued_and_app_role_assignments() {
    let server = start();
    let to = addr(&server);
    let (_, doc) = post_json(
        to,
        "/api/eval",
        &json!({"expression": r#"Join(",", [proxyAddresses])"#,
                "attributes": {"proxyAddresses": ["smtp:a@x", "SMTP:b@x"]}}),
    );
    assert_eq!(doc["result"]["value"], "smtp:a@x,SMTP:b@x");
    let (_, doc) = post_json(
        to,
        "/api/eval",
        &json!({"expression": "AppRoleAssignmentsComplex([appRoleAssignments])",
                "attributes": {"appRoleAssignments": ["Admin", "User"]}}),
    );
    let values = doc["result"]["value"].as_array().unwrap();
    assert_eq!(values.len(), 2);
    assert!(values[0].as_str().unwrap().contains(r#""value":"Admin""#));
    // A Boolean attribute given as text is read as Entra's Boolean, as `--set` does.
    let (_, doc) = post_json(
        to,
        "/api/eval",
        &json!({"expression": "Not([IsSoftDeleted])", "attributes": {"IsSoftDeleted": "true"}}),
    );
    assert_eq!(doc["result"]["value"], "False");
}

#[test]
fn the_serve_command_prints_its_url_and_serves_the_page() {
    use std::io::BufRead;
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("entramap"))
        .args(["serve", "--port", "0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line.trim().to_string();
    let port: u16 = url
        .strip_prefix("http://127.0.0.1:")
        .and_then(|rest| rest.strip_suffix('/'))
        .unwrap_or_else(|| panic!("not a loopback URL: {url:?}"))
        .parse()
        .unwrap();
    assert_ne!(port, 0);
    let to: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let (status, _, body) = get(to, "/", &format!("127.0.0.1:{port}"));
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(status, 200);
    assert!(String::from_utf8(body).unwrap().contains("<title>entramap"));
}
