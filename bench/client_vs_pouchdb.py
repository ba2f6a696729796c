#!/usr/bin/env python3
"""Offline-first client sync against PouchDB, side by side on the same documents over loopback.

Syncline: `syncline serve` and the `syncline client` CLI (the client library over HTTP).
PouchDB:  express-pouchdb over its default LevelDB, and a pouchdb-node client with PouchDB's
          default replication settings (bench/pouchdb/, installed by npm into BUILD_DIR).
Data: DOCS documents of about 200 bytes (default 100,000), the same JSON lines for both.
  push:    the client's local store holds them all (loaded beforehand, not timed); time to
           push them to an empty server.
  pull:    an empty client pulls them all.
  push 1%: 1% of the documents changed locally (not timed), pushed.
Each round starts both servers afresh; the tools alternate which goes first; ROUNDS rounds.
Measured: the sync's own time (Syncline's result, PouchDB's replicate() promise), requests
and body bytes (Syncline's client counts them; the PouchDB server counts them), and the
client process's peak resident memory (wait4). Usage:
  client_vs_pouchdb.py BUILD_DIR OUT_JSON [DOCS]
"""
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROUNDS = int(os.environ.get("ROUNDS", 3))
HERE = os.path.dirname(os.path.abspath(__file__))


def run_measured(args, cwd=None):
    """Runs a process under GNU time and returns (stdout, its peak RSS in MiB). Not wait4's
    rusage: a child forked from this (large) Python process keeps the fork's high-water mark
    across exec."""
    with tempfile.NamedTemporaryFile("r") as rss:
        proc = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", rss.name, *args], cwd=cwd,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if proc.returncode != 0:
            raise RuntimeError(f"{args[:3]} failed: {proc.stderr.decode()[-2000:]}")
        kib = int(rss.read().strip().splitlines()[-1])
    return proc.stdout.decode(), kib / 1024.0


def make_docs(path, n, seed=1):
    r = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyz "
    with open(path, "w") as f:
        for i in range(n):
            doc = {"title": f"note {i}", "body": "".join(r.choice(letters) for _ in range(120)),
                   "n": i, "tags": ["work", "todo"]}
            f.write(json.dumps({"key": f"doc{i:07d}", "document": doc}) + "\n")


