//! Exports that other tools read: CSV (RFC 4180), JSON (decimals as strings)
//! and an hledger journal (one transaction per ledger transaction, balanced
//! per commodity). Written row by row, so a million transactions stream.
//!
//! An export can also be taken in pages ([`export_page`]), oldest first,
//! each page starting after the last transaction of the one before: that is
//! how it travels through the household service, one reply per page. The
//! pages joined are the whole export, byte for byte: the CSV header and the
//! journal's preamble come with the first page only, and the JSON document's
//! opening with the first page and its closing with the last. One function
//! writes both, so the two can never drift apart.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::DateTime;
use chrono_tz::Tz;
use rusqlite::Connection;

use super::history::{COLUMNS, HistoryFilter, HistoryRow, Raw, filter_sql, to_row};
use crate::domain::MemberId;
use crate::ledger::{Account, LedgerError};
use crate::money::{Currency, MICRO_SCALE, Money};

/// Export formats (`csv`, `json`, `hledger` on the wire).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Csv,
    Json,
    #[serde(alias = "journal")]
    Hledger,
}

/// Most transactions in one page of an export: a page of journal entries
/// stays a few megabytes, well under the largest reply a client accepts.
pub const MAX_EXPORT_PAGE: usize = 5_000;

/// One page of an export: its text, how many transactions it holds, and
/// where the next page starts (give it as `after`), if there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportPage {
    pub text: String,
    pub rows: u64,
    pub next: Option<i64>,
}

impl Format {
    pub fn parse(text: &str) -> Option<Format> {
        match text.trim().to_ascii_lowercase().as_str() {
            "csv" => Some(Format::Csv),
            "json" => Some(Format::Json),
            "hledger" | "journal" => Some(Format::Hledger),
            _ => None,
        }
    }
}

/// Why an export to a file did not happen. Nothing is left behind either way.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("{} already exists; coinguard never overwrites a file", .0.display())]
    Exists(PathBuf),
    #[error("cannot write {}: {message}", path.display())]
    Write { path: PathBuf, message: String },
    #[error(transparent)]
    Ledger(#[from] LedgerError),
}

impl Format {
    /// The format a file name asks for: .csv, .json, or .journal/.hledger.
    pub fn from_path(path: &Path) -> Option<Format> {
        Format::parse(path.extension()?.to_str()?)
    }
}

/// Exports to a new file at `path`, readable by its owner only (0600, as the
/// database is). See [`write_new_file`]. Returns how many transactions it holds.
pub fn export_to_file(
    conn: &Connection,
    filter: &HistoryFilter,
    currency: Currency,
    tz: Tz,
    format: Format,
    path: &Path,
) -> Result<u64, ExportError> {
    write_new_file(path, |out| export(conn, filter, currency, tz, format, out)).map_err(|e| match e
    {
        NewFileError::Exists(path) => ExportError::Exists(path),
        NewFileError::Write { path, message } => ExportError::Write { path, message },
        NewFileError::Fill(e) => ExportError::Ledger(e),
    })
}

/// Why a new file was not written. Nothing is left behind either way.
#[derive(Debug, thiserror::Error)]
pub enum NewFileError<E> {
    #[error("{} already exists; coinguard never overwrites a file", .0.display())]
    Exists(PathBuf),
    #[error("cannot write {}: {message}", path.display())]
    Write { path: PathBuf, message: String },
    /// What filled the file failed.
    #[error("{0}")]
    Fill(E),
}

