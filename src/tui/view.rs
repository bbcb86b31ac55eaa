//! Loading the view model of the screen in front: what every screen reads
//! first (the household's currency, zone, clock and prices; who is signed
//! in), then the screen's own load, from its module in `screens/`. Loaded
//! when the screen opens, and again only when the household's version
//! moves. The view model's types are in `model`, re-exported here.

pub use super::model::*;

use super::screen::Screen;
use crate::api::reply::{CatalogView, HouseholdView, MembersView, WalletView};
use crate::api::{ApiError, Call};
use crate::client::Household;
use crate::domain::Role;

/// Loads what `screen` shows for `who` (none: the pick screen), and
/// nothing else: one screen's calls, all reads and previews, no writes.
pub fn load(
    h: &mut Household<'_>,
    who: Option<&Who>,
    screen: Screen,
    choice: &Selection,
) -> Result<ViewModel, ApiError> {
    let house: HouseholdView = h.ask(Call::Household)?;
    let catalog: CatalogView = h.ask(Call::Catalog)?;
    let economy = economy_of(&catalog)?;
    let tz = crate::domain::parse_timezone(&house.timezone)?;
    let mut vm = ViewModel {
        currency: house.currency.clone(),
        economy: Some(economy.clone()),
        today: Some(house.today),
        creators: house.creators.clone(),
        demo_pin: house.demo_pin.as_deref().map(shown),
        service: house.service,
        ..Default::default()
    };
    // What every screen of who is signed in shows: a guardian's list of
    // everyone; a member's own wallet (their line, whom gifts can go to).
    let mut wallet = None;
    let screen = match who {
        None => Screen::Pick,
        Some((_, _, Role::Guardian)) => {
            let members: MembersView = h.ask(Call::Members)?;
            vm.members = members.members.iter().map(member_line).collect();
            vm.guardian = Some(GuardianView::default());
            screen
        }
        Some((_, name, _)) => {
            let mine: WalletView = h.ask(Call::Wallet {
                member: name.clone(),
            })?;
            let me = member_line(&mine.member);
            vm.members = vec![me.clone()];
            vm.member = Some(MemberView {
                me,
                creators: house
                    .creators
                    .iter()
                    .filter(|c| *c != name)
                    .cloned()
                    .collect(),
                ..Default::default()
            });
            wallet = Some(mine);
            screen
        }
    };
    let basis = Basis { house, economy, tz };
    let mut loading = Loading {
        h,
        basis: &basis,
        who,
        choice,
        wallet: wallet.as_ref(),
    };
    (super::screens::of(screen).load)(&mut loading, &mut vm)?;
    Ok(vm)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::call::Spend;
    use crate::api::reply::AgeRules as Band;
    use crate::api::reply::{RequestsView, RulesView, SpendView};
    use crate::domain::{RequestStatus, Scope, Window};

    #[test]
    fn the_chart_steps_back_fourteen_days_at_a_time() {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
        let day = |m, d| chrono::NaiveDate::from_ymd_opt(2026, m, d).unwrap();
        assert_eq!(chart_days(today, 0), (day(2, 17), day(3, 2)));
        assert_eq!(chart_days(today, 1), (day(2, 3), day(2, 16)));
        assert_eq!(chart_days(today, 2), (day(1, 20), day(2, 2)));
    }

    fn rules(name: &str, age: Option<u32>, band: Option<Band>) -> RulesView {
        RulesView {
            member: name.into(),
            age,
            age_rules: band,
            limits: Vec::new(),
            quiet_hours: None,
            creators: Vec::new(),
            unknown_creators: Verdict::NeedsApproval,
            all_creators: Vec::new(),
        }
    }

    #[test]
    fn age_rules_say_what_an_age_allows_before_any_limit() {
        let (allow, ask, deny) = (Verdict::Allow, Verdict::NeedsApproval, Verdict::Deny);
        let band = |purchase, gift, redeem| Band {
            purchase,
            gift,
            redeem,
        };
        let kim = age_rules("Kim", &rules("Kim", Some(12), Some(band(deny, deny, deny))));
        assert_eq!(
            kim.text,
            "Age rules: Kim is 12: purchases refused, gifts refused, cashing out refused"
        );
        assert!(kim.refuses);
        let sam = age_rules("Sam", &rules("Sam", Some(14), Some(band(ask, ask, deny))));
        assert_eq!(
            sam.text,
            "Age rules: Sam is 14: purchases need approval, gifts need approval, cashing out refused"
        );
        assert!(!sam.refuses, "spending is not refused, only asked for");
        let alex = age_rules(
            "Alex",
            &rules("Alex", Some(19), Some(band(allow, allow, allow))),
        );
        assert!(alex.text.contains("19: purchases allowed"));
        let none = age_rules("Jo", &rules("Jo", None, None));
        assert!(none.text.contains("no birthdate"));
    }

    use super::super::effects::tests::{PIN, add, clock, gift, grant_and_allow, household};
    use crate::api::call::GuardianAuth;

    fn auth() -> GuardianAuth {
        GuardianAuth {
            guardian: Some("Maria".into()),
            pin: PIN.into(),
        }
    }

    fn who(h: &mut Household<'_>, name: &str, role: Role) -> Who {
        let members: MembersView = h.ask(Call::Members).unwrap();
        let id = members
            .members
            .iter()
            .find(|m| m.name == name)
            .map(|m| m.id)
            .unwrap();
        (id, name.to_string(), role)
    }

    fn spend(h: &mut Household<'_>, spend: Spend) -> SpendView {
        h.ask(Call::Spend {
            spend,
            preview: false,
            key: None,
            pin: None,
        })
        .unwrap()
    }

    fn buy(member: &str, pack: &str) -> Spend {
        Spend::Pack {
            member: member.into(),
            pack: pack.into(),
        }
    }

    fn set_limit(
        h: &mut Household<'_>,
        member: &str,
        scope: Scope,
        window: Window,
        soft: Option<&str>,
        hard: Option<&str>,
    ) {
        let _: crate::api::reply::ChangeView = h
            .ask(Call::SetLimit {
                member: member.into(),
                scope,
                window,
                soft: soft.map(str::to_string),
                hard: hard.map(str::to_string),
                auth: auth(),
            })
            .unwrap();
    }

    fn load_as(h: &mut Household<'_>, who: &Who, screen: Screen) -> ViewModel {
        load(h, Some(who), screen, &Selection::default()).unwrap()
    }

    /// QA 5: the dashboard counted at most 20 open alerts (22 were open);
    /// now it counts them all and says how many it could not show.
    #[test]
    fn the_dashboard_counts_every_open_alert() {
        let clock = clock();
        let (_dir, path) = household(&clock);
        let mut h = Household::open(&path, &clock).unwrap();
        add(&mut h, "Kim", Role::Teen, "2014-06-01");
        for _ in 0..22 {
            let refused = spend(&mut h, buy("Kim", "coins-70"));
            assert_eq!(refused.outcome, Verdict::Deny);
        }
        let maria = who(&mut h, "Maria", Role::Guardian);
        let vm = load_as(&mut h, &maria, Screen::Dashboard);
        assert_eq!(vm.guardian.as_ref().unwrap().alerts.len(), 22);
        for (width, height) in [(80, 24), (120, 40)] {
            let text = super::super::render::tests::screen_text(
                &crate::tui::app::App {
                    who: Some(maria.clone()),
                    screen: Screen::Dashboard,
                    ..Default::default()
                },
                &vm,
                width,
                height,
            );
            let shown = text.matches("refused: Kim buys 70 coins").count();
            let more = format!("Alerts: 22 · {} more", 22 - shown);
            assert!(text.contains(&more), "{width}x{height}: {more} in {text}");
        }
    }

    /// QA 9: a note with a right-to-left override and a zero-width space
    /// was drawn raw (reversing what follows it on the screen); it is shown
    /// escaped, as the command line shows it, on Requests and Approvals.
    #[test]
    fn text_people_typed_is_shown_escaped_on_every_screen() {
        let clock = clock();
        let (_dir, path) = household(&clock);
        let mut h = Household::open(&path, &clock).unwrap();
        let asked = spend(&mut h, buy("Sam", "coins-70"));
        let id = asked.request_id.unwrap();
        let _: crate::api::reply::ChangeView = h
            .ask(Call::Deny {
                id,
                reason: "not \u{202e}now".into(),
                auth: auth(),
            })
            .unwrap();
        let again: SpendView = h
            .ask(Call::AskAgain {
                id,
                note: "please \u{202e}evil\u{200b} mum".into(),
                pin: None,
            })
            .unwrap();
        assert_eq!(again.outcome, Verdict::NeedsApproval);
        let sam = who(&mut h, "Sam", Role::Teen);
        let maria = who(&mut h, "Maria", Role::Guardian);
        for (who, screen) in [(&sam, Screen::Requests), (&maria, Screen::Approvals)] {
            let vm = load_as(&mut h, who, screen);
            let text = super::super::render::tests::screen_text(
                &crate::tui::app::App {
                    who: Some(who.clone()),
                    screen,
                    ..Default::default()
                },
                &vm,
                80,
                24,
            );
            assert!(
                text.contains("please \\u{202e}evil\\u{200b} mum"),
                "{screen:?}: {text}"
            );
            assert!(!text.contains('\u{202e}') && !text.contains('\u{200b}'));
        }
        let vm = load_as(&mut h, &sam, Screen::Requests);
        let denied = &vm.member.unwrap().requests[1];
        assert_eq!(denied.resolution, "not \\u{202e}now");
    }

    /// QA 10: the guardian-action log showed codes (limit_set, pin_ok); it
    /// shows the words the command line shows.
    #[test]
    fn guardian_actions_read_as_words() {
        let clock = clock();
        let (_dir, path) = household(&clock);
        let mut h = Household::open(&path, &clock).unwrap();
        set_limit(
            &mut h,
            "Sam",
            Scope::Purchase,
            Window::Week,
            None,
            Some("25"),
        );
        let maria = who(&mut h, "Maria", Role::Guardian);
        let selection = Selection {
            audit: AuditView::Actions,
            ..Default::default()
        };
        let vm = load(&mut h, Some(&maria), Screen::Audit, &selection).unwrap();
        let what: Vec<&str> = vm
            .guardian
            .as_ref()
            .unwrap()
            .log
            .iter()
            .map(|l| l.what.as_str())
            .collect();
        assert!(what.contains(&"limit set"), "{what:?}");
        assert!(what.contains(&"member added"), "{what:?}");
        assert!(what.contains(&"PIN accepted"), "{what:?}");
        assert!(what.iter().all(|w| !w.contains('_')), "{what:?}");
    }

    /// QA 18: a 12-year-old's wallet said "No limits" though everything is
    /// refused at that age; the age rules now come first, in red.
    #[test]
    fn a_young_teen_sees_that_age_rules_refuse_spending() {
        let clock = clock();
        let (_dir, path) = household(&clock);
        let mut h = Household::open(&path, &clock).unwrap();
        add(&mut h, "Kim", Role::Teen, "2014-06-01");
        let kim = who(&mut h, "Kim", Role::Teen);
        let vm = load_as(&mut h, &kim, Screen::Wallet);
        let rules = vm.member.as_ref().unwrap().age_rules.clone().unwrap();
        assert_eq!(
            rules.text,
            "Age rules: Kim is 11: purchases refused, gifts refused, cashing out refused"
        );
        assert!(rules.refuses);
        let text = super::super::render::tests::screen_text(
            &crate::tui::app::App {
                who: Some(kim),
                screen: Screen::Wallet,
                ..Default::default()
            },
            &vm,
            80,
            24,
        );
        assert!(text.contains("Age rules · no limits set"), "{text}");
    }

    /// QA 20: a teen's history showed the creator's diamonds as the teen's
    /// ("Sam -2 coins, +1 diamond, 0.03 USD"); they are the creator's.
    #[test]
    fn a_senders_history_gives_the_diamonds_to_the_creator() {
        let clock = clock();
        let (_dir, path) = household(&clock);
        let mut h = Household::open(&path, &clock).unwrap();
        add(&mut h, "Alex", Role::Teen, "2000-01-01");
        grant_and_allow(&mut h, "Alex", 100, "Ana");
        gift(&mut h, "Alex", "Ana", "doughnut", 2);
        let alex = who(&mut h, "Alex", Role::Teen);
        let vm = load_as(&mut h, &alex, Screen::History);
        let row = &vm.member.unwrap().history[0];
        assert_eq!(row.kind, "gift");
        assert_eq!(
            row.figures,
            "-60 coins (0.85 USD), Ana +30 diamonds (0.15 USD)"
        );
    }

    /// QA 21: the approvals popup showed the reasons from when the teen
    /// asked; it also shows what approving now would do (the limit changed).
    #[test]
    fn the_approvals_screen_shows_what_approving_now_would_do() {
        let clock = clock();
        let (_dir, path) = household(&clock);
        let mut h = Household::open(&path, &clock).unwrap();
        let asked = spend(&mut h, buy("Sam", "coins-70"));
        assert_eq!(asked.outcome, Verdict::NeedsApproval);
        let maria = who(&mut h, "Maria", Role::Guardian);
        let vm = load_as(&mut h, &maria, Screen::Approvals);
        let line = &vm.guardian.as_ref().unwrap().pending[0];
        assert_eq!(
            line.approve_now.as_ref().map(|p| p.verdict),
            Some(Verdict::Allow)
        );
        // A guardian caps a single purchase at 0.50 USD after Sam asked.
        set_limit(
            &mut h,
            "Sam",
            Scope::Purchase,
            Window::Transaction,
            None,
            Some("0.50"),
        );
        let vm = load_as(&mut h, &maria, Screen::Approvals);
        let line = &vm.guardian.as_ref().unwrap().pending[0];
        assert!(
            line.why[0].contains("need a guardian's approval"),
            "{line:?}"
        );
        let now = line.approve_now.clone().unwrap();
        assert_eq!(now.verdict, Verdict::Deny);
        assert!(
            now.reasons
                .iter()
                .any(|(refused, why)| *refused && why.contains("0.50 USD")),
            "{now:?}"
        );
        // Previewing wrote nothing: the request still waits.
        let waiting: RequestsView = h
            .ask(Call::Requests {
                status: Some(RequestStatus::Pending),
                member: None,
                limit: 10,
            })
            .unwrap();
        assert_eq!(waiting.requests.len(), 1);
    }

    /// QA 22: the wallet did not show coins held by waiting requests, and a
    /// gauge's "left" counted only to the refusal amount.
    #[test]
    fn the_wallet_shows_held_coins_and_what_is_left_before_approval() {
        let clock = clock();
        let (_dir, path) = household(&clock);
        let mut h = Household::open(&path, &clock).unwrap();
        grant_and_allow(&mut h, "Sam", 200, "Ana");
        let held = spend(
            &mut h,
            Spend::Gift {
                member: "Sam".into(),
                creator: "Ana".into(),
                gift: "doughnut".into(),
                count: "3".into(),
            },
        );
        assert_eq!(held.outcome, Verdict::NeedsApproval, "a teen's gift waits");
        set_limit(
            &mut h,
            "Sam",
            Scope::Purchase,
            Window::Week,
            Some("10"),
            Some("25"),
        );
        let sam = who(&mut h, "Sam", Role::Teen);
        let vm = load_as(&mut h, &sam, Screen::Wallet);
        let m = vm.member.unwrap();
        assert_eq!(
            m.held,
            "90 coins (1.27 USD) held by 1 request waiting for a guardian; 110 coins free to spend"
        );
        let limit = &m.limits[0];
        assert_eq!(limit.left, "25.00 USD left");
        assert_eq!(limit.before_approval.as_deref(), Some("10.00 USD"));
        // A creator with no diamonds holds diamonds, not "0 coins".
        let maria = who(&mut h, "Maria", Role::Guardian);
        let vm = load_as(&mut h, &maria, Screen::Members);
        let ana = vm.members.iter().find(|m| m.name == "Ana").unwrap();
        assert_eq!(ana.holds, "0 diamonds (0.00 USD)");
    }
}
