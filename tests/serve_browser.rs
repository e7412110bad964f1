//! `entramap serve` in a real browser: Debian's headless Chromium driven through WebDriver
//! (chromedriver, with the `fantoccini` client). The page is served by this process on a
//! loopback port; chromedriver listens on another loopback port; nothing else is contacted.
//!
//! Without `chromium` and `chromedriver` on PATH the test is skipped with a message, unless the
//! environment variable CI is set: then it fails (CI installs them with `.ci/browser.sh`).
//! Screenshots are kept under `target/serve-browser/`.

use entramap::serve;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const DONE_WHEN: &str = "#expr=Switch(%5BIsSoftDeleted%5D%2C%20%2C%20%22false%22%2C%20%22true%22%2C%20%22true%22%2C%20%22false%22)&IsSoftDeleted=true";

/// How long one wait for the page may take before the test fails (polled every 100 ms).
const WAIT: Duration = Duration::from_secs(30);

fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// chromedriver, killed (by its own id) when the test ends.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn artifacts() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/serve-browser");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The text of the first element matching `css` once `pred` holds for it (polled every 100 ms
/// for at most [`WAIT`]); on a time-out, a screenshot `timeout.png` is kept and the test fails.
async fn text_when(c: &Client, css: &str, what: &str, pred: impl Fn(&str) -> bool) -> String {
    let mut last = String::new();
    for _ in 0..WAIT.as_millis() / 100 {
        if let Ok(e) = c.find(Locator::Css(css)).await
            && let Ok(t) = e.text().await
        {
            if pred(&t) {
                return t;
            }
            last = t;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    screenshot(c, "timeout.png").await;
    panic!(
        "the page did not show {what} within {WAIT:?} ({css} last read {last:?}; see target/serve-browser/timeout.png)"
    );
}

/// Opens `url` as a fresh page (not a fragment change of the page shown) and waits until its
/// script has read the fragment and wired its controls.
async fn open(c: &Client, url: &str) {
    c.goto("about:blank").await.unwrap();
    c.goto(url).await.unwrap();
    c.wait()
        .at_most(WAIT)
        .for_element(Locator::Css("body[data-ready]"))
        .await
        .unwrap();
}

async fn screenshot(c: &Client, name: &str) {
    let png = c.screenshot().await.unwrap();
    assert!(png.starts_with(b"\x89PNG"), "a PNG screenshot");
    std::fs::write(artifacts().join(name), png).unwrap();
}

#[test]
fn the_builder_in_headless_chromium() {
    let (Some(chromedriver), Some(chromium)) = (on_path("chromedriver"), on_path("chromium"))
    else {
        if std::env::var_os("CI").is_some_and(|v| !v.is_empty()) {
            panic!(
                "CI is set but chromium and chromedriver are not both on PATH; .ci/browser.sh installs them (apt-get install chromium chromium-driver)"
            );
        }
        eprintln!(
            "SKIPPED the_builder_in_headless_chromium: chromium and chromedriver are not installed (apt-get install chromium chromium-driver); set CI=true to make this a failure"
        );
        return;
    };
    let server = serve::bind(0).expect("bind a loopback port").spawn();
    let base = format!("http://127.0.0.1:{}/", server.port);

    // --dump-dom: the done-when URL, with the page's script run.
    let dump = Command::new(&chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--virtual-time-budget=5000",
            "--dump-dom",
        ])
        .arg(format!("{base}{DONE_WHEN}"))
        .stderr(Stdio::null())
        .output()
        .expect("run chromium --dump-dom");
    let dom = String::from_utf8_lossy(&dump.stdout);
    assert!(
        dom.contains(r#"data-outcome="no-value""#) && dom.contains("no value flows"),
        "--dump-dom of the done-when URL: {dom}"
    );

    let port = free_port();
    let _driver = Driver(
        Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver"),
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": chromium,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--hide-scrollbars", "--window-size=1280,800"],
            }),
        );
        let webdriver = format!("http://127.0.0.1:{port}");
        let mut client = None;
        for _ in 0..100 {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector)
                .capabilities(caps.clone())
                .connect(&webdriver)
                .await
            {
                Ok(c) => {
                    client = Some(c);
                    break;
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
        let c = client.expect("chromedriver answers within 10 s");
        let result = drive(&c, &base).await;
        let _ = c.close().await;
        result
    });
}

