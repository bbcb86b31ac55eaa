//! The one way the command line and the terminal interface reach a
//! household: [`Household`], answered in this process (`--db`, embedded) or
//! by the household service over its Unix socket. Both take the same
//! [`Call`]s and give the same [`Reply`]s and errors, so nothing above this
//! module knows (or needs to know) which mode it runs in.

use std::io::BufReader;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::api::reply::*;
use crate::api::wire::{self, Answer, Hello, PROTOCOL_VERSION, WireError};
use crate::api::{ApiError, Call, Caller, Reply, Session};
use crate::domain::{Clock, ErrorKind};
use crate::ledger::Store;

/// Where clients look for the household service when no socket is named.
pub const DEFAULT_SOCKET: &str = "/run/coinguard/coinguard.sock";

/// How long a client waits for one answer: long enough for `verify` or an
/// export page on a large household.
pub const ANSWER_TIMEOUT: Duration = Duration::from_secs(10 * 60);

/// A household, wherever it is answered.
pub enum Household<'c> {
    Embedded(Box<Session<'c>>),
    Remote(Remote),
}

/// A connection to the household service.
pub struct Remote {
    socket: PathBuf,
    reader: BufReader<UnixStream>,
    writer: UnixStream,
}

impl<'c> Household<'c> {
    /// Opens the household file in this process; whoever owns the file is
    /// its owner here (PINs are still asked).
    pub fn open(path: &Path, clock: &'c dyn Clock) -> Result<Household<'c>, ApiError> {
        let store = Store::open(path)?;
        Ok(Household::Embedded(Box::new(Session::new(
            store,
            clock,
            Caller::Owner,
        ))))
    }

    /// Connects to the household service and says hello.
    pub fn connect(socket: &Path) -> Result<Household<'static>, ApiError> {
        Ok(Household::Remote(Remote::connect(socket)?))
    }

    /// Whether the household service answers (else this process opened the file).
    pub fn is_remote(&self) -> bool {
        matches!(self, Household::Remote(_))
    }

    /// Asks one thing and waits for its answer.
    pub fn call(&mut self, call: Call) -> Result<Reply, ApiError> {
        match self {
            Household::Embedded(session) => session.handle(call),
            Household::Remote(remote) => remote.call(&call),
        }
    }

    /// Asks one thing and hears how far it has got while waiting (verify
    /// reports progress; other calls just answer). When `progress` returns
    /// `false` the work stops and this returns [`stopped`]: in this process
    /// the work itself stops; through the service the connection is
    /// closed, which stops the work there (it only reads), and this
    /// household is closed for further calls.
    pub fn call_with_progress(
        &mut self,
        call: Call,
        progress: &mut dyn FnMut(ProgressView) -> bool,
    ) -> Result<Reply, ApiError> {
        match self {
            Household::Embedded(session) => session.handle_watched(call, progress),
            Household::Remote(remote) => remote.call_with_progress(&call, progress),
        }
    }

    /// Another connection to the same household, as the same caller: in
    /// this process the file opened again, through the service a second
    /// connection. For work on another thread.
    pub fn another(&self) -> Result<Household<'c>, ApiError> {
        match self {
            Household::Embedded(session) => Ok(Household::Embedded(Box::new(session.another()?))),
            Household::Remote(remote) => Ok(Household::Remote(Remote::connect(&remote.socket)?)),
        }
    }

    /// Why allowances due could not be paid in this process, as of the
    /// last call (see [`Session::unpaid`]). Through the service, always
    /// `None`: the service pays them and logs what stops it.
    pub fn unpaid(&self) -> Option<String> {
        match self {
            Household::Embedded(session) => session.unpaid(),
            Household::Remote(_) => None,
        }
    }

    /// Asks and expects one kind of answer (`let w: WalletView = h.ask(..)?`).
    pub fn ask<T: TryFrom<Reply, Error = ApiError>>(&mut self, call: Call) -> Result<T, ApiError> {
        T::try_from(self.call(call)?)
    }
}

fn unavailable(socket: &Path, why: &std::io::Error) -> ApiError {
    use std::io::ErrorKind as Io;
    let message = match why.kind() {
        Io::NotFound | Io::ConnectionRefused => format!(
            "the coinguard service is not running (socket {}); start it with: sudo systemctl start coinguard",
            socket.display()
        ),
        Io::PermissionDenied => format!(
            "this account may not reach the coinguard service (socket {}: permission denied)",
            socket.display()
        ),
        _ => format!(
            "cannot reach the coinguard service at {}: {why}",
            socket.display()
        ),
    };
    ApiError::new(ErrorKind::Unavailable, message)
}

