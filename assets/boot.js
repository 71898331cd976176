// Starts Wakescope's wasm app.
//
// Trunk would write this loader into index.html as an inline
// <script type="module">. Inline, it could run under the page's
// Content-Security-Policy only pinned by its hash, and its text names the
// content-hashed file names, so the hash would change with every build. As a
// file of its own it is covered by `script-src 'self'`: the policy allows no
// inline script at all and has nothing to keep in step with the build.
//
// Trunk writes the hashed names of the wasm-bindgen module and the wasm into
// <template id="wakescope-app" data-js="…" data-wasm="…"> (`pattern_script`
// in Trunk.toml), next to its integrity-checked preload links for both.
const app = document.getElementById('wakescope-app');
const { default: init } = await import(new URL(app.dataset.js, document.baseURI).href);
await init({ module_or_path: new URL(app.dataset.wasm, document.baseURI).href });
