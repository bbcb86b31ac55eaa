//! What the interface shows while the household it will open is still
//! being made (the demo's first run, about 5 s): a gauge with counts, and
//! the one thing a key can do meanwhile, stop and leave. Owns this state,
//! its keys and its drawing; it never makes anything itself (the work is
//! handed in, and runs beside it).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Gauge, Paragraph, Wrap};

use super::command::Command;
use super::state::grouped;
use super::theme::Theme;

/// How far the making has got, and whether leaving was asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Making {
    /// What is being made, in words: "making the demo household".
    pub what: &'static str,
    pub done: u64,
    pub total: u64,
    /// q or Esc was pressed (or a signal came): it stops at its next step,
    /// removes what it had made, and the interface leaves.
    pub stopping: bool,
}

impl Making {
    pub fn new(what: &'static str, total: u64) -> Making {
        Making {
            what,
            done: 0,
            total,
            stopping: false,
        }
    }

    /// "making the demo household: 12 of 92".
    pub fn words(&self) -> String {
        let count = format!(
            "{}: {} of {}",
            self.what,
            grouped(self.done),
            grouped(self.total)
        );
        if self.stopping {
            format!("{count} · stopping…")
        } else {
            count
        }
    }

    fn ratio(&self) -> f64 {
        if self.total == 0 {
            0.0
        } else {
            (self.done as f64 / self.total as f64).clamp(0.0, 1.0)
        }
    }
}

/// The keys that work while it is made: the footer and dispatch read this.
pub const COMMANDS: [(Command, &str); 2] = [(Command::Back, "Esc stop"), (Command::Quit, "q quit")];

/// A key while it is made: q and Esc ask it to stop (the interface then
/// leaves); every other key does nothing, so nothing typed meanwhile lands
/// on the screen that comes after. True when it asks to stop.
pub fn update(making: &mut Making, command: Command) -> bool {
    if COMMANDS.iter().any(|(c, _)| *c == command) {
        making.stopping = true;
    }
    making.stopping
}

/// Draws it: a title, the gauge with its counts, what the keys do.
pub fn render(making: &Making, theme: Theme, frame: &mut Frame<'_>) {
    let [header, _, about, gauge, _, note, _, legend] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(2),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(2),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(frame.area());
    frame.render_widget(
        Paragraph::new(Line::styled(
            "coinguard · demo",
            Style::default().add_modifier(Modifier::BOLD),
        )),
        header,
    );
    frame.render_widget(
        Paragraph::new(
            "Three months of a family's history, made through the same checks as real use.",
        )
        .wrap(Wrap { trim: true }),
        about,
    );
    frame.render_widget(
        Gauge::default()
            .ratio(making.ratio())
            .label(making.words())
            .gauge_style(theme.fg(Color::Cyan)),
        gauge,
    );
    let said = if making.stopping {
        "Stopping: what was made so far is removed, so the next coinguard demo starts afresh."
    } else {
        "\"Who are you?\" comes next. Leaving now leaves nothing half made."
    };
    frame.render_widget(Paragraph::new(said).wrap(Wrap { trim: true }), note);
    let keys: Vec<&str> = COMMANDS.iter().map(|(_, words)| *words).collect();
    frame.render_widget(
        Paragraph::new(keys.join(" · ")).style(Style::default().add_modifier(Modifier::DIM)),
        legend,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(making: &Making, width: u16, height: u16) -> String {
        let mut terminal =
            ratatui::Terminal::new(ratatui::backend::TestBackend::new(width, height)).unwrap();
        terminal
            .draw(|f| render(making, Theme { color: false }, f))
            .unwrap();
        let buffer = terminal.backend().buffer();
        (0..height)
            .map(|y| {
                (0..width)
                    .map(|x| buffer[(x, y)].symbol())
                    .collect::<String>()
                    .trim_end()
                    .to_string()
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Issue 16: the demo's first run opens the interface at once, with
    /// the counts of what is made.
    #[test]
    fn the_demo_is_made_under_a_gauge_with_counts() {
        let mut making = Making::new("making the demo household", 92);
        making.done = 40;
        insta::assert_snapshot!("making_demo", frame(&making, 80, 24));
        let shown = frame(&making, 60, 20);
        assert!(
            shown.contains("making the demo household: 40 of 92"),
            "{shown}"
        );
        assert!(shown.contains("Esc stop · q quit"), "{shown}");
        making.stopping = true;
        let shown = frame(&making, 80, 24);
        assert!(shown.contains("40 of 92 · stopping…"), "{shown}");
        assert!(
            shown.contains("so the next coinguard demo starts"),
            "{shown}"
        );
    }

    /// Only q and Esc do anything while it is made: they ask it to stop.
    /// Every other key lands nowhere (not on the pick screen after it).
    #[test]
    fn only_q_and_esc_stop_the_making_and_other_keys_land_nowhere() {
        for command in [
            Command::Select,
            Command::Down,
            Command::NextScreen,
            Command::Help,
            Command::Verify,
        ] {
            let mut making = Making::new("making the demo household", 92);
            assert!(!update(&mut making, command), "{command:?}");
            assert_eq!(making, Making::new("making the demo household", 92));
        }
        for command in [Command::Quit, Command::Back] {
            let mut making = Making::new("making the demo household", 92);
            assert!(update(&mut making, command), "{command:?}");
            assert!(making.stopping);
        }
    }
}
