// The node: who it is, how long it has run, its databases and what their storage holds.
import { api, enc } from "../api.js";
import { h, fill, table, message, errorText, bytes, duration, actionButton, field } from "../dom.js";

export async function render(ctx) {
  const health = await api("GET", "/v1/health");
  const status = h("div", { "aria-live": "polite" });
  const storage = h("div", {}, h("p", { class: "muted" }, "Measuring storage…"));

  // Storage per database reads every manifest: shown when it comes, not before the page.
  async function measure() {
    const rows = [];
    for (const d of ctx.databases) {
      try {
        rows.push({ name: d.name, ...(await api("GET", `/v1/db/${enc(d.name)}/stats`)) });
      } catch (e) {
        rows.push({ name: d.name, error: errorText(e) });
      }
    }
    fill(storage, table([
      { label: "Database", value: r => h("a", { href: `#/db/${encodeURIComponent(r.name)}/documents` }, r.name) },
      { label: "On disk", num: true, value: r => r.error || bytes(r.disk_bytes) },
      { label: "Live chunks", num: true, value: r => bytes(r.live_bytes) },
      { label: "Garbage", num: true, value: r => bytes(r.garbage_bytes) },
      { label: "Chunks", num: true, value: r => r.chunks },
      { label: "", value: r => ctx.who.may(r.name, "admin") && !r.error ? actionButton("Collect garbage", async () => {
          try {
            const s = await api("POST", `/v1/db/${enc(r.name)}/gc`);
            fill(status, message("ok", `${r.name}: reclaimed ${bytes(s.bytes_reclaimed)}.`));
            measure();
          } catch (e) { fill(status, message("error", errorText(e))); }
        }) : "" },
    ], rows, "No databases yet."));
  }
  measure();

  const create = ctx.who.nodeAdmin ? (() => {
    const name = h("input", { name: "database", required: true, pattern: "[A-Za-z0-9][A-Za-z0-9_.-]*" });
    const form = h("form", { class: "inline", id: "create-database" }, field("New database", name),
                   h("button", { type: "submit", class: "primary" }, "Create"));
    form.addEventListener("submit", async ev => {
      ev.preventDefault();
      try {
        await api("PUT", `/v1/db/${enc(name.value)}`);
        await ctx.refreshDatabases();
        ctx.rerender();
      } catch (e) { fill(status, message("error", errorText(e))); }
    });
    return form;
  })() : null;

  return h("div", {},
    h("h1", {}, "Node ", health.node_name),
    h("section", { class: "panel" },
      h("dl", { class: "facts" },
        h("dt", {}, "Node id"), h("dd", {}, h("code", {}, health.node_id)),
        h("dt", {}, "Name"), h("dd", {}, health.node_name),
        h("dt", {}, "Version"), h("dd", {}, health.version),
        h("dt", {}, "Up for"), h("dd", { id: "uptime" }, duration(health.uptime_seconds)),
        h("dt", {}, "Databases"), h("dd", {}, ctx.databases.length))),
    h("h2", {}, "Databases and storage"),
    status,
    h("section", { class: "panel" }, create, storage));
}
