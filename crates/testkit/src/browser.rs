//! Headless Chromium, driven through chromedriver with fantoccini.

use std::env;
use std::ffi::OsString;
use std::fmt;
use std::fs::File;
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use anyhow::{Context as _, anyhow, bail};
use fantoccini::elements::Element;
use fantoccini::wd::Capabilities;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde::Deserialize;
use serde_json::{Value, json};
use tempfile::TempDir;

/// The axe-core tags of WCAG 2.2 level AA (which includes levels A and AA of 2.0 and 2.1).
pub const WCAG_TAGS: [&str; 5] = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

const INSTALL_HINT: &str = "Browser tests need Debian's Chromium and its driver: \
    `apt-get install chromium chromium-driver` (`.ci/run` installs them), or set CHROMEDRIVER \
    and CHROME to their paths.";

/// How long to wait for chromedriver to listen, and for a page to change after a click.
const PATIENCE: Duration = Duration::from_secs(20);

/// How to start the browser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrowserOptions {
    /// Whether pages may run JavaScript. Off, the browser shows what people without
    /// JavaScript get: every page must still work.
    pub javascript: bool,
    /// The window's width and height in CSS pixels.
    pub window: (u32, u32),
}

impl Default for BrowserOptions {
    fn default() -> Self {
        Self {
            javascript: true,
            window: (1280, 1024),
        }
    }
}

/// A headless Chromium session. Call [`Browser::close`] at the end of a test; if a test
/// panics first, dropping the browser kills chromedriver and Chromium.
pub struct Browser {
    client: Client,
    driver: Child,
    closed: bool,
    // Dropped after the processes are gone (fields drop after `Drop::drop`).
    _profile: TempDir,
}

impl fmt::Debug for Browser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Browser")
            .field("driver_pid", &self.driver.id())
            .finish_non_exhaustive()
    }
}

impl Browser {
    /// Starts headless Chromium with JavaScript on.
    pub async fn start() -> anyhow::Result<Self> {
        Self::start_with(BrowserOptions::default()).await
    }

    /// Starts headless Chromium with JavaScript off.
    pub async fn start_without_javascript() -> anyhow::Result<Self> {
        Self::start_with(BrowserOptions {
            javascript: false,
            ..BrowserOptions::default()
        })
        .await
    }

    /// Starts chromedriver on a free port and opens a headless Chromium session through it.
    pub async fn start_with(options: BrowserOptions) -> anyhow::Result<Self> {
        let chromedriver = find_program("CHROMEDRIVER", "chromedriver")?;
        let chrome = find_program("CHROME", "chromium")?;
        let profile = tempfile::Builder::new()
            .prefix("accord-chromium-")
            .tempdir()
            .context("creating a fresh Chromium profile directory")?;
        let port = free_port()?;
        let log_path = profile.path().join("chromedriver.log");
        let log = File::create(&log_path).context("creating the chromedriver log")?;
        let driver = Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(log.try_clone().context("sharing the chromedriver log")?)
            .stderr(log)
            // Its own process group, so Chromium can be ended with it if a test panics.
            .process_group(0)
            .spawn()
            .with_context(|| format!("starting {}. {INSTALL_HINT}", chromedriver.display()))?;
        let client = match connect_when_ready(port, &chrome, profile.path(), &options).await {
            Ok(client) => client,
            Err(error) => {
                let mut driver = driver;
                let _ = driver.kill();
                let _ = driver.wait();
                let log = std::fs::read_to_string(&log_path).unwrap_or_default();
                return Err(error.context(format!(
                    "starting a headless Chromium session ({} with {}); chromedriver said:\n{log}",
                    chromedriver.display(),
                    chrome.display()
                )));
            }
        };
        let browser = Self {
            client,
            driver,
            closed: false,
            _profile: profile,
        };
        browser
            .client
            .set_window_size(options.window.0, options.window.1)
            .await
            .context("sizing the browser window")?;
        Ok(browser)
    }

    /// The fantoccini client, for anything the helpers here do not cover.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Opens `url` and waits for it to load.
    pub async fn goto(&self, url: &str) -> anyhow::Result<()> {
        self.client
            .goto(url)
            .await
            .with_context(|| format!("opening {url}"))
    }

