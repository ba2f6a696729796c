// A database's collection rules (what writes each collection takes) and field indexes.
import { api, enc } from "../api.js";
import { h, fill, table, message, errorText, time, field, actionButton } from "../dom.js";

export async function render(ctx) {
  const db = ctx.db;
  const base = `/v1/db/${enc(db)}`;
  const admin = ctx.may("admin");
  const status = h("div", { "aria-live": "polite" });
  const indexesEl = h("div", {});
  const rulesEl = h("div", {});
  const collections = (await api("GET", `${base}/collections`)).map(c => c.name);

  async function loadIndexes() {
    const indexes = await api("GET", `${base}/indexes`);
    fill(indexesEl, table([
      { label: "Collection", value: i => i.collection },
      { label: "Field", value: i => h("code", {}, i.field) },
      { label: "Created", value: i => time(i.created_at) },
      { label: "", value: i => admin ? actionButton("Drop", async () => {
          try { await api("DELETE", `${base}/indexes/${enc(i.collection)}/${enc(i.field)}`); loadIndexes(); }
          catch (e) { fill(status, message("error", errorText(e))); }
        }, { class: "danger" }) : "" },
    ], indexes, "No indexes: finds scan their collection."));
  }

  async function showRules(collection) {
    if (!collection) return fill(rulesEl);
    let r;
    try { r = await api("GET", `${base}/rules/${enc(collection)}`); }
    catch (e) { return fill(status, message("error", errorText(e))); }
    const area = h("textarea", { class: "json", name: "rules", readonly: !admin, "aria-label": "Rules JSON" });
    area.value = r.rules ? JSON.stringify(r.rules, null, 2) : "";
    const note = h("div", { "aria-live": "polite" });
    fill(rulesEl,
      h("p", { class: "muted" }, `Schema version ${r.schema_version}. ${r.rules ? "" : "No rules: every write is taken."}`),
      area, note,
      admin ? h("div", { class: "toolbar" },
        actionButton("Save rules", async () => {
          let rules;
          try { rules = JSON.parse(area.value); } catch (e) { return fill(note, message("error", "Not valid JSON: " + e.message)); }
          try { await api("PUT", `${base}/rules/${enc(collection)}`, { body: rules }); showRules(collection); }
          catch (e) { fill(note, message("error", errorText(e))); }
        }, { class: "primary" }),
        r.rules ? actionButton("Remove rules", async () => {
          try { await api("DELETE", `${base}/rules/${enc(collection)}`); showRules(collection); }
          catch (e) { fill(note, message("error", errorText(e))); }
        }, { class: "danger" }) : null) : null);
  }

  const pick = h("select", { name: "collection", "aria-label": "Collection" },
    h("option", { value: "" }, "choose a collection"), collections.map(c => h("option", { value: c }, c)));
  pick.addEventListener("change", () => showRules(pick.value));
  const other = h("input", { name: "other", placeholder: "or type a name", size: 14, "aria-label": "Collection name" });
  other.addEventListener("change", () => showRules(other.value.trim()));

  let indexForm = null;
  if (admin) {
    const coll = h("input", { name: "index_collection", required: true, size: 12 });
    const fieldName = h("input", { name: "index_field", required: true, size: 12, placeholder: "status" });
    indexForm = h("form", { class: "inline", id: "create-index" }, field("Collection", coll), field("Field", fieldName),
                  h("button", { type: "submit", class: "primary" }, "Create index"));
    indexForm.addEventListener("submit", async ev => {
      ev.preventDefault();
      try { await api("PUT", `${base}/indexes/${enc(coll.value)}/${enc(fieldName.value)}`); indexForm.reset(); loadIndexes(); }
      catch (e) { fill(status, message("error", errorText(e))); }
    });
  }
  await loadIndexes();
  return h("div", {}, h("h1", {}, `Rules and indexes of ${db}`), status,
    h("h2", {}, "Collection rules"),
    h("section", { class: "panel" }, h("div", { class: "toolbar" }, pick, other), rulesEl),
    h("h2", {}, "Indexes"),
    h("section", { class: "panel" }, indexForm, indexesEl));
}
