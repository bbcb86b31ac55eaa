//! The value a policy write takes: proof that a guardian's PIN was checked,
//! for one action. Only `auth` makes one (it holds the PIN hashing), right
//! after the PIN matched; the ledger's policy writes (members, PINs, limits,
//! quiet hours, creator lists, alerts) accept nothing else, as `append`
//! accepts only the guard's `Cleared`.

use crate::domain::Member;

/// Proof that a guardian entered their PIN for one action. Not `Clone`:
/// each guardian action consumes one, so no earlier PIN entry authorises
/// anything else.
#[derive(Debug)]
pub struct GuardianPass {
    guardian: Member,
}

impl GuardianPass {
    /// For `auth` only, once the guardian's PIN matched their stored hash.
    /// (A source test pins that `auth` is its only caller.)
    pub(crate) fn after_pin_matched(guardian: Member) -> GuardianPass {
        GuardianPass { guardian }
    }

    pub fn guardian(&self) -> &Member {
        &self.guardian
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
