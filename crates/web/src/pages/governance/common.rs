//! Governance records as the pages and the API show them: each board, paper and decision the
//! use cases return, with its record header (id, access, version) beside its value.

use accord_app::governance::boards::{self, StoredBoard, StoredDecision, StoredPaper};
use accord_app::records::StoredRecord;
use accord_domain::access::RecordMeta;
use accord_domain::board::{Board, Decision};
use chrono::{DateTime, NaiveDate, Utc};

use crate::AppState;
use crate::auth::Viewer;
use crate::delivery::{Loaded, PaperBody};
use crate::error::WebError;

#[allow(clippy::too_many_arguments)]
fn header(
    kind: &str,
    id: i64,
    parent_id: Option<i64>,
    meta: &RecordMeta,
    title: &str,
    key_date: Option<NaiveDate>,
    version: i64,
    updated_at: DateTime<Utc>,
) -> StoredRecord {
    StoredRecord {
        id,
        kind: kind.to_owned(),
        reference: None,
        parent_id,
        meta: meta.clone(),
        status: None,
        key_date,
        title: title.to_owned(),
        body: serde_json::Value::Null,
        version,
        created_at: updated_at,
        updated_at,
    }
}

/// A board with its header.
pub fn board_loaded(b: StoredBoard) -> Loaded<Board> {
    Loaded {
        record: header(
            "board",
            b.record_id,
            None,
            &b.meta,
            &b.board.name,
            None,
            b.version,
            b.updated_at,
        ),
        value: b.board,
    }
}

/// A paper with its header.
pub fn paper_loaded(p: StoredPaper) -> Loaded<PaperBody> {
    Loaded {
        record: header(
            "paper",
            p.record_id,
            Some(p.board_id),
            &p.meta,
            &p.body.paper.title,
            p.meeting_date,
            p.version,
            p.updated_at,
        ),
        value: p.body,
    }
}

/// A decision with its header.
pub fn decision_loaded(d: StoredDecision) -> Loaded<Decision> {
    Loaded {
        record: header(
            "decision",
            d.record_id,
            Some(d.board_id),
            &d.meta,
            &d.decision.title,
            d.decision.made_on().or(Some(d.decision.taken_on)),
            d.version,
            d.updated_at,
        ),
        value: d.decision,
    }
}

/// The partnership's boards the viewer may see, lowest first.
pub async fn boards(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
) -> Result<Vec<Loaded<Board>>, WebError> {
    Ok(boards::boards(&state.app, &viewer.caller(), id)
        .await?
        .into_iter()
        .map(board_loaded)
        .collect())
}

/// The board a guarded route names.
pub async fn board(
    state: &AppState,
    viewer: &Viewer,
    record: &StoredRecord,
) -> Result<Loaded<Board>, WebError> {
    Ok(board_loaded(
        boards::board(&state.app, &viewer.caller(), record.id).await?,
    ))
}

/// A board's papers the viewer may see.
pub async fn papers(
    state: &AppState,
    viewer: &Viewer,
    board_id: i64,
) -> Result<Vec<Loaded<PaperBody>>, WebError> {
    Ok(boards::papers(&state.app, &viewer.caller(), board_id)
        .await?
        .into_iter()
        .map(paper_loaded)
        .collect())
}

/// The paper a guarded route names.
pub async fn paper(
    state: &AppState,
    viewer: &Viewer,
    record: &StoredRecord,
) -> Result<Loaded<PaperBody>, WebError> {
    Ok(paper_loaded(
        boards::paper(&state.app, &viewer.caller(), record.id).await?,
    ))
}

/// A board's decisions the viewer may see, in log order.
pub async fn decisions(
    state: &AppState,
    viewer: &Viewer,
    board_id: i64,
) -> Result<Vec<Loaded<Decision>>, WebError> {
    Ok(boards::decisions(&state.app, &viewer.caller(), board_id)
        .await?
        .into_iter()
        .map(decision_loaded)
        .collect())
}

/// The decision a guarded route names.
pub async fn decision(
    state: &AppState,
    viewer: &Viewer,
    record: &StoredRecord,
) -> Result<Loaded<Decision>, WebError> {
    Ok(decision_loaded(
        boards::decision(&state.app, &viewer.caller(), record.id).await?,
    ))
}
