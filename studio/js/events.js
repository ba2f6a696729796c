// The node's event stream (GET /v1/events), long-polled: pages subscribe to it for live views.
// It survives the server restarting: it retries with backoff, says so, and tells subscribers
// to reload what they show once the node is back.
import { api } from "./api.js";

export class EventStream {
  constructor(onState) {
    this.onState = onState;  // ("connected" | "reconnecting" | "restarted") => void
    this.listeners = new Set();
    this.since = 0;
    this.startedAt = null;
    this.running = false;
  }

  // fn(event) for each event; fn({type: "reload"}) when whatever was shown may be stale.
  subscribe(fn) {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  start() {
    if (this.running) return;
    this.running = true;
    this.abort = new AbortController();
    this.loop();
  }

  stop() {
    this.running = false;
    if (this.abort) this.abort.abort();
  }

  emit(e) {
    for (const fn of [...this.listeners]) {
      try { fn(e); } catch (err) { console.warn("event listener failed", err); }
    }
  }

  async loop() {
    let failures = 0;
    let first = true;
    while (this.running) {
      try {
        const wait = first ? 0 : 25;
        const r = await api("GET", `/v1/events?since=${this.since}&wait=${wait}&limit=500`,
                            { signal: this.abort.signal, longPoll: wait > 0 });
        const restarted = this.startedAt !== null && r.started_at !== this.startedAt;
        this.startedAt = r.started_at;
        this.since = r.last_id;
        if (first) {
          first = false;
        } else {
          for (const e of r.events) this.emit(e);
        }
        if (failures > 0 || restarted) {
          this.onState(restarted ? "restarted" : "connected");
          this.emit({ type: "reload" });
        }
        failures = 0;
      } catch (e) {
        if (!this.running) return;
        if (e.status === 401) return;  // signed out: the app takes over
        failures++;
        first = true;  // back: ask without waiting, to learn at once whether it restarted
        if (failures === 1) this.onState("reconnecting");
        await new Promise(res => setTimeout(res, Math.min(10000, 500 * 2 ** Math.min(failures, 5))));
      }
    }
  }
}
