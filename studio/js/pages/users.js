// Users and their roles (node admins only): add, change role or password, remove.
import { api, enc } from "../api.js";
import { h, fill, table, message, errorText, time, field, actionButton } from "../dom.js";

function roleSelect(name, value) {
  return h("select", { name, "aria-label": "Role" },
    ["read", "write", "admin"].map(r => h("option", { value: r, selected: r === value }, r)));
}

function databasesOf(text) {
  return text.split(",").map(s => s.trim()).filter(Boolean);
}

export async function render(ctx) {
  const status = h("div", { "aria-live": "polite" });
  const list = h("div", {});

  async function load() {
    const users = await api("GET", "/v1/users");
    fill(list, table([
      { label: "User", value: u => h("strong", {}, u.name) },
      { label: "Grants", value: u => u.grants.map(g => `${g.role} on ${g.db === "*" ? "every database" : g.db}`).join(", ") },
      { label: "Created", value: u => time(u.created_at) },
      { label: "", value: u => editor(u) },
    ], users, "No users: only the admin key signs in."));
  }

  function editor(u) {
    const role = roleSelect("role", u.grants[0] ? u.grants[0].role : "read");
    const dbs = h("input", { name: "databases", size: 14, value: u.grants.filter(g => g.db !== "*").map(g => g.db).join(", "),
                             placeholder: "all", "aria-label": "Databases (comma-separated; empty: all)" });
    const password = h("input", { name: "password", type: "password", autocomplete: "new-password", size: 12,
                                  placeholder: "new password", "aria-label": "New password" });
    return h("div", { class: "toolbar" }, role, dbs,
      actionButton("Set role", async () => {
        try { await api("PATCH", `/v1/users/${enc(u.name)}`, { body: { role: role.value, databases: databasesOf(dbs.value) } }); load(); }
        catch (e) { fill(status, message("error", errorText(e))); }
      }),
      password,
      actionButton("Set password", async () => {
        try {
          await api("PATCH", `/v1/users/${enc(u.name)}`, { body: { password: password.value } });
          fill(status, message("ok", `${u.name}'s password changed; their sessions ended.`));
        } catch (e) { fill(status, message("error", errorText(e))); }
      }),
      actionButton("Remove", async () => {
        if (!confirm(`Remove user ${u.name}?`)) return;
        try { await api("DELETE", `/v1/users/${enc(u.name)}`); load(); }
        catch (e) { fill(status, message("error", errorText(e))); }
      }, { class: "danger" }));
  }

  const name = h("input", { name: "name", required: true, size: 12 });
  const password = h("input", { name: "password", type: "password", required: true, autocomplete: "new-password", minlength: 8 });
  const role = roleSelect("role", "read");
  const dbs = h("input", { name: "databases", placeholder: "all", size: 14 });
  const form = h("form", { class: "inline", id: "add-user" },
    field("Name", name), field("Password", password), field("Role", role),
    field("Databases (comma-separated; empty: all)", dbs),
    h("button", { type: "submit", class: "primary" }, "Add user"));
  form.addEventListener("submit", async ev => {
    ev.preventDefault();
    try {
      await api("POST", "/v1/users", { body: { name: name.value, password: password.value, role: role.value, databases: databasesOf(dbs.value) } });
      form.reset();
      fill(status, message("ok", "Added."));
      load();
    } catch (e) { fill(status, message("error", errorText(e))); }
  });
  await load();
  return h("div", {}, h("h1", {}, "Users and roles"), h("section", { class: "panel" }, form), status,
           h("section", { class: "panel" }, list));
}
