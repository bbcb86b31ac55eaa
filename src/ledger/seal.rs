//! Guardian-sealed checkpoints. When a guardian acts, their PIN is in hand:
//! `auth` derives a key from it (argon2id with a salt of the key's own,
//! stored here with its parameters; the key itself is never stored, and the
//! stored PIN hash is not it), and the write that carries out the action
//! ends with a **seal**: the length and head hash of each chain (ledger,
//! decisions, guardian actions) and a digest of the policy tables, chained
//! to the seal before it and authenticated with HMAC-SHA-256 under that key.
//!
//! Without the PIN nobody can make a seal that checks, so `verify` with the
//! PIN finds any sealed entry changed, removed, inserted or reordered, any
//! sealed chain cut short, and any chain recomputed. What comes after a
//! guardian's last seal is only as good as the file's owner.
//!
//! `verify` also leaves a **mark** here when it found nothing wrong: the
//! point it verified up to and what it needs to carry on from there (sealed
//! when a guardian's PIN was given), so the next verify reads only what is
//! new.

use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};

use super::LedgerError;
use super::chain::{Canonical, GENESIS_HASH};
use crate::domain::MemberId;

/// HMAC-SHA-256 (RFC 2104).
pub(crate) fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    const BLOCK: usize = 64;
    let mut block = [0u8; BLOCK];
    if key.len() > BLOCK {
        let digest = Sha256::digest(key);
        block[..digest.len()].copy_from_slice(&digest);
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let mut inner = Sha256::new();
    inner.update(block.map(|b| b ^ 0x36));
    inner.update(message);
    let inner = inner.finalize();
    let mut outer = Sha256::new();
    outer.update(block.map(|b| b ^ 0x5c));
    outer.update(inner);
    let mut out = [0u8; 32];
    out.copy_from_slice(&outer.finalize());
    out
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Compares two hex MACs without stopping at the first difference.
fn same_mac(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// How a seal key is derived: argon2id parameters and the salt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRecipe {
    pub salt: Vec<u8>,
    pub memory_kib: u32,
    pub passes: u32,
    pub lanes: u32,
}

/// A guardian's seal key, derived from their PIN. The bytes never leave
/// this process: not stored, not logged, not printed.
#[derive(Clone)]
pub struct SealKey {
    id: i64,
    guardian: MemberId,
    key: [u8; 32],
}

impl std::fmt::Debug for SealKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SealKey")
            .field("id", &self.id)
            .field("guardian", &self.guardian)
            .field("key", &"<hidden>")
            .finish()
    }
}

impl SealKey {
    pub fn id(&self) -> i64 {
        self.id
    }

    pub fn guardian(&self) -> MemberId {
        self.guardian
    }

    fn mac(&self, message: &[u8]) -> String {
        hex(&hmac_sha256(&self.key, message))
    }
}

/// A key as stored: its recipe and a check value (an HMAC under the key of
/// the guardian and the recipe), so a PIN can be told to open it or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRecord {
    pub id: i64,
    pub guardian: MemberId,
    pub recipe: KeyRecipe,
    pub check: String,
    pub created_at_us: i64,
}

fn check_message(guardian: MemberId, recipe: &KeyRecipe) -> Vec<u8> {
    let mut c = Canonical::new("coinguard-seal-key-v1");
    c.int(guardian.0)
        .text(&hex(&recipe.salt))
        .int(i64::from(recipe.memory_kib))
        .int(i64::from(recipe.passes))
        .int(i64::from(recipe.lanes));
    c.link("").into_bytes()
}

impl KeyRecord {
    /// The key, if `derived` (what the PIN gives with this recipe) opens it.
    pub fn open(&self, derived: [u8; 32]) -> Option<SealKey> {
        let check = hex(&hmac_sha256(
            &derived,
            &check_message(self.guardian, &self.recipe),
        ));
        same_mac(&check, &self.check).then_some(SealKey {
            id: self.id,
            guardian: self.guardian,
            key: derived,
        })
    }
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if text.len() % 2 != 0 {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// A guardian's seal keys, newest first.
pub fn seal_keys_of(conn: &Connection, guardian: MemberId) -> Result<Vec<KeyRecord>, LedgerError> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, salt, memory_kib, passes, lanes, check_mac, created_at_us FROM seal_keys
         WHERE guardian_id = ?1 ORDER BY id DESC",
    )?;
    let rows = stmt.query_map([guardian.0], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, u32>(2)?,
            r.get::<_, u32>(3)?,
            r.get::<_, u32>(4)?,
            r.get::<_, String>(5)?,
            r.get::<_, i64>(6)?,
        ))
    })?;
    let mut keys = Vec::new();
    for row in rows {
        let (id, salt, memory_kib, passes, lanes, check, created_at_us) = row?;
        // A salt that is not hex cannot open with any PIN: kept, so the
        // seals made with it are named as unverifiable, not skipped.
        keys.push(KeyRecord {
            id,
            guardian,
            recipe: KeyRecipe {
                salt: unhex(&salt).unwrap_or_default(),
                memory_kib,
                passes,
                lanes,
            },
            check,
            created_at_us,
        });
    }
    Ok(keys)
}

