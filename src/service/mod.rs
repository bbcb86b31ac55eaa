//! The household service (`coinguard serve`): the only process that opens the
//! household database, under its own OS account, answering clients on a
//! Unix socket. The kernel says who each client is ([`peer`]); a
//! [`Session`] per connection decides what that account may do.
//!
//! One thread per connection, each with its own connection to the database
//! (SQLite serialises the writers: `BEGIN IMMEDIATE` with a busy timeout),
//! at most [`MAX_CONNECTIONS`] at once. A timekeeper thread expires
//! requests at their second. SIGTERM (or SIGINT) stops accepting, lets
//! every call in flight finish and answer, then the service exits; a
//! SIGKILL loses nothing committed and half-writes nothing (each call is one
//! SQLite transaction).

pub mod check;
/// Identity from the kernel lives with the rest of "who is at the keyboard".
pub use crate::auth::peer;

use std::io::BufReader;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::api::wire::{self, Answer, Hello, PROTOCOL_VERSION, WireError};
use crate::api::{ApiError, Call, Caller, Reply, Session};
use crate::domain::{Clock, ErrorKind};
use crate::ledger::Store;

/// Where the service keeps the household unless `--db` says otherwise (the
/// unit's `StateDirectory`).
pub const DEFAULT_DB: &str = "/var/lib/coinguard/household.db";

/// The most clients served at once; one more is told so and let go.
pub const MAX_CONNECTIONS: usize = 64;
/// How often an idle connection looks whether the service is stopping.
const POLL: Duration = Duration::from_millis(250);
/// The longest the timekeeper sleeps: a request made meanwhile is seen
/// within this.
const TIMEKEEPER_NAP: Duration = Duration::from_secs(1);

/// What `coinguard serve` was asked to do.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub db: PathBuf,
    pub socket: PathBuf,
    pub max_connections: usize,
    /// How long a message may take once its first byte arrived
    /// ([`wire::MESSAGE_DEADLINE`] unless a test wants it shorter).
    pub message_deadline: Duration,
}

/// Why the service could not start (once started it keeps serving).
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Household(#[from] crate::ledger::LedgerError),
    #[error(
        "another coinguard service already answers on {}; stop it first (sudo systemctl stop coinguard)",
        .0.display()
    )]
    AlreadyServing(PathBuf),
    #[error("{} exists and is not a socket; it was left alone: choose another --socket path", .0.display())]
    NotASocket(PathBuf),
    #[error("cannot listen on {}: {message}", path.display())]
    Listen { path: PathBuf, message: String },
}

impl ServeError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            ServeError::Household(e) => e.kind(),
            ServeError::AlreadyServing(_) | ServeError::NotASocket(_) => ErrorKind::Conflict,
            ServeError::Listen { .. } => ErrorKind::Other,
        }
    }
}

/// The verify the service runs when it starts: from the last verify's mark
/// (the whole record when there is none), said in one line in the journal.
/// A problem stops nothing by itself here (spending stops on a record whose
/// newest entries do not check out; `coinguard verify` says more).
fn check_at_start(store: &mut Store, clock: &dyn Clock) {
    let request = crate::services::VerifyRequest {
        full: false,
        seal: None,
        account: "",
    };
    match crate::services::verify(store, clock, &request, &mut crate::ledger::Watch::none()) {
        Ok(report) => match &report.problem {
            None => log(format_args!(
                "verified {} new transactions, {} decisions and {} guardian actions since {}: all good (seals are checked by coinguard verify --as NAME)",
                report.transactions,
                report.decisions,
                report.guardian_actions,
                if report.from.is_some() {
                    "the last verify"
                } else {
                    "the start"
                }
            )),
            Some(problem) => log(format_args!(
                "THE RECORD HAS BEEN CHANGED OUTSIDE COINGUARD: {}: {}. Run coinguard verify (with --as NAME to check the seals)",
                problem.entry, problem.message
            )),
        },
        Err(e) => log(format_args!("could not verify the household at start: {e}")),
    }
}

/// One line on standard error (the journal, under systemd). Never a PIN:
/// calls are named, not printed.
fn log(line: std::fmt::Arguments<'_>) {
    eprintln!("coinguard serve: {line}");
}

/// Logs why allowances could not be paid once while that reason lasts
/// (`said` keeps what was last logged): the payer tries every half second,
/// and a full disk must not fill the journal with the same line.
fn unpaid_logged(said: &mut Option<String>, why: Option<String>) {
    if let Some(why) = &why
        && said.as_ref() != Some(why)
    {
        log(format_args!(
            "paying allowances failed, tried again every half second: {why}"
        ));
    }
    *said = why;
}

