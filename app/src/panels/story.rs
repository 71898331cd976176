//! The scenario's story: title, the question it asks, what to notice, and —
//! at the last step only — the answer. A program run tells how to read it.

use leptos::prelude::*;

use super::use_session;
use super::verdict::VerdictLine;

/// Question, notice, and the answer once the run is played to its end.
#[component]
pub fn Story() -> impl IntoView {
    let session = use_session();
    let setup = session.recorder().setup();
    let (status, step, imported) = (
        session.recorder().status(),
        session.playback().step(),
        session.import().info(),
    );
    let at_end = move || {
        let k = step.get();
        imported.with(Option::is_none) && status.with(|s| s.finished && k >= s.total)
    };
    let mode_about = move || {
        setup.with(|s| {
            s.scenario
                .mode(s.params.mode)
                .map(|m| format!("{}: {}", m.label, m.about))
                .unwrap_or_default()
        })
    };

    let program = Memo::new(move |_| setup.with(crate::model::Setup::is_program));

    move || {
        if program.get() {
            return view! { <ProgramStory/> }.into_any();
        }
        view! {
        <section class="story" aria-labelledby="story-title">
            <h1 id="story-title">{move || setup.with(|s| s.scenario.title)}</h1>
            <p class="question" data-testid="scenario-question">{move || setup.with(|s| s.scenario.question)}</p>
            <p class="mode-about">{mode_about}</p>
            <p class="notice"><strong>"Watch for: "</strong>{move || setup.with(|s| s.scenario.notice)}</p>
            {move || {
                if at_end() {
                    view! {
                        <p class="answer" data-testid="scenario-answer">
                            <strong>"Answer: "</strong>
                            {setup.with(|s| s.scenario.answer)}
                        </p>
                        <VerdictLine/>
                    }
                        .into_any()
                } else {
                    let hint = if imported.with(Option::is_some) {
                        "This is an imported trace: the question above is the last scenario's; answers and verdicts are given for runs made here."
                    } else {
                        "Step to the end of the run to reveal the answer."
                    };
                    view! { <p class="answer-hint">{hint}</p> }.into_any()
                }
            }}
        </section>
        }
        .into_any()
    }
}

/// What a program run shows, in place of a scenario's question.
#[component]
fn ProgramStory() -> impl IntoView {
    let session = use_session();
    let editing = session.playground().is_open();
    view! {
        <section class="story" aria-labelledby="story-title">
            <h1 id="story-title">"Your program"</h1>
            <p class="question" data-testid="scenario-question">
                "What does this program do, poll by poll? Step through it: the code panel lights the line of each event and shows where every task waits."
            </p>
            <p class="notice">
                <strong>"Watch for: "</strong>
                "a task's marker staying at an "<code>".await"</code>" while others run, and a panicked task in the tasks table with its message in the event log."
            </p>
            {move || (!editing.get()).then(|| view! {
                <p>
                    <button type="button" data-testid="code-open-editor" on:click=move |_| session.edit_program()>"Edit this program"</button>
                </p>
            })}
        </section>
    }
}
