//! Hash chains: `hash = SHA-256(prev_hash ‖ canonical bytes)`. The canonical
//! bytes are length-prefixed fields, so no two different entries share them.
//! Ledger transactions use this now; the decision and guardian-action logs
//! chain the same way.

use sha2::{Digest, Sha256};

/// The `prev_hash` of the first entry of every chain.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Builds canonical bytes field by field.
#[derive(Default)]
pub(crate) struct Canonical(Vec<u8>);

impl Canonical {
    pub fn new(tag: &str) -> Canonical {
        // A purchase's transaction takes about 400 bytes: one allocation.
        let mut c = Canonical(Vec::with_capacity(512));
        c.text(tag);
        c
    }

    pub fn text(&mut self, value: &str) -> &mut Self {
        self.bytes(value.as_bytes())
    }

    /// An integer as its decimal text (what `to_string` gives, which every
    /// hash so far was made with), written without an allocation: a commit
    /// hashes a few dozen of them.
    pub fn int(&mut self, value: i64) -> &mut Self {
        self.bytes(itoa::Buffer::new().format(value).as_bytes())
    }

    /// The same for an unsigned integer.
    pub fn uint(&mut self, value: u64) -> &mut Self {
        self.bytes(itoa::Buffer::new().format(value).as_bytes())
    }

    fn bytes(&mut self, value: &[u8]) -> &mut Self {
        self.0
            .extend_from_slice(&(value.len() as u64).to_be_bytes());
        self.0.extend_from_slice(value);
        self
    }

    pub fn opt_int(&mut self, value: Option<i64>) -> &mut Self {
        match value {
            Some(v) => self.int(v),
            None => self.text("-"),
        }
    }

    pub fn opt_text(&mut self, value: Option<&str>) -> &mut Self {
        match value {
            // Prefixed so Some("-") and None differ: the field is "+v".
            Some(v) => {
                self.0
                    .extend_from_slice(&(v.len() as u64 + 1).to_be_bytes());
                self.0.push(b'+');
                self.0.extend_from_slice(v.as_bytes());
                self
            }
            None => self.text("-"),
        }
    }

    /// Links these bytes after `prev_hash`.
    pub fn link(&self, prev_hash: &str) -> String {
        let mut hasher = Sha256::new();
        hasher.update(prev_hash.as_bytes());
        hasher.update(&self.0);
        to_hex(&hasher.finalize())
    }
}

fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    out.extend(
        bytes
            .iter()
            .flat_map(|&b| [DIGITS[usize::from(b >> 4)], DIGITS[usize::from(b & 0x0f)]])
            .map(char::from),
    );
    out
}

/// The fields of a ledger transaction that its hash covers. Built the same way
/// when appending and when verifying, so the two cannot drift apart.
pub(crate) struct TxFields<'a> {
    pub id: i64,
    pub key: Option<&'a str>,
    pub fingerprint: &'a str,
    pub at_us: i64,
    pub kind: &'a str,
    pub actor: i64,
    pub member: i64,
    pub counterparty: Option<i64>,
    pub memo: &'a str,
    pub detail: &'a str,
    pub catalog_version: i64,
    pub reverses: Option<i64>,
    /// (account name, unit code, amount), in posting order.
    pub postings: &'a [(&'a str, &'a str, i64)],
    /// (member, coins, cost micros), in lot order.
    pub lots: &'a [(i64, i64, i64)],
    /// (lot id, coins, cost micros), in move order.
    pub moves: &'a [(i64, i64, i64)],
}