/// Writes a new file at `path`, readable by its owner only (0600): `fill`
/// writes it next to the path, and the file is linked into place once
/// complete, so a failed write leaves nothing half-written and an existing
/// file is never replaced (also one that appears meanwhile). Returns what
/// `fill` returned.
pub fn write_new_file<T, E>(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> Result<T, E>,
) -> Result<T, NewFileError<E>> {
    let failed = |err: std::io::Error| NewFileError::Write {
        path: path.to_path_buf(),
        message: err.to_string(),
    };
    if path.exists() {
        return Err(NewFileError::Exists(path.to_path_buf()));
    }
    let mut partial = path.as_os_str().to_owned();
    partial.push(".coinguard-partial");
    let partial = PathBuf::from(partial);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    // Readable by its owner only, like the database it comes from: an export
    // holds the same names, amounts and history.
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options.open(&partial).map_err(failed)?;
    let mut out = std::io::BufWriter::new(file);
    let written = fill(&mut out)
        .map_err(NewFileError::Fill)
        .and_then(|value| out.flush().map(|()| value).map_err(failed));
    drop(out);
    let done = written.and_then(|value| {
        // A hard link fails if the target appeared meanwhile: never replaced.
        std::fs::hard_link(&partial, path).map_err(|err| {
            if err.kind() == std::io::ErrorKind::AlreadyExists {
                NewFileError::Exists(path.to_path_buf())
            } else {
                failed(err)
            }
        })?;
        Ok(value)
    });
    let _ = std::fs::remove_file(&partial);
    done
}

fn csv_error(e: csv::Error) -> LedgerError {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => io(e),
        other => LedgerError::Io {
            path: "the export".into(),
            message: format!("{other:?}"),
        },
    }
}

fn io(e: std::io::Error) -> LedgerError {
    LedgerError::Io {
        path: "the export".into(),
        message: e.to_string(),
    }
}

/// An exact amount of money as plain text: "4.99", "1.417714".
fn exact(micros: i64, currency: Currency) -> String {
    Money::from_micros(currency, micros)
        .amount()
        .normalize()
        .to_string()
}

/// A text cell made safe for spreadsheets (OWASP's CSV injection advice): a
/// cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return
/// would be read as a formula, so it gets a leading `'`. Only for text
/// columns (names, detail, memo): numeric columns keep their sign ("-60").
pub fn csv_text(text: &str) -> std::borrow::Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{text}"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

fn utc(at_us: i64) -> String {
    DateTime::from_timestamp_micros(at_us)
        .map(|t| t.to_rfc3339())
        .unwrap_or_default()
}

const CSV_HEADER: [&str; 16] = [
    "id",
    "time_utc",
    "time_local",
    "kind",
    "member",
    "counterparty",
    "coins",
    "diamonds",
    "money",
    "currency",
    "all_spending",
    "detail",
    "memo",
    "reverses",
    "reversed_by",
    "hash",
];

fn csv_row(row: &HistoryRow, currency: Currency, tz: Tz) -> [String; 16] {
    let opt = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
    let text = |t: &str| csv_text(t).into_owned();
    [
        row.id.to_string(),
        utc(row.at_us),
        super::history::local(row.at_us, tz),
        row.kind.as_str().to_string(),
        text(&row.member),
        text(row.counterparty.as_deref().unwrap_or_default()),
        row.coins.to_string(),
        row.diamonds.to_string(),
        exact(row.money_micros, currency),
        currency.code().to_string(),
        exact(row.all_micros, currency),
        text(&row.detail),
        text(&row.memo),
        opt(row.reverses),
        opt(row.reversed_by),
        row.hash.clone(),
    ]
}

fn json_row(row: &HistoryRow, currency: Currency, tz: Tz) -> serde_json::Value {
    serde_json::json!({
        "id": row.id,
        "time_utc": utc(row.at_us),
        "time_local": super::history::local(row.at_us, tz),
        "kind": row.kind.as_str(),
        "member": row.member,
        "counterparty": row.counterparty,
        "coins": row.coins,
        "diamonds": row.diamonds,
        "money": {"amount": exact(row.money_micros, currency), "currency": currency.code()},
        "all_spending": {"amount": exact(row.all_micros, currency), "currency": currency.code()},
        "detail": row.detail,
        "memo": row.memo,
        "reverses": row.reverses,
        "reversed_by": row.reversed_by,
        "hash": row.hash,
    })
}

/// Writes the whole export; returns how many transactions it holds.
pub fn export(
    conn: &Connection,
    filter: &HistoryFilter,
    currency: Currency,
    tz: Tz,
    format: Format,
    out: &mut dyn Write,
) -> Result<u64, LedgerError> {
    let shape = Shape {
        currency,
        tz,
        format,
    };
    let (rows, _) = write_export(conn, filter, shape, None, None, out)?;
    Ok(rows)
}

