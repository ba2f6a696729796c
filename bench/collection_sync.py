#!/usr/bin/env python3
"""Collection sync (seed 004) side by side: full, incremental `keys` (the seed's sorted key
lists, in chunks of 5000) and incremental `merkle`, between two real nodes over loopback.

Data: DOCS documents of about 200 bytes in one collection (default one million).
  write:  bulk write throughput with and without the collection trees kept (fresh nodes,
          alternating, 3 rounds of TREE_DOCS documents each): what keeping the tree costs.
  full:   the replica starts empty; a full sync copies the collection (once: it is the
          slowest step of the run, and its figures are stable).
  diff:   before each incremental run, 100 differences are made: on the master 30 updates, 20
          inserts and 20 removals, on the replica 15 updates and 15 inserts. `keys` and
          `merkle` alternate, ROUNDS rounds each.
  same:   no differences at all, alternating, ROUNDS rounds each.
Measured: wall time of the blocking sync request, bytes (request and answer bodies, as sent,
compressed where they were) and requests as the job counts them, and the peak resident memory
of each node during the run (sampled every 5 ms). Usage:
  collection_sync.py BUILD_DIR OUT_JSON [DOCS]
"""
import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROUNDS = 5
TREE_DOCS = int(os.environ.get("TREE_DOCS", 200000))
PAD = "x" * 150


