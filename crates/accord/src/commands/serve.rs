//! `accord serve`: the web app and the JSON API.

use crate::cli::open;
use accord_store::Change;
use accord_web::{AppState, WebConfig, app};
use anyhow::Context;
use clap::Args;
use std::net::SocketAddr;
use std::time::Duration;

/// `accord serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080", env = "ACCORD_BIND")]
    pub bind: SocketAddr,
    /// Loads the demo partnerships and demo users first (their passphrase is published: never
    /// on an instance with real data).
    #[arg(long)]
    pub demo: bool,
    /// The council (or partnership) running this instance, shown in the header.
    #[arg(
        long,
        default_value = "Shared services partnerships",
        env = "ACCORD_ORGANISATION"
    )]
    pub organisation: String,
    /// The address users reach Accord at; `https://` turns on Secure cookies.
    #[arg(long, env = "ACCORD_BASE_URL")]
    pub base_url: Option<String>,
    /// Takes the client's address from X-Forwarded-For (only behind a proxy that sets it).
    #[arg(long, env = "ACCORD_TRUST_FORWARDED_FOR")]
    pub trust_forwarded_for: bool,
    /// Serves the Prometheus metrics at `/metrics` on this address too: one that only the
    /// monitoring can reach (the public address never serves them).
    #[arg(long, env = "ACCORD_METRICS_BIND")]
    pub metrics_bind: Option<SocketAddr>,
}

/// Resolves when the process is asked to stop: Ctrl+C, or SIGTERM from a service manager.
async fn stop_asked() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::warn!(%error, "SIGTERM cannot be watched; stop with Ctrl+C");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}

/// How often embargoes whose date has come are written down as released. Reads already treat
/// them as released from the start of their day; the sweep records the release in the audit
/// trail.
const RELEASE_SWEEP: Duration = Duration::from_secs(600);

/// Runs the server until interrupted.
pub async fn run(db: &str, args: ServeArgs) -> anyhow::Result<()> {
    let store = open(db).await?;
    if args.demo {
        let summary = crate::demo::load(&accord_app::App::new(store.clone())).await?;
        out!(
            "Demo loaded ({} partnerships created, {} users created).",
            summary.partnerships_created,
            summary.users_created
        )?;
        crate::demo::print_users()?;
    }
    let mut config = WebConfig::new(args.organisation);
    config.secure_cookies = args
        .base_url
        .as_deref()
        .is_some_and(|u| u.starts_with("https://"));
    config.trust_forwarded_for = args.trust_forwarded_for;
    config.base_url.clone_from(&args.base_url);
    config.demo = args.demo;
    let state = AppState::new(config, accord_app::App::new(store.clone()));
    let (stopping, stop) = tokio::sync::watch::channel(false);
    let mut metrics_server = None;
    if let Some(bind) = args.metrics_bind {
        let listener = tokio::net::TcpListener::bind(bind)
            .await
            .with_context(|| format!("cannot listen for metrics on {bind}"))?;
        out!(
            "Metrics are served at http://{}/metrics.",
            listener.local_addr()?
        )?;
        let mut stop = stop.clone();
        let metrics = accord_web::observe::metrics_app(state.clone());
        metrics_server = Some(tokio::spawn(async move {
            axum::serve(listener, metrics)
                .with_graceful_shutdown(async move {
                    let _ = stop.wait_for(|stopping| *stopping).await;
                })
                .await
        }));
    }

    let sweeper = store.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(RELEASE_SWEEP);
        loop {
            tick.tick().await;
            let today = chrono::Local::now().date_naive();
            match sweeper
                .release_embargoes(today, &Change::by("accord embargo release"))
                .await
            {
                Ok(0) => {}
                Ok(n) => tracing::info!(released = n, "embargoes released"),
                Err(e) => tracing::error!(error = %e, "embargo release failed"),
            }
            // Dates pass without anyone touching a project: its exceptions escalate anyway.
            let sweep =
                accord_app::App::new(sweeper.clone()).with_clock(accord_app::Clock::Fixed(today));
            match accord_app::delivery::escalations::escalate_all(
                &sweep,
                &accord_app::Caller::system("accord tolerance check"),
            )
            .await
            {
                Ok(0) => {}
                Ok(n) => tracing::info!(escalated = n, "tolerance exceptions escalated"),
                Err(e) => tracing::error!(error = %e, "tolerance check failed"),
            }
        }
    });

    let listener = tokio::net::TcpListener::bind(args.bind)
        .await
        .with_context(|| format!("cannot listen on {}", args.bind))?;
    out!(
        "Accord is running at http://{} (press Ctrl+C to stop).",
        listener.local_addr()?
    )?;
    axum::serve(
        listener,
        app(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        stop_asked().await;
        tracing::info!("stopping: finishing the requests in hand");
        let _ = stopping.send(true);
    })
    .await
    .context("the server stopped with an error")?;
    if let Some(server) = metrics_server {
        server
            .await
            .context("the metrics server failed")?
            .context("the metrics server stopped with an error")?;
    }
    store.close().await;
    Ok(())
}
