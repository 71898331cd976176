//! The executor loop: which of its three moves this step is — poll a ready
//! task, fire due timers, or advance the clock (plus start and end).

use leptos::prelude::*;

use super::{use_session, with_frame};
use crate::model::Phase;

const MOVES: [(Phase, &str, &str); 3] = [
    (
        Phase::Poll,
        "Poll a ready task",
        "take one task from the ready queue and call its future's poll",
    ),
    (
        Phase::Fire,
        "Fire due timers",
        "wake the tasks whose timers are due now",
    ),
    (
        Phase::Advance,
        "Advance the clock",
        "nothing is runnable: jump to the next deadline",
    ),
];

/// The loop diagram with the current move lit.
#[component]
pub fn PhasePanel() -> impl IntoView {
    let session = use_session();
    let phase = Memo::new(move |_| with_frame(session, |f| Some(f.phase)).unwrap_or(Phase::Start));
    let detail = move || {
        with_frame(session, |f| match f.phase {
            Phase::Start => "Start: tasks are spawned and queued; nothing has been polled yet.".to_string(),
            Phase::Poll => match &f.polling {
                Some((id, name)) => format!("Inside poll of {name} #{id}."),
                None => f
                    .current
                    .as_ref()
                    .map(|c| format!("After a poll: {}.", c.text))
                    .unwrap_or_default(),
            },
            Phase::Fire => "Firing timers: each due timer wakes the task that armed it.".to_string(),
            Phase::Advance => "Nothing was runnable, so virtual time jumped straight to the next deadline.".to_string(),
            Phase::End => "The run is over.".to_string(),
        })
    };

    view! {
        <section class="panel phase-panel" aria-labelledby="phase-title">
            <h2 id="phase-title">"Executor loop"</h2>
            <div class="phase" data-testid="phase" data-phase=move || phase.get().as_str()>
                <ol class="loop">
                    {MOVES
                        .iter()
                        .map(|(p, title, about)| {
                            let p = *p;
                            view! {
                                <li class:active=move || phase.get() == p aria-current=move || (phase.get() == p).then_some("step")>
                                    <span class="move-title">{*title}</span>
                                    <span class="move-about">{*about}</span>
                                </li>
                            }
                        })
                        .collect_view()}
                </ol>
                <p class="phase-detail">{detail}</p>
            </div>
        </section>
    }
}
