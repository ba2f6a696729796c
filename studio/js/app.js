// The studio's shell: sign-in, the navigation, the route table of pages, roles, live events.
import { api, session, setSignedOutHandler } from "./api.js";
import { h, fill, message, errorText } from "./dom.js";
import { EventStream } from "./events.js";
import * as signin from "./pages/signin.js";
import * as node from "./pages/node.js";
import * as users from "./pages/users.js";
import * as documents from "./pages/documents.js";
import * as files from "./pages/files.js";
import * as destinations from "./pages/destinations.js";
import * as activity from "./pages/activity.js";
import * as conflicts from "./pages/conflicts.js";
import * as changes from "./pages/changes.js";
import * as clients from "./pages/clients.js";
import * as collectionSync from "./pages/collection_sync.js";
import * as rules from "./pages/rules.js";

const RANK = { read: 1, write: 2, admin: 3 };

// A database's pages, in menu order, with the role each needs to be shown at all.
const DB_PAGES = [
  { path: "documents", label: "Documents", page: documents, needs: "read" },
  { path: "files", label: "Files", page: files, needs: "read" },
  { path: "changes", label: "Change feed", page: changes, needs: "read" },
  { path: "rules", label: "Rules & indexes", page: rules, needs: "read" },
  { path: "destinations", label: "Destinations", page: destinations, needs: "admin" },
  { path: "activity", label: "Activity", page: activity, needs: "admin" },
  { path: "conflicts", label: "Conflicts", page: conflicts, needs: "admin" },
  { path: "clients", label: "Clients", page: clients, needs: "admin" },
  { path: "collection-sync", label: "Collection sync", page: collectionSync, needs: "admin" },
];

// Who is signed in, and what they may do.
export class Who {
  constructor(me) {
    this.me = me;
  }
  get name() { return this.me.admin_key ? "admin key" : this.me.user; }
  roleOn(db) {
    if (this.me.admin_key) return "admin";
    let best = null;
    for (const g of this.me.grants || []) {
      if ((g.db === db || g.db === "*") && (!best || RANK[g.role] > RANK[best])) best = g.role;
    }
    return best;
  }
  may(db, role) { const r = this.roleOn(db); return !!r && RANK[r] >= RANK[role]; }
  // The admin key, or the admin role on every database: users, new databases.
  get nodeAdmin() {
    return !!this.me.admin_key || (this.me.grants || []).some(g => g.db === "*" && g.role === "admin");
  }
}

const state = { who: null, databases: [], cleanup: [], events: null };
const root = document.getElementById("app");

function parseRoute() {
  const [path, query] = location.hash.replace(/^#/, "").split("?");
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  return { parts, params: new URLSearchParams(query || "") };
}

export function go(hash) { location.hash = hash; }

function connectionBanner(kind) {
  const old = document.getElementById("connection");
  if (old) old.remove();
  if (kind === "connected" || kind === "restarted") {
    const text = kind === "restarted" ? "The node restarted; the page is up to date again."
                                      : "Connected to the node again.";
    const el = h("div", { id: "connection", class: "message ok", role: "status" }, text);
    document.body.append(el);
    setTimeout(() => el.remove(), 4000);
  } else if (kind === "reconnecting") {
    document.body.append(h("div", { id: "connection", class: "message warn", role: "status" },
                           "Lost the connection to the node; reconnecting…"));
  }
}

async function signedIn() {
  const me = await api("GET", "/v1/auth/me");
  state.who = new Who(me);
  state.databases = await api("GET", "/v1/db");
  if (!state.events) {
    state.events = new EventStream(connectionBanner);
    state.events.start();
  }
}

export async function signOut() {
  try { if (session.credential) await api("POST", "/v1/auth/logout"); } catch (_) { /* gone */ }
  session.clear();
  if (state.events) state.events.stop();
  state.events = null;
  state.who = null;
  go("#/signin");
}

function navLink(hash, label, current) {
  return h("a", { href: hash, "aria-current": current ? "page" : null }, label);
}

function layout(parts, content) {
  const db = parts[0] === "db" ? parts[1] : null;
  const sub = parts[2];
  const nav = h("nav", { class: "side", "aria-label": "Pages" },
    h("h2", {}, "Node"),
    navLink("#/", "Overview", parts.length === 0),
    state.who.nodeAdmin ? navLink("#/users", "Users & roles", parts[0] === "users") : null,
    state.databases.map(d => [
      h("h2", {}, d.name),
      DB_PAGES.filter(p => state.who.may(d.name, p.needs)).map(p =>
        navLink(`#/db/${encodeURIComponent(d.name)}/${p.path}`, p.label, db === d.name && sub === p.path)),
    ]));
  return h("div", {},
    h("header", { class: "top" },
      h("a", { class: "brand", href: "#/" }, "Syncline studio"),
      h("span", { class: "who" }, "Signed in as ", h("strong", {}, state.who.name),
        h("button", { type: "button", onclick: signOut }, "Sign out"))),
    h("div", { class: "layout" }, nav, h("main", { id: "main" }, content)));
}

// The context a page renders with.
function context(db, params) {
  return {
    db,
    params,
    who: state.who,
    role: db ? state.who.roleOn(db) : null,
    may: role => state.who.may(db, role),
    databases: state.databases,
    // Live events for this page; unsubscribed when it goes.
    onEvent(fn) { if (state.events) state.cleanup.push(state.events.subscribe(fn)); },
    onLeave(fn) { state.cleanup.push(fn); },
    async refreshDatabases() { state.databases = await api("GET", "/v1/db"); },
    rerender: render,
  };
}

async function render() {
  for (const fn of state.cleanup.splice(0)) fn();
  const { parts, params } = parseRoute();
  if (!session.credential || parts[0] === "signin") {
    if (parts[0] !== "signin") return go("#/signin");
    fill(root, signin.render({ done: async () => { await signedIn(); go("#/"); } }));
    return;
  }
  try {
    if (!state.who) await signedIn();
  } catch (e) {
    if (!session.credential) return;  // the 401 handler signed out
    fill(root, h("main", {}, message("error", "Cannot reach the node: " + errorText(e))));
    return;
  }
  let page = node, db = null;
  if (parts[0] === "users" && state.who.nodeAdmin) {
    page = users;
  } else if (parts[0] === "db" && parts[1]) {
    db = parts[1];
    const entry = DB_PAGES.find(p => p.path === parts[2]) || DB_PAGES[0];
    page = state.who.may(db, entry.needs) ? entry.page : null;
  }
  const holder = h("div", {});
  fill(root, layout(parts, holder));
  if (!page) {
    fill(holder, message("error", "You have no access to this page."));
    return;
  }
  try {
    const el = await page.render(context(db, params));
    fill(holder, el);
    const heading = holder.querySelector("h1");
    if (heading) document.title = heading.textContent + " · Syncline studio";
  } catch (e) {
    if (session.credential) fill(holder, message("error", errorText(e)));
  }
}

setSignedOutHandler(() => {
  session.clear();
  if (state.events) state.events.stop();
  state.events = null;
  state.who = null;
  go("#/signin");
});
window.addEventListener("hashchange", render);
render();
