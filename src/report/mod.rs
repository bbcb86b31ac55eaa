//! The read side: history pages, period reports against limits, the decision
//! and guardian-action logs, and exports. This module only reads: nothing
//! here writes to the database.

mod export;
mod flow;
mod history;
mod logs;
mod period;

pub use export::{
    ExportError, ExportPage, Format, MAX_EXPORT_PAGE, NewFileError, csv_text, export, export_page,
    export_to_file, write_new_file,
};
pub use flow::{FlowCache, MoneyFlow, flow_words, household_money_flow, money_flow};
pub use history::{
    Cursor, HistoryFilter, HistoryRow, MAX_PAGE, Page, day_bounds, for_each_row, history_page,
    local,
};
pub use logs::{
    ActionRow, DecisionRow, GUARDIAN_ACTIONS, LogFilter, action_code, action_words, decisions,
    guardian_actions,
};
pub use period::{
    LimitStatus, Period, PeriodReport, Refusal, limit_statuses, period_days, period_report,
    period_report_between,
};
