//! Support for the integration tests of the whole application: the real app on a fresh
//! database (SQLite, or PostgreSQL when `ACCORD_TEST_DATABASE_URL` is set and a test asks for
//! every backend), with the demo loaded, and clients signed in as each demo user.

#![allow(dead_code, clippy::unwrap_used)]

use accord::demo::{DEMO_PASSPHRASE, DEMO_USERS};
use accord_store::{Change, Store, credentials, testing};
use accord_testkit::http::Client;
use accord_web::{AppState, Clock, WebConfig, app};
use axum::Router;
use chrono::NaiveDate;
use std::sync::Arc;

/// A running application: its state, router and database, and the directory holding it.
pub struct TestApp {
    /// The state the router was built with.
    pub state: AppState,
    /// The router (requests go straight to it, without a socket).
    pub router: Router,
    /// The database.
    pub store: Arc<dyn Store>,
    /// Keeps the SQLite file alive for the test.
    pub dir: tempfile::TempDir,
}

/// The date tests run on unless they say otherwise: the day of the Haringey Corporate
/// Committee report, when the demo's MOU was in force.
pub fn report_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2011, 7, 21).unwrap()
}

impl TestApp {
    /// The app on a fresh SQLite database with the demo loaded, on `today`.
    pub async fn demo(today: NaiveDate) -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let store = accord_store::connect(&testing::sqlite_url(dir.path()))
            .await
            .unwrap();
        Self::with_store(store, dir, today, true).await
    }

    /// The app on an empty SQLite database.
    pub async fn empty(today: NaiveDate) -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let store = accord_store::connect(&testing::sqlite_url(dir.path()))
            .await
            .unwrap();
        Self::with_store(store, dir, today, false).await
    }

    /// The app with the demo loaded on every configured backend.
    pub async fn every_backend(today: NaiveDate) -> Vec<(&'static str, TestApp)> {
        // Each app keeps its own directory, so the SQLite file lives as long as the app.
        let dir = tempfile::tempdir().unwrap();
        let mut stores = testing::stores(dir.path()).await.unwrap().into_iter();
        let mut apps = vec![(
            "sqlite",
            Self::with_store(stores.next().unwrap().1, dir, today, true).await,
        )];
        for (name, store) in stores {
            apps.push((
                name,
                Self::with_store(store, tempfile::tempdir().unwrap(), today, true).await,
            ));
        }
        apps
    }

    async fn with_store(
        store: Arc<dyn Store>,
        dir: tempfile::TempDir,
        today: NaiveDate,
        demo: bool,
    ) -> TestApp {
        if demo {
            accord::demo::load(&accord_app::App::new(store.clone()))
                .await
                .unwrap();
        }
        let mut config = WebConfig::new("Haringey and Waltham Forest shared services");
        config.demo = demo;
        let state = AppState::new(config, accord_app::App::new(store.clone()))
            .with_clock(Clock::Fixed(today));
        let router = app(state.clone());
        TestApp {
            state,
            router,
            store,
            dir,
        }
    }

    /// An anonymous client.
    pub fn anonymous(&self) -> Client {
        Client::new(self.router.clone())
    }

    /// A client signed in as a demo user, through the sign-in form.
    pub async fn signed_in(&self, email: &str) -> Client {
        let mut client = Client::new(self.router.clone());
        let response = client.sign_in(email, DEMO_PASSPHRASE).await;
        assert_eq!(
            response.status,
            axum::http::StatusCode::SEE_OTHER,
            "signing in as {email}: {}",
            response.body
        );
        client
    }

    /// A client using a new API token of a demo user.
    pub async fn token_client(&self, email: &str) -> Client {
        let (user, _) = self.store.user_credentials(email).await.unwrap().unwrap();
        let (token, digest) = credentials::new_secret("accord_pat_");
        self.store
            .create_api_token(user.id, "test", &digest, &Change::by("test"))
            .await
            .unwrap();
        Client::new(self.router.clone()).with_token(&token)
    }

    /// The id of the Haringey–Waltham Forest partnership.
    pub async fn hwf(&self) -> i64 {
        self.store
            .partnership_id_by_name(accord_domain::demo::HWF_NAME)
            .await
            .unwrap()
            .unwrap()
    }
}

/// Every demo user's email.
pub fn demo_emails() -> Vec<&'static str> {
    DEMO_USERS.iter().map(|(email, ..)| *email).collect()
}
