//! What to run: scenario (or the playground), mode, parameters (built from
//! the registry's bounds), seed, and the link that shares the exact view.

use leptos::prelude::*;
use wakescope::scenarios::{self, ParamSpec, Params, Scenario};

use super::use_session;
use crate::model::Setup;
use crate::url::parse_seed;
use crate::web::Session;
use crate::web::browser;

/// The scenario menu's value while a program is shown: no scenario is
/// selected, so choosing any one is a change.
const PLAYGROUND: &str = "playground";

/// Validates `params` with one value replaced (or the mode), reporting problems.
fn revalidate(
    scenario: &Scenario,
    params: &Params,
    mode: &str,
    changed: Option<(&str, &str)>,
) -> (Params, Vec<String>) {
    let current: Vec<(String, String)> = params
        .values
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .filter(|(n, _)| changed.is_none_or(|(c, _)| c != n))
        .collect();
    let pairs = current.iter().map(|(n, v)| (n.as_str(), v.as_str())).chain(changed);
    let (params, errors) = scenario.params(Some(mode), pairs);
    (params, errors.into_iter().map(|e| e.message).collect())
}

/// The run setup bar.
#[component]
pub fn SetupBar() -> impl IntoView {
    let session = use_session();
    let setup = session.recorder().setup();
    let scenario_id = Memo::new(move |_| setup.with(|s| if s.is_program() { PLAYGROUND } else { s.scenario.id }));
    let program = Memo::new(move |_| setup.with(Setup::is_program));

    let on_scenario = move |ev: leptos::ev::Event| {
        let id = event_target_value(&ev);
        let Some(scenario) = scenarios::find(&id) else {
            session.report(format!("unknown scenario `{}`", crate::model::describe::clip(&id, 40)));
            return;
        };
        let seed = setup.with_untracked(|s| s.seed);
        session.change_setup(Setup::scenario(scenario, scenario.default_params(), seed));
    };
    let on_mode = move |ev: leptos::ev::Event| {
        let mode = event_target_value(&ev);
        let current = setup.get_untracked();
        let (params, errors) = revalidate(current.scenario, &current.params, &mode, None);
        if !errors.is_empty() {
            errors.into_iter().for_each(|e| session.report(e));
            return;
        }
        session.change_setup(Setup { params, ..current });
    };

    view! {
        <section class="setup" aria-label="Run setup">
            <div class="setup-row">
            <div class="field">
                <label for="scenario-select">"Scenario"</label>
                <select id="scenario-select" data-testid="scenario" on:change=on_scenario prop:value=move || scenario_id.get()>
                    {scenarios::registry()
                        .iter()
                        .map(|s| view! { <option value=s.id selected=move || scenario_id.get() == s.id>{s.title}</option> })
                        .collect_view()}
                </select>
            </div>
            <div class="field playground-open">
                <span class="label-like" aria-hidden="true">"Or"</span>
                <button type="button" data-testid="playground-open" aria-pressed=move || program.get().to_string()
                    title="Write your own async Rust program and step through it" on:click=move |_| session.open_playground()>
                    "Playground"
                </button>
            </div>
            <div class="field" class:hidden=move || program.get()>
                <label for="mode-select">"Mode"</label>
                <select id="mode-select" data-testid="mode" on:change=on_mode prop:value=move || setup.with(|s| s.params.mode)>
                    {move || {
                        let scenario = setup.with_untracked(|s| s.scenario);
                        let _ = scenario_id.get();
                        scenario
                            .modes
                            .iter()
                            .map(|m| {
                                let id = m.id;
                                view! {
                                    <option value=id selected=move || setup.with(|s| s.params.mode == id)>{m.label}</option>
                                }
                            })
                            .collect_view()
                    }}
                </select>
            </div>
            </div>
            {move || {
                let _ = scenario_id.get();
                let scenario = setup.with_untracked(|s| s.scenario);
                (!scenario.params.is_empty() && !program.get()).then(|| {
                    view! {
                        <fieldset class="params">
                            <legend>"Parameters"</legend>
                            {scenario.params.iter().map(|spec| param_input(session, *spec)).collect_view()}
                        </fieldset>
                    }
                })
            }}
            <div class="setup-row">
                <SeedField/>
                <ShareButton/>
                <super::import::ImportField/>
            </div>
        </section>
    }
}

