//! A household on disk with a movable clock, and short helpers for the services.

use std::path::PathBuf;

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use coinguard::config::Config;
use coinguard::domain::{BirthDate, FixedClock, IdempotencyKey, Memo, Name, Role, TxId};
use coinguard::ledger::{self, Account, Store};
use coinguard::money::{Coins, Diamonds};
use coinguard::services::{
    self, GiftRequest, GrantRequest, Mode, Outcome, PurchaseRequest, RedeemRequest, ReverseRequest,
    ServiceError,
};

pub const GUARDIAN: &str = "Maria";
pub const GUARDIAN_PIN: &str = "maple syrup river";

pub struct Household {
    pub dir: tempfile::TempDir,
    pub store: Store,
    pub clock: FixedClock,
}

pub fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 15, 0, 0)
        .single()
        .expect("valid time")
}

impl Household {
    /// A household with guardian Maria, adults Sam and Lee, creators Ana and Bo.
    pub fn new() -> Household {
        coinguard::auth::hash_pins_cheaply_for_tests();
        let dir = tempfile::tempdir().expect("temp dir");
        let clock = FixedClock::new(start());
        let config = Config::defaults().expect("defaults");
        let path = dir.path().join("household.db");
        let pin = coinguard::auth::Pin::parse(GUARDIAN_PIN).unwrap();
        let mut store = services::init_household(
            &path,
            &config,
            &Name::parse(GUARDIAN).unwrap(),
            &pin,
            &clock,
        )
        .expect("init");
        // One guardian pass for the fixture's policy (tests of passes
        // themselves take one per action, as the services do).
        let pass = coinguard::auth::guardian_pass(&mut store, &clock, None, &pin, "").unwrap();
        let today = start().date_naive();
        for (name, role, born) in [
            ("Sam", Role::Teen, "1990-05-01"),
            ("Lee", Role::Teen, "1995-07-12"),
            ("Ana", Role::Creator, "1990-01-01"),
            ("Bo", Role::Creator, "1992-02-02"),
        ] {
            let birth = BirthDate::parse(born, today).unwrap();
            store
                .write(&clock, |w| {
                    ledger::add_member(w, &pass, &Name::parse(name).unwrap(), role, Some(birth))
                })
                .expect("add member");
        }
        // Everyone may gift both creators, so flows are judged on funds alone.
        let id = |name: &str| ledger::find_member(store.conn(), name).expect("member").id;
        let pairs: Vec<_> = ["Sam", "Lee", "Ana", "Bo"]
            .into_iter()
            .flat_map(|m| ["Ana", "Bo"].map(|c| (id(m), id(c))))
            .collect();
        store
            .write(&clock, |w| {
                for (member, creator) in &pairs {
                    ledger::set_creator_list(
                        w,
                        &pass,
                        *member,
                        *creator,
                        Some(ledger::CreatorList::Allow),
                    )?;
                }
                Ok::<_, ledger::LedgerError>(())
            })
            .expect("creator lists");
        Household { dir, store, clock }
    }

    /// The same household opened again (after its store was dropped).
    pub fn reopen(dir: tempfile::TempDir, clock: FixedClock) -> Household {
        let store = Store::open(&dir.path().join("household.db")).expect("open");
        Household { dir, store, clock }
    }

    pub fn path(&self) -> PathBuf {
        self.dir.path().join("household.db")
    }

    pub fn tick(&self) {
        self.clock.advance(TimeDelta::minutes(1));
    }

    pub fn buy(
        &mut self,
        member: &str,
        pack: &str,
        key: Option<&str>,
    ) -> Result<Outcome, ServiceError> {
        self.tick();
        let request = PurchaseRequest::Pack {
            member,
            pack,
            key: key.map(|k| IdempotencyKey::parse(k).unwrap()),
        };
        services::purchase(&mut self.store, &self.clock, Mode::Commit, &request)
    }

