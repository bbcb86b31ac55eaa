//! Editing the database behind coinguard's back, as someone with the `sqlite3`
//! shell would (dropping the append-only triggers first), must be caught.

use rusqlite::Connection;

use crate::support::{Household, committed};

fn household_with_history() -> Household {
    let mut h = Household::new();
    committed(h.buy("Sam", "coins-350", None)); // #1
    committed(h.gift("Sam", "Ana", "hand-hearts", 1, None)); // #2
    committed(h.grant("Lee", 50)); // #3
    committed(h.buy("Lee", "coins-70", None)); // #4
    assert_eq!(h.verify_problem(), None);
    h
}

/// Opens the file directly and drops every trigger, like an attacker.
fn attacker(h: &Household) -> Connection {
    let conn = Connection::open(h.path()).unwrap();
    conn.execute_batch("PRAGMA foreign_keys = OFF").unwrap();
    let triggers: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for name in triggers {
        conn.execute_batch(&format!("DROP TRIGGER {name}")).unwrap();
    }
    conn
}

#[test]
fn the_ledger_refuses_plain_updates_and_deletes() {
    let h = household_with_history();
    let conn = Connection::open(h.path()).unwrap();
    for sql in [
        "UPDATE postings SET amount = 1 WHERE id = 1",
        "DELETE FROM transactions WHERE id = 4",
        "UPDATE lots SET coins = 1",
        "DELETE FROM lot_moves",
    ] {
        let err = conn.execute_batch(sql).unwrap_err().to_string();
        assert!(err.contains("append-only"), "{sql}: {err}");
    }
}

#[test]
fn every_kind_of_edit_is_named_by_verify() {
    let cases: &[(&str, &str)] = &[
        (
            "UPDATE postings SET amount = amount + 1 WHERE id = 1",
            "transaction #1 (purchase, 2026-03-02 15:01:00 UTC): its contents do not match its hash",
        ),
        (
            "UPDATE transactions SET memo = 'x' WHERE id = 3",
            "transaction #3 (grant, 2026-03-02 15:03:00 UTC): its contents do not match its hash",
        ),
        (
            "UPDATE transactions SET at_us = at_us - 1 WHERE id = 2",
            "transaction #2 (gift",
        ),
        (
            "UPDATE lots SET cost_micros = 0 WHERE id = 1",
            "transaction #1 (purchase",
        ),
        (
            "UPDATE lot_moves SET cost_micros = 0",
            "transaction #2 (gift",
        ),
        (
            "UPDATE accounts SET name = 'member:9:wallet' WHERE name = 'member:2:wallet'",
            "transaction #1 (purchase",
        ),
        (
            "DELETE FROM transactions WHERE id = 2",
            "transaction #3 (grant, 2026-03-02 15:03:00 UTC): it does not follow the transaction before it",
        ),
        (
            "DELETE FROM postings WHERE id = 2",
            "transaction #1 (purchase",
        ),
        (
            "INSERT INTO postings (tx_id, account_id, amount) VALUES (99, 1, 5)",
            "rows belonging to transaction #99: there is no such transaction",
        ),
        (
            "DELETE FROM postings WHERE tx_id = 4; DELETE FROM lots WHERE tx_id = 4; DELETE FROM open_lots WHERE lot_id = 3; DELETE FROM transactions WHERE id = 4",
            "rows belonging to transaction #4: there is no such transaction: rows were added outside coinguard, or the newest transactions were removed",
        ),
        (
            "UPDATE balances SET balance = 9999 WHERE account_id = 4",
            "account member:2:wallet: its stored balance is 9999 COIN but its postings add up to 250 COIN",
        ),
        (
            "UPDATE open_lots SET remaining = remaining + 1",
            "coin lot 1: it should hold 250 coins but the open-lot record says 251",
        ),
        (
            "UPDATE decisions SET summary = 'Sam bought nothing' WHERE id = 2",
            "decision #2 (allow gift by member 2): its contents do not match its hash",
        ),
        (
            "DELETE FROM decisions WHERE id = 1",
            "decision #2 (allow gift by member 2): it does not follow the decision before it",
        ),
        (
            "DELETE FROM guardian_actions WHERE id = 1",
            "guardian action #2 (household_found Maria): it does not follow the action before it",
        ),
        (
            "UPDATE guardian_actions SET after = 'nothing happened' WHERE action = 'grant'",
            "guardian action #10 (grant Lee): its contents do not match its hash",
        ),
        (
            "UPDATE spend_buckets SET purchase_micros = 0",
            "the spending totals: the hour bucket",
        ),
        (
            "UPDATE wallet_costs SET cost_micros = cost_micros + 1",
            "the wallet cost of member 2: it says",
        ),
        (
            "UPDATE spend_events SET creator_id = NULL",
            "transaction #2 (gift, 2026-03-02 15:02:00 UTC): its record in the spending totals does not match it",
        ),
        (
            "DELETE FROM spend_events",
            "transaction #1 (purchase, 2026-03-02 15:01:00 UTC): its record in the spending totals does not match it",
        ),
    ];
    // Every case runs; the failures are listed together.
    let mut wrong = Vec::new();
    for (sql, expected) in cases {
        let h = household_with_history();
        attacker(&h).execute_batch(sql).unwrap();
        let problem = h
            .verify_problem()
            .unwrap_or_else(|| format!("nothing found after {sql}"));
        if !problem.contains(expected) {
            wrong.push(format!(
                "after {sql}\nexpected: {expected}\n     got: {problem}"
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n\n"));
}
