#!/usr/bin/env bash
# The README's five-minute tour, run for real: starts two nodes, runs every command of the tour
# and prints the tour section of README.md (markdown) with what each command really printed.
#
#   scripts/tour.sh BUILD/syncline            print the section
#   scripts/tour.sh BUILD/syncline --update   rewrite it in README.md
#
# `make test` runs scripts/check-tour.sh, which fails when README.md differs from this, so the
# tour cannot drift from the code. Node ids, keys and ports vary from run to run: the
# transcript shows fixed ones (the ports of `make run` and of the tour's second node).
set -uo pipefail

BIN=$(realpath "$1")
MODE=${2:-}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
cd "$WORK" || exit 1

# What the transcript shows instead of this run's node ids, keys and ports.
SHOWN_A_URL=http://127.0.0.1:8080
SHOWN_B_URL=http://127.0.0.1:8081
SHOWN_A_ID=1b8fdb94-0734-4b2d-82ae-31510bf48b9b
SHOWN_B_ID=4e1c27a0-93d5-4f0e-b6a1-7c2d9e8f3a51
SHOWN_KEY=sk_d078e4c5...

# Starts a node with its data in $1 on a free four-digit port (as long as the shown ones, so
# tables keep their alignment when the transcript shows 8080 and 8081); waits until it answers.
start_node() {
  for _ in $(seq 1 50); do
    "$BIN" serve --data "$1" --listen "127.0.0.1:$((2000 + RANDOM % 8000))" >"$1.log" 2>&1 &
    local pid=$!
    for _ in $(seq 1 200); do
      if [ -s "$1/url" ] && "$BIN" db ls --server "$(cat "$1/url")" \
           --api-key "$(cat "$1/admin.key")" >/dev/null 2>&1; then
        PIDS+=("$pid")
        return 0
      fi
      kill -0 "$pid" 2>/dev/null || break  # the port was taken: try another
      sleep 0.05
    done
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  echo "tour: the node in $1 did not start" >&2
  cat "$1.log" >&2
  exit 1
}
start_node data
start_node data2
URL_A=$(cat data/url)
URL_B=$(cat data2/url)
ID_A=$(sed -n 's/^Syncline node //p' data.log)
ID_B=$(sed -n 's/^Syncline node //p' data2.log)
[ ${#URL_A} = ${#SHOWN_A_URL} ] && [ ${#URL_B} = ${#SHOWN_B_URL} ] || exit 1
export SYNCLINE_SERVER=$URL_A  # the CLI's default server, as `make run` makes it

syncline() { "$BIN" "$@"; }

scrub() {
  sed -e "s#$URL_A#$SHOWN_A_URL#g" -e "s#$URL_B#$SHOWN_B_URL#g" \
      -e "s#$ID_A#$SHOWN_A_ID#g" -e "s#${ID_A:0:8}#${SHOWN_A_ID:0:8}#g" \
      -e "s#$ID_B#$SHOWN_B_ID#g" -e "s#${ID_B:0:8}#${SHOWN_B_ID:0:8}#g" \
      -e "s#$(cat data/admin.key)#$SHOWN_KEY#g" -e "s#$(cat data2/admin.key)#$SHOWN_KEY#g" \
      -e "s#127\.0\.0\.1:${URL_A##*:}#127.0.0.1:8080#g" -e "s#127\.0\.0\.1:${URL_B##*:}#127.0.0.1:8081#g" \
      -E -e 's/job [0-9a-f]{12}/job 5f3a9c01d2e7/g' -e 's/ in [0-9]+\.[0-9]+ s;/ in 0.004 s;/g'
}

# Hidden: waits until node B's collection shop/items holds document $1 (a follower applied it).
follower_has() {
  for _ in $(seq 1 400); do
    "$BIN" doc get shop items "$1" --server "$URL_B" --api-key "$(cat data2/admin.key)" \
      >/dev/null 2>&1 && return 0
    sleep 0.05
  done
  echo "tour: the follower did not apply $1" >&2
}

# Shows `$ COMMAND` and everything it prints (stdout and stderr, as a terminal shows them),
# indented as a markdown code block. COMMAND runs in this shell, so `B=...` sticks.
LAST_EXIT=0
run() {
  local real="${1//$SHOWN_B_URL/$URL_B}"
  real="${real//$SHOWN_A_URL/$URL_A}"
  echo "    \$ $1"
  eval "(exit $LAST_EXIT); $real" >out.txt 2>&1  # $? in COMMAND is the previous one's
  LAST_EXIT=$?
  scrub <out.txt | sed -e 's/^/    /' -e 's/ *$//'
}

say() { printf '%s\n' "$@"; }

# Hidden: waits until node A has pushed everything to every enabled destination, so what the
# next command shows does not depend on how fast the background push was.
settle() {
  for _ in $(seq 1 400); do
    local last dests
    last=$("$BIN" db ls --json | grep -o '"last_etag":[0-9]*' | head -1 | cut -d: -f2)
    dests=$("$BIN" dest ls photos --json)
    if grep -q "\"idle_at_etag\":$last," <<<"$dests" && grep -q '"state":"idle"' <<<"$dests"; then
      return 0
    fi
    sleep 0.05
  done
  echo "tour: the destination did not settle" >&2
}

tour() {
  say "Start a node in one terminal (\`make run\` builds, then runs this):" ""
  echo "    \$ build/syncline serve --data ./data --listen 127.0.0.1:8080"
  scrub <data.log | grep -v '^\[' | sed -e 's/^/    /'
  say "" "In another terminal, from the repository root (there the CLI finds \`./data/admin.key\` by" \
      "itself; elsewhere pass \`--api-key\` or set \`SYNCLINE_API_KEY\`):" ""
  echo "    \$ alias syncline=build/syncline"
  run 'syncline db create photos'
  say ""
  seq 1 600000 >beach.jpg  # about 4 MiB, the same every run
  run 'syncline file put photos holiday/beach.jpg beach.jpg --meta camera=x100'
  run 'syncline file ls photos'
  run 'syncline file get photos holiday/beach.jpg beach-copy.jpg'
  run 'syncline file meta photos holiday/beach.jpg --set rating=5'
  run 'syncline file rename photos holiday/beach.jpg holiday/best.jpg'
  say "" "On a terminal, \`file put\` and \`file get\` also draw a progress bar on stderr." ""
  run "syncline doc put photos albums summer '{\"title\": \"Summer\", \"year\": 2026, \"tags\": [\"sea\"]}'"
  run 'syncline doc get photos albums summer'
  run "syncline doc find photos albums '{\"year\": {\"\$gte\": 2020}, \"tags\": \"sea\"}' --fields title"
  run "syncline doc put photos albums summer '{\"title\": \"x\"}' --if-match 1"
  run 'echo "exit code $?"'
  say "" "A verb that fails exits non-zero (see [Exit codes](#exit-codes))." ""
  run 'syncline changes photos'
  # Hidden: another terminal writes once the long-poll below is parked.
  (
    for _ in $(seq 1 400); do
      "$BIN" db ls >/dev/null 2>&1
      curl -s "$URL_A/v1/health" | grep -q '"long_polls":1' && break
      sleep 0.05
    done
    "$BIN" doc put photos albums winter '{"title": "Winter"}' >/dev/null
  ) &
  run 'syncline changes photos --since 5 --wait 30'
  wait $!
  say "" "The last one waited until something changed (here, another terminal stored" \
      "\`albums/winter\`); with nothing new it would have returned empty after 30 seconds." ""
  say "Now a second node, and sync. Start it in a third terminal:" ""
  echo "    \$ build/syncline serve --data ./data2 --listen 127.0.0.1:8081"
  say "" "Create the database there and make the first node push to it:" ""
  run 'B="--server http://127.0.0.1:8081 --api-key $(cat data2/admin.key)"'
  run 'syncline $B db create photos'
  run 'syncline dest add photos http://127.0.0.1:8081 --remote-key "$(cat data2/admin.key)"'
  settle
  run 'syncline dest ls photos'
  say "" "Everything was there a moment later (until the first run ends, LAST_ETAG says \`syncing\`)," \
      "and every later change follows at once, plus a periodic run every 10 minutes. The second" \
      "node numbers its changes itself (four items, four etags); items move several at a time, so" \
      "in an order of their own. Force a run (nothing is left to push here):" ""
  run 'syncline $B db ls'
  run 'syncline $B doc get photos albums winter'
  run 'syncline sync run photos'
  run 'syncline sync pending photos'
  say "" "Make the two sides disagree, then settle it:" ""
  run 'syncline dest disable photos http://127.0.0.1:8081'
  run 'syncline file meta photos holiday/best.jpg --set rating=4'
  run 'syncline $B file meta photos holiday/best.jpg --set rating=1'
  run 'syncline sync start photos holiday/best.jpg --to http://127.0.0.1:8081'
  run 'syncline $B conflicts ls photos'
  run 'syncline $B conflicts resolve photos holiday/best.jpg --keep remote'
  run 'syncline dest enable photos http://127.0.0.1:8081'
  settle
  say "" "Once enabled again, the destination catches up; the second node's newest report still" \
      "shows the conflict, settled since:" ""
  run 'syncline dest ls photos'
  run 'syncline $B sync finished photos --page-size 1'
  run 'syncline $B file meta photos holiday/best.jpg'
  say "" "Collection sync brings one collection of a replica to a master's state: in full (it" \
      "replaces the collection, so it warns), or incrementally, finding the differences by" \
      "comparing the two collections' Merkle trees; \`--follow\` then keeps applying the master's" \
      "changes. Here the second node is the replica of the first one's \`shop/items\`:" ""
  run 'syncline db create shop'
  run "syncline doc put shop items pen '{\"price\": 2}'"
  run "syncline doc put shop items ink '{\"price\": 5}'"
  run 'syncline $B db create shop'
  run 'syncline $B replicate collection shop items --from http://127.0.0.1:8080 --from-key "$(cat data/admin.key)" --yes'
  run "syncline doc put shop items pen '{\"price\": 3}'"
  run 'syncline $B replicate collection shop items --from http://127.0.0.1:8080 --from-key "$(cat data/admin.key)" --incremental --follow'
  run "syncline doc put shop items paper '{\"price\": 1}'"
  follower_has paper
  run 'syncline $B doc ls shop items'
  run 'syncline $B replicate ls shop'
  run "syncline \$B doc put shop items mine '{}'"
  run 'syncline $B db verify shop'
  say "" "An offline-first client keeps a local copy in a folder, works with no server at all, and" \
      "syncs when asked (the library behind it is in [docs/CLIENT.md](docs/CLIENT.md)):" ""
  run 'syncline client init album-app --db photos --collections albums'
  run "syncline client put album-app albums autumn '{\"title\": \"Autumn\", \"year\": 2026}'"
  run 'syncline client status album-app'
  run 'syncline client sync album-app'
  run 'syncline client find album-app albums'
  run 'syncline doc get photos albums autumn'
  say "" "\`doc find\` on a field with an index looks the documents up instead of scanning:" ""
  run 'syncline index create photos albums year'
  run "syncline doc find photos albums '{\"year\": 2026}' --fields title"
  say "" "Every verb takes \`--json\` for machine-readable output. The same things over HTTP:" ""
  run 'curl -s -H "Authorization: Bearer $(cat data/admin.key)" "http://127.0.0.1:8080/v1/db/photos/changes?since=6"'
}

OUT=$(tour)
if [ "$MODE" = "--update" ]; then
  awk -v tour="$OUT" '
    /<!-- tour:end/ { skipping = 0 }
    !skipping { print }
    /<!-- tour:begin/ { print tour; skipping = 1 }
  ' "$ROOT/README.md" >"$WORK/README.md" && cp "$WORK/README.md" "$ROOT/README.md"
else
  printf '%s\n' "$OUT"
fi
