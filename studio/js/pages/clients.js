// Offline-first clients registered with a database: platform, last seen, cursors per
// collection, and removal (the client registers again on its next sync).
import { api, enc } from "../api.js";
import { h, fill, table, message, errorText, time, actionButton } from "../dom.js";

function platform(p) {
  if (!p || typeof p !== "object") return "";
  return [p.name, p.version, p.device].filter(Boolean).join(" · ");
}

export async function render(ctx) {
  const db = ctx.db;
  const base = `/v1/db/${enc(db)}/clients`;
  const status = h("div", { "aria-live": "polite" });
  const list = h("div", {});

  async function load() {
    const clients = await api("GET", base);
    fill(list, table([
      { label: "Client", value: c => h("code", {}, c.client_id) },
      { label: "User", value: c => c.user || "admin key" },
      { label: "Platform", value: c => platform(c.platform) },
      { label: "Registered", value: c => time(c.created_at) },
      { label: "Last seen", value: c => time(c.last_seen_at) },
      { label: "Collections: cursor etag, pending operations", value: c => h("ul", {}, (c.collections || []).map(k =>
          h("li", {}, `${k.collection}: at etag ${k.etag}, `,
            k.pending_operations === null ? h("span", { class: "muted" }, "pending not told")
                                          : `${k.pending_operations} pending`,
            k.filter ? h("span", { class: "muted" }, " filter " + JSON.stringify(k.filter)) : null))) },
      { label: "", value: c => actionButton("Remove", async () => {
          if (!confirm(`Remove client ${c.client_id}? It registers again on its next sync.`)) return;
          try { await api("DELETE", `${base}/${enc(c.client_id)}`); load(); }
          catch (e) { fill(status, message("error", errorText(e))); }
        }, { class: "danger" }) },
    ], clients, "No client has registered with this database."));
  }
  ctx.onEvent(e => { if (e.type === "reload") load(); });
  await load();
  return h("div", {}, h("h1", {}, `Clients of ${db}`), status, h("section", { class: "panel" }, list));
}
