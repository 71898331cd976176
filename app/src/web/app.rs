//! The root component: owns the session, provides it by context, lays out the panels.

use leptos::prelude::*;

use super::keys;
use super::session::Session;
use crate::panels::{
    controls::Controls,
    deadlock::DeadlockPanel,
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
};

/// The whole page.
#[component]
pub fn App() -> impl IntoView {
    let session = Session::new();
    provide_context(session);
    keys::install(session);
    super::import::install_drop(session);
    let popstate = window_event_listener(leptos::ev::popstate, move |_| session.open_address(false));
    // Back and forward restore views for as long as the page lives.
    std::mem::forget(popstate);
    session.open_address(true);

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
            <SweepBar/>
            <DeadlockPanel/>
            <Controls/>
            <div class="panels" id="panels" tabindex="-1">
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
