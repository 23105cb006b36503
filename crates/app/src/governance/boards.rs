//! The boards' use cases (Schedule 3): setting up the three boards, their meetings, members,
//! chair rotation, agendas and minutes; filing papers, embargoed until the decision they inform
//! (MOU 5.5); recording decisions and the Cabinet approvals a key decision needs at every
//! council; and reading all of it as the caller may.

use accord_domain::Invalid;
use accord_domain::access::{Action, Area, Classification, Embargo, RecordMeta};
use accord_domain::board::{
    Board, Decision, DecisionInput, EscalationNotice, Paper, PaperRelease, check_recorded_on,
};
use accord_domain::{GssCode, Partnership};
pub use accord_store::governance::{
    BOARD_KIND, PAPER_KIND, PaperBody, StoredBoard, StoredDecision, StoredPaper,
};
pub use accord_store::records::{DECISION_KIND, DECISION_MADE};

use chrono::NaiveDate;

use crate::list::Listed;
use crate::{App, AppError, Caller, Result};

fn governance_meta(partnership_id: i64, classification: Classification) -> RecordMeta {
    RecordMeta {
        area: Area::Governance,
        partnership_id: Some(partnership_id),
        owner: None,
        classification,
        embargo: None,
    }
}

fn conflict(what: &str, had: i64, now: i64) -> AppError {
    AppError::Conflict(format!(
        "{what} changed since you opened it (you had version {had}; it is now at version {now}). \
         The page shows it as it is now: make your change again if it is still needed"
    ))
}

/// The partnership's boards the caller may see, lowest first.
pub async fn boards(app: &App, caller: &Caller, partnership_id: i64) -> Result<Vec<StoredBoard>> {
    Ok(app
        .store()
        .boards(partnership_id, &caller.scope(), app.today())
        .await?)
}

/// One board, if the caller may see it.
pub async fn board(app: &App, caller: &Caller, board_id: i64) -> Result<StoredBoard> {
    app.store()
        .board(board_id, &caller.scope(), app.today())
        .await?
        .ok_or_else(|| AppError::not_found(format!("board {board_id}")))
}

/// A board with every paper and decision it holds, for the rules that number papers and
/// decisions and place them (whoever asks; what it holds is not shown).
pub async fn full(app: &App, board_id: i64) -> Result<Board> {
    let mut tx = app.store().write().await?;
    let (board, papers, decisions) = tx
        .full_board(board_id)
        .await?
        .ok_or_else(|| AppError::not_found(format!("board {board_id}")))?;
    drop(tx);
    Ok(assemble(board.board, &papers, &decisions))
}

fn assemble(mut board: Board, papers: &[StoredPaper], decisions: &[StoredDecision]) -> Board {
    board.decisions = decisions.iter().map(|d| d.decision.clone()).collect();
    for paper in papers {
        if let Some(meeting) = board
            .meetings
            .iter_mut()
            .find(|m| m.number == paper.body.meeting)
        {
            meeting.papers.push(paper.body.paper.clone());
        }
    }
    board
}

/// A board's papers the caller may see, by meeting and number.
pub async fn papers(app: &App, caller: &Caller, board_id: i64) -> Result<Vec<StoredPaper>> {
    Ok(app
        .store()
        .papers(board_id, &caller.scope(), app.today())
        .await?)
}

/// One paper, if the caller may see it.
pub async fn paper(app: &App, caller: &Caller, paper_id: i64) -> Result<StoredPaper> {
    app.store()
        .paper(paper_id, &caller.scope(), app.today())
        .await?
        .ok_or_else(|| AppError::not_found(format!("paper {paper_id}")))
}

/// A board's decisions the caller may see, in log order.
pub async fn decisions(app: &App, caller: &Caller, board_id: i64) -> Result<Vec<StoredDecision>> {
    Ok(app
        .store()
        .decisions(board_id, &caller.scope(), app.today())
        .await?)
}

/// One decision, if the caller may see it.
pub async fn decision(app: &App, caller: &Caller, decision_id: i64) -> Result<StoredDecision> {
    app.store()
        .decision(decision_id, &caller.scope(), app.today())
        .await?
        .ok_or_else(|| AppError::not_found(format!("decision {decision_id}")))
}

/// A page of the partnership's decisions log across its boards, newest first.
pub async fn decisions_log(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    page: u32,
    limit: u32,
) -> Result<Listed<StoredDecision>> {
    let offset = i64::from(page.saturating_sub(1)) * i64::from(limit);
    let (items, total) = app
        .store()
        .decisions_log(
            partnership_id,
            &caller.scope(),
            app.today(),
            i64::from(limit),
            offset,
        )
        .await?;
    Ok(Listed {
        items,
        total,
        next: None,
    })
}

