#!/usr/bin/env python3
"""Syncline `sync run` against an rsync daemon, both over loopback TCP, on one data set.

Data: 256 files of 1 MiB and 4 of 64 MiB, incompressible, from a fixed seed.
  A: initial sync to an empty destination (5 alternating rounds; medians and bests).
  B: ~1% of the bytes rewritten as scattered 2-6 KiB patches across 10% of the files (24 small,
     2 large), plus 100 bytes inserted at the start of two other large files.
  C: nothing changed.
  S: 20,000 files of 1-16 KiB in 1,000 nested folders (about 170 MB): initial sync to an empty
     destination (3 alternating rounds), then nothing changed (5 alternating rounds).
A also records rsync followed by `sync` (the time until rsync's copy is durable, as Syncline's
is when it returns). Each node's peak RSS (VmHWM) is read after A and after S (S runs on nodes
of its own). D: identical content moves once (four copies of one 50 MiB file synced at once: wire bytes,
each report, the destination's pack bytes). SCENARIOS=A,B,C,S,D (the default) picks what runs.
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


def make_small_tree(root, rng, count=20000):
    files = {}
    for i in range(count):
        name = f"d{i % 20:02d}/e{(i // 20) % 50:02d}/f{i:05d}.bin"
        files[name] = rng.randbytes(rng.randint(1024, 16384))
    write_tree(root, files)
    return files


def peak_rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    return None


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

    def put_files(self, db, files):
        """PUTs every file on one kept-alive connection (setup, untimed)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        headers = {"Authorization": "Bearer " + self.key}
        for name, data in files.items():
            conn.request("PUT", f"/v1/db/{db}/files/{name}", body=data, headers=headers)
            r = conn.getresponse()
            r.read()
            if r.status >= 300:
                raise RuntimeError(f"PUT {name}: {r.status}")
        conn.close()

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


def start_rsync(work, modules):
    conf = os.path.join(work, "rsyncd.conf")
    with open(conf, "w") as f:
        f.write(f"use chroot = no\nuid = {os.getuid()}\ngid = {os.getgid()}\n")
        for name, path in modules.items():
            f.write(f"[{name}]\n  path = {path}\n  read only = no\n")
    port = 28730 + os.getpid() % 1000
    proc = subprocess.Popen(["rsync", "--daemon", "--no-detach", f"--config={conf}",
                             f"--port={port}", "--address=127.0.0.1"])
    time.sleep(0.5)
    return proc, port


def node_pair(binary, work, source_name, destination_name, db, files):
    """Two nodes with `db`, the source holding `files` and the destination configured."""
    source = Node(binary, os.path.join(work, source_name))
    destination = Node(binary, os.path.join(work, destination_name))
    source.request("PUT", f"/v1/db/{db}")
    destination.request("PUT", f"/v1/db/{db}")
    source.put_files(db, files)
    source.request("POST", f"/v1/db/{db}/destinations",
                   json.dumps({"url": destination.url, "remote_key": destination.key}))
    return source, destination


def syncline_run(binary, node, db):
    r = subprocess.run([binary, "sync", "run", db, "--force", "--json", "--server", node.url,
                        "--api-key", node.key], check=True, capture_output=True, text=True)
    runs = json.loads(r.stdout)
    errors = [x for x in runs if x["error"]] + [
        rep for x in runs for rep in x["reports"] if rep["error"]]
    if errors:
        raise RuntimeError(f"sync run failed: {errors[:3]}")
    return runs


def alternate(rnd, first, second):
    return [first, second] if rnd % 2 == 0 else [second, first]


