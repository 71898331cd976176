//! The few browser facilities the page needs, each failing soft.
//!
//! None of these may panic: a missing `window`, a refused history call or a
//! clipboard without permission only means the feature does nothing (or
//! says so), never a dead page.

use wasm_bindgen::JsValue;

fn window() -> Option<web_sys::Window> {
    web_sys::window()
}

/// Milliseconds from `performance.now()`: for slicing work and pacing playback
/// only — it never reaches the executor, so it cannot change a trace.
pub fn now_ms() -> f64 {
    window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
}

/// The address's query string, with its `?` (empty when there is none).
pub fn search() -> String {
    window().and_then(|w| w.location().search().ok()).unwrap_or_default()
}

/// The address's fragment, with its `#` (empty when there is none).
pub fn hash() -> String {
    window().and_then(|w| w.location().hash().ok()).unwrap_or_default()
}

/// The value stored under `key` in `localStorage`, if it can be read.
pub fn stored(key: &str) -> Option<String> {
    let storage = window()?.local_storage().ok()??;
    storage.get_item(key).ok()?
}

/// Stores `value` under `key` in `localStorage`; false when refused (private
/// mode, quota, storage switched off).
pub fn store(key: &str, value: &str) -> bool {
    let Some(Ok(Some(storage))) = window().map(|w| w.local_storage()) else {
        return false;
    };
    storage.set_item(key, value).is_ok()
}

/// The address without query and fragment: origin and path.
pub fn base_url() -> String {
    let Some(location) = window().map(|w| w.location()) else {
        return String::new();
    };
    let origin = location.origin().unwrap_or_default();
    let path = location.pathname().unwrap_or_default();
    format!("{origin}{path}")
}

/// How a new address enters the session history.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HistoryMode {
    /// A new entry: back returns to the previous view (scenario or seed changed).
    Push,
    /// The same entry, updated (stepping).
    Replace,
}

/// Puts `query` (starting with `?`, perhaps followed by a `#` fragment) in
/// the address bar; without a fragment, the address has none.
pub fn set_query(query: &str, mode: HistoryMode) {
    let Some(history) = window().and_then(|w| w.history().ok()) else {
        return;
    };
    let result = match mode {
        HistoryMode::Push => history.push_state_with_url(&JsValue::NULL, "", Some(query)),
        HistoryMode::Replace => history.replace_state_with_url(&JsValue::NULL, "", Some(query)),
    };
    if let Err(e) = result {
        leptos::logging::warn!("wakescope: could not update the address: {e:?}");
    }
}

/// A seed for "random seed": from `Math.random`, which only picks what to
/// show next; the run itself stays fully determined by the seed chosen.
pub fn random_seed() -> u64 {
    (js_sys::Math::random() * 4_294_967_296.0) as u64
}

/// Copies `text` to the clipboard; calls `done` with true on success.
pub fn copy_text(text: &str, done: impl FnOnce(bool) + 'static) {
    let Some(clipboard) = window().map(|w| w.navigator().clipboard()) else {
        done(false);
        return;
    };
    let promise = clipboard.write_text(text);
    wasm_bindgen_futures_lite(promise, done);
}

/// Awaits a promise without pulling in an executor crate: then/catch callbacks.
fn wasm_bindgen_futures_lite(promise: js_sys::Promise, done: impl FnOnce(bool) + 'static) {
    use std::cell::RefCell;
    use std::rc::Rc;
    use wasm_bindgen::closure::Closure;

    type Done = Rc<RefCell<Option<Box<dyn FnOnce(bool)>>>>;
    let done: Done = Rc::new(RefCell::new(Some(Box::new(done))));
    let on_ok = {
        let done = done.clone();
        Closure::once(move |_: JsValue| {
            if let Some(f) = done.borrow_mut().take() {
                f(true);
            }
        })
    };
    let on_err = Closure::once(move |_: JsValue| {
        if let Some(f) = done.borrow_mut().take() {
            f(false);
        }
    });
    let _ = promise.then2(&on_ok, &on_err);
    on_ok.forget();
    on_err.forget();
}

/// A dedicated worker and its two listeners; dropping it ends the worker
/// and frees the listeners.
pub struct WorkerHandle {
    worker: web_sys::Worker,
    _on_message: wasm_bindgen::closure::Closure<dyn Fn(web_sys::MessageEvent)>,
    _on_error: wasm_bindgen::closure::Closure<dyn Fn(web_sys::ErrorEvent)>,
}

impl WorkerHandle {
    /// Starts the worker at `url`: `heard` is told each message it posts (as
    /// text), `failed` why it stopped or could not start.
    pub fn start(
        url: &str,
        heard: impl Fn(String) + 'static,
        failed: impl Fn(String) + 'static,
    ) -> Result<WorkerHandle, String> {
        use wasm_bindgen::JsCast;
        use wasm_bindgen::closure::Closure;

        let worker = web_sys::Worker::new(url).map_err(|e| format!("could not be started: {e:?}"))?;
        let on_message = Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
            heard(event.data().as_string().unwrap_or_default());
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        let on_error = Closure::<dyn Fn(web_sys::ErrorEvent)>::new(move |event: web_sys::ErrorEvent| {
            failed(format!("stopped: {}", event.message()));
        });
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Ok(WorkerHandle {
            worker,
            _on_message: on_message,
            _on_error: on_error,
        })
    }

    /// Posts `text` to the worker (a string always clones into it).
    pub fn post(&self, text: &str) {
        let _ = self.worker.post_message(&JsValue::from_str(text));
    }

    /// Ends the worker, whatever it was doing: nothing more is heard from
    /// it. (The listeners are freed when the handle is dropped, which must
    /// not happen from inside one of them.)
    pub fn end(&self) {
        self.worker.set_onmessage(None);
        self.worker.set_onerror(None);
        self.worker.terminate();
    }
}

impl Drop for WorkerHandle {
    fn drop(&mut self) {
        self.end();
    }
}