fn wire_failed(socket: &Path, e: WireError) -> ApiError {
    match e {
        WireError::Closed => ApiError::new(
            ErrorKind::Unavailable,
            format!(
                "the coinguard service closed the connection (socket {}); it may have stopped",
                socket.display()
            ),
        ),
        WireError::Timeout | WireError::Idle => ApiError::new(
            ErrorKind::Unavailable,
            format!(
                "the coinguard service did not answer in time (socket {})",
                socket.display()
            ),
        ),
        other => ApiError::new(
            ErrorKind::Other,
            format!("talking to the coinguard service failed: {other}"),
        ),
    }
}

impl Remote {
    pub fn connect(socket: &Path) -> Result<Remote, ApiError> {
        let stream = UnixStream::connect(socket).map_err(|e| unavailable(socket, &e))?;
        let writer = stream.try_clone().map_err(|e| unavailable(socket, &e))?;
        let mut remote = Remote {
            socket: socket.to_path_buf(),
            reader: BufReader::new(stream),
            writer,
        };
        let hello = Hello {
            hello: PROTOCOL_VERSION,
            client: format!("coinguard {}", env!("CARGO_PKG_VERSION")),
        };
        match remote.exchange(&hello)? {
            Reply::Welcome { .. } => Ok(remote),
            other => Err(unexpected(&other)),
        }
    }

    fn exchange<T: serde::Serialize>(&mut self, message: &T) -> Result<Reply, ApiError> {
        self.exchange_watched(message, &mut |_| true)
    }

    fn exchange_watched<T: serde::Serialize>(
        &mut self,
        message: &T,
        progress: &mut dyn FnMut(ProgressView) -> bool,
    ) -> Result<Reply, ApiError> {
        wire::write_message(&mut self.writer, message).map_err(|e| wire_failed(&self.socket, e))?;
        loop {
            let answer: Option<Answer> =
                wire::read_message(&mut self.reader, wire::MAX_REPLY_BYTES, ANSWER_TIMEOUT)
                    .map_err(|e| wire_failed(&self.socket, e))?;
            match answer {
                Some(Answer::Ok(reply)) => return Ok(*reply),
                Some(Answer::Error(error)) => return Err(error),
                Some(Answer::Progress(step)) => {
                    if !progress(step) {
                        // The service stops when it can no longer tell us
                        // how far it got: its next progress line fails.
                        let _ = self.writer.shutdown(std::net::Shutdown::Both);
                        return Err(stopped());
                    }
                }
                None => return Err(wire_failed(&self.socket, WireError::Closed)),
            }
        }
    }

    pub fn call(&mut self, call: &Call) -> Result<Reply, ApiError> {
        self.exchange(call)
    }

    pub fn call_with_progress(
        &mut self,
        call: &Call,
        progress: &mut dyn FnMut(ProgressView) -> bool,
    ) -> Result<Reply, ApiError> {
        self.exchange_watched(call, progress)
    }
}

/// What a call stopped by its watcher (see
/// [`Household::call_with_progress`]) answers, in either mode.
pub fn stopped() -> ApiError {
    ApiError::new(
        ErrorKind::Other,
        crate::ledger::LedgerError::Stopped.to_string(),
    )
}

fn unexpected(reply: &Reply) -> ApiError {
    let name = serde_json::to_value(reply)
        .ok()
        .and_then(|v| v.get("reply").and_then(|r| r.as_str()).map(str::to_string))
        .unwrap_or_default();
    ApiError::new(
        ErrorKind::Other,
        format!("the household answered with {name} where something else was expected"),
    )
}

macro_rules! answers {
    ($($variant:ident => $view:ty),* $(,)?) => {$(
        impl TryFrom<Reply> for $view {
            type Error = ApiError;
            fn try_from(reply: Reply) -> Result<$view, ApiError> {
                match reply {
                    Reply::$variant(view) => Ok(view),
                    other => Err(unexpected(&other)),
                }
            }
        }
    )*};
}

answers!(
    Me => Me,
    Household => HouseholdView,
    Catalog => CatalogView,
    Members => MembersView,
    Wallet => WalletView,
    Rules => RulesView,
    Requests => RequestsView,
    Request => RequestView,
    History => HistoryView,
    Reports => ReportsView,
    Decisions => DecisionsView,
    GuardianLog => GuardianLogView,
    Alerts => AlertsView,
    DailySpend => DailySpendView,
    Verify => VerifyView,
    Spend => SpendView,
    ReversalPreview => ReversalPreviewView,
    Change => ChangeView,
    Added => AddedView,
    Count => CountView,
    Export => ExportView,
    Notify => NotifyListView,
    NotifyRun => NotifyRunView,
    Allowances => AllowancesView,
    MoneyFlow => MoneyFlowView,
);
