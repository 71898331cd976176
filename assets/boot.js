// Starts Wakescope's wasm app: index.html says why it is a file of its own
// and why the wasm-bindgen script it loads is a classic script.
const app = document.getElementById('wakescope-app');
const script = document.createElement('script');
script.src = new URL(app.dataset.js, document.baseURI).href;
script.onload = () => wasm_bindgen({ module_or_path: new URL(app.dataset.wasm, document.baseURI).href });
document.head.append(script);
