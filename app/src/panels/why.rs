//! Why did it fail — and what if? The searches around the run on screen:
//! "Shrink" (the fewest deviations from FIFO order that still fail the same
//! way), "What if from here?" (continuations from the step on screen with
//! fresh scheduler seeds) and "Bisect" (the chance of failing along the run,
//! and the step from which it was certain). Each runs in the searcher's
//! worker with a progress bar and a cancel button; what it found opens on
//! click (`data-testid="why"`, `search-result` with `data-kind`).

use leptos::prelude::*;
use wakescope::sweep::{FORK_RUNS_DEFAULT, FORK_RUNS_MAX};
use wakescope::view::EndKind;
use wakescope_worker::Found;
use wakescope_worker::search::{Bisected, Compared, Forked, Shrunk};

use super::{count_field, use_session};
use crate::model::Setup;
use crate::model::compare::side_by_side;
use crate::web::Session;
use crate::web::inquiry::{Inquiry, Stage};

/// The search bar and what the last search found.
#[component]
pub fn WhyPanel() -> impl IntoView {
    let session = use_session();
    let status = session.recorder().status();
    let setup = session.recorder().setup();
    let inquiry = session.searcher().inquiry();
    let shown = move || status.with(|s| s.finished) && session.import().info().with(Option::is_none);
    let failing = move || failing(session);
    let follows = move || setup.with(|s| s.schedule.is_some());
    let running = move || inquiry.with(|i| i.as_ref().is_some_and(Inquiry::running));
    let runs = RwSignal::new(FORK_RUNS_DEFAULT);
    let on_runs = count_field(session, runs, (1, FORK_RUNS_MAX), "continuations");
    let step = session.playback().step();
    // The comparison on screen, if any, fills the field.
    let vs_text = RwSignal::new(String::new());
    Effect::new(move |_| {
        if let Some(vs) = inquiry.with(|i| i.as_ref().and_then(|i| i.vs.as_ref().map(ToString::to_string))) {
            vs_text.set(vs);
        }
    });

    view! {
        <Show when=shown>
            <section class="why" data-testid="why" aria-labelledby="why-title">
                <h2 id="why-title">{move || if failing() { "Why did it fail?" } else { "What if?" }}</h2>
                <div class="why-bar">
                    {move || failing().then(|| {
                        let refused = "This run follows a schedule: open the seed's own run to shrink or bisect it";
                        view! {
                            <button
                                type="button"
                                data-testid="shrink"
                                disabled=move || running() || follows()
                                title=move || if follows() { refused } else { "Find the fewest deviations from first-come, first-served order that still fail the same way" }
                                on:click=move |_| session.shrink()
                            >
                                "Shrink"
                            </button>
                            <button
                                type="button"
                                data-testid="bisect"
                                disabled=move || running() || follows()
                                title=move || if follows() { refused } else { "Estimate, along the run, the chance it still fails, and find the step from which it was certain" }
                                on:click=move |_| session.bisect()
                            >
                                "Bisect"
                            </button>
                        }
                    })}
                    <span class="field">
                        <label for="fork-runs">"Continuations"</label>
                        <input
                            id="fork-runs"
                            type="number"
                            data-testid="fork-runs"
                            min="1"
                            max=FORK_RUNS_MAX
                            step="1"
                            prop:value=move || runs.get().to_string()
                            on:change=on_runs
                        />
                    </span>
                    <button
                        type="button"
                        data-testid="fork"
                        disabled=running
                        title=move || format!("Run {} continuations from step {} with fresh scheduler seeds", runs.get(), step.get())
                        on:click=move |_| session.fork_here(runs.get_untracked())
                    >
                        {move || format!("What if from step {}?", step.get())}
                    </button>
                    <form class="compare-form" on:submit=move |ev: leptos::ev::SubmitEvent| {
                        ev.prevent_default();
                        session.compare_with(&vs_text.get_untracked());
                    }>
                        <span class="field">
                            <label for="vs-input">"Compare with"</label>
                            <input
                                id="vs-input"
                                type="text"
                                data-testid="vs"
                                autocomplete="off"
                                spellcheck="false"
                                placeholder="seed:13"
                                title="Another run: seed:N, mode:M, policy:P, schedule:s:…, param:NAME=VALUE, comma-joined"
                                prop:value=move || vs_text.get()
                                on:input=move |ev| vs_text.set(event_target_value(&ev))
                            />
                        </span>
                        <button type="submit" data-testid="compare" disabled=running>"Compare"</button>
                    </form>
                    {move || (follows() && failing()).then(|| view! {
                        <button type="button" data-testid="open-original" on:click=move |_| session.open_schedule(None, 0)>
                            "Open the seed's own run"
                        </button>
                    })}
                </div>
                {move || inquiry.get().map(|inquiry| stage_view(session, inquiry))}
            </section>
        </Show>
    }
}

