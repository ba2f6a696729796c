// Synchronizations: the items being pushed now, those waiting their turn, and the reports of
// what this node received; live, paged, filterable by state.
import { api, enc } from "../api.js";
import { h, fill, table, message, errorText, bytes, time, field } from "../dom.js";

const SIZE = 25;

function itemName(r) { return r.kind === "document" ? `${r.collection}/${r.name}` : r.name; }

export async function render(ctx) {
  const db = ctx.db;
  const base = `/v1/db/${enc(db)}/sync`;
  const status = h("div", { "aria-live": "polite" });
  const body = h("div", {});
  const which = h("select", { name: "state", "aria-label": "State" },
    ["all", "active", "pending", "finished"].map(s => h("option", { value: s }, s)));
  const outcome = h("select", { name: "outcome", "aria-label": "Outcome" },
    ["any outcome", "ok", "failed", "conflict"].map(s => h("option", { value: s }, s)));
  let start = 0;

  function section(title, page, columns, paged) {
    return h("section", { class: "panel", "data-section": title.toLowerCase() },
      h("h2", {}, `${title} (${page.total})`),
      table(columns, page.items, "None."),
      paged ? h("div", { class: "toolbar" },
        start > 0 ? h("button", { type: "button", onclick: () => { start = Math.max(0, start - SIZE); load(); } }, "Newer") : null,
        start + SIZE < page.total ? h("button", { type: "button", onclick: () => { start += SIZE; load(); } }, "Older") : null,
        h("span", { class: "muted" }, page.total ? `${start + 1}–${Math.min(start + SIZE, page.total)} of ${page.total}` : "")) : null);
  }
  const queued = [
    { label: "Item", value: itemName },
    { label: "Type", value: r => r.type },
    { label: "Etag", num: true, value: r => r.etag },
    { label: "Destination", value: r => r.destination_url },
  ];
  const finished = [
    { label: "Item", value: itemName },
    { label: "Outcome", value: r => r.error_code === "conflicted" ? h("span", { class: "badge bad" }, "conflict")
                                  : r.error_code ? h("span", { class: "badge bad" }, r.error_code) : h("span", { class: "badge ok" }, "ok") },
    { label: "Type", value: r => r.type },
    { label: "From", value: r => r.source_url },
    { label: "Transferred", num: true, value: r => bytes(r.bytes_transferred) },
    { label: "Finished", value: r => time(r.finished_at) },
  ];
  function keep(r) {
    const o = outcome.value;
    if (o === "ok") return !r.error_code;
    if (o === "failed") return r.error_code && r.error_code !== "conflicted";
    if (o === "conflict") return r.error_code === "conflicted";
    return true;
  }

  async function load() {
    const w = which.value;
    try {
      const parts = [];
      if (w === "all" || w === "active") parts.push(section("Active", await api("GET", `${base}/active?page_size=1000`), queued, false));
      if (w === "all" || w === "pending") parts.push(section("Pending", await api("GET", `${base}/pending?page_size=1000`), queued, false));
      if (w === "all" || w === "finished") {
        const page = await api("GET", `${base}/finished?start=${start}&page_size=${SIZE}`);
        page.items = page.items.filter(keep);
        parts.push(section("Finished", page, finished, true));
      }
      fill(body, parts);
    } catch (e) { fill(status, message("error", errorText(e))); }
  }
  which.addEventListener("change", () => { start = 0; load(); });
  outcome.addEventListener("change", load);

  let timer = null;
  ctx.onEvent(e => {
    if (e.type !== "reload" && e.db !== db) return;
    if (!timer) timer = setTimeout(() => { timer = null; load(); }, 250);
  });
  ctx.onLeave(() => clearTimeout(timer));
  await load();
  return h("div", {},
    h("h1", {}, `Activity of ${db}`),
    h("div", { class: "toolbar" }, field("Show", which), field("Finished", outcome)),
    status, body);
}