    /// The current page's `<title>`.
    pub async fn title(&self) -> anyhow::Result<String> {
        Ok(self.client.title().await?)
    }

    /// The current page's address.
    pub async fn current_url(&self) -> anyhow::Result<String> {
        Ok(self.client.current_url().await?.to_string())
    }

    /// The current page's HTML, as the browser holds it now.
    pub async fn source(&self) -> anyhow::Result<String> {
        Ok(self.client.source().await?)
    }

    /// The text of the page as a person sees it.
    pub async fn text(&self) -> anyhow::Result<String> {
        self.text_of("body").await
    }

    /// The visible text of the first element matching a CSS selector.
    pub async fn text_of(&self, css: &str) -> anyhow::Result<String> {
        let element = self
            .client
            .find(Locator::Css(css))
            .await
            .with_context(|| format!("finding {css}"))?;
        Ok(element.text().await?)
    }

    /// Whether an element matches a CSS selector.
    pub async fn exists(&self, css: &str) -> anyhow::Result<bool> {
        Ok(!self.client.find_all(Locator::Css(css)).await?.is_empty())
    }

    /// The element with an `id`.
    pub async fn by_id(&self, id: &str) -> anyhow::Result<Element> {
        let xpath = format!("//*[@id={}]", xpath_literal(id));
        self.client
            .find(Locator::XPath(&xpath))
            .await
            .with_context(|| format!("finding the element with id {id:?}"))
    }

    /// Types `value` into the field with `id`, replacing what was there.
    pub async fn fill(&self, id: &str, value: &str) -> anyhow::Result<()> {
        let field = self.by_id(id).await?;
        field.clear().await?;
        field
            .send_keys(value)
            .await
            .with_context(|| format!("typing into {id:?}"))
    }

    /// Ticks the radio or checkbox with `id` (by clicking it, as a person would).
    pub async fn choose(&self, id: &str) -> anyhow::Result<()> {
        self.by_id(id)
            .await?
            .click()
            .await
            .with_context(|| format!("choosing {id:?}"))
    }

    /// Picks the option with `value` in the select with `id`.
    pub async fn select(&self, id: &str, value: &str) -> anyhow::Result<()> {
        self.by_id(id)
            .await?
            .select_by_value(value)
            .await
            .with_context(|| format!("selecting {value:?} in {id:?}"))
    }

    /// Clicks the button (or button-styled link) whose text is `text`, and waits for the next
    /// page to load.
    pub async fn click_button(&self, text: &str) -> anyhow::Result<()> {
        let literal = xpath_literal(text);
        let xpath = format!(
            "//button[normalize-space()={literal}] | //a[@role='button'][normalize-space()={literal}]"
        );
        let button = self
            .client
            .find(Locator::XPath(&xpath))
            .await
            .with_context(|| format!("finding the button {text:?}"))?;
        self.click_and_wait(&button, text).await
    }

    /// Clicks the link whose text is `text`, and waits for the next page to load.
    pub async fn click_link(&self, text: &str) -> anyhow::Result<()> {
        let link = self
            .client
            .find(Locator::LinkText(text))
            .await
            .with_context(|| format!("finding the link {text:?}"))?;
        self.click_and_wait(&link, text).await
    }

