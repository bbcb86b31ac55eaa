//! The shop: coin packs and any number of coins, each with what buying it now would do.
//!
//! Owns this screen's commands (the keys that work here, which the footer,
//! help and dispatch all read), what its keys do, what it loads, its row
//! count and its drawing.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Text;
use ratatui::widgets::{Block, ListItem, Paragraph};

use crate::api::call::Spend;
use crate::api::{ApiError, Call};
use crate::money::rounding;
use crate::tui::command::Command;
use crate::tui::model::{Loading, PackLine, Verdict, ViewModel, preview_of};
use crate::tui::screen::Screen;
use crate::tui::state::{App, Confirm, Effect, Popup, TextFor, Tone, verdict_words, why_refused};
use crate::tui::text::{columns, pad_start, preview_text};
use crate::tui::widgets::*;

pub const SCREEN: ScreenDef = ScreenDef {
    id: Screen::Shop,
    commands: &[
        Command::NextScreen,
        Command::PrevScreen,
        Command::Up,
        Command::Down,
        Command::Select,
        Command::Back,
        Command::Help,
        Command::Quit,
    ],
    words: &[(Command::Select, "buy")],
    idle: super::always,
    rows,
    update,
    moved: super::stays,
    filter: super::no_filter,
    load,
    loads_beside: false,
    render,
};

use super::ScreenDef;

/// Enter buys the pack under the cursor (asking first), or asks how many
/// coins on the last row; a refused preview is not tried.
fn update(app: &mut App, command: Command, vm: &ViewModel) -> Option<Effect> {
    if command != Command::Select {
        return super::not_now(app, command);
    }
    let member = vm.member.as_ref()?;
    let preview = member.pack_previews.get(app.cursor);
    // A refused preview is not tried: trying would record a refusal
    // and alert the guardians for nothing.
    if let Some(p) = preview.filter(|p| p.verdict == Verdict::Deny) {
        app.say(format!("Not bought: {}", why_refused(p)), Tone::Bad);
        return None;
    }
    app.popup = Some(match member.packs.get(app.cursor) {
        Some(pack) => Popup::Confirm(Confirm::new(
            format!("Buy {}?", pack.id),
            preview
                .map(|p| vec![p.summary.clone(), verdict_words(p.verdict).into()])
                .unwrap_or_default(),
            Effect::Buy {
                pack: pack.id.clone(),
            },
        )),
        None => Popup::Text {
            purpose: TextFor::CustomCoins,
            typed: String::new(),
        },
    });
    None
}

/// The packs, what the guard says about buying each now, and the best rate.
fn load(l: &mut Loading<'_, '_>, vm: &mut ViewModel) -> Result<(), ApiError> {
    let (Some(m), Some((_, name, _))) = (vm.member.as_mut(), l.who) else {
        return Ok(());
    };
    let economy = &l.basis.economy;
    let currency = economy.currency;
    for p in &economy.packs {
        m.packs.push(PackLine {
            id: p.id.clone(),
            coins: p.coins.to_string(),
            price: p.price.to_string(),
            per_coin: format!(
                "{} {currency}",
                rounding::rate_for_display(p.price_per_coin())
            ),
        });
        m.pack_previews.push(preview_of(l.h.ask(Call::Spend {
            spend: Spend::Pack {
                member: name.clone(),
                pack: p.id.clone(),
            },
            preview: true,
            key: None,
            pin: None,
        })));
    }
    m.custom_rate = format!(
        "{} {currency}",
        rounding::rate_for_display(economy.best_rate_per_coin())
    );
    Ok(())
}

/// Rows of the list to move in (0: nothing to move).
fn rows(app: &App, vm: &ViewModel) -> usize {
    let _ = app;
    vm.member.as_ref().map_or(0, |m| m.packs.len() + 1)
}

fn render(s: Scene<'_>, frame: &mut Frame<'_>, area: Rect, hits: &mut Hits) {
    let Scene { app, vm, theme } = s;
    let Some(m) = &vm.member else { return };
    let text = match m.pack_previews.get(app.cursor) {
        Some(p) => preview_text(p, theme),
        None => Text::from(format!(
            "Enter, then type how many coins. They cost {} each, the best pack rate, \
             rounded up to the cent; you see what the guard says before anything is bought.",
            m.custom_rate
        )),
    };
    let preview_lines = wrap_text(&text, area.width);
    let [packs, preview] = list_then_preview(area, m.packs.len() + 1, preview_lines.len());
    // Columns as wide as their widest figure; on a narrow terminal the price
    // per coin goes first, whole.
    let width = text_width(packs);
    let widest = |f: fn(&crate::tui::model::PackLine) -> &str, at_least: usize| {
        m.packs
            .iter()
            .map(|p| columns(f(p)))
            .max()
            .unwrap_or(0)
            .max(at_least)
    };
    let (id_w, coins_w, price_w, per_w) = (
        widest(|p| &p.id, 10),
        widest(|p| &p.coins, 10),
        widest(|p| &p.price, 0),
        widest(|p| &p.per_coin, columns(&m.custom_rate)),
    );
    let pack_row = |id: &str, coins: &str, price: &str, per: &str| {
        vec![
            Cell::left(id, id_w, 0),
            Cell::right(coins, coins_w, 0),
            Cell::right(price, price_w, 0),
            Cell::right(format!("{} per coin", pad_start(per, per_w)), 0, 1),
        ]
    };
    let mut rows: Vec<Vec<Cell>> = m
        .packs
        .iter()
        .map(|p| pack_row(&p.id, &p.coins, &p.price, &p.per_coin))
        .collect();
    rows.push(pack_row("any number", "you choose", "", &m.custom_rate));
    let items: Vec<ListItem> = rows_of(rows, width)
        .into_iter()
        .map(|(text, _)| ListItem::new(text))
        .collect();
    list(items, "Coin packs", theme, app.cursor, frame, packs, hits);
    frame.render_widget(
        Paragraph::new(preview_lines.clone()).block(Block::bordered().title(preview_title(
            "Before you buy",
            preview_lines.len(),
            preview,
        ))),
        preview,
    );
}
