//! The seed's laundry: shirts drying in the sun, then shirts to iron.
//!
//! One shirt dries in 15 minutes of sun. How long for ten? Hung side by side,
//! 15 minutes: the sun works on every shirt at once, and drying is only
//! waiting. Hung one after another, 150 minutes. That is the whole case for
//! async: ten tasks that wait can wait *together*, on one thread, and the
//! executor only has to notice when each wait is over.
//!
//! Ironing is different. Ironing is work, and one pair of hands irons one
//! shirt at a time however many shirts are "in progress". Ten ironing tasks
//! spawned together on one worker still take 150 minutes: each task's
//! [`work()`] holds the executor for its whole 15 minutes, and the trace
//! flags every such poll as a `LongPoll`. Concurrency — many tasks started —
//! is not parallelism — many workers doing. Give the scenario ten workers
//! (`workers=10`, which sets [`Config::workers`]) and ironing takes 15
//! minutes; three workers take ⌈10/3⌉ × 15 = 60.

use std::time::Duration;

use super::measure::format_ns;
use super::{Mode, ParamSpec, Params, Scenario};
use crate::{Config, Outcome, Sim, sleep, spawn, work};

/// Longest drying or ironing time in minutes: 50 shirts one by one then take
/// 1250 minutes, inside the default one-day virtual-time limit.
const MINUTES_MAX: i64 = 25;

pub(super) const SCENARIO: Scenario = Scenario {
    id: "laundry",
    title: "Laundry in the sun",
    question: "One shirt dries in 15 minutes of sun. How long do 10 shirts take? And 10 shirts to iron?",
    answer: "Drying together: 15 minutes, because waiting overlaps. One by one: 150 minutes. Ironing is \
             work, not waiting: 10 ironing tasks on one worker take 150 minutes however concurrently \
             they are spawned; with 10 workers they take 15.",
    notice: "Together, all ten timers are armed at 0 and the clock jumps once, to 15 min. Ironing on one \
             worker, each shirt's single poll moves the clock by 15 min and is flagged as a long poll: \
             nothing else runs meanwhile.",
    modes: &[
        Mode {
            id: "together",
            label: "Dry together",
            about: "Hang every shirt at once: one task per shirt, then join.",
        },
        Mode {
            id: "one-by-one",
            label: "Dry one by one",
            about: "Hang the next shirt only when the last one is dry.",
        },
        Mode {
            id: "ironing",
            label: "Iron (CPU work)",
            about: "One task per shirt, each doing CPU-bound work on the workers.",
        },
    ],
    params: &[
        ParamSpec {
            name: "shirts",
            label: "Shirts",
            default: 10,
            min: 1,
            max: 50,
            unit: "shirts",
        },
        ParamSpec {
            name: "dry_min",
            label: "Drying time",
            default: 15,
            min: 1,
            max: MINUTES_MAX,
            unit: "min",
        },
        ParamSpec {
            name: "iron_min",
            label: "Ironing time",
            default: 15,
            min: 1,
            max: MINUTES_MAX,
            unit: "min",
        },
        ParamSpec {
            name: "workers",
            label: "Workers (CPUs)",
            default: 1,
            min: 1,
            max: 16,
            unit: "workers",
        },
    ],
    spawn: spawn_laundry,
    configure: Some(configure),
    check: Some(check),
    report: Some(report),
    program: Some(program),
    source: None,
};

fn minutes(params: &Params, name: &str) -> Duration {
    Duration::from_secs(params.get(name).max(1) as u64 * 60)
}

fn configure(config: &mut Config, params: &Params) {
    config.workers = params.get("workers").max(1) as u32;
}

fn spawn_laundry(sim: &mut Sim, params: &Params) {
    let shirts = params.get("shirts").max(1) as u32;
    let (dry, iron) = (minutes(params, "dry_min"), minutes(params, "iron_min"));
    let mode = params.mode;
    let _main = sim.spawn("main", async move {
        match mode {
            "one-by-one" => {
                for i in 1..=shirts {
                    spawn(&format!("shirt {i}"), sleep(dry))
                        .await
                        .expect("a drying shirt cannot fail");
                }
            }
            "ironing" => {
                let irons: Vec<_> = (1..=shirts)
                    .map(|i| spawn(&format!("iron shirt {i}"), work(iron)))
                    .collect();
                for h in irons {
                    h.await.expect("an ironing task cannot fail");
                }
            }
            _ => {
                let shirts: Vec<_> = (1..=shirts).map(|i| spawn(&format!("shirt {i}"), sleep(dry))).collect();
                for h in shirts {
                    h.await.expect("a drying shirt cannot fail");
                }
            }
        }
    });
}

