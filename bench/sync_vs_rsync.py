#!/usr/bin/env python3
"""Syncline `sync run` against an rsync daemon, both over loopback TCP, on one data set.

Data: 256 files of 1 MiB and 4 of 64 MiB, incompressible, from a fixed seed.
  A: initial sync to an empty destination (5 alternating rounds; medians and bests).
  B: ~1% of the bytes rewritten as scattered 2-6 KiB patches across 10% of the files (24 small,
     2 large), plus 100 bytes inserted at the start of two other large files.
  C: nothing changed.
Wall time is measured around `syncline sync run --force` (the source already holds the data,
as rsync's source folder does) and around `rsync -a`. Wire bytes are the loopback interface's
tx counter, which counts every byte both ways for either tool. Usage:
  sync_vs_rsync.py BUILD_DIR OUT_JSON
"""
import http.client
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

MiB = 1 << 20
SMALL, LARGE = 256, 4


def lo_bytes():
    with open("/sys/class/net/lo/statistics/tx_bytes") as f:
        return int(f.read())


def make_data(root, rng):
    files = {}
    for i in range(SMALL):
        files[f"small/{i:03d}.bin"] = rng.randbytes(MiB)
    for i in range(LARGE):
        files[f"large/{i}.bin"] = rng.randbytes(64 * MiB)
    write_tree(root, files)
    return files


def write_tree(root, files):
    for name, data in files.items():
        path = os.path.join(root, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)


def mutate(files, rng):
    """Scenario B's edits; returns (changed files, bytes changed)."""
    total = sum(len(d) for d in files.values())
    targets = [f"small/{i:03d}.bin" for i in range(0, 240, 10)] + ["large/0.bin", "large/1.bin"]
    target_bytes = sum(len(files[t]) for t in targets)
    budget = total // 100
    changed = {}
    changed_bytes = 0
    for t in targets:
        data = bytearray(files[t])
        share = budget * len(data) // target_bytes
        done = 0
        while done < share:
            n = rng.randint(2048, 6144)
            at = rng.randrange(0, len(data) - n)
            data[at:at + n] = rng.randbytes(n)
            done += n
        changed[t] = bytes(data)
        changed_bytes += done
    for t in ["large/2.bin", "large/3.bin"]:
        changed[t] = rng.randbytes(100) + files[t]
        changed_bytes += 100
    return changed, changed_bytes


