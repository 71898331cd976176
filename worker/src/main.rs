//! The worker's entry: in the browser it listens for the page's requests
//! (see the crate doc); natively there is nothing to run.

#[cfg(target_arch = "wasm32")]
fn main() {
    wakescope_worker::web::serve();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("wakescope-worker runs in the browser, started by the app (`trunk build` builds it)");
    std::process::exit(2);
}