def summarize(tools):
    med = {t: sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2] for t, runs in tools.items()}
    out = {
        "rounds": len(tools["syncline"]),
        "rsync_seconds": med["rsync"]["seconds"],
        "syncline_seconds": med["syncline"]["seconds"],
        "time_ratio": round(med["syncline"]["seconds"] / med["rsync"]["seconds"], 3),
        "rsync_wire_bytes": med["rsync"]["wire_bytes"],
        "syncline_wire_bytes": med["syncline"]["wire_bytes"],
        "wire_ratio": round(med["syncline"]["wire_bytes"] / max(1, med["rsync"]["wire_bytes"]), 3),
        # Best of the rounds: the least disturbed by page-cache writeback on either side.
        "rsync_best_seconds": min(r["seconds"] for r in tools["rsync"]),
        "syncline_best_seconds": min(r["seconds"] for r in tools["syncline"]),
        "rsync_range": [min(r["seconds"] for r in tools["rsync"]), max(r["seconds"] for r in tools["rsync"])],
        "syncline_range": [min(r["seconds"] for r in tools["syncline"]),
                           max(r["seconds"] for r in tools["syncline"])],
    }
    out["best_time_ratio"] = round(out["syncline_best_seconds"] / out["rsync_best_seconds"], 3)
    if "rsync+sync" in tools:
        out["rsync_durable_seconds"] = med["rsync+sync"]["seconds"]
        out["time_ratio_to_durable_rsync"] = round(
            med["syncline"]["seconds"] / med["rsync+sync"]["seconds"], 3)
    return out