/// Listens on `options.socket` and serves until SIGTERM or SIGINT.
pub fn serve(options: &ServeOptions, clock: &dyn Clock) -> Result<(), ServeError> {
    let stop = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGINT] {
        signal_hook::flag::register(signal, Arc::clone(&stop)).map_err(|e| ServeError::Listen {
            path: options.socket.clone(),
            message: format!("cannot watch for signals: {e}"),
        })?;
    }
    serve_until(options, clock, &stop)
}

/// Serves until `stop` is set (a signal, or whoever runs the service in a
/// thread: the benchmarks).
pub fn serve_until(
    options: &ServeOptions,
    clock: &dyn Clock,
    stop: &AtomicBool,
) -> Result<(), ServeError> {
    // Opening migrates the file if an older coinguard wrote it, once, here;
    // then what was added since the last verify is verified (the household
    // is served either way: a guardian needs it to run a full verify).
    let mut store = Store::open(&options.db)?;
    check_at_start(&mut store, clock);
    drop(store);
    let listener = listen(&options.socket)?;
    listener
        .set_nonblocking(true)
        .map_err(|e| ServeError::Listen {
            path: options.socket.clone(),
            message: e.to_string(),
        })?;
    log(format_args!(
        "serving {} on {} as {}",
        options.db.display(),
        options.socket.display(),
        peer::current().user
    ));
    let open = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        scope.spawn(|| timekeeper(&options.db, clock, stop));
        scope.spawn(|| deliverer(&options.db, clock, stop));
        while !stop.load(Ordering::SeqCst) {
            let stream = match listener.accept() {
                Ok((stream, _)) => stream,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    std::thread::sleep(POLL / 5);
                    continue;
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    log(format_args!("accepting a connection failed: {e}"));
                    std::thread::sleep(POLL);
                    continue;
                }
            };
            if open.fetch_add(1, Ordering::SeqCst) >= options.max_connections {
                open.fetch_sub(1, Ordering::SeqCst);
                turn_away(stream, options.max_connections);
                continue;
            }
            let open = &open;
            scope.spawn(move || {
                connection(stream, options, clock, stop);
                open.fetch_sub(1, Ordering::SeqCst);
            });
        }
        log(format_args!(
            "stopping: finishing {} connection(s)",
            open.load(Ordering::SeqCst)
        ));
    });
    // Everything in flight has answered; the socket goes with the service.
    let _ = std::fs::remove_file(&options.socket);
    log(format_args!("stopped"));
    Ok(())
}

/// Binds the socket, replacing one a dead service left behind (never a
/// file that is not a socket, never one that still answers), and lets
/// every account reach it: who may do what is the service's decision.
fn listen(path: &Path) -> Result<UnixListener, ServeError> {
    use std::os::unix::fs::FileTypeExt;
    if let Ok(meta) = std::fs::symlink_metadata(path) {
        if !meta.file_type().is_socket() {
            return Err(ServeError::NotASocket(path.to_path_buf()));
        }
        if UnixStream::connect(path).is_ok() {
            return Err(ServeError::AlreadyServing(path.to_path_buf()));
        }
        let _ = std::fs::remove_file(path);
    }
    let failed = |e: std::io::Error| ServeError::Listen {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    let listener = UnixListener::bind(path).map_err(failed)?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o666)).map_err(failed)?;
    Ok(listener)
}

fn turn_away(stream: UnixStream, max: usize) {
    let mut writer = stream;
    let _ = writer.set_write_timeout(Some(Duration::from_secs(1)));
    let _ = wire::write_message(
        &mut writer,
        &Answer::Error(ApiError::new(
            ErrorKind::Unavailable,
            format!(
                "the coinguard service is serving {max} clients already; try again in a moment"
            ),
        )),
    );
}

/// Expires requests at their second, and keeps looking. If the household
/// file goes away under it (removed, replaced), it says so once and opens
/// the file again when it is back.
fn timekeeper(db: &Path, clock: &dyn Clock, stop: &AtomicBool) {
    let mut store: Option<Store> = None;
    let mut said = false;
    while !stop.load(Ordering::SeqCst) {
        if store.is_none() {
            match Store::open(db) {
                Ok(opened) => {
                    store = Some(opened);
                    said = false;
                }
                Err(e) if !said => {
                    log(format_args!(
                        "the timekeeper cannot open the household: {e}"
                    ));
                    said = true;
                }
                Err(_) => {}
            }
        }
        let nap = match store.as_mut() {
            None => TIMEKEEPER_NAP,
            Some(open) => match expire_what_is_due(open, clock) {
                Ok(nap) => nap,
                Err(e) => {
                    log(format_args!("expiring requests failed: {e}"));
                    if matches!(
                        e,
                        crate::services::ServiceError::Ledger(
                            crate::ledger::LedgerError::FileGone { .. }
                        )
                    ) {
                        store = None;
                    }
                    TIMEKEEPER_NAP
                }
            },
        };
        let until = Instant::now() + nap.min(TIMEKEEPER_NAP);
        while Instant::now() < until && !stop.load(Ordering::SeqCst) {
            std::thread::sleep(POLL.min(until.saturating_duration_since(Instant::now())));
        }
    }
}

