//! Problems with what was asked — a bad address, seed or parameter — each
//! with the fallback used. Shown as plain text, never as HTML.

use leptos::prelude::*;

use super::use_session;

/// The error banner (`data-testid="error"`), present only when there is something to say.
#[component]
pub fn Errors() -> impl IntoView {
    let session = use_session();
    let errors = session.errors();
    move || {
        let list = errors.get();
        (!list.is_empty()).then(|| {
            view! {
                <div class="errors" role="alert" data-testid="error">
                    <div class="errors-body">
                        <p class="errors-title">"Some of what was asked could not be used:"</p>
                        <ul>{list.into_iter().map(|message| view! { <li>{message}</li> }).collect_view()}</ul>
                    </div>
                    <button type="button" class="dismiss" on:click=move |_| session.dismiss_errors()>
                        "Dismiss"
                    </button>
                </div>
            }
        })
    }
}
