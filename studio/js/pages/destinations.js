// Where a database pushes its changes: add, enable, disable, remove; per destination its state,
// how far it is behind (items and seconds), its transfer rate, last error and next retry.
import { api, enc } from "../api.js";
import { h, fill, table, message, errorText, bytes, time, duration, field, actionButton } from "../dom.js";

export async function render(ctx) {
  const db = ctx.db;
  const base = `/v1/db/${enc(db)}`;
  const status = h("div", { "aria-live": "polite" });
  const list = h("div", {});

  async function load() {
    const dests = await api("GET", `${base}/destinations`);
    fill(list, table([
      { label: "Destination", value: d => h("div", {}, h("strong", {}, d.url), h("div", { class: "muted" }, "database " + d.remote_db)) },
      { label: "State", value: d => h("span", { class: "badge " + (d.last_error_code ? "bad" : d.enabled ? "ok" : ""), "data-state": d.worker.state },
                                      !d.enabled ? "disabled" : d.worker.state === "none" ? "manual sync" : d.worker.state) },
      { label: "Last etag", num: true, value: d => d.last_etag },
      { label: "Lag", num: true, value: d => d.lag_items ? `${d.lag_items} item(s), ${duration(d.lag_seconds)}` : "none" },
      { label: "Rate", num: true, value: d => d.rate_bytes_per_second ? bytes(d.rate_bytes_per_second) + "/s" : "" },
      { label: "Last success", value: d => time(d.last_success_at) },
      { label: "Last error", value: d => d.last_error ? h("span", { class: "badge bad" }, `${d.last_error_code}: ${d.last_error}`) : "" },
      { label: "Next retry", value: d => time(d.next_retry_at) },
      { label: "", value: d => h("div", { class: "toolbar" },
          actionButton(d.enabled ? "Disable" : "Enable", async () => {
            try { await api("PATCH", `${base}/destinations`, { body: { url: d.url, enabled: !d.enabled } }); load(); }
            catch (e) { fill(status, message("error", errorText(e))); }
          }),
          actionButton("Remove", async () => {
            if (!confirm(`Stop syncing ${db} to ${d.url}?`)) return;
            try { await api("DELETE", `${base}/destinations?url=${encodeURIComponent(d.url)}`); load(); }
            catch (e) { fill(status, message("error", errorText(e))); }
          }, { class: "danger" })) },
    ], dests, "No destinations: this database syncs nowhere."));
  }

  const url = h("input", { name: "url", required: true, placeholder: "http://10.0.0.2:8080", size: 28 });
  const remoteDb = h("input", { name: "remote_db", placeholder: db, size: 12 });
  const key = h("input", { name: "remote_key", type: "password", autocomplete: "off", size: 20 });
  const form = h("form", { class: "inline", id: "add-destination" },
    field("Node URL", url), field("Its database", remoteDb), field("Its API key", key),
    h("button", { type: "submit", class: "primary" }, "Add destination"));
  form.addEventListener("submit", async ev => {
    ev.preventDefault();
    try {
      await api("POST", `${base}/destinations`, { body: { url: url.value.trim(), remote_db: remoteDb.value.trim() || db, remote_key: key.value } });
      form.reset();
      fill(status, message("ok", "Added: the first sync starts now."));
      load();
    } catch (e) { fill(status, message("error", errorText(e))); }
  });
  const runNow = actionButton("Sync now", async () => {
    try {
      const runs = await api("POST", `${base}/sync/run?force=1`);
      const failed = runs.filter(r => r.error_code);
      fill(status, message(failed.length ? "error" : "ok", failed.length
        ? failed.map(r => `${r.destination_url}: ${r.error}`).join("; ")
        : `Synced ${runs.reduce((n, r) => n + r.reports.length, 0)} item(s).`));
      load();
    } catch (e) { fill(status, message("error", errorText(e))); }
  });

  let pending = null;
  ctx.onEvent(e => {
    if (e.type !== "reload" && e.db !== db) return;
    if (pending) return;
    pending = setTimeout(() => { pending = null; load().catch(() => {}); }, 250);
  });
  ctx.onLeave(() => clearTimeout(pending));
  await load();
  return h("div", {},
    h("h1", {}, `Destinations of ${db}`),
    h("section", { class: "panel" }, form, h("div", { class: "toolbar" }, runNow)),
    status,
    h("section", { class: "panel" }, list));
}
