//! coinguard's integration tests: one binary, a module per subject.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod audit;
mod auth;
mod cli;
mod fuzz_corpus;
mod ledger_flows;
mod migration;
mod reliability;
mod reversals;
mod scenarios;
mod service;
mod simulation;
mod support;
mod tamper;
mod tui;
mod unit;
