//! The value a policy write takes: proof that a guardian's PIN was checked,
//! for one action. Only `auth` makes one (it holds the PIN hashing), right
//! after the PIN matched; the ledger's policy writes (members, PINs, limits,
//! quiet hours, creator lists, alerts) accept nothing else, as `append`
//! accepts only the guard's `Cleared`.

//!
//! The pass also carries the guardian's seal key, derived from the PIN by
//! `auth` when it matched: every write the pass is shown to ends with that
//! guardian's seal (see [`super::seal`]).

use super::seal::SealKey;
use crate::domain::Member;

/// Proof that a guardian entered their PIN for one action. Not `Clone`:
/// each guardian action consumes one, so no earlier PIN entry authorises
/// anything else.
#[derive(Debug)]
pub struct GuardianPass {
    guardian: Member,
    seal: SealKey,
}

impl GuardianPass {
    /// For `auth` only, once the guardian's PIN matched their stored hash
    /// and the seal key was derived from it. (A source test pins that
    /// `auth` is its only caller.)
    pub(crate) fn after_pin_matched(guardian: Member, seal: SealKey) -> GuardianPass {
        GuardianPass { guardian, seal }
    }

    pub fn guardian(&self) -> &Member {
        &self.guardian
    }

    /// The key this guardian's seals are made with (never shown).
    pub fn seal_key(&self) -> &SealKey {
        &self.seal
    }
}

#[cfg(test)]
mod tests {
    /// Only `auth` mints a pass: every other file that names the
    /// constructor would be a way around the PIN.
    #[test]
    fn only_auth_makes_a_guardian_pass() {
        fn walk(dir: &std::path::Path, found: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    walk(&path, found);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    let text = std::fs::read_to_string(&path).unwrap_or_default();
                    if text.contains(concat!("after_pin_", "matched(")) {
                        found.push(path.display().to_string());
                    }
                }
            }
        }
        let mut found = Vec::new();
        walk(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut found,
        );
        found.sort();
        assert_eq!(
            found,
            ["/auth/mod.rs", "/ledger/pass.rs"]
                .map(|f| format!("{}/src{f}", env!("CARGO_MANIFEST_DIR")))
        );
    }
}
