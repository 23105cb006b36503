//! Crash durability: clients raise RAID items through the API of a real `accord serve` process
//! while it is killed with SIGKILL at random moments and started again. Every write the server
//! acknowledged must be there afterwards, none twice, every reference distinct, and the audit
//! chain must verify. On SQLite and on PostgreSQL.
//!
//! `ACCORD_CRASH_KILLS` sets the kills per backend: 5 unless given (`make crash` runs 20).

#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const PROGRAMME: &str = "programme@haringey.demo.accord.test";
const CLIENTS: usize = 4;

fn kills() -> usize {
    std::env::var("ACCORD_CRASH_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5)
}

fn accord(db: &str, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_accord"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env("ACCORD_LOG", "warn")
        .output()
        .unwrap()
}

/// One request on a connection of its own (so a killed server leaves no pooled connection
/// behind): the status and the body, or an error when the server went away.
async fn call(
    address: &str,
    method: &str,
    path: &str,
    token: &str,
    body: Option<&serde_json::Value>,
) -> std::io::Result<(u16, serde_json::Value)> {
    let mut stream = tokio::net::TcpStream::connect(address).await?;
    let body = body.map(ToString::to_string).unwrap_or_default();
    let authorization = if token.is_empty() {
        String::new()
    } else {
        format!("Authorization: Bearer {token}\r\n")
    };
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\n{authorization}\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await?;
    let text = String::from_utf8_lossy(&response);
    let (head, body) = text
        .split_once("\r\n\r\n")
        .ok_or_else(|| std::io::Error::other("a response cut short"))?;
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other("no status"))?;
    let json = serde_json::from_str(body).unwrap_or(serde_json::Value::Null);
    Ok((status, json))
}

/// A free local address to serve on.
fn free_address() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().to_string()
}

