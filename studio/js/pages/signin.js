// Sign-in: a user name and password (a token for this browser session), or the admin key.
import { api, session } from "../api.js";
import { h, fill, message, errorText, field } from "../dom.js";

export function render({ done }) {
  const status = h("div", { "aria-live": "polite" });
  const user = h("input", { name: "username", autocomplete: "username", required: true });
  const password = h("input", { name: "password", type: "password", autocomplete: "current-password", required: true });
  const key = h("input", { name: "admin_key", type: "password", autocomplete: "off", required: true });

  async function attempt(form, fn) {
    const button = form.querySelector("button");
    button.disabled = true;
    fill(status);
    try {
      await fn();
      await done();
    } catch (e) {
      session.clear();
      fill(status, message("error", e.code === "unauthorized" ? "Wrong user name or password." :
                                    e.code === "rate_limited" ? "Too many wrong passwords: wait a minute." :
                                    "Sign-in failed: " + errorText(e)));
    } finally {
      button.disabled = false;
    }
  }

  const withPassword = h("form", { class: "stack", id: "signin-password" },
    field("User name", user), field("Password", password),
    h("button", { type: "submit", class: "primary" }, "Sign in"));
  withPassword.addEventListener("submit", ev => {
    ev.preventDefault();
    attempt(withPassword, async () => {
      const r = await api("POST", "/v1/auth/login", { body: { username: user.value, password: password.value } });
      session.set(r.token);
    });
  });
  const withKey = h("form", { class: "stack", id: "signin-key" },
    field("Admin API key (DATA/admin.key)", key),
    h("button", { type: "submit" }, "Sign in with the key"));
  withKey.addEventListener("submit", ev => {
    ev.preventDefault();
    attempt(withKey, async () => {
      session.set(key.value.trim());
      try {
        await api("GET", "/v1/auth/me");
      } catch (e) {
        if (e.code === "unauthorized") e.message = "wrong admin key";
        throw e;
      }
    });
  });
  return h("main", { class: "signin" },
    h("section", { class: "panel" },
      h("h1", {}, "Sign in to Syncline"),
      status, withPassword, h("h2", {}, "Or with the node's admin key"), withKey));
}