def main():
    build, out_path = sys.argv[1], sys.argv[2]
    scenarios = set(os.environ.get("SCENARIOS", "A,B,C,S,D").split(","))
    binary = os.path.join(build, "syncline")
    work = tempfile.mkdtemp(prefix="syncline-bench-")
    rsync_proc = None
    nodes = []
    results = {"scenarios": {}, "peak_rss_mib": {}}

    def record(name, tool, seconds, wire):
        results["scenarios"].setdefault(name, {}).setdefault(tool, []).append(
            {"seconds": round(seconds, 4), "wire_bytes": wire})
        print(f"{name} {tool:10s} {seconds:7.3f} s  {wire / 1e6:9.2f} MB on the wire", flush=True)

    try:
        rng = random.Random(20261122)
        src, dst = os.path.join(work, "src"), os.path.join(work, "rsync-dst")
        src_s, dst_s = os.path.join(work, "src-s"), os.path.join(work, "rsync-dst-s")
        os.makedirs(dst)
        os.makedirs(dst_s)
        rsync_proc, port = start_rsync(work, {"dst": dst, "dsts": dst_s})

        def rsync_to(folder, module):
            subprocess.run(["rsync", "-a", folder + "/", f"rsync://127.0.0.1:{port}/{module}/"],
                           check=True)

        def reset(folder, node, db):
            shutil.rmtree(folder)
            os.makedirs(folder)
            node.request("DELETE", f"/v1/db/{db}")
            node.request("PUT", f"/v1/db/{db}")
            subprocess.run(["sync"], check=True)

        if scenarios & {"A", "B", "C"}:
            files = make_data(src, rng)
            changed, changed_bytes = mutate(files, rng)
            results["data_bytes"] = sum(len(d) for d in files.values())
            results["changed_bytes_B"] = changed_bytes
            # Syncline: a source holding the data, a destination, `sync run` between them.
            a, b = node_pair(binary, work, "a", "b", "d", files)
            nodes += [a, b]
            rsync = lambda: rsync_to(src, "dst")
            syncline = lambda: syncline_run(binary, a, "d")

            def rsync_durable():
                rsync()
                subprocess.run(["sync"], check=True)

            if "A" in scenarios:
                # Five alternating rounds from empty destinations; rsync's round also times
                # the `sync` after it.
                for rnd in range(5):
                    reset(dst, b, "d")
                    for tool in alternate(rnd, "rsync", "syncline"):
                        if tool == "rsync":
                            before, start = lo_bytes(), time.perf_counter()
                            rsync()
                            mid = time.perf_counter()
                            subprocess.run(["sync"], check=True)
                            end = time.perf_counter()
                            record("A", "rsync", mid - start, lo_bytes() - before)
                            record("A", "rsync+sync", end - start, 0)
                        else:
                            s_, w, _ = timed(syncline)
                            record("A", tool, s_, w)
                results["peak_rss_mib"]["A"] = {"source": peak_rss_mib(a.proc.pid),
                                                "destination": peak_rss_mib(b.proc.pid)}
            else:
                rsync()
                syncline()
            if "B" in scenarios:
                # The edits land in rsync's source folder and in Syncline's source (untimed).
                write_tree(src, changed)
                a.put_files("d", changed)
                subprocess.run(["sync"], check=True)
                for tool, fn in [("rsync", rsync), ("syncline", syncline)]:
                    s_, w, _ = timed(fn)
                    record("B", tool, s_, w)
            if "C" in scenarios:
                for rnd in range(5):
                    for tool in alternate(rnd, "rsync", "syncline"):
                        s_, w, _ = timed(rsync if tool == "rsync" else syncline)
                        record("C", tool, s_, w)

        if "S" in scenarios:
            small = make_small_tree(src_s, random.Random(20261204))
            results["data_bytes_S"] = sum(len(d) for d in small.values())
            results["files_S"] = len(small)
            sa, sb = node_pair(binary, work, "sa", "sb", "s", small)
            nodes += [sa, sb]
            subprocess.run(["sync"], check=True)
            # Each initial round of rsync goes to a new folder: removing 20,000 files and
            # writing them again at once made rsync's next rounds 6-8 times slower on this disk
            # (ext4 catching up), which is the file system's cost, not rsync's.
            target = {"folder": "r0"}
            rsync_s = lambda: rsync_to(src_s, "dsts/" + target["folder"])
            syncline_s = lambda: syncline_run(binary, sa, "s")
            for rnd in range(3):
                target["folder"] = f"r{rnd}"
                sb.request("DELETE", "/v1/db/s")
                sb.request("PUT", "/v1/db/s")
                subprocess.run(["sync"], check=True)
                for tool in alternate(rnd, "rsync", "syncline"):
                    s_, w, _ = timed(rsync_s if tool == "rsync" else syncline_s)
                    record("S", tool, s_, w)
            results["peak_rss_mib"]["S"] = {"source": peak_rss_mib(sa.proc.pid),
                                            "destination": peak_rss_mib(sb.proc.pid)}
            for rnd in range(5):
                for tool in alternate(rnd, "rsync", "syncline"):
                    s_, w, _ = timed(rsync_s if tool == "rsync" else syncline_s)
                    record("S-unchanged", tool, s_, w)

        if "D" in scenarios:
            # Identical content moves once: four copies of one 50 MiB file, then a sync.
            blob = random.Random(20261205).randbytes(50 * MiB)
            node_a, node_b = node_pair(binary, work, "da", "db", "dup",
                                       {f"copy{i}.bin": blob for i in range(4)})
            nodes += [node_a, node_b]
            seconds, wire, runs = timed(lambda: syncline_run(binary, node_a, "dup"))
            stats_a = node_a.request("GET", "/v1/db/dup/stats")
            stats_b = node_b.request("GET", "/v1/db/dup/stats")
            results["identical_copies"] = {
                "files": 4, "file_bytes": len(blob), "seconds": round(seconds, 4),
                "wire_bytes": wire,
                "reports": [{k: r[k] for k in ("name", "bytes_transferred", "bytes_copied")}
                            for x in runs for r in x["reports"]],
                "source_disk_bytes": stats_a["disk_bytes"],
                "destination_disk_bytes": stats_b["disk_bytes"],
            }
            print(json.dumps(results["identical_copies"], indent=2), flush=True)

        summary = {name: summarize(tools) for name, tools in results["scenarios"].items()}
        if "B" in summary:
            cb = results["changed_bytes_B"]
            summary["B"]["changed_bytes"] = cb
            summary["B"]["syncline_wire_per_changed_byte"] = round(summary["B"]["syncline_wire_bytes"] / cb, 2)
            summary["B"]["rsync_wire_per_changed_byte"] = round(summary["B"]["rsync_wire_bytes"] / cb, 2)
        results["summary"] = summary
        with open(out_path, "w") as f:
            json.dump(results, f, indent=2)
        print(json.dumps({"summary": summary, "peak_rss_mib": results["peak_rss_mib"]}, indent=2))
    finally:
        for n in nodes:
            n.stop()
        if rsync_proc:
            rsync_proc.terminate()
            rsync_proc.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