class Node:
    def __init__(self, binary, data_dir):
        self.log = open(data_dir + ".log", "w")
        self.proc = subprocess.Popen(
            [binary, "serve", "--data", data_dir, "--listen", "127.0.0.1:0", "--manual-sync"],
            stdout=self.log, stderr=subprocess.STDOUT)
        for _ in range(200):
            text = open(data_dir + ".log").read()
            if "listening on" in text:
                break
            time.sleep(0.05)
        self.url = text.split("listening on ")[1].split("\n")[0]
        self.port = int(self.url.rsplit(":", 1)[1])
        self.key = open(os.path.join(data_dir, "admin.key")).read().strip()

    def request(self, method, path, body=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        headers = {"Authorization": "Bearer " + self.key}
        conn.request(method, path, body=body, headers=headers)
        r = conn.getresponse()
        data = r.read()
        conn.close()
        if r.status >= 300:
            raise RuntimeError(f"{method} {path}: {r.status} {data[:200]!r}")
        return json.loads(data) if data else None

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


def timed(fn):
    before, start = lo_bytes(), time.perf_counter()
    out = fn()
    return time.perf_counter() - start, lo_bytes() - before, out


def main():
    build, out_path = sys.argv[1], sys.argv[2]
    binary = os.path.join(build, "syncline")
    work = tempfile.mkdtemp(prefix="syncline-bench-")
    rsync_proc = None
    nodes = []
    try:
        rng = random.Random(20261122)
        src = os.path.join(work, "src")
        files = make_data(src, rng)
        changed, changed_bytes = mutate(files, rng)
        total = sum(len(d) for d in files.values())

        # rsync: a daemon on loopback serving the destination folder.
        dst = os.path.join(work, "rsync-dst")
        os.makedirs(dst)
        conf = os.path.join(work, "rsyncd.conf")
        with open(conf, "w") as f:
            f.write(f"use chroot = no\nuid = {os.getuid()}\ngid = {os.getgid()}\n"
                    f"[dst]\n  path = {dst}\n  read only = no\n")
        port = 28730 + os.getpid() % 1000
        rsync_proc = subprocess.Popen(["rsync", "--daemon", "--no-detach", f"--config={conf}",
                                       f"--port={port}", "--address=127.0.0.1"])
        time.sleep(0.5)

        def rsync():
            subprocess.run(["rsync", "-a", src + "/", f"rsync://127.0.0.1:{port}/dst/"], check=True)

        # Syncline: a source holding the data, a destination, `sync run` between them.
        a = Node(binary, os.path.join(work, "a"))
        b = Node(binary, os.path.join(work, "b"))
        nodes = [a, b]
        a.request("PUT", "/v1/db/d")
        b.request("PUT", "/v1/db/d")

        def put_all(fs):
            for name, data in fs.items():
                a.request("PUT", "/v1/db/d/files/" + name, data)

        put_all(files)
        a.request("POST", "/v1/db/d/destinations",
                  json.dumps({"url": b.url, "remote_key": b.key}))

        def syncline():
            r = subprocess.run([binary, "sync", "run", "d", "--force", "--json", "--server", a.url,
                                "--api-key", a.key], check=True, capture_output=True, text=True)
            runs = json.loads(r.stdout)
            errors = [x for x in runs if x["error"]] + [
                rep for x in runs for rep in x["reports"] if rep["error"]]
            if errors:
                raise RuntimeError(f"sync run failed: {errors[:3]}")
            return runs

        def reset():
            shutil.rmtree(dst)
            os.makedirs(dst)
            b.request("DELETE", "/v1/db/d")
            b.request("PUT", "/v1/db/d")
            subprocess.run(["sync"], check=True)

        results = {"data_bytes": total, "changed_bytes_B": changed_bytes, "scenarios": {}}

        def record(name, tool, seconds, wire):
            results["scenarios"].setdefault(name, {}).setdefault(tool, []).append(
                {"seconds": round(seconds, 4), "wire_bytes": wire})
            print(f"{name} {tool:9s} {seconds:7.3f} s  {wire / 1e6:9.2f} MB on the wire", flush=True)

        # A: five alternating rounds from empty destinations.
        for rnd in range(5):
            reset()
            for tool, fn in ([("rsync", rsync), ("syncline", syncline)] if rnd % 2 == 0
                             else [("syncline", syncline), ("rsync", rsync)]):
                s, w, _ = timed(fn)
                record("A", tool, s, w)

        # B: the edits land in rsync's source folder and in Syncline's source node (untimed).
        write_tree(src, changed)
        put_all(changed)
        subprocess.run(["sync"], check=True)
        for tool, fn in [("rsync", rsync), ("syncline", syncline)]:
            s, w, _ = timed(fn)
            record("B", tool, s, w)

        # C: nothing changed; five alternating rounds (medians and bests).
        for rnd in range(5):
            for tool, fn in ([("rsync", rsync), ("syncline", syncline)] if rnd % 2 == 0
                             else [("syncline", syncline), ("rsync", rsync)]):
                s, w, _ = timed(fn)
                record("C", tool, s, w)

        summary = {}
        for name, tools in results["scenarios"].items():
            med = {t: sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2] for t, runs in tools.items()}
            summary[name] = {
                "rsync_seconds": med["rsync"]["seconds"],
                "syncline_seconds": med["syncline"]["seconds"],
                "time_ratio": round(med["syncline"]["seconds"] / med["rsync"]["seconds"], 3),
                "rsync_wire_bytes": med["rsync"]["wire_bytes"],
                "syncline_wire_bytes": med["syncline"]["wire_bytes"],
                "wire_ratio": round(med["syncline"]["wire_bytes"] / max(1, med["rsync"]["wire_bytes"]), 3),
                # Best of the rounds: the least disturbed by page-cache writeback on either side.
                "rsync_best_seconds": min(r["seconds"] for r in tools["rsync"]),
                "syncline_best_seconds": min(r["seconds"] for r in tools["syncline"]),
            }
            summary[name]["best_time_ratio"] = round(
                summary[name]["syncline_best_seconds"] / summary[name]["rsync_best_seconds"], 3)
        summary["B"]["changed_bytes"] = changed_bytes
        summary["B"]["syncline_wire_per_changed_byte"] = round(summary["B"]["syncline_wire_bytes"] / changed_bytes, 2)
        summary["B"]["rsync_wire_per_changed_byte"] = round(summary["B"]["rsync_wire_bytes"] / changed_bytes, 2)
        results["summary"] = summary
        with open(out_path, "w") as f:
            json.dump(results, f, indent=2)
        print(json.dumps(summary, indent=2))
    finally:
        for n in nodes:
            n.stop()
        if rsync_proc:
            rsync_proc.terminate()
            rsync_proc.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
