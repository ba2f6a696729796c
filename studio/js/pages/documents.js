// A database's documents: its collections, a paged list, `find` with the filter language, and
// a JSON editor that saves with If-Match, so an edit never overwrites someone else's unseen.
import { api, enc } from "../api.js";
import { h, fill, table, message, errorText, time, field, actionButton } from "../dom.js";

const PAGE = 50;

export async function render(ctx) {
  const db = ctx.db;
  const base = `/v1/db/${enc(db)}`;
  const collections = await api("GET", `${base}/collections`);
  const current = ctx.params.get("c") || (collections[0] && collections[0].name) || "";
  const status = h("div", { "aria-live": "polite" });
  const list = h("div", {});
  const editor = h("div", {});
  const canWrite = ctx.may("write");

  const filter = h("input", { name: "filter", size: 40, placeholder: '{"status": "open"}',
                              "aria-label": "Filter (JSON)" });
  const findForm = h("form", { class: "inline", id: "find" }, field("Find (filter language)", filter),
                     h("button", { type: "submit" }, "Find"),
                     h("button", { type: "button", onclick: () => { filter.value = ""; showPage(""); } }, "Clear"));
  findForm.addEventListener("submit", ev => { ev.preventDefault(); find(0); });

  function rows(docs, more) {
    fill(list,
      table([
        { label: "Key", value: d => h("a", { href: "#", onclick: ev => { ev.preventDefault(); open(d.key); } }, d.key) },
        { label: "Etag", num: true, value: d => d.etag },
        { label: "Document", value: d => h("code", {}, JSON.stringify(d.document).slice(0, 120)) },
      ], docs, current ? "No documents." : "This database has no documents yet."),
      more);
  }

  async function showPage(after) {
    if (!current) return rows([], null);
    try {
      const docs = await api("GET", `${base}/docs/${enc(current)}?limit=${PAGE}` + (after ? "&after=" + encodeURIComponent(after) : ""));
      const next = docs.length === PAGE ? h("button", { type: "button", onclick: () => showPage(docs[docs.length - 1].key) }, "Next page") : null;
      rows(docs, h("div", { class: "toolbar" }, after ? h("button", { type: "button", onclick: () => showPage("") }, "First page") : null, next));
    } catch (e) { fill(status, message("error", errorText(e))); }
  }

  async function find(offset) {
    let parsed;
    try {
      parsed = filter.value.trim() ? JSON.parse(filter.value) : {};
    } catch (e) {
      return fill(status, message("error", "The filter is not JSON: " + e.message));
    }
    try {
      const docs = await api("POST", `${base}/find/${enc(current)}`, { body: { filter: parsed, offset, limit: PAGE } });
      fill(status);
      const next = docs.length === PAGE ? h("button", { type: "button", onclick: () => find(offset + PAGE) }, "More results") : null;
      rows(docs, h("div", { class: "toolbar" }, h("span", { class: "muted" }, `${docs.length} match(es) from ${offset}`), next));
    } catch (e) { fill(status, message("error", errorText(e))); }
  }

  // The editor for one document (or a new one when `key` is null).
  async function open(key) {
    fill(status);
    let etag = null, text = "{\n  \n}", conflicted = false;
    if (key !== null) {
      try {
        const res = await api("GET", `${base}/docs/${enc(current)}/${enc(key)}`, { raw: true });
        etag = res.headers.get("ETag");
        conflicted = res.headers.get("Syncline-Conflict") === "true";
        text = JSON.stringify(await res.json(), null, 2);
      } catch (e) { return fill(status, message("error", errorText(e))); }
    }
    const keyInput = h("input", { name: "key", required: true, value: key || "", readonly: key !== null });
    const area = h("textarea", { class: "json", name: "document", spellcheck: "false", readonly: !canWrite,
                                 "aria-label": "Document JSON" });
    area.value = text;
    const note = h("div", { "aria-live": "polite" });
    async function save() {
      let body;
      try { body = JSON.parse(area.value); } catch (e) { return fill(note, message("error", "Not valid JSON: " + e.message)); }
      const headers = etag ? { "If-Match": etag } : { "If-None-Match": "*" };
      try {
        const r = await api("PUT", `${base}/docs/${enc(current || collectionInput.value)}/${enc(keyInput.value)}`, { body, headers });
        etag = `"${r.etag}"`;
        fill(note, message("ok", `Saved at etag ${r.etag}.`));
        keyInput.readOnly = true;
        if (!current) {  // a new collection: show it
          location.hash = `#/db/${encodeURIComponent(db)}/documents?c=${encodeURIComponent(collectionInput.value)}`;
          return;
        }
        showPage("");
      } catch (e) {
        if (e.code === "precondition_failed") {
          fill(note, message("error", etag
            ? "Someone else changed this document after you opened it. Your edit was NOT saved and nothing was overwritten. Reload to see their version, then edit again. (" + e.message + ")"
            : "A document with this key exists already: nothing was overwritten."));
        } else if (e.code === "conflicted") {
          fill(note, message("error", "This document holds an unresolved conflict: resolve it on the Conflicts page first."));
        } else {
          fill(note, message("error", errorText(e)));
        }
      }
    }
    async function remove() {
      if (!confirm(`Delete ${keyInput.value}?`)) return;
      try {
        await api("DELETE", `${base}/docs/${enc(current)}/${enc(keyInput.value)}`, { headers: { "If-Match": etag } });
        fill(editor);
        showPage("");
      } catch (e) { fill(note, message("error", errorText(e))); }
    }
    const collectionInput = h("input", { name: "collection", required: true, value: current, readonly: !!current });
    fill(editor, h("section", { class: "panel", id: "editor" },
      h("h2", {}, key === null ? "New document" : `Document ${key}`),
      conflicted ? message("warn", "This document holds an unresolved conflict.") : null,
      h("div", { class: "toolbar" }, current ? null : field("Collection", collectionInput), field("Key", keyInput),
        etag ? h("span", { class: "muted" }, "etag " + etag) : null),
      area, note,
      h("div", { class: "toolbar" },
        canWrite ? actionButton("Save", save, { class: "primary" }) : null,
        key !== null ? actionButton("Reload", () => open(key)) : null,
        canWrite && key !== null ? actionButton("Delete", remove, { class: "danger" }) : null,
        h("button", { type: "button", onclick: () => fill(editor) }, "Close"))));
    area.focus();
  }

  ctx.onEvent(e => { if (e.type === "reload" || (e.type === "change" && e.db === db && !filter.value)) showPage(""); });
  showPage("");

  return h("div", {},
    h("h1", {}, `Documents in ${db}`),
    h("nav", { class: "toolbar", "aria-label": "Collections" },
      collections.map(c => h("a", { class: "button", href: `#/db/${encodeURIComponent(db)}/documents?c=${encodeURIComponent(c.name)}`,
                                    "aria-current": c.name === current ? "page" : null }, `${c.name} (${c.documents})`)),
      canWrite ? h("button", { type: "button", class: "primary", onclick: () => open(null) }, "New document") : null),
    current ? findForm : null,
    status,
    h("div", { class: "grid2" }, h("section", { class: "panel" }, list), editor));
}
