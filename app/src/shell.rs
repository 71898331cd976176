//! The root component: creates the session, provides it by context, and lays
//! out the panels. The top of the browser side's layers: it uses `web`
//! (the session) and `panels`, and nothing uses it but [`mount`].

use leptos::prelude::*;

use crate::panels::{
    code::{CodePanel, shows_code},
    controls::Controls,
    deadlock::DeadlockPanel,
    editor::Editor,
    errors::Errors,
    event_log::EventLog,
    header::Header,
    help::Help,
    import::{DropHint, ImportBanner},
    phase::PhasePanel,
    ready_queue::ReadyQueue,
    resources::Resources,
    setup::SetupBar,
    story::Story,
    sweep::SweepBar,
    tasks::Tasks,
    timeline::TimelinePanel,
    timers::Timers,
    wakers::Wakers,
    why::WhyPanel,
};
use crate::web::{Session, keys};

/// Mounts the root component on `<body>`, replacing the loading note that
/// `index.html` shows until the wasm has arrived.
pub fn mount() {
    if let Some(boot) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("boot"))
    {
        boot.remove();
    }
    leptos::mount::mount_to_body(App);
}

/// The whole page.
#[component]
fn App() -> impl IntoView {
    let session = Session::new();
    provide_context(session);
    keys::install(session);
    // Back/forward and dropped files, for as long as the page lives.
    session.listen();
    session.open_address(true);
    let code_shown = Memo::new(move |_| shows_code(session));
    let editing = session.playground().is_open();
    let program = Memo::new(move |_| session.recorder().setup().with(crate::model::Setup::is_program));

    view! {
        <a class="skip-link" href="#panels">"Skip to the panels"</a>
        <Header/>
        <main id="main">
            <Errors/>
            <ImportBanner/>
            <div class="intro">
                <Story/>
                <SetupBar/>
            </div>
            {move || editing.get().then(|| view! { <Editor/> })}
            {move || (!program.get()).then(|| view! { <SweepBar/> })}
            <DeadlockPanel/>
            <WhyPanel/>
            <Controls/>
            <div class="panels" class:with-code=move || code_shown.get() id="panels" tabindex="-1">
                {move || code_shown.get().then(|| view! { <CodePanel/> })}
                <PhasePanel/>
                <ReadyQueue/>
                <Timers/>
                <Wakers/>
                <Resources/>
                <TimelinePanel/>
                <Tasks/>
                <EventLog/>
            </div>
        </main>
        <footer class="footer">
            <p>
                "Wakescope runs a deterministic async executor in this page: same scenario and seed, same trace, on every machine. Press "
                <kbd>"?"</kbd>
                " for keyboard shortcuts."
            </p>
        </footer>
        <Help/>
        <DropHint/>
    }
}