/// One page of an export: at most `limit` transactions (1 to
/// [`MAX_EXPORT_PAGE`]) after transaction `after` (from the start when
/// `None`), oldest first. Give `next` as `after` for the page after it.
pub fn export_page(
    conn: &Connection,
    filter: &HistoryFilter,
    currency: Currency,
    tz: Tz,
    format: Format,
    after: Option<i64>,
    limit: usize,
) -> Result<ExportPage, LedgerError> {
    let shape = Shape {
        currency,
        tz,
        format,
    };
    let mut out = Vec::new();
    let limit = limit.clamp(1, MAX_EXPORT_PAGE);
    let (rows, next) = write_export(conn, filter, shape, after, Some(limit), &mut out)?;
    // Every part of every format is written from Rust strings.
    let text = String::from_utf8(out).map_err(|e| io(std::io::Error::other(e)))?;
    Ok(ExportPage { text, rows, next })
}

/// How an export is written.
#[derive(Clone, Copy)]
struct Shape {
    currency: Currency,
    tz: Tz,
    format: Format,
}

/// Writes the transactions after `after` (at most `limit`), with the
/// format's opening when this is the first page and its closing when it is
/// the last. Returns how many were written and, if more follow, the id of
/// the last one written.
fn write_export(
    conn: &Connection,
    filter: &HistoryFilter,
    shape: Shape,
    after: Option<i64>,
    limit: Option<usize>,
    out: &mut dyn Write,
) -> Result<(u64, Option<i64>), LedgerError> {
    let Shape {
        currency,
        tz,
        format,
    } = shape;
    let first_page = after.is_none();
    let (mut sql, mut values) = filter_sql(filter, tz);
    if let Some(after) = after {
        sql.push_str(" AND t.id > ?");
        values.push(rusqlite::types::Value::Integer(after));
    }
    // One row more than the page holds says whether another page follows.
    let fetch = limit.map_or(-1, |l| i64::try_from(l).unwrap_or(i64::MAX - 1) + 1);
    values.push(rusqlite::types::Value::Integer(fetch));
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM transactions t WHERE {sql} ORDER BY t.id LIMIT ?"
    ))?;
    let names = super::history::names(conn)?;
    let mut rows = stmt.query(rusqlite::params_from_iter(values))?;
    let mut count: u64 = 0;
    let mut last: Option<i64> = None;
    let mut next = None;
    let full = |count: u64| limit.is_some_and(|l| count >= l as u64);
    match format {
        Format::Csv => {
            // RFC 4180 as the csv crate writes it: quotes where needed, CRLF.
            let mut csv = csv::WriterBuilder::new()
                .terminator(csv::Terminator::CRLF)
                .from_writer(out);
            if first_page {
                csv.write_record(CSV_HEADER).map_err(csv_error)?;
            }
            while let Some(r) = rows.next()? {
                if full(count) {
                    next = last;
                    break;
                }
                let row = to_row(conn, &names, r.try_into()?)?;
                last = Some(row.id);
                csv.write_record(csv_row(&row, currency, tz))
                    .map_err(csv_error)?;
                count += 1;
            }
            csv.flush().map_err(io)?;
        }
        Format::Json => {
            if first_page {
                write!(
                    out,
                    "{{\"currency\":\"{}\",\"transactions\":[",
                    currency.code()
                )
                .map_err(io)?;
            }
            while let Some(r) = rows.next()? {
                if full(count) {
                    next = last;
                    break;
                }
                let row = to_row(conn, &names, r.try_into()?)?;
                last = Some(row.id);
                let sep = if first_page && count == 0 { "" } else { "," };
                write!(out, "{sep}\n{}", json_row(&row, currency, tz)).map_err(io)?;
                count += 1;
            }
            if next.is_none() {
                writeln!(out, "\n]}}").map_err(io)?;
            }
        }
        Format::Hledger => {
            if first_page {
                hledger_preamble(currency, out)?;
            }
            let members: Vec<(i64, String)> = names.into_iter().collect();
            let segments = hledger_member_segments(&members);
            let mut postings = conn.prepare_cached(
                "SELECT a.name, a.unit, p.amount FROM postings p JOIN accounts a ON a.id = p.account_id WHERE p.tx_id = ?1 ORDER BY p.id",
            )?;
            while let Some(r) = rows.next()? {
                if full(count) {
                    next = last;
                    break;
                }
                let (id, at_us, kind, _, _, detail, memo, _, hash, _): Raw = r.try_into()?;
                last = Some(id);
                hledger_entry(
                    &mut postings,
                    &segments,
                    Entry {
                        id,
                        at_us,
                        kind: &kind,
                        detail: &detail,
                        memo: &memo,
                        hash: &hash,
                    },
                    shape,
                    out,
                )?;
                count += 1;
            }
        }
    }
    Ok((count, next))
}

