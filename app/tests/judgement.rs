//! The verdict read from the recorded run equals the one a second,
//! independent run of the same scenario and seed gives. The recorded run of
//! a scenario with a program interprets it, so a failed check or a task
//! blocked in a deadlock names its place in the program shown (`main.rs`)
//! where the compiled run names the scenario's Rust; everything else is the
//! same.

use wakescope::scenarios;
use wakescope_app::model::Run;
use wakescope_app::model::sweep::Judge;

#[test]
fn the_recorded_run_judges_itself_as_a_fresh_run_would() {
    for scenario in scenarios::registry() {
        for mode in scenario.modes {
            let (params, _) = scenario.params(Some(mode.id), []);
            for seed in [0, 12] {
                let ctx = format!("{} {} seed {seed}", scenario.id, mode.id);
                let mut run = Run::start(scenario, params.clone(), seed);
                assert!(run.judgement().is_none(), "{ctx}: judged before the end");
                run.finish();
                let own = run
                    .judgement()
                    .unwrap_or_else(|| panic!("{ctx}: no judgement at the end"));
                let fresh = Judge::start(scenario, &params, seed, true).finish();
                assert_eq!(
                    unsited(&format!("{:?}", own.verdict)),
                    unsited(&format!("{:?}", fresh.verdict)),
                    "{ctx}"
                );
                assert_eq!(own.measured, fresh.measured, "{ctx}");
                assert_eq!(
                    unsited(&own.outcome.to_string()),
                    unsited(&fresh.outcome.to_string()),
                    "{ctx}"
                );
            }
        }
    }
}

/// `text` with every source place taken out: `, at file:line:column` (in
/// a failed check's message) and ` at file:line:column` (where a deadlocked
/// task waits).
fn unsited(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find(" at ") {
        let after = &rest[at + 4..];
        let end = after.find([')', ';', ' ']).unwrap_or(after.len());
        let place = &after[..end];
        let mut parts = place.rsplitn(3, ':');
        let sited = matches!(
            (parts.next(), parts.next(), parts.next()),
            (Some(column), Some(line), Some(file))
                if !file.is_empty()
                    && [column, line].iter().all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        );
        let kept = if sited {
            rest[..at].strip_suffix(',').unwrap_or(&rest[..at])
        } else {
            &rest[..at + 4]
        };
        out.push_str(kept);
        rest = if sited { &after[end..] } else { after };
    }
    out.push_str(rest);
    out
}