/// When the last shirt is done: drying together takes one drying time, one
/// by one `shirts` of them; ironing takes ⌈shirts / workers⌉ ironing times.
fn expected_end(params: &Params) -> Duration {
    let shirts = params.get("shirts").max(1) as u32;
    match params.mode {
        "one-by-one" => minutes(params, "dry_min") * shirts,
        "ironing" => minutes(params, "iron_min") * shirts.div_ceil(params.get("workers").max(1) as u32),
        _ => minutes(params, "dry_min"),
    }
}

/// Passes when the run completed at exactly [`expected_end`].
fn check(sim: &Sim, outcome: &Outcome) -> Result<(), String> {
    if !outcome.is_completed() {
        return Err(outcome.to_string());
    }
    let expected = expected_end(&SCENARIO.params_of(sim));
    if sim.now() != expected {
        return Err(format!(
            "the laundry was done at {}, expected {}",
            format_ns(sim.now().as_nanos() as u64),
            format_ns(expected.as_nanos() as u64)
        ));
    }
    Ok(())
}

fn report(sim: &Sim) -> String {
    let params = SCENARIO.params_of(sim);
    let shirts = params.get("shirts");
    let done = format_ns(sim.now().as_nanos() as u64);
    match params.mode {
        "ironing" => format!(
            "{shirts} shirts ironed in {done} on {} worker(s)",
            params.get("workers")
        ),
        "one-by-one" => format!("{shirts} shirts dried one by one in {done}"),
        _ => format!("{shirts} shirts dried together in {done}"),
    }
}

/// The program of a mode, with the parameters as `const`s (the number of
/// workers is the simulation's, set by [`configure`]).
fn program(params: &Params) -> String {
    let consts = format!(
        "const SHIRTS: u32 = {};\nconst DRY_MIN: u64 = {};\nconst IRON_MIN: u64 = {};\n// Ironing runs on {} CPU worker(s): `Config::workers`.",
        params.get("shirts").max(1),
        params.get("dry_min").max(1),
        params.get("iron_min").max(1),
        params.get("workers").max(1)
    );
    let body = match params.mode {
        "one-by-one" => ONE_BY_ONE_MAIN,
        "ironing" => IRONING_MAIN,
        _ => TOGETHER_MAIN,
    };
    format!("{PROGRAM_HEAD}{consts}\n\n{body}")
}

const PROGRAM_HEAD: &str = "\
// Laundry in the sun: a shirt dries in DRY_MIN minutes. Ironing is CPU work.

use std::time::Duration;

use wakescope::{sleep, spawn, work};

";

const TOGETHER_MAIN: &str = "\
// Hang every shirt at once: one task per shirt, then join them all.
async fn main() {
    let mut shirts = Vec::new();
    for i in 1..=SHIRTS {
        shirts.push(spawn(&format!(\"shirt {i}\"), sleep(Duration::from_secs(DRY_MIN * 60))));
    }
    for shirt in shirts {
        shirt.await.expect(\"a drying shirt cannot fail\");
    }
}
";

const ONE_BY_ONE_MAIN: &str = "\
// Hang the next shirt only when the last one is dry.
async fn main() {
    for i in 1..=SHIRTS {
        spawn(&format!(\"shirt {i}\"), sleep(Duration::from_secs(DRY_MIN * 60)))
            .await
            .expect(\"a drying shirt cannot fail\");
    }
}
";

const IRONING_MAIN: &str = "\
// One task per shirt, each ironing: CPU-bound work on the workers.
async fn main() {
    let mut irons = Vec::new();
    for i in 1..=SHIRTS {
        irons.push(spawn(&format!(\"iron shirt {i}\"), work(Duration::from_secs(IRON_MIN * 60))));
    }
    for iron in irons {
        iron.await.expect(\"an ironing task cannot fail\");
    }
}
";
