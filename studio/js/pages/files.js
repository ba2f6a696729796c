// A database's files: folders (name prefixes up to a '/'), upload with a progress bar,
// download, metadata, rename and delete.
import { api, enc, upload, download } from "../api.js";
import { h, fill, table, message, errorText, bytes, time, field, actionButton } from "../dom.js";

export async function render(ctx) {
  const db = ctx.db;
  const base = `/v1/db/${enc(db)}`;
  const folder = ctx.params.get("folder") || "";  // "" or "a/b/"
  const canWrite = ctx.may("write");
  const status = h("div", { "aria-live": "polite" });
  const list = h("div", {});
  const detail = h("div", {});

  function folderLink(prefix, label) {
    return h("a", { href: `#/db/${encodeURIComponent(db)}/files` + (prefix ? "?folder=" + encodeURIComponent(prefix) : "") }, label);
  }

  async function load() {
    let all = [], after = "";
    // Every file under the folder, page by page (a listing is at most 1000 a page).
    for (;;) {
      const page = await api("GET", `${base}/files?limit=1000&prefix=${encodeURIComponent(folder)}` + (after ? "&after=" + encodeURIComponent(after) : ""));
      all = all.concat(page);
      if (page.length < 1000) break;
      after = page[page.length - 1].name;
    }
    const folders = new Set(), here = [];
    for (const f of all) {
      const rest = f.name.slice(folder.length);
      const slash = rest.indexOf("/");
      if (slash >= 0) folders.add(folder + rest.slice(0, slash + 1));
      else here.push(f);
    }
    fill(list,
      folders.size ? h("ul", {}, [...folders].sort().map(p => h("li", {}, folderLink(p, "📁 " + p.slice(folder.length))))) : null,
      table([
        { label: "Name", value: f => h("a", { href: "#", onclick: ev => { ev.preventDefault(); show(f.name); } }, f.name.slice(folder.length)) },
        { label: "Size", num: true, value: f => bytes(f.size) },
        { label: "Updated", value: f => time(f.updated_at) },
        { label: "", value: f => actionButton("Download", () => get(f.name)) },
      ], here, folders.size ? "No files directly in this folder." : "No files here yet."));
  }

  async function get(name) {
    try { await download(`${base}/files/${enc(name)}`, name.split("/").pop()); }
    catch (e) { fill(status, message("error", errorText(e))); }
  }

  async function show(name) {
    let meta;
    try { meta = await api("GET", `${base}/meta/${enc(name)}`); }
    catch (e) { return fill(status, message("error", errorText(e))); }
    const note = h("div", { "aria-live": "polite" });
    const etag = `"${meta.etag}"`;
    const metaArea = h("textarea", { class: "json", name: "metadata", rows: 6, readonly: !canWrite, "aria-label": "Metadata JSON" });
    metaArea.value = JSON.stringify(meta.metadata || {}, null, 2);
    const newName = h("input", { name: "rename", value: name });
    async function saveMeta() {
      let set;
      try { set = JSON.parse(metaArea.value); } catch (e) { return fill(note, message("error", "Not valid JSON: " + e.message)); }
      const unset = Object.keys(meta.metadata || {}).filter(k => !(k in set));
      try {
        await api("PATCH", `${base}/meta/${enc(name)}`, { body: { set, unset }, headers: { "If-Match": etag } });
        show(name);
      } catch (e) { fill(note, message("error", errorText(e))); }
    }
    async function rename() {
      try {
        await api("POST", `${base}/rename`, { body: { from: name, to: newName.value }, headers: { "If-Match": etag } });
        fill(detail);
        load();
      } catch (e) { fill(note, message("error", errorText(e))); }
    }
    async function remove() {
      if (!confirm(`Delete ${name}?`)) return;
      try {
        await api("DELETE", `${base}/files/${enc(name)}`, { headers: { "If-Match": etag } });
        fill(detail);
        load();
      } catch (e) { fill(note, message("error", errorText(e))); }
    }
    fill(detail, h("section", { class: "panel", id: "file-detail" },
      h("h2", {}, name),
      meta.conflict ? message("warn", "This file holds an unresolved conflict.") : null,
      h("dl", { class: "facts" },
        h("dt", {}, "Size"), h("dd", {}, bytes(meta.size)),
        h("dt", {}, "Etag"), h("dd", {}, meta.etag),
        h("dt", {}, "SHA-256"), h("dd", {}, h("code", {}, meta.content_hash)),
        h("dt", {}, "Updated"), h("dd", {}, time(meta.updated_at))),
      h("h2", {}, "Metadata"), metaArea, note,
      h("div", { class: "toolbar" },
        actionButton("Download", () => get(name)),
        canWrite ? actionButton("Save metadata", saveMeta, { class: "primary" }) : null,
        canWrite ? actionButton("Delete", remove, { class: "danger" }) : null,
        h("button", { type: "button", onclick: () => fill(detail) }, "Close")),
      canWrite ? h("div", { class: "toolbar" }, field("Rename to", newName), actionButton("Rename", rename)) : null));
  }

  const uploader = canWrite ? (() => {
    const input = h("input", { type: "file", name: "upload", multiple: true, "aria-label": "Files to upload" });
    const bar = h("progress", { max: 1, value: 0, hidden: true });
    const label = h("span", { class: "muted" });
    const form = h("form", { class: "inline", id: "upload" }, input,
                   h("button", { type: "submit", class: "primary" }, "Upload"), bar, label);
    form.addEventListener("submit", async ev => {
      ev.preventDefault();
      bar.hidden = false;
      for (const file of input.files) {
        try {
          await upload(`${base}/files/${enc(folder + file.name)}`, file, (done, total) => {
            bar.max = total || 1;
            bar.value = done;
            label.textContent = `${file.name}: ${bytes(done)} of ${bytes(total)}`;
          });
          fill(status, message("ok", `Uploaded ${folder + file.name}.`));
        } catch (e) {
          fill(status, message("error", `${file.name}: ${errorText(e)}`));
        }
      }
      input.value = "";
      load();
    });
    return form;
  })() : null;

  ctx.onEvent(e => { if (e.type === "reload" || (e.type === "change" && e.db === db && e.files > 0)) load(); });
  await load();
  const crumbs = [folderLink("", db)];
  let acc = "";
  for (const part of folder.split("/").filter(Boolean)) {
    acc += part + "/";
    crumbs.push(" / ", folderLink(acc, part));
  }
  return h("div", {},
    h("h1", {}, `Files in ${db}`),
    h("p", {}, crumbs),
    uploader, status,
    h("div", { class: "grid2" }, h("section", { class: "panel" }, list), detail));
}
