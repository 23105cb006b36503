//! What operators see: readiness, the metrics, request ids and the log lines a request writes.

#![allow(clippy::unwrap_used)]

mod support;

use accord::cli::{LogFormat, log_subscriber};
use accord_testkit::http::{self, Client};
use axum::http::StatusCode;
use std::sync::{Arc, Mutex};
use support::{TestApp, report_day};

#[tokio::test]
async fn ready_answers_only_while_the_database_does() {
    let app = TestApp::empty(report_day()).await;
    let mut client = app.anonymous();
    let response = client.get("/ready").await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    let body: serde_json::Value = serde_json::from_str(&response.body).unwrap();
    assert_eq!(body["status"], "ready");
    assert_eq!(body["database"], "sqlite");
    // The process still answers /health; /ready tells the load balancer the truth.
    app.store.close().await;
    let response = client.get("/ready").await;
    assert_eq!(
        response.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        response.body
    );
    assert!(response.body.contains("unavailable"), "{}", response.body);
    assert!(
        !response.body.to_lowercase().contains("pool"),
        "the reason is for the log, not the caller: {}",
        response.body
    );
    assert_eq!(client.get("/health").await.status, StatusCode::OK);
}

#[tokio::test]
async fn every_request_carries_an_id_a_proxy_may_give() {
    let app = TestApp::empty(report_day()).await;
    let mut client = app.anonymous();
    let response = http::get_with(&app.router, "/health", &[("x-request-id", "lb-7f3a.42")]).await;
    assert_eq!(response.header("x-request-id"), "lb-7f3a.42");
    // An id that is too long or not plain text is replaced, not logged as it came.
    for hostile in ["a b", &"x".repeat(65), "<script>"] {
        let response = http::get_with(&app.router, "/health", &[("x-request-id", hostile)]).await;
        let id = response.header("x-request-id");
        assert_ne!(id, hostile);
        assert_eq!(id.len(), 32, "{id}");
        assert!(id.bytes().all(|b| b.is_ascii_hexdigit()), "{id}");
    }
    let one = client
        .get("/health")
        .await
        .header("x-request-id")
        .to_owned();
    let two = client
        .get("/health")
        .await
        .header("x-request-id")
        .to_owned();
    assert_ne!(one, two);
}

#[tokio::test]
async fn the_metrics_count_requests_by_route_template_on_their_own_listener() {
    let app = TestApp::demo(report_day()).await;
    let mut client = app.anonymous();
    for _ in 0..3 {
        assert_eq!(client.get("/health").await.status, StatusCode::OK);
    }
    let council = client.get("/authorities/E09000014").await;
    assert_eq!(council.status, StatusCode::OK, "{}", council.body);
    let missing = client.get("/no-such-page-Ann-Requester").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let searched = client.get("/authorities?q=Ann+Requester").await;
    assert_eq!(searched.status, StatusCode::OK);

    // The public listener does not serve them.
    assert_eq!(client.get("/metrics").await.status, StatusCode::NOT_FOUND);

    let mut monitor = Client::new(accord_web::observe::metrics_app(app.state.clone()));
    let response = monitor.get("/metrics").await;
    assert_eq!(response.status, StatusCode::OK);
    assert!(
        response.header("content-type").contains("openmetrics-text"),
        "{}",
        response.header("content-type")
    );
    let text = response.body;
    for expected in [
        r#"accord_http_requests_total{method="GET",route="/health",status="200"} 3"#,
        r#"accord_http_requests_total{method="GET",route="/authorities/{code}",status="200"} 1"#,
        // The page that does not exist, and /metrics asked of the public listener.
        r#"accord_http_requests_total{method="GET",route="unmatched",status="404"} 2"#,
        r#"accord_http_request_duration_seconds_count{method="GET",route="/health"} 3"#,
        r#"accord_http_request_duration_seconds_bucket{le="+Inf",method="GET",route="/health"} 3"#,
        "accord_db_connections_max 8",
        "accord_db_writers_waiting 0",
        "# EOF",
    ] {
        assert!(text.contains(expected), "no {expected:?} in\n{text}");
    }
    // The trail holds the demo's entries, and the gauge says where its head is.
    let head = accord_app::audit::head(&app.state.app).await.unwrap().0;
    assert!(head > 0);
    assert!(
        text.contains(&format!("accord_audit_head_seq {head}\n")),
        "audit head {head} not in\n{text}"
    );
    // A path or a query can hold a name: the metrics keep neither.
    assert!(!text.contains("Ann"), "{text}");
    assert!(!text.contains("E09000014"), "{text}");
}

/// A writer that keeps what the log wrote, for the test to read.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'w> tracing_subscriber::fmt::MakeWriter<'w> for Captured {
    type Writer = Captured;
    fn make_writer(&'w self) -> Self::Writer {
        self.clone()
    }
}

#[tokio::test]
async fn json_logs_give_each_request_one_line_with_its_id_and_no_personal_data() {
    let app = TestApp::demo(report_day()).await;
    let captured = Captured::default();
    let subscriber = log_subscriber(
        LogFormat::Json,
        tracing_subscriber::EnvFilter::new("info"),
        captured.clone(),
    );
    // The test runs on one thread, so the subscriber sees every line the request writes.
    let _guard = tracing::subscriber::set_default(subscriber);
    let response = http::get_with(
        &app.router,
        "/authorities?q=Ann+Requester",
        &[("x-request-id", "probe-1")],
    )
    .await;
    assert_eq!(response.status, StatusCode::OK);
    let missing = http::get_with(
        &app.router,
        "/requests/Ann-Requester",
        &[("x-request-id", "probe-2")],
    )
    .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);

    let written = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(!written.contains("Ann"), "{written}");
    let lines: Vec<serde_json::Value> = written
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect();
    let answered: Vec<&serde_json::Value> = lines
        .iter()
        .filter(|l| l["fields"]["message"] == "answered")
        .collect();
    assert_eq!(answered.len(), 2, "{written}");
    let first = answered[0];
    assert_eq!(first["level"], "INFO");
    assert_eq!(first["span"]["request_id"], "probe-1");
    assert_eq!(first["span"]["route"], "/authorities");
    assert_eq!(first["span"]["method"], "GET");
    assert_eq!(first["fields"]["status"], 200);
    assert!(first["fields"]["millis"].as_f64().unwrap() >= 0.0);
    assert_eq!(answered[1]["span"]["request_id"], "probe-2");
    assert_eq!(answered[1]["span"]["route"], "unmatched");
    assert_eq!(answered[1]["fields"]["status"], 404);
}