async fn drive(c: &Client, base: &str) {
    // 1. The done-when URL shows "no value flows" once the script has run.
    open(c, &format!("{base}{DONE_WHEN}")).await;
    let shown = text_when(
        c,
        r#"#result[data-outcome="no-value"]"#,
        "no value flows",
        |t| t.contains("no value flows"),
    )
    .await;
    assert!(shown.contains("returned null"), "{shown}");
    let trace = text_when(c, "#trace tbody", "the trace", |t| {
        t.contains("[IsSoftDeleted]")
    })
    .await;
    assert!(trace.contains("true"), "{trace}");
    screenshot(c, "done-when.png").await;

    // 2. Type an expression: the diagnostic, then the value.
    open(c, &format!("{base}?typed")).await;
    let expr = c
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Id("expr"))
        .await
        .unwrap();
    expr.send_keys("Mid([givenName], 1, 2").await.unwrap();
    let diag = text_when(c, "#diagnostics .diag", "a diagnostic", |t| {
        t.contains("error[")
    })
    .await;
    assert!(diag.contains("line 1"), "{diag}");
    let marked = text_when(c, "#underline mark.bad", "the underlined range", |_| true).await;
    assert!(!marked.is_empty());
    expr.send_keys(")").await.unwrap();
    // Mid of an absent attribute is the empty string, as in Entra.
    text_when(c, "#result-value", "the empty value", |t| t == "\"\"").await;
    let input = c
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css("#inputs input#in-0"))
        .await
        .unwrap();
    input.send_keys("Adalbert").await.unwrap();
    let value = text_when(c, "#result-value", "the value", |t| t == "\"Ad\"").await;
    assert_eq!(value, "\"Ad\"");
    let canonical = text_when(c, "#canonical", "the canonical text", |t| !t.is_empty()).await;
    assert_eq!(canonical, "Mid([givenName], 1, 2)");
    let help = text_when(c, "#help", "Mid's help", |t| t.starts_with("Mid(")).await;
    assert!(
        help.contains("examples") || help.contains("parameters"),
        "{help}"
    );

    // 3. The link reproduces the case.
    let link = c.current_url().await.unwrap().to_string();
    assert!(link.contains("givenName=Adalbert"), "{link}");
    open(c, &link).await;
    let value = text_when(c, "#result-value", "the shared case's value", |t| {
        t == "\"Ad\""
    })
    .await;
    assert_eq!(value, "\"Ad\"");

    // 4. Completion from the keyboard.
    let expr = c.find(Locator::Id("expr")).await.unwrap();
    expr.clear().await.unwrap();
    expr.send_keys("Jo").await.unwrap();
    text_when(c, "#completions", "completions", |t| t.contains("Join(")).await;
    expr.send_keys("\u{E007}").await.unwrap(); // Enter
    let typed = c
        .execute("return document.getElementById('expr').value", vec![])
        .await
        .unwrap();
    assert_eq!(typed, json!("Join("));

    // 5. The active truth table, and the screenshot for the README.
    open(c, &format!("{base}{DONE_WHEN}&target=active")).await;
    let table = text_when(c, "#active-table", "the truth table", |t| {
        t.contains("compliant")
    })
    .await;
    assert!(table.contains("legacy") && table.contains("✗"), "{table}");
    screenshot(c, "builder.png").await;

    // 6. A narrow window: nothing runs off the side.
    c.set_window_size(420, 800).await.unwrap();
    let overflow = c
        .execute(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth",
            vec![],
        )
        .await
        .unwrap();
    assert!(
        overflow.as_i64().unwrap() <= 0,
        "horizontal overflow of {overflow} px at 420 px"
    );
    screenshot(c, "narrow.png").await;
    c.set_window_size(1280, 800).await.unwrap();

    // 7. Open a fixture export: the object mappings, a finding, one user simulated.
    open(c, &format!("{base}#tab=mapping&profile=unleash")).await;
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/mappings/unleash-gallery-default.json");
    let file = c
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Id("file"))
        .await
        .unwrap();
    let builder = c.find(Locator::Id("builder")).await.unwrap();
    assert!(
        !builder.is_displayed().await.unwrap(),
        "the builder is hidden in the mapping view"
    );
    text_when(c, "#profile", "the profile list", |t| t.contains("unleash")).await;
    file.send_keys(fixture.to_str().unwrap()).await.unwrap();
    let summary = text_when(c, "#lint-summary", "the lint summary", |t| !t.is_empty()).await;
    // The error and warning of the fixture, and the unleash profile's legacy-mode info (scim-flag).
    assert!(summary.contains("1 error, 1 warning, 1 info"), "{summary}");
    let finding = text_when(c, ".finding", "a lint finding", |t| t.contains("[EM")).await;
    assert!(finding.contains("(line "), "{finding}");
    let summary = text_when(c, "#lint-summary", "the summary", |t| {
        t.contains("profile unleash")
    })
    .await;
    assert!(
        summary.starts_with("unleash-gallery-default.json: "),
        "{summary}"
    );
    c.find(Locator::Id("simulate"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let sent = text_when(c, "#sim-out", "the simulated request", |t| {
        t.contains("\"method\"")
    })
    .await;
    assert!(sent.contains("POST") || sent.contains("GET"), "{sent}");
    screenshot(c, "mapping.png").await;
}