    pub fn buy_custom(&mut self, member: &str, coins: u64) -> Result<Outcome, ServiceError> {
        self.tick();
        let request = PurchaseRequest::Custom {
            member,
            coins: Coins::new(coins),
            key: None,
        };
        services::purchase(&mut self.store, &self.clock, Mode::Commit, &request)
    }

    pub fn gift(
        &mut self,
        member: &str,
        creator: &str,
        gift: &str,
        count: u64,
        key: Option<&str>,
    ) -> Result<Outcome, ServiceError> {
        self.tick();
        let request = GiftRequest {
            member,
            creator,
            gift,
            count,
            key: key.map(|k| IdempotencyKey::parse(k).unwrap()),
        };
        services::gift(&mut self.store, &self.clock, Mode::Commit, &request)
    }

    pub fn redeem(&mut self, creator: &str, diamonds: u64) -> Result<Outcome, ServiceError> {
        self.tick();
        let request = RedeemRequest {
            creator,
            diamonds: Diamonds::new(diamonds),
            key: None,
        };
        services::redeem(&mut self.store, &self.clock, Mode::Commit, &request)
    }

    pub fn grant(&mut self, member: &str, coins: u64) -> Result<Outcome, ServiceError> {
        self.tick();
        let request = GrantRequest {
            member,
            coins: Coins::new(coins),
            memo: Memo::parse("allowance").unwrap(),
            key: None,
        };
        let pass = self.pass();
        services::grant(&mut self.store, &self.clock, Mode::Commit, pass, &request)
    }

    pub fn reverse(&mut self, tx: TxId) -> Result<Outcome, ServiceError> {
        self.tick();
        let request = ReverseRequest {
            tx,
            reason: Memo::parse("mistake").unwrap(),
            key: None,
        };
        let pass = self.pass();
        services::reverse(&mut self.store, &self.clock, Mode::Commit, pass, &request)
    }

    /// The guardian's PIN, entered for one action.
    pub fn pass(&mut self) -> coinguard::auth::GuardianPass {
        let pin = coinguard::auth::Pin::parse(GUARDIAN_PIN).unwrap();
        coinguard::auth::guardian_pass(&mut self.store, &self.clock, None, &pin, "").unwrap()
    }

    pub fn member_id(&self, name: &str) -> coinguard::domain::MemberId {
        ledger::find_member(self.store.conn(), name).unwrap().id
    }

    pub fn wallet(&self, name: &str) -> i64 {
        ledger::balance(self.store.conn(), Account::Wallet(self.member_id(name))).unwrap()
    }

    pub fn earnings(&self, name: &str) -> i64 {
        ledger::balance(self.store.conn(), Account::Earnings(self.member_id(name))).unwrap()
    }

    pub fn account(&self, account: Account) -> i64 {
        ledger::balance(self.store.conn(), account).unwrap()
    }

    pub fn tx_count(&self) -> i64 {
        self.store
            .conn()
            .query_row("SELECT COUNT(*) FROM transactions", [], |r| r.get(0))
            .unwrap()
    }

    pub fn verify_problem(&self) -> Option<String> {
        let report = ledger::verify(self.store.conn()).unwrap();
        report
            .problem
            .map(|p| format!("{}: {}", p.entry, p.message))
    }
}

/// The committed transaction id, or a panic naming what happened instead.
pub fn committed(outcome: Result<Outcome, ServiceError>) -> TxId {
    match outcome {
        Ok(Outcome {
            verdict: coinguard::domain::Outcome::Allow,
            tx: Some(tx),
            ..
        }) => tx,
        other => panic!("expected a commit, got {other:?}"),
    }
}

/// A money limit amount in micro-units of USD (the fixtures' currency).
pub fn usd_micros(micros: i64) -> coinguard::domain::LimitAmount {
    coinguard::domain::LimitAmount::Money(coinguard::money::Money::from_micros(
        coinguard::money::Currency::USD,
        micros,
    ))
}

/// A coin limit amount.
pub fn coins(count: i64) -> coinguard::domain::LimitAmount {
    coinguard::domain::LimitAmount::Coins(coinguard::money::Coins::from_i64(count).unwrap())
}
