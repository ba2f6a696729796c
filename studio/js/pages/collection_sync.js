// Collection sync: jobs with their progress and results, followers with their lag, and a form
// to start one (a replica collection brought up to date from a master).
import { api, enc } from "../api.js";
import { h, fill, table, message, errorText, bytes, time, duration, field, actionButton } from "../dom.js";

export async function render(ctx) {
  const db = ctx.db;
  const base = `/v1/db/${enc(db)}`;
  const status = h("div", { "aria-live": "polite" });
  const jobsEl = h("div", {}), followersEl = h("div", {});

  function result(j) {
    if (j.state === "running") return `${j.progress.phase}: ${j.progress.documents} document(s), ${bytes(j.progress.bytes)}`;
    if (j.result) {
      const r = j.result;
      return `+${r.inserted} ~${r.updated} -${r.removed} =${r.unchanged}; ${bytes(r.bytes_transferred)} in ${r.duration_seconds.toFixed(2)} s`;
    }
    return j.error ? `${j.error_code}: ${j.error}` : "";
  }

  async function load() {
    const [jobs, followers] = await Promise.all([api("GET", `${base}/jobs?limit=50`), api("GET", `${base}/followers`)]);
    fill(jobsEl, table([
      { label: "Job", value: j => h("code", {}, j.id.slice(0, 8)) },
      { label: "Collection", value: j => j.collection },
      { label: "Master", value: j => `${j.master.url} (${j.master.db})` },
      { label: "Method", value: j => j.method },
      { label: "State", value: j => h("span", { class: "badge " + (j.state === "done" ? "ok" : j.state === "failed" ? "bad" : "") }, j.state) },
      { label: "Progress / result", value: result },
      { label: "Started", value: j => time(j.started_at) },
      { label: "", value: j => j.state === "running" ? actionButton("Cancel", () => act("cancel", j.id), { class: "danger" })
                              : j.resumable ? actionButton("Resume", () => act("resume", j.id)) : "" },
    ], jobs, "No collection sync has run here."));
    fill(followersEl, table([
      { label: "Collection", value: f => f.collection },
      { label: "Master", value: f => `${f.master.url} (${f.master.db})` },
      { label: "State", value: f => f.state },
      { label: "Checkpoint", num: true, value: f => f.checkpoint_etag },
      { label: "Lag", num: true, value: f => `${f.lag_etags} etag(s), ${duration(f.lag_seconds)}` },
      { label: "Applied", num: true, value: f => f.documents_applied },
      { label: "Error", value: f => f.error ? `${f.error_code}: ${f.error}` : "" },
      { label: "", value: f => actionButton("Stop following", async () => {
          try { await api("DELETE", `${base}/followers/${enc(f.collection)}`); load(); }
          catch (e) { fill(status, message("error", errorText(e))); }
        }) },
    ], followers, "No collection follows a master."));
  }
  async function act(action, id) {
    try { await api("POST", `${base}/jobs/${action}`, { body: { id } }); load(); }
    catch (e) { fill(status, message("error", errorText(e))); }
  }

  const collection = h("input", { name: "collection", required: true });
  const from = h("input", { name: "from", required: true, placeholder: "http://master:8080" });
  const fromDb = h("input", { name: "from_db", placeholder: db, size: 10 });
  const fromKey = h("input", { name: "from_key", type: "password", autocomplete: "off" });
  const incremental = h("input", { type: "checkbox", name: "incremental" });
  const follow = h("input", { type: "checkbox", name: "follow" });
  const form = h("form", { class: "inline", id: "start-collection-sync" },
    field("Collection", collection), field("Master URL", from), field("Master database", fromDb),
    field("Master API key", fromKey), field("Incremental", incremental), field("Then follow", follow),
    h("button", { type: "submit", class: "primary" }, "Start"));
  form.addEventListener("submit", async ev => {
    ev.preventDefault();
    try {
      await api("POST", `${base}/collection-sync`, { body: {
        collection: collection.value, from: from.value.trim(), from_db: fromDb.value.trim() || db,
        from_key: fromKey.value, incremental: incremental.checked, follow: follow.checked, async: true } });
      fill(status, message("ok", "Started."));
      load();
    } catch (e) { fill(status, message("error", errorText(e))); }
  });

  let timer = null;
  ctx.onEvent(e => {
    if (e.type !== "reload" && !(e.db === db && (e.type === "job" || e.type === "change"))) return;
    if (!timer) timer = setTimeout(() => { timer = null; load().catch(() => {}); }, 300);
  });
  ctx.onLeave(() => clearTimeout(timer));
  await load();
  return h("div", {}, h("h1", {}, `Collection sync into ${db}`),
    h("section", { class: "panel" }, h("h2", {}, "Start a sync from a master"), form), status,
    h("h2", {}, "Jobs"), h("section", { class: "panel" }, jobsEl),
    h("h2", {}, "Followers"), h("section", { class: "panel" }, followersEl));
}