/// Starts `accord serve` and waits until it answers `/ready`.
// The server is handed back, and the caller kills and waits for it.
#[allow(clippy::zombie_processes)]
async fn start(db: &str, address: &str, log: &std::path::Path) -> Child {
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_accord"))
        .args(["--db", db, "serve", "--bind", address])
        .env("ACCORD_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap();
    let started = Instant::now();
    loop {
        if let Ok((200, _)) = call(address, "GET", "/ready", "", None).await {
            return child;
        }
        if started.elapsed() > Duration::from_secs(60) {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("accord serve did not become ready");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// What the clients saw: acknowledged titles with their references, and every title tried.
#[derive(Default)]
struct Seen {
    acknowledged: BTreeMap<String, String>,
    tried: BTreeSet<String>,
}

async fn crash_and_check(backend: &str, db: &str) {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("serve.log");
    let demo = accord(db, &["demo"]);
    assert!(demo.status.success(), "{backend}: {demo:?}");
    let made = accord(
        db,
        &["user", "token", "--email", PROGRAMME, "--name", "crash"],
    );
    let said = String::from_utf8_lossy(&made.stdout).into_owned();
    let token = said
        .split_whitespace()
        .find(|w| w.starts_with("accord_pat_"))
        .unwrap_or_else(|| panic!("{backend}: no token in {said}"))
        .to_owned();

    let first = free_address();
    let address = Arc::new(Mutex::new(first.clone()));
    let mut server = start(db, &first, &log).await;
    let (status, partnerships) = call(
        &first,
        "GET",
        "/api/v1/partnerships?limit=500",
        &token,
        None,
    )
    .await
    .unwrap();
    assert_eq!(status, 200, "{backend}: {partnerships}");
    let pid = partnerships["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == accord_domain::demo::HWF_NAME)
        .unwrap()["id"]
        .as_i64()
        .unwrap();

    let seen = Arc::new(Mutex::new(Seen::default()));
    let running = Arc::new(AtomicBool::new(true));
    let mut clients = Vec::new();
    for client in 0..CLIENTS {
        let (address, seen, running, token) = (
            address.clone(),
            seen.clone(),
            running.clone(),
            token.clone(),
        );
        clients.push(tokio::spawn(async move {
            let mut n = 0;
            while running.load(Ordering::Relaxed) {
                // A title is tried once only: a request whose answer was lost is never sent
                // again, so a title found twice would be a write doubled.
                let title = format!("Crash test {client}-{n}");
                n += 1;
                seen.lock().unwrap().tried.insert(title.clone());
                let body = serde_json::json!({
                    "title": title,
                    "owner": "Programme Director",
                    "raised_on": "2011-07-21",
                    "detail": {"kind": "issue", "severity": 3},
                });
                let at = address.lock().unwrap().clone();
                let path = format!("/api/v1/partnerships/{pid}/raid");
                match call(&at, "POST", &path, &token, Some(&body)).await {
                    Ok((201, out)) => {
                        let reference = out["reference"].as_str().unwrap().to_owned();
                        seen.lock().unwrap().acknowledged.insert(title, reference);
                    }
                    // The server went away mid-request, or is starting: not acknowledged.
                    Ok((status, out)) => {
                        assert!(status >= 500 || status == 408, "{status}: {out}");
                        tokio::time::sleep(Duration::from_millis(20)).await;
                    }
                    Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
                }
            }
        }));
    }

    for _ in 0..kills() {
        let pause = 150 + rand::random::<u64>() % 600;
        tokio::time::sleep(Duration::from_millis(pause)).await;
        server.kill().unwrap();
        server.wait().unwrap();
        let next = free_address();
        *address.lock().unwrap() = next.clone();
        server = start(db, &next, &log).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    running.store(false, Ordering::Relaxed);
    for client in clients {
        client.await.unwrap();
    }

    // Everything the log holds now, through the API.
    let at = address.lock().unwrap().clone();
    let mut stored: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut references = BTreeSet::new();
    let mut next = Some(format!("/api/v1/partnerships/{pid}/raid?limit=500"));
    while let Some(path) = next {
        let (status, page) = call(&at, "GET", &path, &token, None).await.unwrap();
        assert_eq!(status, 200, "{backend}: {page}");
        for item in page["items"].as_array().unwrap() {
            let reference = item["reference"].as_str().unwrap().to_owned();
            assert!(
                references.insert(reference.clone()),
                "{backend}: {reference} twice"
            );
            let title = item["record"]["title"].as_str().unwrap().to_owned();
            stored.entry(title).or_default().push(reference);
        }
        next = page["next"].as_str().map(str::to_owned);
    }
    server.kill().unwrap();
    server.wait().unwrap();

    let seen = seen.lock().unwrap();
    assert!(
        seen.acknowledged.len() > CLIENTS,
        "{backend}: too few writes to test anything ({})",
        seen.acknowledged.len()
    );
    for (title, reference) in &seen.acknowledged {
        assert_eq!(
            stored.get(title),
            Some(&vec![reference.clone()]),
            "{backend}: the acknowledged {title} ({reference}) is not there once"
        );
    }
    for (title, found) in &stored {
        if title.starts_with("Crash test ") {
            assert!(
                seen.tried.contains(title),
                "{backend}: {title} from nowhere"
            );
            assert_eq!(found.len(), 1, "{backend}: {title} written {found:?}");
        }
    }
    let verify = accord(db, &["audit", "verify"]);
    assert!(
        verify.status.success(),
        "{backend}: {}",
        String::from_utf8_lossy(&verify.stdout)
    );
    let unacknowledged = stored
        .keys()
        .filter(|t| t.starts_with("Crash test ") && !seen.acknowledged.contains_key(*t))
        .count();
    println!(
        "{backend}: {} kills, {} writes acknowledged, all there once; {} committed but unanswered; audit chain verified",
        kills(),
        seen.acknowledged.len(),
        unacknowledged
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_writes_survive_sigkill_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite:{}", dir.path().join("accord.db").display());
    crash_and_check("sqlite", &db).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_writes_survive_sigkill_on_postgres() {
    let Ok(server) = std::env::var(accord_store::testing::TEST_DATABASE_URL) else {
        assert!(
            std::env::var_os(accord_store::testing::REQUIRE_POSTGRES).is_none(),
            "PostgreSQL is required but not configured"
        );
        return;
    };
    let db = accord_store::testing::postgres_url(&server).await.unwrap();
    crash_and_check("postgres", &db).await;
}