/// Records a new seal key for `guardian` made from `derived` (the PIN's
/// argon2id output with `recipe`), in the caller's write; returns the key.
pub(crate) fn add_seal_key(
    conn: &Connection,
    guardian: MemberId,
    recipe: &KeyRecipe,
    derived: [u8; 32],
    now_us: i64,
) -> Result<SealKey, LedgerError> {
    let check = hex(&hmac_sha256(&derived, &check_message(guardian, recipe)));
    conn.prepare_cached(
        "INSERT INTO seal_keys (guardian_id, salt, memory_kib, passes, lanes, check_mac, created_at_us)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        guardian.0,
        hex(&recipe.salt),
        recipe.memory_kib,
        recipe.passes,
        recipe.lanes,
        check,
        now_us
    ])?;
    Ok(SealKey {
        id: conn.last_insert_rowid(),
        guardian,
        key: derived,
    })
}

/// The chains a seal covers, in the order they are recorded.
pub const CHAINS: [&str; 3] = ["transactions", "decisions", "guardian_actions"];

/// A chain's length (its newest id: ids run 1, 2, 3...) and head hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    pub len: i64,
    pub hash: String,
}

impl Head {
    pub fn genesis() -> Head {
        Head {
            len: 0,
            hash: GENESIS_HASH.to_string(),
        }
    }
}

/// The newest entry of each chain, as stored.
pub(crate) fn heads(conn: &Connection) -> Result<[Head; 3], LedgerError> {
    let head = |table| head_of(conn, table);
    Ok([head(CHAINS[0])?, head(CHAINS[1])?, head(CHAINS[2])?])
}

/// The head of the chain kept in `table` (one of [`CHAINS`]): its newest
/// entry's id and hash, or the genesis head when it has none. The next
/// entry of that chain links on to it.
pub(crate) fn head_of(conn: &Connection, table: &str) -> Result<Head, LedgerError> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT id, hash FROM {table} ORDER BY id DESC LIMIT 1"
        ))?
        .query_row([], |r| {
            Ok(Head {
                len: r.get(0)?,
                hash: r.get(1)?,
            })
        })
        .optional()?
        .unwrap_or_else(Head::genesis))
}

/// What kind of seal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SealKind {
    /// Made at the end of a guardian's action.
    Action,
    /// Left by `verify`: everything up to here checked out.
    Verified,
}

impl SealKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SealKind::Action => "action",
            SealKind::Verified => "verified",
        }
    }

    fn parse(text: &str) -> Option<SealKind> {
        match text {
            "action" => Some(SealKind::Action),
            "verified" => Some(SealKind::Verified),
            _ => None,
        }
    }
}

/// One seal as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seal {
    pub id: i64,
    pub at_us: i64,
    pub guardian: Option<MemberId>,
    pub key_id: Option<i64>,
    /// `None`: a kind coinguard does not write (a changed row).
    pub kind: Option<SealKind>,
    pub kind_text: String,
    /// Transactions, decisions, guardian actions.
    pub heads: [Head; 3],
    pub policy_digest: String,
    /// A verify mark's state (JSON); `None` for an action's seal.
    pub state: Option<String>,
    pub prev_hash: String,
    pub hash: String,
    pub mac: Option<String>,
}

impl Seal {
    /// The hash over everything the seal says, chained after `prev`.
    pub fn computed_hash(&self, prev: &str) -> String {
        let mut c = Canonical::new("coinguard-seal-v1");
        c.int(self.id)
            .int(self.at_us)
            .opt_int(self.guardian.map(|g| g.0))
            .opt_int(self.key_id)
            .text(&self.kind_text);
        for head in &self.heads {
            c.int(head.len).text(&head.hash);
        }
        c.text(&self.policy_digest).opt_text(self.state.as_deref());
        c.link(prev)
    }

    /// Whether `key` made this seal's MAC.
    pub fn made_with(&self, key: &SealKey) -> bool {
        self.key_id == Some(key.id)
            && self.guardian == Some(key.guardian)
            && self
                .mac
                .as_deref()
                .is_some_and(|mac| same_mac(mac, &key.mac(&mac_message(&self.hash))))
    }
}

fn mac_message(hash: &str) -> Vec<u8> {
    let mut c = Canonical::new("coinguard-seal-mac-v1");
    c.text(hash);
    c.link("").into_bytes()
}

const SEAL_COLUMNS: &str = "id, at_us, guardian_id, key_id, kind, tx_len, tx_head, dec_len, dec_head, ga_len, ga_head, policy_digest, state, prev_hash, hash, mac";

