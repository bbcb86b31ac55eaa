//! coinguard: a parental spending guard around a virtual-coin wallet.
//!
//! | module | owns | must never |
//! | --- | --- | --- |
//! | [`money`] | `Money` (currency + exact amount), `Coins`, `Diamonds`, parsing, rounding | touch the database |
//! | [`domain`] | names, roles, birthdates, keys, the `Clock` | touch the database |
//! | [`config`] | TOML files -> one validated `Config`; embedded defaults | write anything |
//! | [`ledger`] | the database: schema, migrations, append, lots, chains, `verify`; the outbox of events and the allowance schedule | append without a guard's `Cleared` |
//! | [`guard`] | intents, rules, reasons, the `Cleared` door | write SQL |
//! | [`auth`] | PIN hashing (argon2id), lockout, one-action guardian passes | keep a PIN in clear |
//! | [`services`] | purchase, gift, redeem, grant, reverse, requests, policy, demo; allowances (paid as grants), notify commands and their delivery | bypass the guard; hold a write while a notify command runs |
//! | [`report`] | history pages, period reports, where the money went, logs, exports | write anything |
//! | [`cli`] | the command line | write SQL, decide policy |
//! | [`tui`] | the terminal interface: pure update and render, effects via services | write SQL, query per frame |
//!
//! Dependencies point one way: `cli` / `tui` -> `services` / `report` ->
//! `guard` -> `ledger` -> `money` / `domain` / `config`; `auth` serves the
//! services. The one exception is deliberate: the ledger's `append` takes a
//! [`guard::Cleared`], the value only the guard can produce.
//!
//! Guarantees: every transaction balances per unit (money, COIN, DIAMOND);
//! nothing in the ledger is updated or deleted; a retried command with the same
//! idempotency key writes nothing; every coin in a wallet has a known cost in
//! money (FIFO lots); `verify` recomputes every hash and balance and names the
//! first entry that does not match.

pub mod api;
pub mod auth;
pub mod cli;
pub mod client;
pub mod config;
pub mod domain;
#[doc(hidden)]
pub mod fuzz;
pub mod guard;
pub mod ledger;
pub mod money;
pub mod report;
pub mod service;
pub mod services;
pub mod tui;
