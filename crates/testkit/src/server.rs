//! Serving a router on a real socket, for a browser to visit.

use anyhow::Context as _;
use axum::Router;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// A router served on `127.0.0.1` at a free port, until dropped.
#[derive(Debug)]
pub struct TestServer {
    base_url: String,
    task: JoinHandle<()>,
}

impl TestServer {
    /// Serves `router` in the background and returns once it accepts connections.
    pub async fn spawn(router: Router) -> anyhow::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .context("binding a free local port for the test server")?;
        let address = listener
            .local_addr()
            .context("reading the test server's address")?;
        let task = tokio::spawn(async move {
            if let Err(error) = axum::serve(listener, router).await {
                eprintln!("test server stopped: {error}");
            }
        });
        Ok(Self {
            base_url: format!("http://{address}"),
            task,
        })
    }

    /// The server's base URL, such as `http://127.0.0.1:41234`, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The absolute URL of `path` (which starts with `/`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }
}

/// Serves `router` on a free local port: shorthand for [`TestServer::spawn`].
pub async fn spawn_app(router: Router) -> anyhow::Result<TestServer> {
    TestServer::spawn(router).await
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}
