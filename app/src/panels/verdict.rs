//! The scenario's verdict on the run and what it measured, shown beside the
//! answer at the last step (`data-testid="verdict"`, `data-pass`).

use leptos::prelude::*;

use super::use_session;

/// Pass or fail with the reason, and the measured summary; "judging…" until ready.
#[component]
pub fn VerdictLine() -> impl IntoView {
    let session = use_session();
    move || match session.judging().verdict().get() {
        None => view! { <p class="verdict pending" data-testid="verdict-pending">"Judging the run…"</p> }.into_any(),
        Some(v) => {
            let pass = v.verdict.is_ok();
            let text = match v.verdict {
                Ok(()) => "pass: the run went as the scenario documents".to_string(),
                Err(message) => format!("fail: {message}"),
            };
            view! {
                <div class="verdict" class:fail=!pass data-testid="verdict" data-pass=pass.to_string()>
                    <p><strong>"Verdict: "</strong>{text}</p>
                    {v.measured.map(|m| view! { <p class="measured" data-testid="measured"><strong>"Measured: "</strong>{m}</p> })}
                </div>
            }
            .into_any()
        }
    }
}