impl TxFields<'_> {
    pub fn hash(&self, prev_hash: &str) -> String {
        let mut c = Canonical::new("coinguard-tx-v1");
        c.int(self.id)
            .opt_text(self.key)
            .text(self.fingerprint)
            .int(self.at_us)
            .text(self.kind)
            .int(self.actor)
            .int(self.member)
            .opt_int(self.counterparty)
            .text(self.memo)
            .text(self.detail)
            .int(self.catalog_version)
            .opt_int(self.reverses);
        c.int(self.postings.len() as i64);
        for (account, unit, amount) in self.postings {
            c.text(account).text(unit).int(*amount);
        }
        c.int(self.lots.len() as i64);
        for (member, coins, cost) in self.lots {
            c.int(*member).int(*coins).int(*cost);
        }
        c.int(self.moves.len() as i64);
        for (lot, coins, cost) in self.moves {
            c.int(*lot).int(*coins).int(*cost);
        }
        c.link(prev_hash)
    }
}

/// One part of a request's fingerprint.
#[derive(Debug, Clone, Copy)]
pub enum Part<'a> {
    Text(&'a str),
    /// Hashed as its decimal text, as when every part was text.
    Int(i64),
    UInt(u64),
}

/// A request's fingerprint: the same request always gives the same one, so a
/// replayed idempotency key can be told from a reused one.
pub fn fingerprint(parts: &[Part<'_>]) -> String {
    let mut c = Canonical::new("coinguard-request-v1");
    for part in parts {
        match *part {
            Part::Text(text) => c.text(text),
            Part::Int(value) => c.int(value),
            Part::UInt(value) => c.uint(value),
        };
    }
    c.link("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_boundaries_matter() {
        let mut a = Canonical::new("t");
        a.text("ab").text("c");
        let mut b = Canonical::new("t");
        b.text("a").text("bc");
        assert_ne!(a.link(GENESIS_HASH), b.link(GENESIS_HASH));
        let mut none = Canonical::new("t");
        none.opt_text(None);
        let mut dash = Canonical::new("t");
        dash.opt_text(Some("-"));
        assert_ne!(none.link(GENESIS_HASH), dash.link(GENESIS_HASH));
    }

    #[test]
    fn fields_are_encoded_as_every_stored_hash_was_made() {
        // How `int` and `opt_text` wrote their fields before they stopped
        // allocating: stored hashes depend on these exact bytes.
        for value in [0, 7, -7, 10, 99, 1_000_000, -1_000_000, i64::MAX, i64::MIN] {
            let mut fast = Canonical::new("t");
            fast.int(value);
            let mut plain = Canonical::new("t");
            plain.text(&value.to_string());
            assert_eq!(fast.0, plain.0, "{value}");
        }
        for value in [0, 9, u64::MAX] {
            let mut fast = Canonical::new("t");
            fast.uint(value);
            let mut plain = Canonical::new("t");
            plain.text(&value.to_string());
            assert_eq!(fast.0, plain.0, "{value}");
        }
        for value in ["", "-", "key-1", "ключ"] {
            let mut fast = Canonical::new("t");
            fast.opt_text(Some(value));
            let mut plain = Canonical::new("t");
            plain.text(&format!("+{value}"));
            assert_eq!(fast.0, plain.0, "{value}");
        }
    }

    proptest::proptest! {
        #[test]
        fn any_integer_is_its_decimal_text(value: i64, unsigned: u64) {
            let mut fast = Canonical::new("t");
            fast.int(value).uint(unsigned);
            let mut plain = Canonical::new("t");
            plain.text(&value.to_string()).text(&unsigned.to_string());
            proptest::prop_assert_eq!(fast.0, plain.0);
        }
    }

    #[test]
    fn a_fingerprint_is_the_same_whether_its_numbers_come_as_text() {
        assert_eq!(
            fingerprint(&[Part::Text("purchase"), Part::Int(-3), Part::UInt(u64::MAX)]),
            fingerprint(&[
                Part::Text("purchase"),
                Part::Text("-3"),
                Part::Text(&u64::MAX.to_string())
            ])
        );
    }

    #[test]
    fn hash_is_sha256_hex() {
        let c = Canonical(Vec::new());
        // SHA-256 of the 64 ASCII zeros of the genesis hash.
        assert_eq!(c.link(GENESIS_HASH).len(), 64);
        assert_eq!(
            c.link(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