/// A number input for one parameter, with its bounds and unit.
fn param_input(session: Session, spec: ParamSpec) -> impl IntoView {
    let setup = session.recorder().setup();
    let id = format!("param-{}", spec.name);
    let value = move || setup.with(|s| s.params.get(spec.name).to_string());
    let on_change = move |ev: leptos::ev::Event| {
        let text = event_target_value(&ev);
        let current = setup.get_untracked();
        let (params, errors) = revalidate(
            current.scenario,
            &current.params,
            current.params.mode,
            Some((spec.name, &text)),
        );
        if !errors.is_empty() {
            errors.into_iter().for_each(|e| session.report(e));
            // Show the value still in force again.
            if let Some(input) = ev
                .target()
                .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlInputElement>(t).ok())
            {
                input.set_value(&current.params.get(spec.name).to_string());
            }
            return;
        }
        session.change_setup(Setup { params, ..current });
    };
    view! {
        <div class="field param">
            <label for=id.clone() title=format!("{} to {} {}", spec.min, spec.max, spec.unit)>
                {spec.label}
                <span class="unit">{format!(" ({})", spec.unit)}</span>
            </label>
            <input
                id=id
                data-testid=format!("param-{}", spec.name)
                type="number"
                inputmode="numeric"
                min=spec.min
                max=spec.max
                step="1"
                style:width=format!("{}ch", spec.max.max(spec.min.abs()).max(1).ilog10() + 6)
                prop:value=value
                on:change=on_change
            />
        </div>
    }
}

/// Seed input with −1, +1 and a random pick.
#[component]
fn SeedField() -> impl IntoView {
    let session = use_session();
    let setup = session.recorder().setup();
    let set_seed = move |seed: u64| {
        let current = setup.get_untracked();
        if current.seed != seed {
            session.change_setup(Setup { seed, ..current });
        }
    };
    let on_change = move |ev: leptos::ev::Event| {
        let text = event_target_value(&ev);
        match parse_seed(&text) {
            Ok(seed) => set_seed(seed),
            Err(message) => {
                session.report(format!("{message}; keeping seed {}", setup.with_untracked(|s| s.seed)));
                if let Some(input) = ev
                    .target()
                    .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlInputElement>(t).ok())
                {
                    input.set_value(&setup.with_untracked(|s| s.seed).to_string());
                }
            }
        }
    };
    view! {
        <div class="field seed">
            <label for="seed-input">"Seed"</label>
            <div class="seed-row">
                <button
                    type="button"
                    data-testid="seed-dec"
                    aria-label="Previous seed"
                    title="Previous seed"
                    on:click=move |_| set_seed(setup.with_untracked(|s| s.seed).saturating_sub(1))
                >
                    "−"
                </button>
                <input
                    id="seed-input"
                    data-testid="seed"
                    type="text"
                    inputmode="numeric"
                    autocomplete="off"
                    spellcheck="false"
                    prop:value=move || setup.with(|s| s.seed.to_string())
                    on:change=on_change
                />
                <button
                    type="button"
                    data-testid="seed-inc"
                    aria-label="Next seed"
                    title="Next seed"
                    on:click=move |_| set_seed(setup.with_untracked(|s| s.seed).saturating_add(1))
                >
                    "+"
                </button>
                <button type="button" data-testid="seed-random" on:click=move |_| set_seed(browser::random_seed())>
                    "Random"
                </button>
            </div>
        </div>
    }
}

/// Copies the link to the exact view; `data-url` holds it for tests and for copying by hand.
#[component]
fn ShareButton() -> impl IntoView {
    let session = use_session();
    let copied = RwSignal::new(String::new());
    let link = move || session.share_url();
    let url = move || link().unwrap_or_default();
    let on_click = move |_| {
        let text = match link() {
            Ok(text) => text,
            Err(message) => {
                copied.set(message);
                return;
            }
        };
        browser::copy_text(&text, move |ok| {
            copied.set(if ok {
                "Link copied".into()
            } else {
                "Copy failed: use the address bar".into()
            });
            set_timeout(move || copied.set(String::new()), std::time::Duration::from_secs(3));
        });
    };
    view! {
        <div class="field share">
            <button type="button" class="primary" data-testid="share" data-url=url on:click=on_click
                disabled=move || session.import().info().with(Option::is_some)
                title=move || if session.import().info().with(Option::is_some) { "An imported trace cannot be shared by link".to_string() } else { link().err().unwrap_or_else(|| "Copy a link to this exact view".to_string()) }>
                "Copy link"
            </button>
            <span class="share-status" role="status" aria-live="polite">{move || copied.get()}</span>
        </div>
    }
}
