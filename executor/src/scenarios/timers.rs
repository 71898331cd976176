//! The seed's three kitchen timers: popcorn 3 s, water boiler 5 s, cookies 10 s.
//!
//! Awaited one after another they take 3 + 5 + 10 = 18 s. Spawned as three
//! tasks and then joined they take as long as the longest, 10 s: waiting is
//! not work, so the waits overlap.

use std::time::Duration;

use super::{Mode, ParamSpec, Params, Scenario};
use crate::{sleep, spawn, Sim};

const TIMERS: [(&str, &str); 3] = [("popcorn", "popcorn_s"), ("boiler", "boiler_s"), ("cookies", "cookies_s")];

pub(super) const SCENARIO: Scenario = Scenario {
    id: "timers",
    title: "Three kitchen timers",
    question: "Popcorn takes 3 s, the water boiler 5 s, the cookies 10 s. Do you wait 18 s or 10 s?",
    answer: "Sequential: 18 s, each wait starts when the last one ends. Concurrent: 10 s, \
             the three waits overlap and the longest decides.",
    notice: "In concurrent mode all three timers are armed before the clock moves; each fired \
             timer wakes its own task, and the finished task wakes `main` through its JoinHandle.",
    modes: &[
        Mode { id: "concurrent", label: "Concurrent (spawn, then join)", about: "Spawn three tasks, then await their handles." },
        Mode { id: "sequential", label: "Sequential (await in turn)", about: "Await each sleep before starting the next." },
    ],
    params: &[
        ParamSpec { name: "popcorn_s", label: "Popcorn", default: 3, min: 0, max: 3600, unit: "s" },
        ParamSpec { name: "boiler_s", label: "Water boiler", default: 5, min: 0, max: 3600, unit: "s" },
        ParamSpec { name: "cookies_s", label: "Cookies", default: 10, min: 0, max: 3600, unit: "s" },
    ],
    spawn: spawn_timers,
};

fn spawn_timers(sim: &mut Sim, params: &Params) {
    let secs: Vec<(&'static str, u64)> =
        TIMERS.iter().map(|(task, param)| (*task, params.get(param).max(0) as u64)).collect();
    if params.mode == "sequential" {
        let _main = sim.spawn("main", async move {
            for (_, s) in secs {
                sleep(Duration::from_secs(s)).await;
            }
        });
    } else {
        let _main = sim.spawn("main", async move {
            let handles: Vec<_> =
                secs.into_iter().map(|(name, s)| spawn(name, sleep(Duration::from_secs(s)))).collect();
            for h in handles {
                h.await.expect("a timer task cannot fail");
            }
        });
    }
}