/// What a board's agendas need to place escalated items: every board, and every notice of an
/// open RAID item or tolerance exception escalated to one, that the caller may see.
pub async fn escalations(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
) -> Result<(Vec<Board>, Vec<EscalationNotice>)> {
    let boards = boards(app, caller, partnership_id)
        .await?
        .into_iter()
        .map(|b| b.board)
        .collect();
    let raid = super::raid::escalated(app, caller, partnership_id).await?;
    let mut notices: Vec<EscalationNotice> = raid
        .iter()
        .filter_map(accord_domain::raid::RaidItem::escalation_notice)
        .collect();
    notices.extend(crate::delivery::escalations(app, caller, partnership_id).await?);
    Ok((boards, notices))
}

/// Sets up whichever of the three standard boards the partnership lacks. Returns how many
/// were set up.
pub async fn create_standard(
    app: &App,
    caller: &Caller,
    partnership: &Partnership,
) -> Result<usize> {
    let today = app.today();
    let meta = governance_meta(partnership.id, Classification::Partnership);
    caller.check(Action::Create, &meta, today)?;
    let mut tx = app.store().write().await?;
    let existing = tx.boards_for_change(partnership.id).await?;
    let mut added = 0;
    for board in Board::standard_three(partnership, today)? {
        if existing.iter().all(|b| b.board.level != board.level) {
            tx.insert_board(&meta, &board, &caller.change()).await?;
            added += 1;
        }
    }
    tx.commit().await?;
    Ok(added)
}

/// Writes a board up (a seed's board, with its meetings and members), as the demo loader does.
pub async fn add_board(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    board: &Board,
    classification: Classification,
) -> Result<StoredBoard> {
    let meta = governance_meta(partnership_id, classification);
    caller.check(Action::Create, &meta, app.today())?;
    let mut tx = app.store().write().await?;
    let stored = tx.insert_board(&meta, board, &caller.change()).await?;
    tx.commit().await?;
    Ok(stored)
}

/// Saves a board changed by the board's rules (a schedule, a meeting, members, the rotation,
/// an agenda item, minutes) from the version the caller read.
pub async fn save(
    app: &App,
    caller: &Caller,
    board_id: i64,
    from_version: Option<i64>,
    changed: &Board,
    reason: &str,
) -> Result<StoredBoard> {
    let today = app.today();
    let mut tx = app.store().write().await?;
    let (stored, _, _) = tx
        .full_board(board_id)
        .await?
        .ok_or_else(|| AppError::not_found(format!("board {board_id}")))?;
    if !caller.scope().permits(&stored.meta, today) {
        return Err(AppError::not_found(format!("board {board_id}")));
    }
    caller.check(Action::Update, &stored.meta, today)?;
    if let Some(version) = from_version
        && version != stored.version
    {
        return Err(conflict(&stored.board.name, version, stored.version));
    }
    let saved = tx
        .update_board(&stored, changed, &caller.change().because(reason))
        .await?;
    tx.commit().await?;
    Ok(saved)
}

/// A paper to file with a meeting.
#[derive(Debug, Clone, PartialEq)]
pub struct FilePaper {
    /// The meeting's number.
    pub meeting: u32,
    /// Its title.
    pub title: String,
    /// Who wrote or presents it.
    pub author: String,
    /// What it says, in brief.
    pub summary: String,
    /// The decision it informs, by its number in the board's log.
    pub informs: Option<u32>,
    /// The date it may be released, whatever the decision.
    pub release_on: Option<NaiveDate>,
    /// Who may read it once released.
    pub release_to: Classification,
}

/// Files a paper with a meeting, numbered after the meeting's papers, embargoed until the
/// decision it informs is made or its release date comes (an embargo must end).
pub async fn file_paper(
    app: &App,
    caller: &Caller,
    board_id: i64,
    request: FilePaper,
) -> Result<StoredPaper> {
    let today = app.today();
    if request.informs.is_none() && request.release_on.is_none() {
        return Err(Invalid::field(
            "informs",
            "Choose the decision the paper informs, or give a date to release it: an embargo must end",
        )
        .into());
    }
    let mut tx = app.store().write().await?;
    let (stored, papers, decisions) = tx
        .full_board(board_id)
        .await?
        .ok_or_else(|| AppError::not_found(format!("board {board_id}")))?;
    let partnership_id = stored
        .meta
        .partnership_id
        .ok_or_else(|| AppError::not_found("the board's partnership"))?;
    let mut full = assemble(stored.board.clone(), &papers, &decisions);
    let paper = Paper {
        number: 0,
        title: request.title.trim().to_owned(),
        author: request.author.trim().to_owned(),
        informs: request.informs,
        release: PaperRelease::Embargoed,
    };
    let number = full.add_paper(request.meeting, paper)?;
    let filed = full
        .meeting(request.meeting)
        .and_then(|m| m.papers.iter().find(|p| p.number == number))
        .cloned()
        .ok_or_else(|| anyhow::anyhow!("paper {number} was not added"))?;
    let meeting_date = full.meeting(request.meeting).map(|m| m.date);
    // The decision record it informs, read whoever asks: the embargo names it by id.
    let decision = request
        .informs
        .and_then(|n| decisions.iter().find(|d| d.decision.number == n));
    let already_made = decision.is_some_and(|d| d.decision.made_on().is_some_and(|m| m <= today));
    let mut meta = governance_meta(partnership_id, Classification::Embargoed);
    if already_made {
        meta.classification = request.release_to;
    } else {
        meta.embargo = Some(Embargo {
            until: request.release_on,
            decision_id: decision.map(|d| d.record_id),
            release_to: request.release_to,
        });
    }
    caller.check(Action::Create, &meta, today)?;
    let body = PaperBody {
        meeting: request.meeting,
        paper: filed,
        summary: request.summary.trim().to_owned(),
    };
    let saved = tx
        .insert_paper(&meta, board_id, &body, meeting_date, &caller.change())
        .await?;
    tx.commit().await?;
    Ok(saved)
}

