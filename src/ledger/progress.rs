//! How far a long read (`verify`) has got, for whoever waits on it: the
//! stage it is in and a count of entries checked, reported a few times a
//! second. The watcher may ask it to stop; it then ends with
//! [`LedgerError::Stopped`], having written nothing (it only reads).

use std::time::{Duration, Instant};

use rusqlite::Connection;

use super::LedgerError;

/// What `verify` is checking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// SQLite's own check of the file (no count: one statement).
    File,
    Transactions,
    /// Balances, coin lots and spending totals against the transactions.
    Totals,
    Decisions,
    GuardianActions,
}

/// Where a verify is: `done` of about `total` entries of `stage` (the
/// newest id of its chain; 0 where nothing is counted).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    pub stage: Stage,
    pub done: u64,
    pub total: u64,
}

/// How often the watcher hears, at most.
const EVERY: Duration = Duration::from_millis(100);

/// A watcher: told each new stage at once, and the count a few times a
/// second; returns `false` to stop the work.
pub struct Watch<'a> {
    sink: Option<&'a mut dyn FnMut(Step) -> bool>,
    totals: [u64; 3],
    last: Option<Instant>,
    ticks: u32,
}

impl<'a> Watch<'a> {
    /// No one is watching.
    pub fn none() -> Watch<'static> {
        Watch {
            sink: None,
            totals: [0; 3],
            last: None,
            ticks: 0,
        }
    }

    pub fn new(sink: &'a mut dyn FnMut(Step) -> bool) -> Watch<'a> {
        Watch {
            sink: Some(sink),
            totals: [0; 3],
            last: None,
            ticks: 0,
        }
    }

    /// Reads how long each chain is (its newest id: cheap at any size).
    pub(crate) fn measure(&mut self, conn: &Connection) -> Result<(), LedgerError> {
        if self.sink.is_none() {
            return Ok(());
        }
        for (i, table) in ["transactions", "decisions", "guardian_actions"]
            .iter()
            .enumerate()
        {
            let newest: i64 = conn.query_row(
                &format!("SELECT COALESCE(MAX(id), 0) FROM {table}"),
                [],
                |r| r.get(0),
            )?;
            self.totals[i] = newest.max(0).unsigned_abs();
        }
        Ok(())
    }

    fn total(&self, stage: Stage) -> u64 {
        match stage {
            Stage::Transactions => self.totals[0],
            Stage::Decisions => self.totals[1],
            Stage::GuardianActions => self.totals[2],
            Stage::File | Stage::Totals => 0,
        }
    }

    fn tell(&mut self, stage: Stage, done: u64) -> Result<(), LedgerError> {
        let step = Step {
            stage,
            done,
            total: self.total(stage),
        };
        self.last = Some(Instant::now());
        let go_on = match self.sink.as_mut() {
            Some(sink) => sink(step),
            None => true,
        };
        if go_on {
            Ok(())
        } else {
            Err(LedgerError::Stopped)
        }
    }

    /// A new stage begins: said at once.
    pub(crate) fn stage(&mut self, stage: Stage) -> Result<(), LedgerError> {
        self.tell(stage, 0)
    }

    /// One more entry of `stage` checked (`done` so far): said when a
    /// tenth of a second has passed since the last word.
    pub(crate) fn tick(&mut self, stage: Stage, done: u64) -> Result<(), LedgerError> {
        if self.sink.is_none() {
            return Ok(());
        }
        self.ticks = self.ticks.wrapping_add(1);
        if self.ticks % 512 != 0 || self.last.is_some_and(|at| at.elapsed() < EVERY) {
            return Ok(());
        }
        self.tell(stage, done)
    }
}