fn hledger_preamble(currency: Currency, out: &mut dyn Write) -> Result<(), LedgerError> {
    let code = currency.code();
    writeln!(
        out,
        "; coinguard ledger export. Money is exact to 6 decimals; coins and diamonds are whole."
    )
    .map_err(io)?;
    writeln!(
        out,
        "commodity 1000.000000 {code}\ncommodity 1000. COIN\ncommodity 1000. DIAMOND\n"
    )
    .map_err(io)
}

/// A transaction as the journal shows it.
struct Entry<'a> {
    id: i64,
    at_us: i64,
    kind: &'a str,
    detail: &'a str,
    memo: &'a str,
    hash: &'a str,
}

/// One journal entry: money, COIN and DIAMOND as commodities, the
/// transaction's postings balanced per commodity.
fn hledger_entry(
    postings: &mut rusqlite::CachedStatement<'_>,
    segments: &HashMap<i64, String>,
    tx: Entry<'_>,
    shape: Shape,
    out: &mut dyn Write,
) -> Result<(), LedgerError> {
    let Shape { currency, tz, .. } = shape;
    let code = currency.code();
    let date = DateTime::from_timestamp_micros(tx.at_us)
        .map(|t| t.with_timezone(&tz).format("%Y-%m-%d").to_string())
        .unwrap_or_default();
    // One line each, and hledger's comment marker kept out of the description.
    let description = one_line(&format!("{}: {}", tx.kind, tx.detail)).replace(';', ",");
    writeln!(out, "{date} (#{}) {description}", tx.id).map_err(io)?;
    writeln!(out, "    ; hash: {}", tx.hash).map_err(io)?;
    if !tx.memo.is_empty() {
        writeln!(out, "    ; memo: {}", one_line(tx.memo)).map_err(io)?;
    }
    let legs = postings.query_map([tx.id], |p| {
        Ok((
            p.get::<_, String>(0)?,
            p.get::<_, String>(1)?,
            p.get::<_, i64>(2)?,
        ))
    })?;
    for leg in legs {
        let (account, unit, amount) = leg?;
        let amount = if unit == code {
            format!(
                "{:.prec$} {code}",
                Money::from_micros(currency, amount).amount(),
                prec = MICRO_SCALE as usize
            )
        } else {
            format!("{amount} {unit}")
        };
        let account = hledger_account(&account, segments);
        writeln!(out, "    {account}  {amount}").map_err(io)?;
    }
    writeln!(out).map_err(io)
}

/// Text on one line: control characters (a newline would end the entry)
/// become spaces.
fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// A stored account name as the journal names it: members by name
/// (`members:Sam:wallet`, `external:Sam:funding`), the platform's own as
/// stored (`platform:coin_sales`).
fn hledger_account(stored: &str, segments: &HashMap<i64, String>) -> String {
    let member = |m: MemberId| {
        segments
            .get(&m.0)
            .cloned()
            .unwrap_or_else(|| format!("member #{}", m.0))
    };
    match Account::from_name(stored) {
        Some(Account::Wallet(m)) => format!("members:{}:wallet", member(m)),
        Some(Account::Earnings(m)) => format!("members:{}:earnings", member(m)),
        Some(Account::Funding(m)) => format!("external:{}:funding", member(m)),
        Some(Account::Payout(m)) => format!("external:{}:payout", member(m)),
        Some(Account::Platform(_)) | None => stored.to_string(),
    }
}