/// Releases an embargoed paper by hand, before or without its decision ("agreement by the
/// relevant body to circulate the information more widely", MOU 5.5). A paper already
/// released is left as it is.
pub async fn release_paper(
    app: &App,
    caller: &Caller,
    paper_id: i64,
    from_version: Option<i64>,
) -> Result<StoredPaper> {
    let today = app.today();
    let stored = paper(app, caller, paper_id).await?;
    caller.check(Action::Release, &stored.meta, today)?;
    if let Some(version) = from_version
        && version != stored.version
    {
        return Err(conflict(
            &format!("Paper {}", stored.body.paper.title),
            version,
            stored.version,
        ));
    }
    if stored.meta.effective_classification(today) != Classification::Embargoed {
        return Ok(stored);
    }
    let release_to = stored
        .meta
        .embargo
        .as_ref()
        .map_or(Classification::Partnership, |e| e.release_to);
    let mut body = stored.body.clone();
    body.paper.release = PaperRelease::Released { on: today };
    let mut meta = stored.meta.clone();
    meta.classification = release_to;
    let mut tx = app.store().write().await?;
    let saved = tx
        .update_paper(
            &stored,
            &meta,
            &body,
            &caller
                .change()
                .because("released by hand before its decision"),
        )
        .await?;
    tx.commit().await?;
    Ok(saved)
}

/// Records a decision in the board's log, numbered after the last; a decision that needs no
/// Cabinet approval is made at once and releases the papers embargoed until it.
pub async fn record_decision(
    app: &App,
    caller: &Caller,
    board_id: i64,
    input: DecisionInput,
    classification: Classification,
) -> Result<StoredDecision> {
    let today = app.today();
    check_recorded_on("taken_on", input.taken_on, today)?;
    let mut tx = app.store().write().await?;
    let (stored, papers, decisions) = tx
        .full_board(board_id)
        .await?
        .ok_or_else(|| AppError::not_found(format!("board {board_id}")))?;
    let partnership_id = stored
        .meta
        .partnership_id
        .ok_or_else(|| AppError::not_found("the board's partnership"))?;
    let mut full = assemble(stored.board.clone(), &papers, &decisions);
    let number = full.record_decision(input)?;
    let decision = full
        .decisions
        .iter()
        .find(|d| d.number == number)
        .cloned()
        .ok_or_else(|| anyhow::anyhow!("decision {number} was not added"))?;
    let meta = governance_meta(partnership_id, classification);
    caller.check(Action::Decide, &meta, today)?;
    let saved = tx
        .insert_decision(&meta, board_id, &decision, &caller.change())
        .await?;
    tx.commit().await?;
    Ok(saved)
}

/// Records the date a council's Cabinet approved a key decision; the last approval makes the
/// decision and releases its papers in the same transaction.
pub async fn approve(
    app: &App,
    caller: &Caller,
    decision_id: i64,
    from_version: Option<i64>,
    council: &GssCode,
    on: NaiveDate,
) -> Result<StoredDecision> {
    let today = app.today();
    check_recorded_on("approved_on", on, today)?;
    let stored = decision(app, caller, decision_id).await?;
    caller.check(Action::Decide, &stored.meta, today)?;
    let mut tx = app.store().write().await?;
    let (board, papers, decisions) = tx
        .full_board(stored.board_id)
        .await?
        .ok_or_else(|| AppError::not_found("the decision's board"))?;
    let current = decisions
        .iter()
        .find(|d| d.record_id == decision_id)
        .cloned()
        .ok_or_else(|| AppError::not_found(format!("decision {decision_id}")))?;
    let had = from_version.unwrap_or(stored.version);
    if had != current.version {
        return Err(conflict(
            &format!("Decision {}", current.decision.number),
            had,
            current.version,
        ));
    }
    let number = current.decision.number;
    let mut full = assemble(board.board, &papers, &decisions);
    full.record_cabinet_approval(number, council, on)?;
    let changed: Decision = full
        .decisions
        .into_iter()
        .find(|d| d.number == number)
        .ok_or_else(|| anyhow::anyhow!("decision {number} went missing"))?;
    let saved = tx
        .update_decision(&current, &changed, &caller.change())
        .await?;
    tx.commit().await?;
    Ok(saved)
}
