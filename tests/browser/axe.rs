//! axe-core in every page the browser tests visit.
//!
//! `.ci/run` installs axe-core from npm and names its `axe.min.js` in
//! `HOITHI_AXE_JS`. [`Browser`] injects it into each page it lands on
//! (after `goto`, before a screenshot, before it leaves a page and when it
//! closes) and fails on any serious or critical violation, listing each
//! rule, the elements and what to fix. Without the variable the check says
//! loudly that it was skipped; under `CI=true` that is a failure.
//!
//! axe-core cannot run in a page whose scripts are off (its promises never
//! settle), so for such a browser a twin with scripts on gets a copy of the
//! page, without its `<script>` elements, under the same origin and
//! Content-Security-Policy, and axe checks that.

use std::io::Write;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use fantoccini::Client;
use serde_json::{Value, json};

use crate::driver::{Browser, connect};

/// The variable that names axe-core's `axe.min.js`.
pub const AXE_ENV: &str = "HOITHI_AXE_JS";
const AXE_HINT: &str = "npm install --prefix $HOME/.cache/hoithi/axe axe-core@4, then \
                        HOITHI_AXE_JS=$HOME/.cache/hoithi/axe/node_modules/axe-core/axe.min.js";

/// axe-core's source, read once; `None` (after a loud message) when it is not installed.
pub fn source() -> Option<&'static str> {
    static SOURCE: OnceLock<Option<String>> = OnceLock::new();
    SOURCE
        .get_or_init(|| {
            let found = std::env::var_os(AXE_ENV).and_then(|p| std::fs::read_to_string(p).ok());
            if found.is_none() {
                if std::env::var("CI").is_ok_and(|v| v == "true") {
                    panic!("the browser tests check every page with axe-core, which is missing: {AXE_HINT}");
                }
                let bar = "!".repeat(78);
                let _ = writeln!(
                    std::io::stderr(),
                    "\n{bar}\nSKIPPED: the accessibility check (axe-core): {AXE_ENV} does not name a readable \
                     axe.min.js.\n{AXE_HINT}\n{bar}\n"
                );
            }
            found
        })
        .as_deref()
}

/// Marks the page as checked, so the same document is not checked twice.
pub const MARK: &str = "__hoithiAxe";

/// Runs axe on the page (axe injected) and hands back its serious
/// and critical violations, and how many lesser ones it found.
pub const RUN: &str = "var done = arguments[arguments.length - 1];\
    axe.run(document, { resultTypes: ['violations'] }).then(function (r) {\
      var bad = r.violations.filter(function (v) { return v.impact === 'serious' || v.impact === 'critical'; });\
      done({ lesser: r.violations.length - bad.length, violations: bad.map(function (v) {\
        return { id: v.id, impact: v.impact, help: v.help, url: v.helpUrl, nodes: v.nodes.slice(0, 8).map(function (n) {\
          return { target: n.target.join(' '), html: n.html.slice(0, 160), why: n.failureSummary || '' };\
        }), more: Math.max(0, v.nodes.length - 8) };\
      }) });\
    }, function (e) { done({ error: String(e) }); });";

/// The serious and critical violations of one page, readably: empty when there are none.
pub fn report(page: &str, result: &Value) -> String {
    if let Some(e) = result["error"].as_str() {
        return format!("axe could not check {page}: {e}\n");
    }
    let mut out = String::new();
    for v in result["violations"].as_array().into_iter().flatten() {
        out.push_str(&format!(
            "  [{}] {}: {} ({})\n",
            v["impact"].as_str().unwrap_or("?"),
            v["id"].as_str().unwrap_or("?"),
            v["help"].as_str().unwrap_or(""),
            v["url"].as_str().unwrap_or("")
        ));
        for n in v["nodes"].as_array().into_iter().flatten() {
            out.push_str(&format!("      at {}\n         {}\n", n["target"].as_str().unwrap_or(""), n["html"]));
            for line in n["why"].as_str().unwrap_or("").lines().filter(|l| !l.trim().is_empty()) {
                out.push_str(&format!("         {}\n", line.trim()));
            }
        }
        if let Some(more) = v["more"].as_u64().filter(|m| *m > 0) {
            out.push_str(&format!("      … and {more} more\n"));
        }
    }
    if out.is_empty() { out } else { format!("axe: serious or critical violations on {page}:\n{out}") }
}

impl Browser {
    /// From now on, pages with violations are noted rather than failing the test at once.
    pub fn gather_violations(&mut self) {
        self.gathered = Some(Mutex::new(Vec::new()));
    }

