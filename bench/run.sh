#!/usr/bin/env bash
# Runs the benchmarks and writes bench/results/: chunk layer in process, then the API end to end
# against a real server on a loopback port. Usage: bench/run.sh [BUILD_DIR]
set -euo pipefail
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
out=$here/results
mkdir -p "$out"

{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs) x $(nproc)"
  echo "memory: $(free -g | awk '/Mem:/ {print $2}') GiB"
  echo "kernel: $(uname -r)"
  echo "commit: $(git -C "$here/.." rev-parse --short HEAD 2>/dev/null || echo unknown)"
} > "$out/machine.txt"
cat "$out/machine.txt"

echo "== chunk layer (in process)"
"$build/chunk_bench" --benchmark_min_time=1 --benchmark_out="$out/chunk.json" \
  --benchmark_out_format=json

echo "== API over loopback (1 GiB file, bulk and single documents)"
data=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; rm -rf "$data"' EXIT
"$build/syncline" serve --data "$data/node" --listen 127.0.0.1:0 > "$data/log" 2>&1 &
pid=$!
for _ in $(seq 100); do grep -q 'listening on' "$data/log" && break; sleep 0.1; done
url=$(sed -n 's/^listening on //p' "$data/log")
"$build/api_bench" "$url" "$(cat "$data/node/admin.key")" 1024 | tee "$out/api.json"
rss_kib=$(awk '/VmHWM/ {print $2}' /proc/$pid/status)
echo "{\"server_peak_rss_mib\": $((rss_kib / 1024))}" | tee "$out/server_rss.json"

echo "== server-to-server sync against rsync (512 MiB data set, loopback TCP)"
python3 "$here/sync_vs_rsync.py" "$build" "$out/sync_vs_rsync.json"

echo "== collection sync: full, incremental keys and merkle (one million documents)"
python3 "$here/collection_sync.py" "$build" "$out/collection_sync.json" "${COLLECTION_DOCS:-1000000}"

echo "== a client's pull page applied into stores of 1,000 and 1,000,000 documents"
pages=$(mktemp -d)
"$build/page_apply_bench" "$pages" | tee "$out/page_apply.json"
rm -rf "$pages"

echo "== offline-first client sync against PouchDB (100,000 documents, loopback)"
python3 "$here/client_vs_pouchdb.py" "$build" "$out/client_vs_pouchdb.json" "${CLIENT_DOCS:-100000}"
