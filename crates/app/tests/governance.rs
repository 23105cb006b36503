//! The boards' use cases on both backends: decisions recorded at once get distinct numbers, a
//! board saved from a stale version is refused, and a key decision's last Cabinet approval
//! releases the paper embargoed until it in the same transaction.

#![allow(clippy::unwrap_used)]

use accord_app::governance::boards::{self, FilePaper};
use accord_app::{App, AppError, Caller, Clock};
use accord_domain::access::Classification;
use accord_domain::board::{DecisionInput, MeetingInput};
use accord_domain::{GssCode, Partnership};
use accord_store::testing;
use chrono::NaiveDate;
use std::collections::BTreeSet;

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2011, 7, d).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn boards_number_decisions_once_refuse_stale_saves_and_release_papers_with_decisions() {
    let dir = tempfile::tempdir().unwrap();
    for (backend, store) in testing::stores(dir.path()).await.unwrap() {
        let pid = testing::two_council_partnership(&*store, "Governed")
            .await
            .unwrap();
        let app = App::new(store.clone()).with_clock(Clock::Fixed(day(21)));
        let system = Caller::system("test");
        let partnership: Partnership = accord_app::partnership::get(&app, pid).await.unwrap();
        assert_eq!(
            boards::create_standard(&app, &system, &partnership)
                .await
                .unwrap(),
            3
        );
        assert_eq!(
            boards::create_standard(&app, &system, &partnership)
                .await
                .unwrap(),
            0
        );
        let board = boards::boards(&app, &system, pid).await.unwrap().remove(1);

        // Two editors open the board; the first adds a meeting, the second is refused.
        let mut first = boards::full(&app, board.record_id).await.unwrap();
        first
            .add_meeting(MeetingInput {
                date: day(25),
                start_time: None,
                duration_minutes: None,
                location: None,
            })
            .unwrap();
        let saved = boards::save(
            &app,
            &system,
            board.record_id,
            Some(board.version),
            &first,
            "",
        )
        .await
        .unwrap();
        assert_eq!(saved.version, board.version + 1, "{backend}");
        let stale = boards::save(
            &app,
            &system,
            board.record_id,
            Some(board.version),
            &first,
            "",
        )
        .await
        .unwrap_err();
        assert!(
            matches!(stale, AppError::Conflict(_)),
            "{backend}: {stale:?}"
        );

        // Eight decisions recorded at once: eight numbers.
        let mut tasks = Vec::new();
        for i in 0..8 {
            let app = app.clone();
            let system = system.clone();
            tasks.push(tokio::spawn(async move {
                boards::record_decision(
                    &app,
                    &system,
                    board.record_id,
                    DecisionInput {
                        meeting: None,
                        taken_on: day(20),
                        title: format!("Decision {i}"),
                        text: String::new(),
                        key: i == 0,
                    },
                    Classification::Partnership,
                )
                .await
                .unwrap()
            }));
        }
        let mut numbers = BTreeSet::new();
        let mut key = None;
        for task in tasks {
            let d = task.await.unwrap();
            numbers.insert(d.decision.number);
            if d.decision.is_key() {
                key = Some(d);
            }
        }
        assert_eq!(numbers, (1..=8).collect(), "{backend}");

        // A paper embargoed until the key decision: hidden from the public until the last
        // council's Cabinet approves, then released in that transaction.
        let key = key.unwrap();
        let paper = boards::file_paper(
            &app,
            &system,
            board.record_id,
            FilePaper {
                meeting: 1,
                title: "Business case".into(),
                author: "Programme Director".into(),
                summary: String::new(),
                informs: Some(key.decision.number),
                release_on: None,
                release_to: Classification::Published,
            },
        )
        .await
        .unwrap();
        let public = Caller::anonymous();
        assert!(
            boards::paper(&app, &public, paper.record_id).await.is_err(),
            "{backend}"
        );
        let mut version = key.version;
        for (i, council) in ["E09000014", "E09000031"].iter().enumerate() {
            let council = GssCode::parse("council", council).unwrap();
            let approved = boards::approve(
                &app,
                &system,
                key.record_id,
                Some(version),
                &council,
                day(21),
            )
            .await
            .unwrap();
            version = approved.version;
            let visible = boards::paper(&app, &public, paper.record_id).await.is_ok();
            assert_eq!(visible, i == 1, "{backend}: after approval {}", i + 1);
        }
        store.close().await;
    }
}