/// Where a bisection of the run on screen found its failure became
/// inevitable (tracked), for the marks on the step bar and the timeline.
pub fn inevitable_step(session: Session) -> Option<u64> {
    let setup = session.recorder().setup();
    session.searcher().inquiry().with(|i| match i {
        Some(Inquiry {
            about,
            stage: Stage::Found(Found::Bisected(b)),
            ..
        }) if setup.with(|s| s == about) => Some(b.inevitable_step),
        _ => None,
    })
}

/// True when the run on screen failed: a scenario's verdict, or a program's end.
fn failing(session: Session) -> bool {
    if session.recorder().setup().with(Setup::is_program) {
        session
            .recorder()
            .status()
            .with(|s| s.end.as_ref().is_some_and(|e| e.kind != EndKind::Completed))
    } else {
        session
            .judging()
            .verdict()
            .with(|v| v.as_ref().is_some_and(|v| v.verdict.is_err()))
    }
}

fn stage_view(session: Session, inquiry: Inquiry) -> AnyView {
    match inquiry.stage {
        Stage::Running { runs, of } => {
            let pct = if of == 0 { 0.0 } else { runs as f64 * 100.0 / of as f64 };
            view! {
                <div class="why-running">
                    <span class="sweep-count">{inquiry.kind.doing()}"…"</span>
                    <div
                        class="sweep-progress"
                        data-testid="search-progress"
                        role="progressbar"
                        aria-label="Runs made"
                        aria-valuemin="0"
                        aria-valuemax=of
                        aria-valuenow=runs
                    >
                        <span class="sweep-fill" style:width=format!("{pct:.1}%")></span>
                    </div>
                    <span class="sweep-count num" data-testid="search-count">{if of == 0 { "starting…".to_string() } else { format!("{runs} / {of} runs") }}</span>
                    <button type="button" data-testid="search-cancel" on:click=move |_| session.cancel_search()>"Cancel"</button>
                </div>
            }
            .into_any()
        }
        Stage::Stopped(message) => view! { <p class="why-note" data-testid="search-stopped">{message}</p> }.into_any(),
        Stage::Found(Found::Passes(message)) => {
            view! { <p class="why-note" data-testid="search-result" data-kind="passes">{message}</p> }.into_any()
        }
        Stage::Found(Found::Refused(message)) => {
            view! { <p class="why-note" data-testid="search-result" data-kind="refused">{message}</p> }.into_any()
        }
        Stage::Found(Found::Shrunk(shrunk)) => shrunk_view(session, shrunk),
        Stage::Found(Found::Forked(forked)) => forked_view(session, forked),
        Stage::Found(Found::Bisected(bisected)) => bisected_view(session, inquiry.about, bisected),
        Stage::Found(Found::Compared(compared)) => compared_view(session, compared),
    }
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn shrunk_view(session: Session, shrunk: Shrunk) -> AnyView {
    let count = shrunk.deviations.len();
    let first = shrunk.deviations.first().map_or(0, |d| d.step);
    let schedule = shrunk.schedule.clone();
    let on_screen = {
        let schedule = schedule.clone();
        move || {
            session
                .recorder()
                .setup()
                .with(|s| s.schedule.as_ref().is_some_and(|own| own.to_string() == schedule))
        }
    };
    let summary = format!(
        "Shrunk: {} with {} from first-come, first-served order (the run had {}), found in {} of at most {} runs{}.",
        shrunk.failure,
        plural(count as u64, "deviation", "deviations"),
        shrunk.original_deviations,
        shrunk.runs,
        shrunk.budget,
        if shrunk.minimal {
            "; no schedule with fewer fails this way"
        } else {
            "; the budget ran out before fewer could be ruled out"
        }
    );
    let deviations = shrunk
        .deviations
        .into_iter()
        .map(|d| {
            let schedule = schedule.clone();
            let on_screen = on_screen.clone();
            view! {
                <li data-testid="deviation" data-step=d.step>
                    {d.text}
                    " "
                    <button
                        type="button"
                        class="link"
                        on:click=move |_| {
                            if on_screen() {
                                session.pause();
                                session.seek(d.step);
                            } else {
                                session.open_found(&schedule, d.step);
                            }
                        }
                    >
                        {format!("step {}", d.step)}
                    </button>
                </li>
            }
        })
        .collect_view();
    let open = schedule.clone();
    view! {
        <div class="why-result" data-testid="search-result" data-kind="shrunk" data-deviations=count data-minimal=shrunk.minimal.to_string()>
            <p>{summary}</p>
            {if count == 0 {
                view! { <p>"First-come, first-served order itself fails this way: no deviation is needed."</p> }.into_any()
            } else {
                view! { <ol class="deviations">{deviations}</ol> }.into_any()
            }}
            <p>"Schedule: " <code class="schedule" data-testid="shrunk-schedule">{schedule}</code></p>
            <p class="why-note">{shrunk.message}</p>
            <button type="button" class="primary" data-testid="open-shrunk" on:click=move |_| session.open_found(&open, first)>
                "Open the shrunk run"
            </button>
        </div>
    }
    .into_any()
}

fn forked_view(session: Session, forked: Forked) -> AnyView {
    let at = forked.at;
    let kept = match forked.kept {
        0 => "no decision of the run kept".to_string(),
        n => format!("the run's first {} kept", plural(n as u64, "decision", "decisions")),
    };
    let summary = format!(
        "{} from step {at} ({kept}): {} failed.",
        plural(forked.runs, "continuation", "continuations"),
        forked.failures
    );
    let chance = match &forked.original {
        Some(how) => format!(
            "{} of them failed as this run did ({how}): P ≈ {:.3} ± {:.3} at 99.9 %.",
            forked.same, forked.probability, forked.error
        ),
        None => format!(
            "This run passes; P(fail from here) ≈ {:.3} ± {:.3} at 99.9 %.",
            forked.probability, forked.error
        ),
    };
    let total = forked.runs.max(1);
    let rows = forked
        .endings
        .into_iter()
        .map(|ending| {
            let how = ending.failure.clone().unwrap_or_else(|| "passed".to_string());
            let share = format!("{:.1} %", ending.runs as f64 * 100.0 / total as f64);
            let schedule = ending.schedule.clone();
            view! {
                <tr data-testid="ending" data-failed=ending.failure.is_some().to_string() data-runs=ending.runs>
                    <td>{how}{(!ending.message.is_empty()).then(|| view! { <span class="why-note">{format!(" — {}", ending.message)}</span> })}</td>
                    <td class="num">{ending.runs}</td>
                    <td class="num">{share}</td>
                    <td>
                        <button type="button" data-testid="open-ending" title=format!("Open the first continuation that ended so (seed {})", ending.first_seed) on:click=move |_| session.open_found(&schedule, at)>
                            "Open"
                        </button>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="why-result" data-testid="search-result" data-kind="forked" data-runs=forked.runs data-failures=forked.failures data-at=at>
            <p>{summary}</p>
            <p>{chance}</p>
            <table class="endings" data-testid="endings">
                <caption class="sr-only">"How the continuations ended"</caption>
                <thead><tr><th scope="col">"Ending"</th><th scope="col">"Runs"</th><th scope="col">"Share"</th><th scope="col">"First of them"</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}

/// The chart's size in its own units.
const CHART_W: f64 = 600.0;
const CHART_H: f64 = 120.0;

fn bisected_view(session: Session, about: Setup, bisected: Bisected) -> AnyView {
    let k = bisected.inevitable_step;
    let last = bisected.points.iter().map(|p| p.step).max().unwrap_or(0).max(k).max(1);
    let x = move |step: u64| CHART_W * step as f64 / last as f64;
    let y = |p: f64| CHART_H - 8.0 - (CHART_H - 16.0) * p;
    let line = bisected
        .points
        .iter()
        .map(|p| format!("{:.1},{:.1}", x(p.step), y(p.fails as f64 / p.runs.max(1) as f64)))
        .collect::<Vec<_>>()
        .join(" ");
    let dots = bisected
        .points
        .iter()
        .map(|p| {
            let share = p.fails as f64 / p.runs.max(1) as f64;
            view! {
                <circle class="bisect-point" data-step=p.step data-p=format!("{share:.3}") cx=format!("{:.1}", x(p.step)) cy=format!("{:.1}", y(share)) r="3">
                    <title>{format!("step {}: {} of {} continuations failed", p.step, p.fails, p.runs)}</title>
                </circle>
            }
        })
        .collect_view();
    let why = match &bisected.inevitable {
        Some(decision) => format!("Inevitable from step {k}: after {decision}, every continuation fails."),
        None => "It fails from the start, whatever the order: no decision of the run made it so.".to_string(),
    };
    let label = format!(
        "Chance of failing ({}) along the run: from {} at the start to 1 at step {k}",
        bisected.failure,
        bisected.points.first().map_or("?".to_string(), |p| format!(
            "{:.2}",
            p.fails as f64 / p.runs.max(1) as f64
        ))
    );
    view! {
        <div class="why-result" data-testid="search-result" data-kind="bisected" data-inevitable-step=k data-runs=bisected.runs>
            <p>{format!("{}: ", bisected.failure)}<strong>{why}</strong></p>
            <svg class="bisect-chart" data-testid="bisect-chart" viewBox=format!("0 0 {CHART_W} {CHART_H}") role="img" aria-label=label>
                <line class="axis" x1="0" y1=y(0.0) x2=CHART_W y2=y(0.0)></line>
                <line class="axis" x1="0" y1=y(1.0) x2=CHART_W y2=y(1.0)></line>
                <line class="inevitable" x1=x(k) y1="0" x2=x(k) y2=CHART_H></line>
                <text class="chart-label" x="4" y=y(1.0) dy="-2">"P(fail) = 1"</text>
                <text class="chart-label" x="4" y=y(0.0) dy="-2">"0"</text>
                <text class="chart-label" x=x(k) dx="4" y="12">{format!("step {k}")}</text>
                <polyline class="bisect-line" points=line></polyline>
                {dots}
            </svg>
            <p class="why-note">
                {format!(
                    "{} points of {}, {} continuations each, {} runs of at most {}; each estimate within ±{:.3} at 99.9 %.",
                    bisected.points.len(),
                    plural(bisected.decisions as u64, "decision", "decisions"),
                    bisected.per_point,
                    bisected.runs,
                    bisected.budget,
                    bisected.error
                )}
            </p>
            <button type="button" data-testid="inevitable-jump" on:click=move |_| session.show_run_at(&about, k)>
                {format!("Go to step {k}")}
            </button>
        </div>
    }
    .into_any()
}

fn compared_view(session: Session, compared: Compared) -> AnyView {
    let same = compared.divergence.is_none();
    let divergence = compared.divergence.clone();
    let first = divergence.as_ref().map(|d| d.step);
    let heading = match &divergence {
        None => format!("Against {}: the runs are the same, step for step.", compared.vs),
        Some(d) => format!("Against {}: first divergence at {}.", compared.vs, d.summary),
    };
    let step = session.playback().step();
    let has_other = compared.trace.is_some();
    let rows = move || {
        let k = step.get();
        let a = session.recorder().frame().get()?;
        let b = session.searcher().other_frame(k)?;
        Some(side_by_side(&a, &b))
    };
    view! {
        <div
            class="why-result"
            data-testid="search-result"
            data-kind="compared"
            data-same=same.to_string()
            data-divergence-step=first.map(|s| s.to_string()).unwrap_or_default()
        >
            <p><strong>{heading}</strong></p>
            {divergence.map(|d| {
                // Step s+1 shows the event at index s as the one just applied.
                let show = d.step + 1;
                view! {
                    <p class="why-note">"A: " {d.a}</p>
                    <p class="why-note">"B: " {d.b}</p>
                    <button type="button" data-testid="divergence-jump" on:click=move |_| {
                        session.pause();
                        session.seek(show);
                    }>
                        {format!("Show it (step {show})")}
                    </button>
                }
            })}
            {(!compared.differences.is_empty()).then(|| view! {
                <ul class="differences" data-testid="differences">
                    {compared.differences.into_iter().map(|d| view! { <li>{d}</li> }).collect_view()}
                </ul>
            })}
            {if has_other {
                view! {
                    <table class="endings side-by-side" data-testid="side-by-side">
                        <caption class="sr-only">"Run A and run B at the step on screen"</caption>
                        <thead><tr><th scope="col">"At this step"</th><th scope="col">"A (on screen)"</th><th scope="col">{format!("B ({})", compared.vs)}</th></tr></thead>
                        <tbody>
                            {move || rows().unwrap_or_default().into_iter().map(|row| {
                                let differs = row.differs();
                                let what = row.what.clone();
                                view! {
                                    <tr data-testid="compare-row" data-what=what data-differs=differs.to_string() class:differs=differs>
                                        <th scope="row">{row.what}</th>
                                        <td>{row.a}</td>
                                        <td>{row.b}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            } else {
                view! { <p class="why-note">"Run B is too long to show beside A; the comparison above covers all of it."</p> }.into_any()
            }}
        </div>
    }
    .into_any()
}
