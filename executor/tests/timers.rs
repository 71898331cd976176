//! The seed's three kitchen timers: 18 s one after another, 10 s together.

use std::time::Duration;

use wakescope::{Config, Event, Policy, Sim, WakeSource, sleep, spawn};

const SECS: [(&str, u64); 3] = [("popcorn", 3), ("boiler", 5), ("cookies", 10)];

#[test]
fn awaited_one_after_another_the_timers_take_18_seconds() {
    for seed in 0..20 {
        let mut sim = Sim::new(Config::seeded(seed));
        sim.block_on(async {
            for (_, s) in SECS {
                sleep(Duration::from_secs(s)).await;
            }
        })
        .unwrap();
        assert_eq!(sim.now(), Duration::from_secs(18), "seed {seed}");
    }
}

#[test]
fn spawned_and_joined_the_timers_take_10_seconds() {
    for seed in 0..20 {
        let mut sim = Sim::new(Config::seeded(seed));
        let _main = sim.spawn("main", async {
            let handles = SECS.map(|(name, s)| spawn(name, sleep(Duration::from_secs(s))));
            for h in handles {
                h.await.unwrap();
            }
        });
        assert!(sim.run().is_completed(), "seed {seed}");
        assert_eq!(sim.now(), Duration::from_secs(10), "seed {seed}");
    }
}

#[test]
fn the_trace_tells_the_concurrent_story_exactly() {
    let mut sim = Sim::new(Config::seeded(1).with_policy(Policy::Fifo));
    let _main = sim.spawn("main", async {
        let handles = SECS.map(|(name, s)| spawn(name, sleep(Duration::from_secs(s))));
        for h in handles {
            h.await.unwrap();
        }
    });
    sim.run();
    let trace = sim.trace();
    let count = |f: &dyn Fn(&Event) -> bool| trace.iter().filter(|r| f(&r.event)).count();
    assert_eq!(count(&|e| matches!(e, Event::Spawned { .. })), 4);
    assert_eq!(count(&|e| matches!(e, Event::TimerArmed { .. })), 3);
    assert_eq!(count(&|e| matches!(e, Event::TimerFired { .. })), 3);
    assert_eq!(count(&|e| matches!(e, Event::Completed { .. })), 4);
    // The clock jumps exactly to each deadline: 3 s, 5 s, 10 s.
    let jumps: Vec<u64> = trace
        .iter()
        .filter_map(|r| match r.event {
            Event::ClockAdvanced { to_ns } => Some(to_ns / 1_000_000_000),
            _ => None,
        })
        .collect();
    assert_eq!(jumps, vec![3, 5, 10]);
    // Each timer task is woken by its own timer, and `main` by the tasks it joins.
    for r in trace.iter() {
        if let Event::Woken {
            task,
            source: WakeSource::Timer(timer),
        } = r.event
        {
            assert_eq!(trace.timer(timer).unwrap().owner, Some(task));
        }
    }
    let main_wakers: Vec<&str> = trace
        .iter()
        .filter_map(|r| match r.event {
            Event::Woken {
                task,
                source: WakeSource::Task(by),
            } if trace.task(task).unwrap().name == "main" => Some(trace.task(by).unwrap().name),
            _ => None,
        })
        .collect();
    assert_eq!(main_wakers, vec!["popcorn", "boiler", "cookies"]);
}
