#!/usr/bin/env bash
# Installs the client library from a build folder into a scratch prefix, builds
# examples/notes against the installed package (find_package, not this source tree) and a
# small program through pkg-config, and runs the notes app offline, then against a real
# server. Usage: scripts/check-package.sh BUILD_DIR SYNCLINE_BINARY
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$1
SYNCLINE=$2
work=$(mktemp -d)
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
prefix=$work/prefix

cmake --install "$BUILD" --prefix "$prefix" >/dev/null
test -f "$prefix/lib/libsyncline-client.so" || { echo "no libsyncline-client.so installed"; exit 1; }
test -f "$prefix/include/syncline/sync_engine.h" || { echo "no public headers installed"; exit 1; }

# The example, with CMake, against the installed package only.
cmake -S "$ROOT/examples/notes" -B "$work/notes-build" -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$work/notes-build" -j2 >/dev/null
notes=$work/notes-build/notes

# A program built with pkg-config.
cat >"$work/pc.cc" <<'PROGRAM'
#include <syncline/offline_store.h>
#include <iostream>
int main(int, char** argv) {
  auto store = syncline::OfflineStore::Open(argv[1]);
  if (!store.ok()) return 1;
  if (!(*store)->Put("c", "k", {{"from", "pkg-config"}}).ok()) return 1;
  std::cout << (*(*store)->Get("c", "k"))["from"].get<std::string>() << "\n";
  return 0;
}
PROGRAM
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
# shellcheck disable=SC2046
g++ "$work/pc.cc" -o "$work/pc" $(pkg-config --cflags --libs syncline-client) -Wl,-rpath,"$prefix/lib"
[ "$("$work/pc" "$work/pc.db")" = "pkg-config" ] || { echo "the pkg-config program failed"; exit 1; }

# Offline: notes are kept and wait to be synced.
id=$("$notes" "$work/a.db" add "buy milk")
"$notes" "$work/a.db" add "call mum" >/dev/null
"$notes" "$work/a.db" done "$id"
"$notes" "$work/a.db" list | grep -q "\[x\] buy milk.*not synced" || { echo "offline list wrong"; exit 1; }

# Online: a real server on a free port; a second device sees the notes.
"$SYNCLINE" serve --data "$work/srv" --listen 127.0.0.1:0 >"$work/srv.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 200); do grep -q "listening on" "$work/srv.log" 2>/dev/null && break; sleep 0.05; done
url=$(sed -n 's/^listening on //p' "$work/srv.log" | head -1)
key=$(cat "$work/srv/admin.key")
"$SYNCLINE" --server "$url" --api-key "$key" db create notes >/dev/null
"$notes" "$work/a.db" sync "$url" notes "$key" | grep -q "synced: 2 up" || { echo "sync up failed"; exit 1; }
"$notes" "$work/b.db" sync "$url" notes "$key" | grep -q "2 down" || { echo "sync down failed"; exit 1; }
"$notes" "$work/b.db" list | grep -q "\[x\] buy milk  (note-[0-9]*)$" || { echo "device b is wrong"; exit 1; }
echo "check-package: the installed package builds and runs the notes example"
