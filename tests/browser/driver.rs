//! A local chromedriver driving a headless Chromium, for the browser tests.
//!
//! [`Chromedriver`] owns the driver process and the browser profile: dropping
//! it (also while a test panics) asks the driver to shut down, which closes
//! its browsers, and kills it if it does not go. [`Browser`] is a WebDriver
//! session with the waits and screenshots the tests need, and it checks each
//! page it lands on with axe-core (see [`crate::axe`]).

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Map, Value, json};

/// Each browser gets a profile of its own, so no cookie carries over.
static PROFILES: AtomicUsize = AtomicUsize::new(0);

/// What to install when the browser is missing (Debian package names).
pub const INSTALL_HINT: &str = "apt-get install -y chromium chromium-driver";

/// The browser and its driver, found on this machine.
pub struct Tools {
    pub chromium: PathBuf,
    pub chromedriver: PathBuf,
}

/// Finds chromedriver and chromium: Debian's paths first, then `PATH`.
pub fn find_tools() -> Option<Tools> {
    Some(Tools {
        chromedriver: find_program("/usr/bin/chromedriver", "chromedriver")?,
        chromium: find_program("/usr/bin/chromium", "chromium")?,
    })
}

fn find_program(usual: &str, name: &str) -> Option<PathBuf> {
    let usual = PathBuf::from(usual);
    if is_executable(&usual) {
        return Some(usual);
    }
    let paths = std::env::var_os("PATH")?;
    std::env::split_paths(&paths).map(|dir| dir.join(name)).find(|p| is_executable(p))
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata().map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0).unwrap_or(false)
}

/// A running chromedriver on 127.0.0.1, stopped on drop.
pub struct Chromedriver {
    child: Child,
    port: u16,
    /// The browser's `--user-data-dir`; removed after the driver (and so the browser) is gone.
    profile: tempfile::TempDir,
}

impl Chromedriver {
    /// Starts chromedriver on a free port and waits until its `/status` says it is ready.
    pub async fn start(program: &Path, log: &Path) -> Self {
        // A port found free can be taken before chromedriver binds it: try a few.
        let mut last_error = String::new();
        for _ in 0..3 {
            let port = free_port();
            let profile = tempfile::tempdir().expect("browser profile directory");
            let child = Command::new(program)
                .arg(format!("--port={port}"))
                .arg(format!("--log-path={}", log.display()))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap_or_else(|e| panic!("cannot start {}: {e}", program.display()));
            let mut driver = Chromedriver { child, port, profile };
            match driver.wait_ready(Duration::from_secs(20)).await {
                Ok(()) => return driver,
                Err(e) => last_error = e,
            }
        }
        panic!("chromedriver did not start: {last_error} (log: {})", log.display());
    }

    /// The WebDriver endpoint.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    async fn wait_ready(&mut self, within: Duration) -> Result<(), String> {
        let http = reqwest::Client::new();
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait().map_err(|e| e.to_string())? {
                return Err(format!("chromedriver exited at start ({status})"));
            }
            if let Ok(r) = http.get(format!("{}/status", self.url())).send().await
                && let Ok(v) = r.json::<Value>().await
                && v["value"]["ready"] == true
            {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(format!("no ready /status on port {} within {within:?}", self.port));
            }
            actix_web::rt::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Opens a headless Chromium with a phone-sized window.
    pub async fn open_browser(&self, chromium: &Path, screenshots: PathBuf) -> Browser {
        self.open_phone(chromium, screenshots, (412, 915), true).await
    }

    /// Opens a headless Chromium as a phone of `size` CSS pixels, with
    /// JavaScript on or off.
    pub async fn open_phone(
        &self,
        chromium: &Path,
        screenshots: PathBuf,
        size: (u32, u32),
        javascript: bool,
    ) -> Browser {
        self.open_window(chromium, screenshots, size, javascript, true).await
    }

    /// Opens a headless Chromium as a desktop window of `size` (no touch,
    /// no mobile emulation), with JavaScript on or off.
    pub async fn open_desktop(
        &self,
        chromium: &Path,
        screenshots: PathBuf,
        size: (u32, u32),
        javascript: bool,
    ) -> Browser {
        self.open_window(chromium, screenshots, size, javascript, false).await
    }

    async fn open_window(
        &self,
        chromium: &Path,
        screenshots: PathBuf,
        size: (u32, u32),
        javascript: bool,
        phone: bool,
    ) -> Browser {
        let client = connect(&self.url(), self.capabilities(chromium, size, javascript, phone)).await;
        let (width, height) = size;
        let window =
            format!("{width}×{height}{}{}", if phone { " phone" } else { "" }, if javascript { "" } else { ", no JS" });
        // A page without scripts cannot run axe-core: a twin with scripts checks a copy of it.
        let twin = (!javascript).then(|| Twin {
            driver: self.url(),
            capabilities: self.capabilities(chromium, size, true, phone),
            client: Mutex::new(None),
        });
        Browser { client, screenshots, window, gathered: None, driver: self.url(), twin }
    }

