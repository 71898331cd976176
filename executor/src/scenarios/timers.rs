//! The seed's three kitchen timers: popcorn 3 s, water boiler 5 s, cookies 10 s.
//!
//! Awaited one after another they take 3 + 5 + 10 = 18 s. Spawned as three
//! tasks and then joined they take as long as the longest, 10 s: waiting is
//! not work, so the waits overlap.

use std::time::Duration;

use super::measure::format_ns;
use super::{Mode, ParamSpec, Params, Scenario};
use crate::{Outcome, Sim, sleep, spawn};

const TIMERS: [(&str, &str); 3] = [
    ("popcorn", "popcorn_s"),
    ("boiler", "boiler_s"),
    ("cookies", "cookies_s"),
];

pub(super) const SCENARIO: Scenario = Scenario {
    id: "timers",
    title: "Three kitchen timers",
    question: "Popcorn takes 3 s, the water boiler 5 s, the cookies 10 s. Do you wait 18 s or 10 s?",
    answer: "Sequential: 18 s, each wait starts when the last one ends. Concurrent: 10 s, \
             the three waits overlap and the longest decides.",
    notice: "In concurrent mode all three timers are armed before the clock moves; each fired \
             timer wakes its own task, and the finished task wakes `main` through its JoinHandle.",
    modes: &[
        Mode {
            id: "concurrent",
            label: "Concurrent (spawn, then join)",
            about: "Spawn three tasks, then await their handles.",
        },
        Mode {
            id: "sequential",
            label: "Sequential (await in turn)",
            about: "Await each sleep before starting the next.",
        },
    ],
    params: &[
        ParamSpec {
            name: "popcorn_s",
            label: "Popcorn",
            default: 3,
            min: 0,
            max: 3600,
            unit: "s",
        },
        ParamSpec {
            name: "boiler_s",
            label: "Water boiler",
            default: 5,
            min: 0,
            max: 3600,
            unit: "s",
        },
        ParamSpec {
            name: "cookies_s",
            label: "Cookies",
            default: 10,
            min: 0,
            max: 3600,
            unit: "s",
        },
    ],
    spawn: spawn_timers,
    configure: None,
    check: Some(check),
    report: Some(report),
    program: Some(program),
    source: None,
};

/// The run must end when the mode says: at the longest timer, or at their sum.
fn check(sim: &Sim, outcome: &Outcome) -> Result<(), String> {
    if !outcome.is_completed() {
        return Err(outcome.to_string());
    }
    let expected = expected_end(&SCENARIO.params_of(sim));
    match sim.now() {
        end if end == expected => Ok(()),
        end => Err(format!("the kitchen was done at {end:?}, expected {expected:?}")),
    }
}

fn report(sim: &Sim) -> String {
    let params = SCENARIO.params_of(sim);
    let secs = seconds(&params);
    let (longest, sum) = (
        secs.iter().map(|(_, s)| *s).max().unwrap_or(0),
        secs.iter().map(|(_, s)| *s).sum::<u64>(),
    );
    format!(
        "everything was done at {} (longest timer {longest} s, sum {sum} s)",
        format_ns(sim.now().as_nanos() as u64)
    )
}

fn seconds(params: &Params) -> Vec<(&'static str, u64)> {
    TIMERS
        .iter()
        .map(|(task, param)| (*task, params.get(param).max(0) as u64))
        .collect()
}

fn expected_end(params: &Params) -> Duration {
    let secs = seconds(params).into_iter().map(|(_, s)| s);
    Duration::from_secs(if params.mode == "sequential" {
        secs.sum()
    } else {
        secs.max().unwrap_or(0)
    })
}

fn spawn_timers(sim: &mut Sim, params: &Params) {
    let secs = seconds(params);
    if params.mode == "sequential" {
        let _main = sim.spawn("main", async move {
            for (_, s) in secs {
                sleep(Duration::from_secs(s)).await;
            }
        });
    } else {
        let _main = sim.spawn("main", async move {
            let handles: Vec<_> = secs
                .into_iter()
                .map(|(name, s)| spawn(name, sleep(Duration::from_secs(s))))
                .collect();
            for h in handles {
                h.await.expect("a timer task cannot fail");
            }
        });
    }
}

/// The program of a mode, with the parameters as `const`s.
fn program(params: &Params) -> String {
    let secs = seconds(params);
    let consts = format!(
        "const POPCORN_S: u64 = {};\nconst BOILER_S: u64 = {};\nconst COOKIES_S: u64 = {};",
        secs[0].1, secs[1].1, secs[2].1
    );
    let body = if params.mode == "sequential" {
        SEQUENTIAL_MAIN
    } else {
        CONCURRENT_MAIN
    };
    format!("{PROGRAM_HEAD}{consts}\n\n{body}")
}

const PROGRAM_HEAD: &str = "\
// Three kitchen timers: popcorn, the water boiler and the cookies.

use std::time::Duration;

use wakescope::{sleep, spawn};

";

const CONCURRENT_MAIN: &str = "\
// Start all three, then wait for each.
async fn main() {
    let timers = [(\"popcorn\", POPCORN_S), (\"boiler\", BOILER_S), (\"cookies\", COOKIES_S)];
    let mut handles = Vec::new();
    for (name, secs) in timers {
        handles.push(spawn(name, sleep(Duration::from_secs(secs))));
    }
    for handle in handles {
        handle.await.expect(\"a timer task cannot fail\");
    }
}
";

const SEQUENTIAL_MAIN: &str = "\
// Wait for each before starting the next.
async fn main() {
    for secs in [POPCORN_S, BOILER_S, COOKIES_S] {
        sleep(Duration::from_secs(secs)).await;
    }
}
";