fn seal_of(r: &rusqlite::Row<'_>) -> rusqlite::Result<Seal> {
    let kind_text: String = r.get(4)?;
    Ok(Seal {
        id: r.get(0)?,
        at_us: r.get(1)?,
        guardian: r.get::<_, Option<i64>>(2)?.map(MemberId),
        key_id: r.get(3)?,
        kind: SealKind::parse(&kind_text),
        kind_text,
        heads: [
            Head {
                len: r.get(5)?,
                hash: r.get(6)?,
            },
            Head {
                len: r.get(7)?,
                hash: r.get(8)?,
            },
            Head {
                len: r.get(9)?,
                hash: r.get(10)?,
            },
        ],
        policy_digest: r.get(11)?,
        state: r.get(12)?,
        prev_hash: r.get(13)?,
        hash: r.get(14)?,
        mac: r.get(15)?,
    })
}

/// Every seal, oldest first.
pub fn all_seals(conn: &Connection) -> Result<Vec<Seal>, LedgerError> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {SEAL_COLUMNS} FROM seals ORDER BY id"))?;
    let seals = stmt.query_map([], seal_of)?.collect::<Result<_, _>>()?;
    Ok(seals)
}

/// The newest two seals, newest first (for the check at open).
pub(crate) fn newest_seals(conn: &Connection) -> Result<Vec<Seal>, LedgerError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {SEAL_COLUMNS} FROM seals ORDER BY id DESC LIMIT 2"
    ))?;
    let seals = stmt.query_map([], seal_of)?.collect::<Result<_, _>>()?;
    Ok(seals)
}

/// What a new seal records.
pub(crate) struct NewSeal<'a> {
    pub at_us: i64,
    pub kind: SealKind,
    pub heads: [Head; 3],
    pub policy_digest: String,
    pub state: Option<String>,
    pub key: Option<&'a SealKey>,
}

/// Appends a seal to the seal chain, with its MAC when a key is given.
pub(crate) fn append_seal(conn: &Connection, new: NewSeal<'_>) -> Result<i64, LedgerError> {
    let (prev_id, prev_hash): (i64, String) = conn
        .prepare_cached("SELECT id, hash FROM seals ORDER BY id DESC LIMIT 1")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .unwrap_or((0, GENESIS_HASH.to_string()));
    let mut seal = Seal {
        id: prev_id + 1,
        at_us: new.at_us,
        guardian: new.key.map(|k| k.guardian),
        key_id: new.key.map(|k| k.id),
        kind: Some(new.kind),
        kind_text: new.kind.as_str().to_string(),
        heads: new.heads,
        policy_digest: new.policy_digest,
        state: new.state,
        prev_hash: prev_hash.clone(),
        hash: String::new(),
        mac: None,
    };
    seal.hash = seal.computed_hash(&prev_hash);
    seal.mac = new.key.map(|k| k.mac(&mac_message(&seal.hash)));
    let [t, d, g] = &seal.heads;
    conn.prepare_cached(&format!(
        "INSERT INTO seals ({SEAL_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)"
    ))?
    .execute(params![
        seal.id,
        seal.at_us,
        seal.guardian.map(|g| g.0),
        seal.key_id,
        seal.kind_text,
        t.len,
        t.hash,
        d.len,
        d.hash,
        g.len,
        g.hash,
        seal.policy_digest,
        seal.state,
        seal.prev_hash,
        seal.hash,
        seal.mac
    ])?;
    Ok(seal.id)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 4231 test cases 1, 2 and 6 (a key longer than a block).
    #[test]
    fn hmac_matches_rfc_4231() {
        assert_eq!(
            hex(&hmac_sha256(&[0x0b; 20], b"Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
        );
        assert_eq!(
            hex(&hmac_sha256(b"Jefe", b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert_eq!(
            hex(&hmac_sha256(
                &[0xaa; 131],
                b"Test Using Larger Than Block-Size Key - Hash Key First"
            )),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn a_key_opens_only_with_what_made_it() {
        let recipe = KeyRecipe {
            salt: vec![1, 2, 3],
            memory_kib: 8,
            passes: 1,
            lanes: 1,
        };
        let derived = [7u8; 32];
        let record = KeyRecord {
            id: 1,
            guardian: MemberId(1),
            check: hex(&hmac_sha256(&derived, &check_message(MemberId(1), &recipe))),
            recipe,
            created_at_us: 0,
        };
        assert!(record.open(derived).is_some());
        assert!(record.open([8u8; 32]).is_none());
        let moved = KeyRecord {
            guardian: MemberId(2),
            ..record
        };
        assert!(
            moved.open(derived).is_none(),
            "a key row moved to another guardian"
        );
        let key = KeyRecord {
            guardian: MemberId(1),
            ..moved
        }
        .open(derived)
        .unwrap();
        let shown = format!("{key:?}");
        assert!(
            shown.contains("<hidden>") && !shown.contains("7, 7"),
            "{shown}"
        );
    }

    #[test]
    fn hex_round_trips() {
        assert_eq!(unhex(&hex(&[0, 1, 254, 255])), Some(vec![0, 1, 254, 255]));
        assert_eq!(unhex("abc"), None);
        assert_eq!(unhex("zz"), None);
    }
}