class Node:
    def __init__(self, binary, data_dir, extra=()):
        self.log = open(data_dir + ".log", "w")
        self.proc = subprocess.Popen(
            [binary, "serve", "--data", data_dir, "--listen", "127.0.0.1:0", "--manual-sync",
             *extra], stdout=self.log, stderr=subprocess.STDOUT)
        text = ""
        for _ in range(400):
            text = open(data_dir + ".log").read()
            if "listening on" in text:
                break
            time.sleep(0.05)
        self.url = text.split("listening on ")[1].split("\n")[0]
        self.port = int(self.url.rsplit(":", 1)[1])
        self.key = open(os.path.join(data_dir, "admin.key")).read().strip()
        self.conn = None

    def request(self, method, path, body=None, ok=(200, 201, 202, 204)):
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=3600)
        headers = {"Authorization": "Bearer " + self.key, "Content-Type": "application/json"}
        data = json.dumps(body) if isinstance(body, (dict, list)) else body
        self.conn.request(method, path, body=data, headers=headers)
        r = self.conn.getresponse()
        out = r.read()
        if r.status not in ok:
            raise RuntimeError(f"{method} {path}: {r.status} {out[:300]!r}")
        return json.loads(out) if out else None

    def rss_kib(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


class PeakRss:
    """Samples both nodes' resident memory while a step runs."""

    def __init__(self, nodes):
        self.nodes = nodes
        self.peaks = [0] * len(nodes)
        self.running = True
        self.thread = threading.Thread(target=self.loop)
        self.thread.start()

    def loop(self):
        while self.running:
            for i, n in enumerate(self.nodes):
                self.peaks[i] = max(self.peaks[i], n.rss_kib())
            time.sleep(0.005)

    def stop(self):
        self.running = False
        self.thread.join()
        return [p // 1024 for p in self.peaks]


def doc(i, gen):
    return {"i": i, "gen": gen, "pad": PAD}


def bulk(node, docs):
    """docs: [(key, document)], written 10000 per request."""
    for start in range(0, len(docs), 10000):
        node.request("POST", "/v1/db/shop/bulk", {"docs": [
            {"collection": "c", "key": k, "document": d} for k, d in docs[start:start + 10000]]})


def load(node, n, gen=0):
    bulk(node, [(f"k{i:07d}", doc(i, gen)) for i in range(n)])


def remove(node, keys):
    for k in keys:
        node.request("DELETE", f"/v1/db/shop/docs/c/{k}")


def sync(replica, master, method):
    body = {"collection": "c", "from": master.url, "from_key": master.key}
    if method != "full":
        body.update({"incremental": True, "method": method})
    start = time.perf_counter()
    job = replica.request("POST", "/v1/db/shop/collection-sync", body)
    wall = time.perf_counter() - start
    r = job["result"]
    return {"seconds": wall, "bytes": r["bytes_transferred"], "requests": r["requests"],
            "inserted": r["inserted"], "updated": r["updated"], "removed": r["removed"],
            "documents": r["documents_transferred"]}


def make_differences(master, replica, n, rnd):
    """100 differences scattered over the whole key range, new ones each round."""
    def spread(j, salt):  # a different, scattered existing key per (round, j, salt)
        return f"k{(rnd * 7919 + j * 104729 + salt * 15485863) % n:07d}"
    bulk(master, [(spread(j, 1), doc(j, 100 + rnd)) for j in range(30)])
    bulk(master, [(f"new{rnd:03d}-{j:03d}", doc(j, rnd)) for j in range(20)])
    remove(master, [spread(j, 2) for j in range(20)])
    bulk(replica, [(spread(j, 3), doc(j, 200 + rnd)) for j in range(15)])
    bulk(replica, [(f"extra{rnd:03d}-{j:03d}", doc(j, rnd)) for j in range(15)])


def summary(values):
    return {"median": statistics.median(values), "min": min(values), "max": max(values),
            "runs": len(values)}


def main():
    build, out_path = sys.argv[1], sys.argv[2]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 1000000
    binary = os.path.join(build, "syncline")
    work = tempfile.mkdtemp(prefix="syncline-collbench-")
    nodes = []
    result = {"documents": n, "document_bytes": len(json.dumps(doc(0, 0))) + 8}
    try:
        # What keeping the tree costs: bulk writes with and without it, fresh nodes, alternating.
        rates = {"with_trees": [], "without_trees": []}
        for rnd in range(3):
            for kind in (["with_trees", "without_trees"] if rnd % 2 == 0
                         else ["without_trees", "with_trees"]):
                extra = () if kind == "with_trees" else ("--bench-without-collection-trees",)
                d = os.path.join(work, f"w{rnd}{kind}")
                node = Node(binary, d, extra)
                node.request("PUT", "/v1/db/shop")
                start = time.perf_counter()
                load(node, TREE_DOCS)
                rates[kind].append(TREE_DOCS / (time.perf_counter() - start))
                node.stop()
                shutil.rmtree(d)
        result["bulk_write_docs_per_second"] = {k: summary(v) for k, v in rates.items()}
        print("bulk writes/s:", {k: round(statistics.median(v)) for k, v in rates.items()},
              flush=True)

        master = Node(binary, os.path.join(work, "master"))
        replica = Node(binary, os.path.join(work, "replica"))
        nodes = [master, replica]
        for node in nodes:
            node.request("PUT", "/v1/db/shop")
        start = time.perf_counter()
        load(master, n)
        print(f"loaded {n} documents in {time.perf_counter() - start:.1f} s", flush=True)

        peak = PeakRss(nodes)
        full = sync(replica, master, "full")
        full["peak_rss_mib"] = dict(zip(["master", "replica"], peak.stop()))
        full["documents_per_second"] = n / full["seconds"]
        result["full"] = full
        print("full:", full, flush=True)

        diff_round = 0
        for scenario in ("diff", "same"):
            runs = {"keys": [], "merkle": []}
            for rnd in range(ROUNDS):
                order = ["keys", "merkle"] if rnd % 2 == 0 else ["merkle", "keys"]
                for method in order:
                    if scenario == "diff":
                        diff_round += 1
                        make_differences(master, replica, n, diff_round)
                    peak = PeakRss(nodes)
                    r = sync(replica, master, method)
                    r["peak_rss_mib"] = dict(zip(["master", "replica"], peak.stop()))
                    if scenario == "diff":
                        changed = r["inserted"] + r["updated"] + r["removed"]
                        assert changed == 100, f"{method} changed {changed}, not 100: {r}"
                    runs[method].append(r)
                    print(scenario, method, r, flush=True)
            out = {}
            for method, rs in runs.items():
                out[method] = {
                    "seconds": summary([r["seconds"] for r in rs]),
                    "bytes": summary([r["bytes"] for r in rs]),
                    "requests": summary([r["requests"] for r in rs]),
                    "peak_rss_mib_master": max(r["peak_rss_mib"]["master"] for r in rs),
                    "peak_rss_mib_replica": max(r["peak_rss_mib"]["replica"] for r in rs),
                }
            k, m = out["keys"], out["merkle"]
            out["merkle_over_keys"] = {
                "bytes": m["bytes"]["median"] / max(1, k["bytes"]["median"]),
                "seconds": m["seconds"]["median"] / k["seconds"]["median"],
            }
            result[scenario] = out
            print(scenario, "merkle/keys:", out["merkle_over_keys"], flush=True)
    finally:
        for node in nodes:
            node.stop()
        shutil.rmtree(work, ignore_errors=True)
    with open(out_path, "w") as f:
        json.dump(result, f, indent=2)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
