//! The banner: what is running and where the cursor is — step k / total,
//! the virtual clock, the run's outcome and its trace fingerprint.

use leptos::prelude::*;

use super::{use_session, with_frame};
use crate::model::describe::duration;

/// The top bar.
#[component]
pub fn Header() -> impl IntoView {
    let session = use_session();
    let step = session.playback().step();
    let status = session.recorder().status();
    let starting = session.recorder().starting();
    let setup = session.recorder().setup();
    let total = move || status.with(|s| s.total);
    let clock_ns = move || with_frame(session, |f| f.clock_ns);
    let outcome_kind = move || {
        if starting.get() {
            return "running";
        }
        status.with(|s| s.end.as_ref().map_or("running", |e| e.kind.as_str()))
    };
    let outcome_text = move || {
        if starting.get() {
            return "starting the run…".to_string();
        }
        status.with(|s| {
            s.end
                .as_ref()
                .map_or_else(|| "recording…".to_string(), |e| e.message.clone())
        })
    };
    let hex = move || status.with(|s| s.fingerprint.clone().unwrap_or_default());
    let run_label = move || {
        if let Some(info) = session.import().info().get() {
            return format!("imported · {}", info.file);
        }
        setup.with(|s| {
            if s.is_program() {
                return format!("playground · seed {}", s.seed);
            }
            let mode = s.scenario.mode(s.params.mode).map_or(s.params.mode, |m| m.id);
            format!("{} · {mode} · seed {}", s.scenario.id, s.seed)
        })
    };

    // Screen readers hear each step taken by hand (not every step of playback).
    let announcement = move || {
        if session.playback().playing().get() {
            return String::new();
        }
        let k = step.get();
        let event = with_frame(session, |f| f.current.as_ref().map(|c| c.text.clone())).unwrap_or_default();
        format!("Step {k} of {}. {event}", total())
    };

    view! {
        <header class="topbar">
            <div class="brand">
                <svg class="brand-mark" viewBox="0 0 32 32" aria-hidden="true">
                    <circle cx="16" cy="16" r="13" fill="none" stroke="currentColor" stroke-width="3"></circle>
                    <path d="M16 8v8l6 4" fill="none" stroke="currentColor" stroke-width="3" stroke-linecap="round"></path>
                </svg>
                <span class="brand-name">"Wakescope"</span>
                <span class="run-label" data-testid="run-label">{run_label}</span>
                {move || setup.with(|s| s.schedule.as_ref().map(ToString::to_string)).map(|schedule| view! {
                    <code class="run-schedule" data-testid="run-schedule" title=format!("This run follows the schedule {schedule} instead of the seed's own choices")>
                        {format!("schedule {}", crate::model::describe::clip(&schedule, 40))}
                    </code>
                })}
            </div>
            <dl class="readouts">
                <div class="readout">
                    <dt>"Step"</dt>
                    <dd data-testid="step-counter" data-step=move || step.get() data-total=total>
                        <span class="num">{move || step.get()}</span>
                        " / "
                        <span class="num">{total}</span>
                        {move || (!status.with(|s| s.finished)).then(|| view! { <span class="recording">" recording…"</span> })}
                    </dd>
                </div>
                <div class="readout">
                    <dt>"Clock"</dt>
                    <dd data-testid="clock" data-ns=clock_ns>
                        {move || duration(clock_ns())}
                    </dd>
                </div>
                <div class="readout outcome">
                    <dt>"Outcome"</dt>
                    <dd data-testid="outcome" data-outcome=outcome_kind class=move || format!("outcome-{}", outcome_kind()) title=outcome_text>
                        {outcome_text}
                    </dd>
                </div>
                <div class="readout">
                    <dt>"Fingerprint"</dt>
                    <dd>
                        <code data-testid="fingerprint" data-hex=hex title="Same scenario and seed give the same fingerprint on every machine">
                            {move || { let h = hex(); if h.is_empty() { "…".to_string() } else { h } }}
                        </code>
                    </dd>
                </div>
            </dl>
            <p class="sr-only" aria-live="polite">{announcement}</p>
            <button
                class="help-button"
                type="button"
                aria-label="Keyboard shortcuts"
                title="Keyboard shortcuts (?)"
                on:click=move |_| session.set_help_open(true)
            >
                "?"
            </button>
        </header>
    }
}