/// Pays allowances when due, delivers notifications as events appear
/// (looking twice a second, with one indexed read each), and records each
/// week's summaries once the week is over. Runs beside the connections: a command that hangs delays only
/// other notifications, never a spend.
fn deliverer(db: &Path, clock: &dyn Clock, stop: &AtomicBool) {
    let mut store: Option<Store> = None;
    let mut last_summaries: Option<Instant> = None;
    let mut said = false;
    // See `unpaid_logged`.
    let mut unpaid_said: Option<String> = None;
    while !stop.load(Ordering::SeqCst) {
        if store.is_none() {
            store = Store::open(db).ok();
        }
        if let Some(open) = store.as_mut() {
            match crate::services::allowance::pay_due_allowances(open, clock) {
                Ok(payments) => {
                    for p in &payments.paid {
                        log(format_args!("paid {}'s allowance due {}", p.member, p.due));
                    }
                    let why = crate::services::allowance::Unpaid::sentences(&payments.unpaid);
                    unpaid_logged(&mut unpaid_said, why);
                }
                Err(e) => unpaid_logged(&mut unpaid_said, Some(format!("{e}"))),
            }
            if last_summaries.is_none_or(|at| at.elapsed() >= Duration::from_secs(60)) {
                last_summaries = Some(Instant::now());
                if let Err(e) = crate::services::notify::record_weekly_summaries(open, clock) {
                    log(format_args!("recording weekly summaries failed: {e}"));
                }
            }
            match crate::services::notify::deliver_due(
                open,
                clock,
                crate::services::notify::DEFAULT_TIMEOUT,
            ) {
                Ok(run) => {
                    said = false;
                    for (event, command, why) in &run.failed {
                        log(format_args!(
                            "notification {event} to command #{command} failed: {why}; tried again later"
                        ));
                    }
                }
                Err(e) => {
                    if !said {
                        log(format_args!("delivering notifications failed: {e}"));
                        said = true;
                    }
                    if matches!(
                        e,
                        crate::services::notify::NotifyError::Ledger(
                            crate::ledger::LedgerError::FileGone { .. }
                        )
                    ) {
                        store = None;
                    }
                }
            }
        }
        let until = Instant::now() + Duration::from_millis(500);
        while Instant::now() < until && !stop.load(Ordering::SeqCst) {
            std::thread::sleep(POLL.min(until.saturating_duration_since(Instant::now())));
        }
    }
}

/// Expires what is due; how long until the next request is due.
fn expire_what_is_due(
    store: &mut Store,
    clock: &dyn Clock,
) -> Result<Duration, crate::services::ServiceError> {
    let now = clock.now().timestamp_micros();
    match crate::services::next_expiry(store)? {
        Some(at) if at <= now => {
            let ids = crate::services::expire_due_requests(store, clock)?;
            if !ids.is_empty() {
                log(format_args!("expired request(s) {ids:?}"));
            }
            Ok(Duration::ZERO)
        }
        Some(at) => Ok(Duration::from_micros(u64::try_from(at - now).unwrap_or(0))),
        None => Ok(TIMEKEEPER_NAP),
    }
}

/// Who a connection is: root and the service's own account own the
/// household (they can read the file anyway); anyone else is an account
/// acting as the members linked to it.
fn caller_of(stream: &UnixStream) -> std::io::Result<Caller> {
    let who = peer::peer_of(stream)?;
    Ok(if who.uid == 0 || who.uid == peer::current().uid {
        Caller::Owner
    } else {
        Caller::Account(who)
    })
}

