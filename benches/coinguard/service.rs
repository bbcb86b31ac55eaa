//! The household service against embedded mode: the same guarded purchase
//! (21 limits, the dense member) answered by a `Session` in this process,
//! and by the household service over its Unix socket (a thread of this
//! process running the real `serve` loop, its client the real socket
//! client). The difference is what the socket, JSON both ways and the
//! service's thread cost. Target: through the service at most 1.3x.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use coinguard::api::{Call, Caller, Session, call::Spend};
use coinguard::client::Household;
use coinguard::domain::FixedClock;

use crate::history::{self, DENSE, LARGE, MEDIUM, SMALL};

fn purchase() -> Call {
    Call::Spend {
        spend: Spend::Pack {
            member: DENSE.into(),
            pack: "coins-70".into(),
        },
        preview: false,
        key: None,
        pin: None,
    }
}

/// A clock both sides share, moved 10 ms per commit so no two commits
/// share a timestamp.
fn clock() -> &'static FixedClock {
    Box::leak(Box::new(FixedClock::new(history::end())))
}

/// Paired run (`cargo bench --bench coinguard -- --paired-service`):
/// embedded and through-the-service commits take turns, so the disk's slow
/// spells fall on both alike. Prints medians and means.
pub fn paired(rounds: usize) {
    println!(
        "| household | embedded median | through the service median (÷ embedded) | means: embedded / service |"
    );
    println!("| --- | --- | --- | --- |");
    let only = std::env::var("COINGUARD_BENCH_ONLY").ok();
    for (name, shape) in [
        ("1k dense", SMALL),
        ("100k dense", MEDIUM),
        ("1M dense", LARGE),
    ] {
        if only
            .as_deref()
            .is_some_and(|o| !name.eq_ignore_ascii_case(&format!("{o} dense")))
        {
            continue;
        }
        let clock = clock();
        let (_d1, store) = history::open(shape);
        let mut embedded = Session::new(store, clock, Caller::Owner);
        let (d2, served) = history::open(shape);
        let db = served.path().to_path_buf();
        drop(served);
        let socket = d2.path().join("coinguard.sock");
        let stop = AtomicBool::new(false);
        std::thread::scope(|scope| {
            let options = coinguard::service::ServeOptions {
                db,
                socket: socket.clone(),
                max_connections: 4,
                message_deadline: std::time::Duration::from_secs(10),
            };
            let stop = &stop;
            scope.spawn(move || coinguard::service::serve_until(&options, clock, stop).unwrap());
            let until = Instant::now() + std::time::Duration::from_secs(60);
            let mut remote = loop {
                match Household::connect(&socket) {
                    Ok(h) => break h,
                    Err(e) if Instant::now() > until => panic!("{e}"),
                    Err(_) => std::thread::sleep(std::time::Duration::from_millis(20)),
                }
            };
            let mut times: [Vec<f64>; 2] = [Vec::new(), Vec::new()];
            let warmup = rounds / 10;
            for round in 0..rounds + warmup {
                for turn in 0..2 {
                    let which = (round + turn) % 2;
                    clock.advance(chrono::TimeDelta::milliseconds(10));
                    let started = Instant::now();
                    let reply = match which {
                        0 => embedded.handle(purchase()).unwrap(),
                        _ => remote.call(purchase()).unwrap(),
                    };
                    if round >= warmup {
                        times[which].push(started.elapsed().as_secs_f64() * 1e6);
                    }
                    assert!(matches!(reply, coinguard::api::Reply::Spend(_)));
                }
            }
            stop.store(true, Ordering::SeqCst);
            let median = |v: &mut Vec<f64>| {
                v.sort_by(f64::total_cmp);
                v[v.len() / 2]
            };
            let mean = |v: &Vec<f64>| v.iter().sum::<f64>() / v.len() as f64;
            let means = [mean(&times[0]), mean(&times[1])];
            let [e, s] = &mut times;
            let (e, s) = (median(e), median(s));
            println!(
                "| {name} | {e:.0} µs | {s:.0} µs ({:.2}×) | {:.0} / {:.0} µs |",
                s / e,
                means[0],
                means[1]
            );
        });
        drop(d2);
    }
}