    /// The reports noted since [`Browser::gather_violations`].
    pub fn gathered_violations(&self) -> Vec<String> {
        self.gathered.as_ref().map(|g| g.lock().expect("reports").clone()).unwrap_or_default()
    }

    /// Runs axe-core on the current page unless this document was checked
    /// already; panics on a serious or critical violation (or notes it).
    pub async fn check_accessibility(&self) {
        let Some(axe) = source() else { return };
        let url = self.client.current_url().await.map(|u| u.to_string()).unwrap_or_default();
        if !url.starts_with("http") {
            return;
        }
        let fresh = format!(
            "if (document.readyState === 'loading' || window.{MARK}) return false; window.{MARK} = true; return true;"
        );
        if self.client.execute(&fresh, vec![]).await.ok() != Some(Value::Bool(true)) {
            return;
        }
        let result = match &self.twin {
            None => run(&self.client, axe, &url).await,
            Some(_) => self.run_in_twin(axe, &url).await,
        };
        let report = report(&format!("{url} ({})", self.window), &result);
        if report.is_empty() {
            return;
        }
        match &self.gathered {
            Some(g) => g.lock().expect("reports").push(report),
            None => {
                let _ = self.try_screenshot("failure").await;
                panic!("{report}(screenshot: artifacts/browser/failure.png)");
            }
        }
    }

    /// Copies the page, without its scripts, into the twin and runs axe there.
    async fn run_in_twin(&self, axe: &str, url: &str) -> Value {
        let twin = self.twin.as_ref().expect("a twin");
        let page = self
            .client
            .execute("return [location.origin, document.documentElement.outerHTML];", vec![])
            .await
            .unwrap_or_else(|e| panic!("copy {url}: {e}"));
        let (origin, html) =
            (page[0].as_str().unwrap_or_default(), without_scripts(page[1].as_str().unwrap_or_default()));
        let existing = twin.client.lock().expect("twin").clone();
        let client = match existing {
            Some(c) => c,
            None => {
                let c = connect(&twin.driver, twin.capabilities.clone()).await;
                *twin.client.lock().expect("twin") = Some(c.clone());
                c
            }
        };
        // Any page of the app gives the copy its origin and CSP.
        client.goto(&format!("{origin}/login")).await.unwrap_or_else(|e| panic!("open the twin: {e}"));
        let write = "document.open(); document.write(arguments[0]); document.close(); return true;";
        client.execute(write, vec![json!(format!("<!doctype html>{html}"))]).await.expect("write the copy");
        let deadline = Instant::now() + Duration::from_secs(10);
        while client.execute("return document.readyState;", vec![]).await.ok() != Some(json!("complete")) {
            assert!(Instant::now() < deadline, "the copy of {url} did not finish loading");
            actix_web::rt::time::sleep(Duration::from_millis(50)).await;
        }
        run(&client, axe, url).await
    }

    /// Like [`Browser::screenshot`], but of the whole page, not only the window
    /// (through Chrome DevTools; the window only, if that fails).
    pub async fn screenshot_page(&self, name: &str) {
        self.check_accessibility().await;
        let id = self.client.session_id().await.ok().flatten().unwrap_or_default();
        let command =
            json!({"cmd": "Page.captureScreenshot", "params": {"format": "png", "captureBeyondViewport": true}});
        let answer = reqwest::Client::new()
            .post(format!("{}/session/{id}/goog/cdp/execute", self.driver))
            .json(&command)
            .send()
            .await;
        let png = match answer {
            Ok(r) => r.json::<Value>().await.ok().and_then(|v| {
                use base64::Engine;
                base64::engine::general_purpose::STANDARD.decode(v["value"]["data"].as_str()?).ok()
            }),
            Err(_) => None,
        };
        let Some(png) = png else { return self.screenshot(name).await };
        let path = self.screenshots.join(format!("{name}.png"));
        std::fs::write(&path, png).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
    }
}

/// Injects axe-core (once per document) and runs it.
async fn run(client: &Client, axe: &str, url: &str) -> Value {
    if client.execute("return typeof window.axe;", vec![]).await.ok() != Some(json!("object")) {
        client
            .execute(&format!("{axe}\n;return true;"), vec![])
            .await
            .unwrap_or_else(|e| panic!("inject axe-core into {url}: {e}"));
    }
    client.execute_async(RUN, vec![]).await.unwrap_or_else(|e| panic!("run axe-core on {url}: {e}"))
}

/// The page's markup without its `<script>` elements.
fn without_scripts(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        out.push_str(&rest[..start]);
        rest = match rest[start..].find("</script>") {
            Some(end) => &rest[start + end + "</script>".len()..],
            None => "",
        };
    }
    out.push_str(rest);
    out
}
