//! Linking OS accounts to members (who may use the household service as
//! whom) and the household settings: guardian actions, each with a PIN and
//! a line in the guardian-action log with before and after.

use crate::auth::GuardianPass;
use crate::domain::Clock;
use crate::ledger::{self, Setting, Store};

use super::ServiceError;
use super::policy::{Change, record};

/// An OS account name as the system spells it: what `useradd` accepts and
/// a little more (other systems allow capitals and dots), nothing a
/// terminal would act on.
pub fn parse_os_user(text: &str) -> Result<String, ServiceError> {
    let ok = !text.is_empty()
        && text.chars().count() <= ledger::MAX_OS_USER_CHARS
        && !text.starts_with('-')
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '$'));
    if ok {
        Ok(text.to_string())
    } else {
        Err(ServiceError::BadOsUser {
            given: text.chars().take(80).filter(|c| !c.is_control()).collect(),
        })
    }
}

/// Lets OS account `os_user` act as `member` through the household service.
/// Linking again changes nothing (and says so: `before` is the link).
pub fn link_account(
    store: &mut Store,
    clock: &dyn Clock,
    pass: GuardianPass,
    member: &str,
    os_user: &str,
) -> Result<Change<String>, ServiceError> {
    let os_user = parse_os_user(os_user)?;
    let (by, actor) = (pass.guardian().name.clone(), pass.guardian().id);
    store.write(clock, |w| {
        let member = ledger::find_member(w.sql(), member)?;
        let link = format!("OS account {os_user} acts as {}", member.name);
        let added = ledger::link_account(w, &pass, member.id, &os_user)?;
        let before = (!added).then(|| link.clone());
        record(
            w,
            actor,
            "account_link",
            member.name.to_string(),
            before.clone().unwrap_or_else(|| "(not linked)".into()),
            link.clone(),
        )?;
        Ok(Change {
            by,
            before,
            after: Some(link),
        })
    })
}

/// Takes a link away: that OS account can no longer act as `member`.
pub fn unlink_account(
    store: &mut Store,
    clock: &dyn Clock,
    pass: GuardianPass,
    member: &str,
    os_user: &str,
) -> Result<Change<String>, ServiceError> {
    let os_user = parse_os_user(os_user)?;
    let (by, actor) = (pass.guardian().name.clone(), pass.guardian().id);
    store.write(clock, |w| {
        let member = ledger::find_member(w.sql(), member)?;
        if !ledger::unlink_account(w, &pass, member.id, &os_user)? {
            return Err(ServiceError::NotLinked {
                member: member.name.to_string(),
                os_user: os_user.clone(),
            });
        }
        let link = format!("OS account {os_user} acts as {}", member.name);
        record(
            w,
            actor,
            "account_unlink",
            member.name.to_string(),
            link.clone(),
            "(not linked)".into(),
        )?;
        Ok(Change {
            by,
            before: Some(link),
            after: None,
        })
    })
}

/// Turns "approve in person" on or off: whether a guardian may act from
/// another member's OS account by typing their PIN there.
pub fn set_approve_in_person(
    store: &mut Store,
    clock: &dyn Clock,
    pass: GuardianPass,
    on: bool,
) -> Result<Change<bool>, ServiceError> {
    let (by, actor) = (pass.guardian().name.clone(), pass.guardian().id);
    let words = |on: bool| if on { "on" } else { "off" }.to_string();
    store.write(clock, |w| {
        let before = ledger::set_setting(w, &pass, Setting::ApproveInPerson, on)?;
        record(
            w,
            actor,
            "setting_set",
            "approve in person".into(),
            words(before),
            words(on),
        )?;
        Ok(Change {
            by,
            before: Some(before),
            after: Some(on),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn os_account_names_are_what_systems_allow() {
        for good in ["sam", "maria.k", "kid_2", "Jon-Doe", "host$"] {
            assert_eq!(parse_os_user(good).ok().as_deref(), Some(good));
        }
        for bad in [
            "",
            "-rf",
            "sam smith",
            "sam\u{1b}[2J",
            "ñu",
            &"a".repeat(65),
        ] {
            assert!(
                matches!(parse_os_user(bad), Err(ServiceError::BadOsUser { .. })),
                "{bad:?}"
            );
        }
    }
}
