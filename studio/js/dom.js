// DOM building without innerHTML: every value the server sends becomes text, never markup.

// h("button", {class: "primary", onclick: fn}, "Save") -> an element.
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
    else if (k === "value") el.value = v;
    else if (k === "checked") el.checked = !!v;
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

// Replaces what `el` holds.
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

// A table: columns [{label, value: row => node|text, num?}], rows, and text for none.
export function table(columns, rows, empty = "Nothing here yet.") {
  if (!rows.length) return h("p", { class: "muted" }, empty);
  return h("div", { class: "scroll" }, h("table", {},
    h("thead", {}, h("tr", {}, columns.map(c => h("th", { class: c.num ? "num" : null, scope: "col" }, c.label)))),
    h("tbody", {}, rows.map(r => h("tr", {}, columns.map(c => h("td", { class: c.num ? "num" : null }, c.value(r))))))));
}

export function message(kind, text) {
  return h("div", { class: "message " + kind, role: kind === "error" ? "alert" : "status" }, text);
}

// An API error as one line: "precondition_failed: the message".
export function errorText(e) {
  if (e && e.code) return `${e.message} (${e.code})`;
  return String(e && e.message ? e.message : e);
}

export function bytes(n) {
  if (n === null || n === undefined) return "";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  let v = Number(n);
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return (i ? v.toFixed(1) : String(v)) + " " + units[i];
}

// Microseconds since the epoch, as local time ("" for 0).
export function time(micros) {
  if (!micros) return "";
  return new Date(micros / 1000).toLocaleString();
}

export function duration(seconds) {
  seconds = Math.round(seconds);
  if (seconds < 60) return seconds + " s";
  if (seconds < 3600) return Math.floor(seconds / 60) + " min " + (seconds % 60) + " s";
  if (seconds < 86400) return Math.floor(seconds / 3600) + " h " + Math.floor((seconds % 3600) / 60) + " min";
  return Math.floor(seconds / 86400) + " d " + Math.floor((seconds % 86400) / 3600) + " h";
}

// A labelled form control.
export function field(label, control) {
  return h("label", {}, label, control);
}

// A button that runs `action` (async), disabled meanwhile; errors land in `status`.
export function actionButton(label, action, attrs = {}) {
  const b = h("button", { type: "button", ...attrs }, label);
  b.addEventListener("click", async () => {
    b.disabled = true;
    try { await action(); } finally { b.disabled = false; }
  });
  return b;
}
