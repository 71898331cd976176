//! The transport: first, back, play/pause, forward, last, speed, the
//! scrubber and "go to step".

use leptos::prelude::*;

use super::use_session;
use super::why::inevitable_step;
use crate::web::playback::SPEEDS;

/// The step controls.
#[component]
pub fn Controls() -> impl IntoView {
    let session = use_session();
    let step = session.playback().step();
    let total = move || session.recorder().status().with(|s| s.total);
    let playing = session.playback().playing();
    let at_start = move || step.get() == 0;
    let at_end = move || step.get() >= total();
    let goto_text = RwSignal::new(String::new());
    let inevitable = move || inevitable_step(session);

    let on_goto = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = goto_text.get_untracked();
        match text.trim().parse::<u64>() {
            Ok(k) => {
                session.pause();
                let total = session.recorder().status().get_untracked().total;
                if k > total {
                    session.report(crate::url::step_past_end(k, total));
                }
                session.seek(k);
            }
            Err(_) => session.report(format!(
                "step `{}` is not a whole number from 0 to {}",
                crate::model::describe::clip(text.trim(), 40),
                session.recorder().status().get_untracked().total
            )),
        }
    };

    view! {
        <section class="transport" aria-label="Step controls">
            <div class="buttons">
                <button type="button" data-testid="first" aria-label="First step" title="First step (Home)" class:at-bound=at_start on:click=move |_| session.first()>
                    {icon(Icon::First)} "First"
                </button>
                <button
                    type="button"
                    data-testid="step-back"
                    aria-label="Step back"
                    title="Step back (←)"
                    class:at-bound=at_start
                    on:click=move |_| {
                        session.pause();
                        session.step_by(-1);
                    }
                >
                    {icon(Icon::Back)} "Back"
                </button>
                <button
                    type="button"
                    class="play primary"
                    data-testid="play"
                    aria-label=move || if playing.get() { "Pause" } else { "Play" }
                    aria-pressed=move || playing.get().to_string()
                    title="Play / pause (Space)"
                    on:click=move |_| session.toggle_play()
                >
                    {move || if playing.get() { (icon(Icon::Pause), "Pause") } else { (icon(Icon::Play), "Play") }}
                </button>
                <button
                    type="button"
                    data-testid="step-forward"
                    aria-label="Step forward"
                    title="Step forward (→)"
                    class:at-bound=at_end
                    on:click=move |_| {
                        session.pause();
                        session.step_by(1);
                    }
                >
                    "Forward" {icon(Icon::Next)}
                </button>
                <button type="button" data-testid="last" aria-label="Last step" title="Last step (End)" class:at-bound=at_end on:click=move |_| session.last()>
                    "Last" {icon(Icon::Last)}
                </button>
            </div>
            <div class="field speed">
                <label for="speed-select">"Speed"</label>
                <select
                    id="speed-select"
                    data-testid="speed"
                    title="Slower [ · faster ]"
                    prop:value=move || SPEEDS[session.playback().speed().get()].to_string()
                    on:change=move |ev| {
                        let text = event_target_value(&ev);
                        if let Some(i) = SPEEDS.iter().position(|s| s.to_string() == text) {
                            session.set_speed(i);
                        }
                    }
                >
                    {SPEEDS
                        .iter()
                        .enumerate()
                        .map(|(i, s)| view! { <option value=s.to_string() selected=move || session.playback().speed().get() == i>{format!("×{s}")}</option> })
                        .collect_view()}
                </select>
            </div>
            <div class="scrubber">
                {move || inevitable().map(|k| {
                    let left = format!("{:.2}%", k.min(total()) as f64 * 100.0 / total().max(1) as f64);
                    view! {
                        <span class="inevitable-mark" data-testid="inevitable-mark" data-step=k style:left=left title=format!("From step {k} on, every continuation fails")></span>
                    }
                })}
                <label for="scrubber-input" class="sr-only">"Step"</label>
                <input
                    id="scrubber-input"
                    data-testid="scrubber"
                    type="range"
                    min="0"
                    max=move || total().to_string()
                    step="1"
                    prop:value=move || step.get().to_string()
                    aria-valuetext=move || format!("step {} of {}", step.get(), total())
                    on:input=move |ev| {
                        if let Ok(k) = event_target_value(&ev).parse::<u64>() {
                            session.pause();
                            session.seek(k);
                        }
                    }
                />
            </div>
            <form class="goto" on:submit=on_goto>
                <label for="goto-input">"Go to step"</label>
                <input
                    id="goto-input"
                    data-testid="goto"
                    type="text"
                    inputmode="numeric"
                    autocomplete="off"
                    placeholder=move || format!("0–{}", total())
                    prop:value=move || goto_text.get()
                    on:input=move |ev| goto_text.set(event_target_value(&ev))
                />
                <button type="submit">"Go"</button>
            </form>
        </section>
    }
}

/// The transport's pictograms (drawn, so no font needs the glyphs).
#[derive(Clone, Copy)]
enum Icon {
    First,
    Back,
    Play,
    Pause,
    Next,
    Last,
}

fn icon(kind: Icon) -> impl IntoView {
    let d = match kind {
        Icon::First => "M3 2h2v12H3z M14 2 6 8l8 6z",
        Icon::Back => "M13 2 4 8l9 6z",
        Icon::Play => "M4 2l10 6-10 6z",
        Icon::Pause => "M4 2h3v12H4z M9 2h3v12H9z",
        Icon::Next => "M3 2l9 6-9 6z",
        Icon::Last => "M2 2l8 6-8 6z M11 2h2v12h-2z",
    };
    view! {
        <svg class="icon" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
            <path d=d fill="currentColor"></path>
        </svg>
    }
}
