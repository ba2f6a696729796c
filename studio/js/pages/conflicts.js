// Conflicts: the list, and for one item its two versions side by side (a line diff for a
// document; metadata and sizes for a file), resolved by keeping the remote or the current one.
import { api, enc } from "../api.js";
import { h, fill, table, message, errorText, bytes, time, actionButton } from "../dom.js";
import { lineDiff } from "../diff.js";

function label(c) { return c.kind === "document" ? `${c.collection}/${c.name}` : c.name; }

function versionText(item) {
  if (item.deleted) return "(deleted)";
  if (item.kind === "document") return JSON.stringify(item.body, null, 2);
  return JSON.stringify({ size: item.size, content_hash: item.content_hash, metadata: item.metadata }, null, 2);
}

export async function render(ctx) {
  const db = ctx.db;
  const base = `/v1/db/${enc(db)}/conflicts`;
  const status = h("div", { "aria-live": "polite" });
  const list = h("div", {});
  const detail = h("div", {});

  async function load() {
    const all = await api("GET", base);
    fill(list, table([
      { label: "Item", value: c => h("a", { href: "#", onclick: ev => { ev.preventDefault(); show(c); } }, label(c)) },
      { label: "Kind", value: c => c.kind },
      { label: "Other side", value: c => c.remote_url },
      { label: "Since", value: c => time(c.created_at) },
    ], all, "No conflicts."));
  }

  async function show(c) {
    const q = `?name=${encodeURIComponent(c.name)}` + (c.kind === "document" ? `&collection=${encodeURIComponent(c.collection)}` : "");
    let d;
    try { d = await api("GET", base + "/item" + q); }
    catch (e) { return fill(status, message("error", errorText(e))); }
    const current = versionText(d.local_item), remote = versionText(d.remote_item);
    const diff = lineDiff(current, remote);
    const facts = item => h("dl", { class: "facts" },
      h("dt", {}, "Updated"), h("dd", {}, time(item.updated_at)),
      item.kind === "file" ? [h("dt", {}, "Size"), h("dd", {}, bytes(item.size))] : null,
      h("dt", {}, "Version"), h("dd", {}, h("code", {}, JSON.stringify(item.version_vector))));
    async function resolve(keep) {
      const body = { name: c.name, keep, if_match: d.local_etag };
      if (c.kind === "document") body.collection = c.collection;
      try {
        const r = await api("POST", base + "/resolve", { body });
        fill(detail);
        fill(status, message("ok", `Resolved ${label(c)}: kept the ${r.kept} version (etag ${r.etag}).`));
        load();
      } catch (e) {
        fill(status, message("error", e.code === "precondition_failed"
          ? "The item changed since it was shown: look again before resolving. " + e.message : errorText(e)));
      }
    }
    fill(detail, h("section", { class: "panel", id: "conflict-detail" },
      h("h2", {}, label(c)),
      h("div", { class: "grid2" },
        h("div", {}, h("h2", {}, "Current (this node)"), facts(d.local_item), h("pre", { "data-side": "current" }, current)),
        h("div", {}, h("h2", {}, "Remote (" + c.remote_url + ")"), facts(d.remote_item), h("pre", { "data-side": "remote" }, remote))),
      h("h2", {}, "Differences"),
      h("div", { class: "diff", "aria-label": "Line differences, current to remote" },
        diff.map(l => h("div", { class: l.op === "-" ? "del" : l.op === "+" ? "add" : null }, l.op + " " + l.line))),
      h("div", { class: "toolbar" },
        actionButton("Keep remote", () => resolve("remote"), { class: "primary" }),
        actionButton("Keep current", () => resolve("current")),
        h("button", { type: "button", onclick: () => fill(detail) }, "Close"))));
  }

  ctx.onEvent(e => { if (e.type === "reload" || (e.db === db && (e.type === "conflict" || e.type === "change"))) load(); });
  await load();
  return h("div", {}, h("h1", {}, `Conflicts in ${db}`), status,
           h("section", { class: "panel" }, list), detail);
}
