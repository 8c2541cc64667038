// Served in place of https://cdn.shopify.com/shopifycloud/app-bridge.js in browser tests (no
// network, no Shopify admin around the frame). It does what the app relies on App Bridge for, the
// way App Bridge does it:
// - `shopify.idToken()` and every same-origin fetch carrying `Authorization: Bearer <session token>`
//   (the token is the `id_token` the admin put in the frame's URL, kept for the document's lifetime);
// - `<ui-save-bar>`: App Bridge shows it in the admin's top bar and forwards the clicks on its Save
//   and Discard buttons to the `<button>` children; here the children are shown in place while the
//   bar is showing, so a test clicks them directly;
// - `<ui-nav-menu>`: rendered by the admin beside the frame, so hidden here.
(() => {
  const script = document.currentScript;
  const params = new URLSearchParams(location.search);
  const token = params.get("id_token") ?? "";
  const idToken = () => Promise.resolve(token);

  const nativeFetch = window.fetch.bind(window);
  window.fetch = async (input, init) => {
    const request = new Request(input, init);
    if (new URL(request.url).origin === location.origin) request.headers.set("Authorization", `Bearer ${await idToken()}`);
    return nativeFetch(request);
  };

  const style = document.createElement("style");
  style.textContent = "ui-nav-menu{display:none}ui-save-bar{display:none}ui-save-bar[data-showing]{display:flex;gap:8px;position:fixed;top:0;left:0;right:0;z-index:1000;padding:8px;background:#1a1a1a}";
  document.head.append(style);

  class UISaveBar extends HTMLElement {
    get showing() {
      return this.hasAttribute("data-showing");
    }
    async show() {
      if (this.showing) return;
      this.setAttribute("data-showing", "");
      this.dispatchEvent(new Event("show"));
    }
    async hide() {
      if (!this.showing) return;
      this.removeAttribute("data-showing");
      this.dispatchEvent(new Event("hide"));
    }
    async toggle() {
      return this.showing ? this.hide() : this.show();
    }
  }
  customElements.define("ui-save-bar", UISaveBar);
  customElements.define("ui-nav-menu", class extends HTMLElement {});

  const saveBarById = (id) => document.getElementById(id);
  window.shopify = {
    config: { apiKey: script?.dataset.apiKey ?? "", shop: params.get("shop"), host: params.get("host"), locale: params.get("locale") ?? "en" },
    idToken,
    saveBar: {
      show: async (id) => saveBarById(id)?.show(),
      hide: async (id) => saveBarById(id)?.hide(),
      toggle: async (id) => saveBarById(id)?.toggle(),
      leaveConfirmation: async () => {},
    },
    toast: { show: () => "", hide: () => {} },
    loading: () => {},
  };
})();
