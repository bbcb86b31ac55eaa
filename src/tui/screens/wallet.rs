//! A member's wallet: coins, what they cost, the limits and what is left of them.
//!
//! Owns this screen's commands (the keys that work here, which the footer,
//! help and dispatch all read), what its keys do, what it loads, its row
//! count and its drawing.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Gauge, Paragraph};

use crate::api::reply::{RequestView, RequestsView, RulesView};
use crate::api::{ApiError, Call};
use crate::domain::RequestStatus;
use crate::domain::printable::plural;
use crate::money::{Coins, Money};
use crate::tui::command::Command;
use crate::tui::model::{
    Loading, MOST_PENDING, ViewModel, age_rules, coins_costing, limit_line, shown,
};
use crate::tui::screen::Screen;
use crate::tui::state::App;
use crate::tui::theme::Theme;
use crate::tui::widgets::*;

pub const SCREEN: ScreenDef = ScreenDef {
    id: Screen::Wallet,
    commands: &[
        Command::NextScreen,
        Command::PrevScreen,
        Command::Back,
        Command::Help,
        Command::Quit,
    ],
    words: &[],
    idle: super::always,
    rows,
    update: super::no_keys,
    moved: super::stays,
    filter: super::no_filter,
    load,
    loads_beside: false,
    render,
};

use super::ScreenDef;

/// What they hold, their limits and age rules, their allowance, and the
/// coins their waiting requests hold.
fn load(l: &mut Loading<'_, '_>, vm: &mut ViewModel) -> Result<(), ApiError> {
    let (Some(m), Some(wallet), Some((id, name, _))) = (vm.member.as_mut(), l.wallet, l.who) else {
        return Ok(());
    };
    let (h, economy) = (&mut *l.h, &l.basis.economy);
    let currency = economy.currency;
    m.limits = wallet
        .limits
        .iter()
        .map(|l| limit_line(*id, l, economy))
        .collect();
    if let Some(a) = &wallet.allowance {
        m.allowance = shown(&match &wallet.coins_in_allowance {
            Some(coins) => format!("{}; your coins cost {coins}", a.words),
            None => a.words.clone(),
        });
    }
    let rules: RulesView = h.ask(Call::Rules {
        member: name.clone(),
    })?;
    m.age_rules = rules.age.is_some().then(|| age_rules(name, &rules));
    let waiting: RequestsView = h.ask(Call::Requests {
        status: Some(RequestStatus::Pending),
        member: Some(name.clone()),
        limit: MOST_PENDING,
    })?;
    let holding: Vec<&RequestView> = waiting
        .requests
        .iter()
        .filter(|r| r.hold_coins > 0)
        .collect();
    if !holding.is_empty() {
        let coins: u64 = holding.iter().map(|r| r.hold_coins).sum();
        let cost = holding
            .iter()
            .filter_map(|r| r.hold_cost)
            .try_fold(Money::zero(currency), Money::checked_add)
            .unwrap_or(Money::zero(currency));
        let free = wallet.member.coins.saturating_sub(coins);
        m.held = format!(
            "{} held by {} waiting for a guardian; {} free to spend",
            coins_costing(coins, cost),
            plural(holding.len(), "request"),
            Coins::new(free)
        );
    }
    Ok(())
}

/// Rows of the list to move in (0: nothing to move).
fn rows(app: &App, _vm: &ViewModel) -> usize {
    let _ = app;
    0
}

fn render(s: Scene<'_>, frame: &mut Frame<'_>, area: Rect, _hits: &mut Hits) {
    wallet_body(s.vm, s.theme, frame, area);
}

fn wallet_body(vm: &ViewModel, theme: Theme, frame: &mut Frame<'_>, area: Rect) {
    let Some(m) = &vm.member else { return };
    let inner_width = usize::from(area.width).saturating_sub(2);
    let wrap = |text: &str, style: Style| -> Vec<Line<'static>> {
        crate::tui::text::wrap_line(
            &Line::from(Span::styled(text.to_string(), style)),
            inner_width,
        )
    };
    // What they hold, and what waiting requests hold of it.
    let mut held = wrap(&format!("Coins     {}", m.me.coins), Style::default());
    if !m.held.is_empty() {
        held.extend(wrap(&format!("          {}", m.held), theme.warn()));
    }
    held.extend(wrap(
        &format!("Diamonds  {}", m.me.diamonds),
        Style::default(),
    ));
    if !m.allowance.is_empty() {
        held.extend(wrap(
            &format!("Allowance {}", m.allowance),
            Style::default(),
        ));
    }
    // The age rules first: they come before any limit, and a member they
    // refuse would otherwise read "No limits" as "anything goes".
    let age: Vec<Line> = match &m.age_rules {
        Some(rules) => wrap(
            &rules.text,
            if rules.refuses {
                theme.bad()
            } else {
                Style::default()
            },
        ),
        None => Vec::new(),
    };
    // Each limit: its title, wrapped (never cut), its gauge, and what is
    // left before approval when that comes before the refusal.
    let limits: Vec<(Vec<Line>, Vec<Line>)> = m
        .limits
        .iter()
        .map(|l| {
            let after = l
                .before_approval
                .as_ref()
                .map(|b| {
                    wrap(
                        &format!("{b} left before a guardian must approve"),
                        theme.warn(),
                    )
                })
                .unwrap_or_default();
            (wrap(&l.title, Style::default()), after)
        })
        .collect();
    let rows = 2
        + age.len() as u16
        + u16::from(!age.is_empty() && !limits.is_empty())
        + limits
            .iter()
            .map(|(title, after)| (title.len() + 1 + after.len()) as u16)
            .sum::<u16>()
        + u16::from(limits.is_empty() && age.is_empty());
    let [top, gauges] = Layout::vertical([
        Constraint::Length(held.len() as u16 + 2),
        Constraint::Length(rows),
    ])
    .areas(area);
    frame.render_widget(
        Paragraph::new(held)
            .block(Block::bordered().title(format!("{}'s wallet", shown(&m.me.name)))),
        top,
    );
    let title = match (m.limits.is_empty(), m.age_rules.is_some()) {
        (true, true) => "Age rules · no limits set",
        (true, false) => "No limits",
        (false, true) => "Age rules and limits",
        (false, false) => "Limits",
    };
    let block = Block::bordered().title(title);
    let inner = block.inner(gauges);
    frame.render_widget(block, gauges);
    let mut constraints = vec![Constraint::Length(age.len() as u16)];
    if !age.is_empty() && !limits.is_empty() {
        constraints.push(Constraint::Length(1));
    }
    let first_limit = constraints.len();
    for (title, after) in &limits {
        constraints.push(Constraint::Length(title.len() as u16));
        constraints.push(Constraint::Length(1));
        constraints.push(Constraint::Length(after.len() as u16));
    }
    let slots = Layout::vertical(constraints).split(inner);
    frame.render_widget(Paragraph::new(age), slots[0]);
    for (i, (l, (title, after))) in m.limits.iter().zip(limits).enumerate() {
        let at = first_limit + i * 3;
        frame.render_widget(Paragraph::new(title), slots[at]);
        let label = format!("used {}, {}", l.used, l.left);
        // A label wider than the gauge would be cut: the figures whole, or
        // what is left alone.
        let label = if label.chars().count() > usize::from(inner.width) {
            l.left.clone()
        } else {
            label
        };
        frame.render_widget(Gauge::default().ratio(l.ratio).label(label), slots[at + 1]);
        frame.render_widget(Paragraph::new(after), slots[at + 2]);
    }
}