/// Serves one client until it leaves, misbehaves, idles too long or the
/// service stops.
fn connection(stream: UnixStream, options: &ServeOptions, clock: &dyn Clock, stop: &AtomicBool) {
    let db = &options.db;
    let caller = match caller_of(&stream) {
        Ok(caller) => caller,
        Err(e) => {
            log(format_args!("cannot tell who connected: {e}"));
            return;
        }
    };
    let who = match &caller {
        Caller::Owner => "owner".to_string(),
        Caller::Account(peer) => peer.user.clone(),
    };
    let Ok(writer) = stream.try_clone() else {
        return;
    };
    let mut conn = Conn {
        reader: BufReader::new(stream),
        writer,
        deadline: options.message_deadline,
    };
    let _ = conn.writer.set_write_timeout(Some(wire::MESSAGE_DEADLINE));
    // The hello: the protocol, first.
    let hello: Hello = match conn.next(stop) {
        Next::Message(line) => match serde_json::from_slice(&line) {
            Ok(hello) => hello,
            Err(e) => {
                conn.refuse(ErrorKind::BadInput, format!("the first message must be a hello naming the protocol ({{\"hello\": {PROTOCOL_VERSION}, \"client\": \"...\"}}): {e}"));
                return;
            }
        },
        Next::Gone => return,
        Next::Bad(error) => {
            conn.refuse(ErrorKind::BadInput, error.to_string());
            return;
        }
    };
    if hello.hello != PROTOCOL_VERSION {
        let (older, update) = if hello.hello < PROTOCOL_VERSION {
            ("this coinguard", "update coinguard on this computer")
        } else {
            (
                "the household service",
                "update the service's coinguard and restart it",
            )
        };
        conn.refuse(
            ErrorKind::Other,
            format!(
                "{older} is older: the client speaks protocol {}, the service {PROTOCOL_VERSION}; {update}",
                hello.hello
            ),
        );
        return;
    }
    let store = match Store::open(db) {
        Ok(store) => store,
        Err(e) => {
            conn.refuse(e.kind(), e.to_string());
            return;
        }
    };
    let mut session = Session::new(store, clock, caller).via_service();
    // An account linked to nobody is turned away at once, named.
    if let Err(refused) = session.handle(Call::WhoAmI) {
        log(format_args!("refused {who}: {}", refused.message));
        let _ = conn.send(&Answer::Error(refused));
        return;
    }
    if conn
        .send(&Answer::Ok(Box::new(Reply::Welcome {
            protocol: PROTOCOL_VERSION,
            service: format!("coinguard {}", env!("CARGO_PKG_VERSION")),
        })))
        .is_err()
    {
        return;
    }
    loop {
        let line = match conn.next(stop) {
            Next::Message(line) => line,
            Next::Gone => return,
            Next::Bad(error) => {
                conn.refuse(
                    ErrorKind::BadInput,
                    format!("{error}; the connection is closed"),
                );
                return;
            }
        };
        let call: Call = match serde_json::from_slice(&line) {
            Ok(call) => call,
            Err(e) => {
                conn.refuse(
                    ErrorKind::BadInput,
                    format!("the message is not a call this service knows: {e}; the connection is closed"),
                );
                return;
            }
        };
        // A call that asked for progress hears it as it goes; a client
        // that is gone (or stopped listening) stops the work, which only
        // reads.
        let watched = matches!(
            call,
            Call::Verify { progress: true } | Call::VerifyWith { progress: true, .. }
        );
        let answered = if watched {
            session.handle_watched(call, &mut |step| conn.send(&Answer::Progress(step)).is_ok())
        } else {
            session.handle(call)
        };
        let answer = match answered {
            Ok(reply) => Answer::Ok(Box::new(reply)),
            Err(error) => Answer::Error(error),
        };
        // The call is done (committed or not) before anyone can stop us; a
        // client gone by now just misses the answer.
        if conn.send(&answer).is_err() || stop.load(Ordering::SeqCst) {
            return;
        }
    }
}

struct Conn {
    reader: BufReader<UnixStream>,
    writer: UnixStream,
    deadline: Duration,
}

enum Next {
    Message(Vec<u8>),
    /// The client left, idled too long, or the service is stopping.
    Gone,
    Bad(WireError),
}

impl Conn {
    /// The next line, looking at `stop` while idle: a call that reached
    /// the service before it began stopping is still answered.
    fn next(&mut self, stop: &AtomicBool) -> Next {
        let idle_since = Instant::now();
        loop {
            match wire::read_line_within(
                &mut self.reader,
                wire::MAX_REQUEST_BYTES,
                POLL,
                self.deadline,
            ) {
                Ok(Some(line)) => return Next::Message(line),
                Ok(None) | Err(WireError::Closed) | Err(WireError::Io(_)) => return Next::Gone,
                Err(WireError::Idle)
                    if !stop.load(Ordering::SeqCst)
                        && idle_since.elapsed() < wire::IDLE_TIMEOUT =>
                {
                    continue;
                }
                Err(WireError::Idle) => return Next::Gone,
                Err(other) => return Next::Bad(other),
            }
        }
    }

    fn send(&mut self, answer: &Answer) -> Result<(), WireError> {
        wire::write_message(&mut self.writer, answer)
    }

    /// Says why, then the connection ends (the caller returns).
    fn refuse(&mut self, kind: ErrorKind, message: String) {
        let _ = self.send(&Answer::Error(ApiError::new(kind, message)));
    }
}
