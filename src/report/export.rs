//! Exports that other tools read: CSV (RFC 4180), JSON (decimals as strings)
//! and an hledger journal (one transaction per ledger transaction, balanced
//! per commodity). Written row by row, so a million transactions stream.

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::DateTime;
use chrono_tz::Tz;
use rusqlite::Connection;

use super::history::{HistoryFilter, HistoryRow, filter_sql, for_each_row};
use crate::ledger::LedgerError;
use crate::money::{Currency, MICRO_SCALE, Money};

/// Export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Json,
    Hledger,
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

/// Exports to a new file at `path`. The export is written next to it and
/// renamed once complete, so a failed export leaves nothing half-written, and
/// an existing file is never replaced. Returns how many transactions it holds.
pub fn export_to_file(
    conn: &Connection,
    filter: &HistoryFilter,
    currency: Currency,
    tz: Tz,
    format: Format,
    path: &Path,
) -> Result<u64, ExportError> {
    let failed = |err: std::io::Error| ExportError::Write {
        path: path.to_path_buf(),
        message: err.to_string(),
    };
    if path.exists() {
        return Err(ExportError::Exists(path.to_path_buf()));
    }
    let mut partial = path.as_os_str().to_owned();
    partial.push(".coinguard-partial");
    let partial = PathBuf::from(partial);
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&partial)
        .map_err(failed)?;
    let mut out = std::io::BufWriter::new(file);
    let written = export(conn, filter, currency, tz, format, &mut out)
        .map_err(ExportError::from)
        .and_then(|count| out.flush().map(|()| count).map_err(failed));
    let done = written.and_then(|count| {
        // A hard link fails if the target appeared meanwhile: never replaced.
        std::fs::hard_link(&partial, path).map_err(|err| {
            if err.kind() == std::io::ErrorKind::AlreadyExists {
                ExportError::Exists(path.to_path_buf())
            } else {
                failed(err)
            }
        })?;
        Ok(count)
    });
    let _ = std::fs::remove_file(&partial);
    done
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

/// RFC 4180: quote a field holding a comma, quote, CR or LF; double quotes.
pub fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

fn utc(at_us: i64) -> String {
    DateTime::from_timestamp_micros(at_us)
        .map(|t| t.to_rfc3339())
        .unwrap_or_default()
}

const CSV_HEADER: [&str; 15] = [
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
    "detail",
    "memo",
    "reverses",
    "reversed_by",
    "hash",
];

fn csv_row(row: &HistoryRow, currency: Currency, tz: Tz) -> String {
    let opt = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
    [
        row.id.to_string(),
        utc(row.at_us),
        super::history::local(row.at_us, tz),
        row.kind.as_str().to_string(),
        row.member.clone(),
        row.counterparty.clone().unwrap_or_default(),
        row.coins.to_string(),
        row.diamonds.to_string(),
        exact(row.money_micros, currency),
        currency.code().to_string(),
        row.detail.clone(),
        row.memo.clone(),
        opt(row.reverses),
        opt(row.reversed_by),
        row.hash.clone(),
    ]
    .iter()
    .map(|f| csv_field(f))
    .collect::<Vec<_>>()
    .join(",")
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
        "detail": row.detail,
        "memo": row.memo,
        "reverses": row.reverses,
        "reversed_by": row.reversed_by,
        "hash": row.hash,
    })
}

/// Writes the export; returns how many transactions it holds.
pub fn export(
    conn: &Connection,
    filter: &HistoryFilter,
    currency: Currency,
    tz: Tz,
    format: Format,
    out: &mut dyn Write,
) -> Result<u64, LedgerError> {
    match format {
        Format::Csv => {
            // CRLF line ends, as RFC 4180 writes them.
            write!(out, "{}\r\n", CSV_HEADER.join(",")).map_err(io)?;
            for_each_row(conn, filter, tz, |row| {
                write!(out, "{}\r\n", csv_row(&row, currency, tz)).map_err(io)
            })
        }
        Format::Json => {
            write!(
                out,
                "{{\"currency\":\"{}\",\"transactions\":[",
                currency.code()
            )
            .map_err(io)?;
            let mut first = true;
            let count = for_each_row(conn, filter, tz, |row| {
                let sep = if first { "" } else { "," };
                first = false;
                write!(out, "{sep}\n{}", json_row(&row, currency, tz)).map_err(io)
            })?;
            writeln!(out, "\n]}}").map_err(io)?;
            Ok(count)
        }
        Format::Hledger => hledger(conn, filter, currency, tz, out),
    }
}

/// An hledger journal: money, COIN and DIAMOND as commodities; each ledger
/// transaction with its postings, balanced per commodity.
fn hledger(
    conn: &Connection,
    filter: &HistoryFilter,
    currency: Currency,
    tz: Tz,
    out: &mut dyn Write,
) -> Result<u64, LedgerError> {
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
    .map_err(io)?;
    let (sql, values) = filter_sql(filter, tz);
    let mut txs = conn.prepare(&format!("SELECT t.id, t.at_us, t.kind, t.detail, t.memo, t.hash FROM transactions t WHERE {sql} ORDER BY t.id"))?;
    let mut postings = conn.prepare_cached(
        "SELECT a.name, a.unit, p.amount FROM postings p JOIN accounts a ON a.id = p.account_id WHERE p.tx_id = ?1 ORDER BY p.id",
    )?;
    let mut rows = txs.query(rusqlite::params_from_iter(values))?;
    let mut count = 0;
    while let Some(r) = rows.next()? {
        let (id, at_us, kind, detail, memo, hash): (i64, i64, String, String, String, String) =
            r.try_into()?;
        let date = DateTime::from_timestamp_micros(at_us)
            .map(|t| t.with_timezone(&tz).format("%Y-%m-%d").to_string())
            .unwrap_or_default();
        // Descriptions are single-line already; keep hledger's comment marker out.
        let description = format!("{kind}: {detail}").replace(';', ",");
        writeln!(out, "{date} (#{id}) {description}").map_err(io)?;
        writeln!(out, "    ; hash: {hash}").map_err(io)?;
        if !memo.is_empty() {
            writeln!(out, "    ; memo: {memo}").map_err(io)?;
        }
        let legs = postings.query_map([id], |p| {
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
            writeln!(out, "    {account}  {amount}").map_err(io)?;
        }
        writeln!(out).map_err(io)?;
        count += 1;
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_only_when_needed() {
        assert_eq!(csv_field("Rose"), "Rose");
        assert_eq!(
            csv_field("Zoë, \"the great\""),
            "\"Zoë, \"\"the great\"\"\""
        );
        assert_eq!(csv_field("two\nlines"), "\"two\nlines\"");
    }
}
