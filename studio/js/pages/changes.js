// The change feed, live: the newest changes first, more as the node commits them.
import { api, enc } from "../api.js";
import { h, fill, table, message, errorText } from "../dom.js";

const SHOWN = 200;

export async function render(ctx) {
  const db = ctx.db;
  const base = `/v1/db/${enc(db)}`;
  const status = h("div", { "aria-live": "polite" });
  const list = h("div", {});
  let rows = [];
  let since = 0;

  function draw() {
    fill(list, table([
      { label: "Etag", num: true, value: c => c.etag },
      { label: "Kind", value: c => c.kind },
      { label: "Item", value: c => c.kind === "file" ? c.name : `${c.collection}/${c.key}` },
      { label: "", value: c => c.deleted ? h("span", { class: "badge bad" }, "deleted") : "" },
    ], rows, "No changes yet."));
  }

  // Reads what follows `since` (each item once, at its latest etag) and puts it on top.
  async function more() {
    try {
      for (;;) {
        const page = await api("GET", `${base}/changes?since=${since}&limit=1000`);
        const keys = new Set(page.changes.map(c => c.kind + "\0" + (c.collection || "") + "\0" + (c.key || c.name)));
        rows = page.changes.slice().reverse().concat(rows.filter(r => !keys.has(r.kind + "\0" + (r.collection || "") + "\0" + (r.key || r.name))));
        rows = rows.slice(0, SHOWN);
        since = page.last_etag;
        if (page.changes.length < 1000) break;
      }
      draw();
      fill(status, h("p", { class: "muted", id: "feed-position" }, `At etag ${since}; live.`));
    } catch (e) { fill(status, message("error", errorText(e))); }
  }

  // From the newest SHOWN etags, not the whole feed.
  async function fromNewest() {
    const head = await api("GET", `${base}`);
    rows = [];
    since = Math.max(0, head.last_etag - SHOWN);
    await more();
  }
  await fromNewest();
  ctx.onEvent(e => {
    if (e.type === "reload") fromNewest().catch(err => fill(status, message("error", errorText(err))));
    else if (e.type === "change" && e.db === db && e.last_etag > since) more();
  });
  return h("div", {}, h("h1", {}, `Change feed of ${db}`), status, h("section", { class: "panel" }, list));
}