def changed_docs(path, out, n, seed=2):
    r = random.Random(seed)
    lines = open(path).read().splitlines()
    picked = sorted(r.sample(range(len(lines)), max(1, n // 100)))
    with open(out, "w") as f:
        for i in picked:
            d = json.loads(lines[i])
            d["document"]["n"] = -d["document"]["n"] - 1
            d["document"]["title"] += " (changed)"
            f.write(json.dumps(d) + "\n")
    return len(picked)


def wait_for(log_path, text):
    for _ in range(400):
        if os.path.exists(log_path) and text in open(log_path).read():
            return open(log_path).read()
        time.sleep(0.05)
    raise RuntimeError(f"{log_path}: no '{text}'")


class Syncline:
    name = "syncline"

    def __init__(self, build, work, docs, changed):
        self.bin = os.path.join(build, "syncline")
        self.work, self.docs, self.changed = work, docs, changed

    def start(self):
        self.log = os.path.join(self.work, "sl.log")
        self.proc = subprocess.Popen([self.bin, "serve", "--data", os.path.join(self.work, "sl"),
                                      "--listen", "127.0.0.1:0"],
                                     stdout=open(self.log, "w"), stderr=subprocess.STDOUT)
        text = wait_for(self.log, "listening on ")
        self.url = text.split("listening on ")[1].split("\n")[0]
        self.key = open(os.path.join(self.work, "sl", "admin.key")).read().strip()
        self.cli(["db", "create", "bench"])

    def stop(self):
        self.proc.terminate()
        self.proc.wait()

    def cli(self, args):
        out, rss = run_measured([self.bin, *args, "--server", self.url, "--api-key", self.key,
                                 "--json"])
        return out, rss

    def client(self, name):
        d = os.path.join(self.work, name)
        self.cli(["client", "init", d, "--db", "bench", "--collections", "docs"])
        return d

    def result(self, out):
        r = json.loads(out.strip().splitlines()[-1])["result"]
        return r["duration_micros"] / 1e6, r["requests"], r["bytes"]

    def push(self):
        self.pusher = self.client("pusher")
        self.cli(["client", "import", self.pusher, "docs", self.docs])
        out, rss = self.cli(["client", "push", self.pusher])
        return (*self.result(out), rss)

    def pull(self):
        d = self.client("puller")
        out, rss = self.cli(["client", "sync", d, "--strategy", "pull-only"])
        return (*self.result(out), rss)

    def push_changed(self):
        self.cli(["client", "import", self.pusher, "docs", self.changed])
        out, rss = self.cli(["client", "push", self.pusher])
        return (*self.result(out), rss)


class Pouch:
    name = "pouchdb"

    def __init__(self, node_dir, work, docs, changed):
        self.node_dir, self.work, self.docs, self.changed = node_dir, work, docs, changed

    def start(self):
        self.port = 20000 + random.randrange(20000)
        self.log = os.path.join(self.work, "pouch.log")
        data = os.path.join(self.work, "pouch-server")
        os.makedirs(data)
        self.proc = subprocess.Popen(["node", "server.js", str(self.port), data], cwd=self.node_dir,
                                     stdout=open(self.log, "w"), stderr=subprocess.STDOUT)
        wait_for(self.log, "listening on")
        self.url = f"http://127.0.0.1:{self.port}/bench"
        urllib.request.urlopen(urllib.request.Request(self.url, method="PUT")).read()

    def stop(self):
        self.proc.terminate()
        self.proc.wait()

    def stats(self, reset=False):
        path = f"http://127.0.0.1:{self.port}/__bench" + ("/reset" if reset else "")
        req = urllib.request.Request(path, method="POST" if reset else "GET")
        return json.loads(urllib.request.urlopen(req).read())

    def client(self, verb, dir_, arg):
        out, rss = run_measured(["node", "client.js", verb, os.path.join(self.work, dir_), arg],
                                cwd=self.node_dir)
        return json.loads(out.strip().splitlines()[-1]), rss

    def measured(self, verb, dir_):
        self.stats(reset=True)
        r, rss = self.client(verb, dir_, self.url)
        s = self.stats()
        return r["ms"] / 1000.0, s["requests"], s["bytes"], rss

    def push(self):
        self.client("load", "pouch-pusher", self.docs)
        return self.measured("push", "pouch-pusher")

    def pull(self):
        return self.measured("pull", "pouch-puller")

    def push_changed(self):
        self.client("change", "pouch-pusher", self.changed)
        return self.measured("push", "pouch-pusher")


def summary(values):
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def main():
    build, out_path = sys.argv[1], sys.argv[2]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 100000
    node_dir = os.path.join(os.path.abspath(build), "bench-pouchdb")
    os.makedirs(node_dir, exist_ok=True)
    for f in ("package.json", "server.js", "client.js"):
        shutil.copy(os.path.join(HERE, "pouchdb", f), node_dir)
    if not os.path.isdir(os.path.join(node_dir, "node_modules", "pouchdb-node")):
        subprocess.run(["npm", "install", "--no-audit", "--no-fund"], cwd=node_dir, check=True)
    scratch = tempfile.mkdtemp(prefix="client-bench-")
    docs = os.path.join(scratch, "docs.jsonl")
    changed = os.path.join(scratch, "changed.jsonl")
    make_docs(docs, n)
    n_changed = changed_docs(docs, changed, n)
    results = {"syncline": {}, "pouchdb": {}}
    try:
        for rnd in range(ROUNDS):
            tools = [Syncline(build, None, docs, changed), Pouch(node_dir, None, docs, changed)]
            if rnd % 2:
                tools.reverse()
            for tool in tools:
                tool.work = tempfile.mkdtemp(dir=scratch)
                subprocess.run(["sync"])  # both start with the page cache written back
                tool.start()
                try:
                    for step in ("push", "pull", "push_changed"):
                        secs, reqs, nbytes, rss = getattr(tool, step)()
                        results[tool.name].setdefault(step, []).append(
                            {"seconds": secs, "requests": reqs, "bytes": nbytes, "rss_mib": rss})
                        print(f"round {rnd + 1} {tool.name:8} {step:12} {secs:8.3f} s "
                              f"{reqs:6} requests {nbytes / 1e6:8.2f} MB  client rss "
                              f"{rss:6.1f} MiB", flush=True)
                finally:
                    tool.stop()
                    shutil.rmtree(tool.work, ignore_errors=True)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    report = {"docs": n, "changed": n_changed, "rounds": ROUNDS, "steps": {}}
    for step in ("push", "pull", "push_changed"):
        s = {t: {k: summary([r[k] for r in results[t][step]])
                 for k in ("seconds", "requests", "bytes", "rss_mib")} for t in results}
        s["speedup_median"] = s["pouchdb"]["seconds"]["median"] / s["syncline"]["seconds"]["median"]
        s["speedups"] = [p["seconds"] / q["seconds"]
                         for p, q in zip(results["pouchdb"][step], results["syncline"][step])]
        report["steps"][step] = s
        print(f"{step:12} syncline {s['syncline']['seconds']['median']:.3f} s, pouchdb "
              f"{s['pouchdb']['seconds']['median']:.3f} s: {s['speedup_median']:.1f}x "
              f"(rounds {', '.join(f'{x:.1f}' for x in s['speedups'])})")
    with open(out_path, "w") as f:
        json.dump(report, f, indent=1)


if __name__ == "__main__":
    main()
