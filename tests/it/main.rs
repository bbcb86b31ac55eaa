//! coinguard's integration tests: one binary, a module per subject.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod a_longest_first;
mod accounts;
mod allowance;
mod approvals;
mod audit;
mod auth;
mod cli;
mod economy;
mod faults;
mod fuzz_corpus;
mod install;
mod keys;
mod ledger_flows;
mod memo;
mod migration;
mod money_flow;
mod money_values;
mod notify;
mod path_watch;
mod reliability;
mod reversals;
mod scenarios;
mod service;
mod simulation;
mod support;
mod tamper;
mod tui;
mod unit;