    async fn click_and_wait(&self, element: &Element, what: &str) -> anyhow::Result<()> {
        let before = self.client.find(Locator::Css("html")).await?.element_id();
        element
            .click()
            .await
            .with_context(|| format!("clicking {what:?}"))?;
        // A new document has a new root element; wait for it (same-page submissions keep the
        // address, so the address cannot tell).
        let started = Instant::now();
        loop {
            if let Ok(root) = self.client.find(Locator::Css("html")).await
                && root.element_id() != before
            {
                return Ok(());
            }
            if started.elapsed() > PATIENCE {
                bail!("clicking {what:?} did not load a new page");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Runs axe-core on the current page against WCAG 2.2 AA and returns the violations.
    ///
    /// axe-core comes from `node_modules/axe-core/axe.min.js` (installed by `make assets`).
    pub async fn axe(&self) -> anyhow::Result<Vec<Violation>> {
        let loaded = self
            .client
            .execute("return typeof window.axe === 'object';", vec![])
            .await
            .context("checking for axe-core (is JavaScript off in this browser?)")?;
        if loaded != Value::Bool(true) {
            self.client
                .execute(axe_source()?, vec![])
                .await
                .context("loading axe-core into the page")?;
        }
        let result = self
            .client
            .execute(
                "return window.axe.run(document, { \
                     runOnly: { type: 'tag', values: arguments[0] }, \
                     resultTypes: ['violations'] \
                 }).then(function (results) { return results.violations; });",
                vec![json!(WCAG_TAGS)],
            )
            .await
            .context("running axe-core")?;
        serde_json::from_value(result).context("reading axe-core's violations")
    }

    /// Fails with a readable report if axe-core finds any WCAG 2.2 AA violation on the page.
    pub async fn assert_accessible(&self) -> anyhow::Result<()> {
        let violations = self.axe().await?;
        if violations.is_empty() {
            return Ok(());
        }
        let url = self.current_url().await.unwrap_or_default();
        Err(anyhow!(
            "{} accessibility violation(s) on {url}:\n{}",
            violations.len(),
            report(&violations)
        ))
    }

    /// Ends the session (closing Chromium) and stops chromedriver.
    pub async fn close(mut self) -> anyhow::Result<()> {
        let result = self.client.clone().close().await;
        self.closed = true;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        result.context("closing the browser session")
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.closed {
            // The session was not closed (a test failed): end chromedriver's whole process
            // group, Chromium included, rather than leave a browser running.
            let _ = Command::new("kill")
                .args(["-s", "KILL", "--"])
                .arg(format!("-{}", self.driver.id()))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

async fn connect_when_ready(
    port: u16,
    chrome: &Path,
    profile: &Path,
    options: &BrowserOptions,
) -> anyhow::Result<Client> {
    let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let started = Instant::now();
    while TcpStream::connect_timeout(&address, Duration::from_millis(200)).is_err() {
        if started.elapsed() > PATIENCE {
            bail!("chromedriver did not listen on port {port} within {PATIENCE:?}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut capabilities = Capabilities::new();
    capabilities.insert("browserName".into(), json!("chrome"));
    capabilities.insert(
        "goog:chromeOptions".into(),
        chrome_options(chrome, profile, options),
    );
    ClientBuilder::new(HttpConnector::new())
        .capabilities(capabilities)
        .connect(&format!("http://{address}"))
        .await
        .context("opening a WebDriver session")
}

/// Chromium's options: headless, sandbox off (tests may run as root), nothing fetched from the
/// internet, and a fresh profile.
fn chrome_options(chrome: &Path, profile: &Path, options: &BrowserOptions) -> Value {
    let mut chrome_options = json!({
        "binary": chrome.display().to_string(),
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-default-apps",
            "--disable-extensions",
            "--disable-breakpad",
            "--disable-crash-reporter",
            "--no-first-run",
            "--no-default-browser-check",
            format!("--user-data-dir={}", profile.join("chromium").display()),
            format!("--window-size={},{}", options.window.0, options.window.1),
        ],
    });
    if !options.javascript {
        chrome_options["prefs"] =
            json!({ "profile.managed_default_content_settings.javascript": 2 });
    }
    chrome_options
}

/// A program named by an environment variable, else found on `PATH`, else in `/usr/bin`.
fn find_program(variable: &str, name: &str) -> anyhow::Result<PathBuf> {
    if let Some(path) = env::var_os(variable).filter(|path| !path.is_empty()) {
        let path = PathBuf::from(path);
        if path.is_file() {
            return Ok(path);
        }
        bail!(
            "{variable} is set to {}, which is not a file. {INSTALL_HINT}",
            path.display()
        );
    }
    let path_dirs = env::var_os("PATH").unwrap_or_else(|| OsString::from("/usr/bin"));
    env::split_paths(&path_dirs)
        .chain([PathBuf::from("/usr/bin")])
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
        .ok_or_else(|| anyhow!("{name} was not found on PATH or in /usr/bin. {INSTALL_HINT}"))
}

fn free_port() -> anyhow::Result<u16> {
    // The port is released for chromedriver to take; nothing else on a test machine races
    // for ephemeral ports quickly enough to matter.
    let listener =
        TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).context("finding a free local port")?;
    Ok(listener.local_addr()?.port())
}

fn axe_source() -> anyhow::Result<&'static str> {
    static SOURCE: OnceLock<Result<String, String>> = OnceLock::new();
    SOURCE
        .get_or_init(|| {
            let path = crate::repo_root()
                .join("node_modules")
                .join("axe-core")
                .join("axe.min.js");
            std::fs::read_to_string(&path).map_err(|error| {
                format!(
                    "cannot read {} ({error}); run `make assets` (which runs `npm ci`) first",
                    path.display()
                )
            })
        })
        .as_deref()
        .map_err(|message| anyhow!("{message}"))
}

/// Quotes text for an XPath expression, whatever quotes it contains.
fn xpath_literal(text: &str) -> String {
    if !text.contains('\'') {
        format!("'{text}'")
    } else if !text.contains('"') {
        format!("\"{text}\"")
    } else {
        let parts: Vec<String> = text.split('\'').map(|part| format!("'{part}'")).collect();
        format!("concat({})", parts.join(", \"'\", "))
    }
}

/// One rule axe-core found broken, with every element that breaks it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Violation {
    /// The rule's id, such as `color-contrast`.
    pub id: String,
    /// How much it matters: `minor`, `moderate`, `serious` or `critical`.
    pub impact: Option<String>,
    /// What the rule asks for.
    pub help: String,
    /// Where the rule is explained.
    pub help_url: String,
    /// The elements that break it.
    pub nodes: Vec<ViolationNode>,
}

/// One element that breaks a rule.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ViolationNode {
    /// CSS selectors that find the element (nested for frames and shadow roots).
    pub target: Vec<Value>,
    /// The element's opening HTML.
    pub html: String,
    /// What to fix.
    pub failure_summary: Option<String>,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "[{}] {}: {} ({})",
            self.impact.as_deref().unwrap_or("unknown"),
            self.id,
            self.help,
            self.help_url
        )?;
        for node in &self.nodes {
            let target: Vec<String> = node
                .target
                .iter()
                .map(|t| t.as_str().map_or_else(|| t.to_string(), str::to_owned))
                .collect();
            writeln!(f, "    at {}: {}", target.join(" > "), node.html)?;
            if let Some(summary) = &node.failure_summary {
                for line in summary.lines() {
                    writeln!(f, "        {line}")?;
                }
            }
        }
        Ok(())
    }
}

/// All violations, one after another, for a test failure message.
pub fn report(violations: &[Violation]) -> String {
    violations.iter().map(ToString::to_string).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xpath_literals_survive_any_quotes() {
        let cases = [
            ("Save", "'Save'"),
            ("Council's name", "\"Council's name\""),
            ("a'b\"c", "concat('a', \"'\", 'b\"c')"),
        ];
        for (text, expected) in cases {
            assert_eq!(xpath_literal(text), expected);
        }
    }

    #[test]
    fn violations_read_from_axe_and_print_their_targets() {
        let raw = json!([{
            "id": "color-contrast",
            "impact": "serious",
            "help": "Elements must meet minimum color contrast ratio thresholds",
            "helpUrl": "https://dequeuniversity.com/rules/axe/4.10/color-contrast",
            "tags": ["wcag2aa"],
            "nodes": [{"target": ["#main > p"], "html": "<p>x</p>", "failureSummary": "Fix any of the following:\n  low contrast"}]
        }]);
        let violations: Vec<Violation> = serde_json::from_value(raw).unwrap();
        let text = report(&violations);
        assert!(text.contains("[serious] color-contrast"));
        assert!(text.contains("at #main > p: <p>x</p>"));
        assert!(text.contains("low contrast"));
    }

    #[test]
    fn a_missing_program_is_reported_with_how_to_install_it() {
        let error = find_program("ACCORD_TESTKIT_UNSET_VARIABLE", "no-such-program-accord")
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("apt-get install chromium chromium-driver"),
            "{error}"
        );
    }
}
