//! Governance (Schedule 3): the boards, their papers and decisions, and the RAID log with its
//! escalations.

pub mod boards;
pub mod raid;