    /// What to ask chromedriver for: a headless Chromium with a profile of its own.
    fn capabilities(&self, chromium: &Path, size: (u32, u32), javascript: bool, phone: bool) -> Map<String, Value> {
        let (width, height) = size;
        let args = [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ]
        .iter()
        .map(|a| a.to_string())
        .chain([
            format!("--window-size={width},{height}"),
            format!(
                "--user-data-dir={}",
                self.profile.path().join(format!("{}", PROFILES.fetch_add(1, Ordering::Relaxed))).display()
            ),
        ])
        // Scripts of the page off, as on a phone where attempt.js never
        // arrived; chromedriver's own commands still run.
        .chain((!javascript).then(|| "--blink-settings=scriptEnabled=false".to_string()))
        .collect::<Vec<_>>();
        // Headless Chrome keeps windows at least 500 px wide whatever --window-size says,
        // so the phone's viewport (412 × 915 CSS px, touch) comes from mobile emulation.
        let mut options = json!({ "binary": chromium, "args": args });
        if phone {
            options["mobileEmulation"] =
                json!({ "deviceMetrics": { "width": width, "height": height, "pixelRatio": 1.0, "touch": true } });
        }
        let caps = json!({ "browserName": "chrome", "goog:chromeOptions": options });
        let Value::Object(caps) = caps else { unreachable!() };
        caps
    }

    /// Best effort: `GET /shutdown` makes chromedriver quit its sessions (and browsers), then exit.
    fn ask_to_shut_down(&self) {
        let addr = SocketAddr::from(([127, 0, 0, 1], self.port));
        if let Ok(mut s) = TcpStream::connect_timeout(&addr, Duration::from_secs(1)) {
            let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
            let _ = write!(s, "GET /shutdown HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n", self.port);
            let _ = s.read_to_end(&mut Vec::new());
        }
    }
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        if let Ok(Some(_)) = self.child.try_wait() {
            return;
        }
        self.ask_to_shut_down();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

use crate::helpers::free_port;

/// A new WebDriver session.
pub async fn connect(driver: &str, capabilities: Map<String, Value>) -> Client {
    ClientBuilder::new(HttpConnector::new())
        .capabilities(capabilities)
        .connect(driver)
        .await
        .unwrap_or_else(|e| panic!("WebDriver session with chromedriver at {driver}: {e}"))
}

/// The same window with scripts on, opened when first needed, where axe-core
/// checks a copy of a page that a browser without scripts shows.
pub struct Twin {
    pub driver: String,
    pub capabilities: Map<String, Value>,
    pub client: Mutex<Option<Client>>,
}

/// A WebDriver session.
pub struct Browser {
    pub client: Client,
    pub(crate) screenshots: PathBuf,
    /// The window's size and kind, for reports ("360×740 phone").
    pub(crate) window: String,
    /// Reports of pages that axe found wanting, when the test gathers them
    /// (see [`Browser::gather_violations`]) instead of failing at the first.
    pub(crate) gathered: Option<Mutex<Vec<String>>>,
    /// The chromedriver endpoint, for the Chrome DevTools commands WebDriver lacks.
    pub(crate) driver: String,
    /// For a browser without scripts: where axe-core runs.
    pub(crate) twin: Option<Twin>,
}

impl Browser {
    /// Opens `url`, checking the page it leaves and the page it lands on with axe.
    pub async fn goto(&self, url: &str) {
        self.check_accessibility().await;
        self.client.goto(url).await.unwrap_or_else(|e| panic!("open {url}: {e}"));
        self.check_accessibility().await;
    }

    /// Checks the page with axe, then saves a PNG of the window as `<screenshots>/<name>.png`.
    pub async fn screenshot(&self, name: &str) {
        self.check_accessibility().await;
        let png = self.client.screenshot().await.unwrap_or_else(|e| panic!("screenshot {name}: {e}"));
        let path = self.screenshots.join(format!("{name}.png"));
        std::fs::write(&path, png).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
    }

    /// Polls `probe` until it gives a value; on timeout saves a screenshot and panics naming `what`.
    pub async fn wait_for<T>(&self, what: &str, within: Duration, mut probe: impl AsyncFnMut() -> Option<T>) -> T {
        let deadline = Instant::now() + within;
        loop {
            if let Some(v) = probe().await {
                return v;
            }
            if Instant::now() > deadline {
                let url = self.client.current_url().await.map(|u| u.to_string()).unwrap_or_default();
                let _ = self.try_screenshot("failure").await;
                panic!("waited {within:?} for {what}; the browser is at {url} (see artifacts/browser/failure.png)");
            }
            actix_web::rt::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub(crate) async fn try_screenshot(&self, name: &str) -> Option<()> {
        let png = self.client.screenshot().await.ok()?;
        std::fs::write(self.screenshots.join(format!("{name}.png")), png).ok()
    }

    /// The element matching a CSS selector, waiting up to 10 s for it.
    pub async fn find(&self, css: &str) -> Element {
        self.find_by(css, Locator::Css(css)).await
    }

    /// The element matching an XPath expression, waiting up to 10 s for it.
    pub async fn find_xpath(&self, xpath: &str) -> Element {
        self.find_by(xpath, Locator::XPath(xpath)).await
    }

    async fn find_by(&self, what: &str, locator: Locator<'_>) -> Element {
        self.wait_for(what, Duration::from_secs(10), async || self.client.find(locator).await.ok()).await
    }

    /// The visible text of the first element matching `css`, if there is one.
    pub async fn text_of(&self, css: &str) -> Option<String> {
        self.client.find(Locator::Css(css)).await.ok()?.text().await.ok()
    }

    /// The current path (and query) of the page.
    pub async fn path(&self) -> Option<String> {
        self.client.current_url().await.ok().map(|u| u.path().to_string())
    }

    /// Checks the last page with axe, then ends the WebDriver session (closes the browser and its twin).
    pub async fn close(self) {
        self.check_accessibility().await;
        if let Some(twin) = self.twin.as_ref().and_then(|t| t.client.lock().expect("twin").take()) {
            let _ = twin.close().await;
        }
        let _ = self.client.close().await;
    }
}
