//! Find a failing seed: sweep seeds from the current one upward, judging
//! each run by the scenario's verdict, recording off, a slice per frame.

use leptos::prelude::*;

use super::{count_field, use_session};
use crate::model::sweep::{SWEEP_SEEDS_DEFAULT, SWEEP_SEEDS_MAX, SWEEP_SEEDS_MIN};

/// The sweep bar: seed count, start/cancel, progress and result.
#[component]
pub fn SweepBar() -> impl IntoView {
    let session = use_session();
    let sweep = session.judging().sweep();
    let count = RwSignal::new(SWEEP_SEEDS_DEFAULT);
    let on_count = count_field(session, count, (SWEEP_SEEDS_MIN, SWEEP_SEEDS_MAX), "seeds to sweep");
    let running = move || sweep.with(|s| s.running);
    let pct = move || {
        sweep.with(|s| {
            if s.total == 0 {
                0.0
            } else {
                s.done as f64 * 100.0 / s.total as f64
            }
        })
    };

    view! {
        <section class="sweep" aria-label="Find a failing seed">
            <div class="field">
                <label for="sweep-limit">"Seeds to sweep"</label>
                <input
                    id="sweep-limit"
                    name="limit"
                    type="number"
                    data-testid="sweep-limit"
                    min=SWEEP_SEEDS_MIN
                    max=SWEEP_SEEDS_MAX
                    step="1"
                    prop:value=move || count.get().to_string()
                    on:change=on_count
                />
            </div>
            {move || {
                if running() {
                    view! { <button type="button" data-testid="sweep-cancel" on:click=move |_| session.cancel_sweep()>"Cancel"</button> }.into_any()
                } else {
                    view! {
                        <button type="button" data-testid="sweep-start" title="Run the scenario with the next seeds and stop at the first the scenario's verdict fails" on:click=move |_| session.start_sweep(count.get_untracked())>
                            "Find a failing seed"
                        </button>
                    }.into_any()
                }
            }}
            {move || (sweep.with(|s| s.total > 0)).then(|| view! {
                <div
                    class="sweep-progress"
                    data-testid="sweep-progress"
                    role="progressbar"
                    aria-label="Seeds swept"
                    aria-valuemin="0"
                    aria-valuemax=move || sweep.with(|s| s.total)
                    aria-valuenow=move || sweep.with(|s| s.done)
                    data-done=move || sweep.with(|s| s.done)
                    data-total=move || sweep.with(|s| s.total)
                >
                    <span class="sweep-fill" style:width=move || format!("{:.1}%", pct())></span>
                </div>
                <span class="sweep-count num">{move || sweep.with(|s| format!("{} / {}", s.done, s.total))}</span>
            })}
            {move || sweep.with(|s| s.result.clone()).map(|(seed, text)| view! {
                <p class="sweep-result" class:found=seed.is_some() data-testid="sweep-result" data-seed=seed.map(|s| s.to_string()).unwrap_or_default() role="status">
                    {text}
                </p>
            })}
        </section>
    }
}
