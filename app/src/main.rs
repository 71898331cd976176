//! Entry point: mounts the app in the browser. All state lives in the library.

fn main() {
    #[cfg(target_arch = "wasm32")]
    wakescope_app::mount();
    #[cfg(not(target_arch = "wasm32"))]
    eprintln!("wakescope-app runs in the browser: build it with `trunk build --release` and open dist/index.html");
}
