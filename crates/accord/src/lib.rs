//! The `accord` binary's library: the command line, and the wiring of storage, the web app and
//! the engines. It decides nothing itself: rules live in `accord-domain` and `accord-analytics`,
//! SQL in `accord-store`, HTTP and HTML in `accord-web`.

pub mod cli;
mod commands;
pub mod demo;
mod progress;