/// Whether hledger takes `name` as it is in an account name: no `:` (it
/// separates parts), no `;` (a comment), no two spaces in a row (they end the
/// account name), no leading or trailing space, no control characters, and
/// no `#` (kept for the id suffix, so a name can never look like another's
/// suffixed form).
fn hledger_takes(name: &str) -> bool {
    !name.is_empty()
        && name.trim() == name
        && !name.contains("  ")
        && !name.chars().any(|c| {
            matches!(c, ':' | ';' | '#') || c.is_control() || (c.is_whitespace() && c != ' ')
        })
}

/// One account-name part per member: the name itself where hledger takes it
/// and no other member's name is the same ignoring case; otherwise the name
/// made safe (`:` and `;` as `_`, runs of spaces as one) followed by ` #id`,
/// which no plain name can be (plain names have no `#`).
pub(crate) fn hledger_member_segments(members: &[(i64, String)]) -> HashMap<i64, String> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (_, name) in members {
        *seen.entry(name.to_lowercase()).or_default() += 1;
    }
    members
        .iter()
        .map(|(id, name)| {
            let unique = seen.get(&name.to_lowercase()).copied().unwrap_or(0) == 1;
            let segment = if unique && hledger_takes(name) {
                name.clone()
            } else {
                let safe: String = name
                    .chars()
                    .map(|c| match c {
                        ':' | ';' => '_',
                        c if c.is_control() || c.is_whitespace() => ' ',
                        c => c,
                    })
                    .collect();
                let safe = safe
                    .split(' ')
                    .filter(|w| !w.is_empty())
                    .collect::<Vec<_>>();
                let safe = if safe.is_empty() {
                    "member".to_string()
                } else {
                    safe.join(" ")
                };
                format!("{safe} #{id}")
            };
            (*id, segment)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_cells_that_a_spreadsheet_would_run_get_a_quote() {
        let cases = [
            ("Sam", "Sam"),
            (
                "=HYPERLINK(\"http://x\",\"click\")",
                "'=HYPERLINK(\"http://x\",\"click\")",
            ),
            ("+1", "'+1"),
            ("-60", "'-60"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tcmd", "'\tcmd"),
            ("a=b", "a=b"),
        ];
        for (given, written) in cases {
            assert_eq!(csv_text(given), written);
        }
    }

    #[test]
    fn members_are_named_in_the_journal_with_ids_only_where_needed() {
        let members: Vec<(i64, String)> = [
            (1, "Maria"),
            (2, "Zoë \"Z\", Jr."),
            (3, "Kai: the 2nd"),
            (4, "Kai; the 2nd"),
            (5, "Two  spaces"),
            (6, "#1 fan"),
            (7, "Kai_ the 2nd"),
        ]
        .into_iter()
        .map(|(id, name)| (id, name.to_string()))
        .collect();
        let segments = hledger_member_segments(&members);
        let expected = [
            (1, "Maria"),
            (2, "Zoë \"Z\", Jr."),
            (3, "Kai_ the 2nd #3"),
            (4, "Kai_ the 2nd #4"),
            (5, "Two spaces #5"),
            (6, "#1 fan #6"),
            (7, "Kai_ the 2nd"),
        ];
        for (id, segment) in expected {
            assert_eq!(segments[&id], segment, "member {id}");
        }
        // Names differing only in case clash too.
        let clash = hledger_member_segments(&[(1, "sam".into()), (2, "SAM".into())]);
        assert_eq!(
            (clash[&1].as_str(), clash[&2].as_str()),
            ("sam #1", "SAM #2")
        );
        assert_eq!(
            hledger_account("member:3:wallet", &segments),
            "members:Kai_ the 2nd #3:wallet"
        );
        assert_eq!(
            hledger_account("external:1:funding", &segments),
            "external:Maria:funding"
        );
        assert_eq!(
            hledger_account("platform:coin_sales", &segments),
            "platform:coin_sales"
        );
    }
}
