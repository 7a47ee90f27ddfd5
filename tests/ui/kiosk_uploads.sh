#!/usr/bin/env bash
# UI test (ctest label ui): a township box — every role and the hub in one hcp-kiosk process —
# uploads what a citizen rated on its screen to the provincial platform (here the reference
# platform, hcpctl platform-sim) through the embedded HubService, without any other process.
#   usage: kiosk_uploads.sh HCP_KIOSK HCPCTL ASSETS WORK_DIR SHOTS_DIR
set -euo pipefail
kiosk=$1 hcpctl=$2 assets=$3 work=$4 shots=$5
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work"; mkdir -p "$work/data"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
(umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$work/data/platform.secret")

"$hcpctl" platform-sim --secret "$work/data/platform.secret" --db "$work/platform.db" --port "$port" \
  >"$work/platform.log" 2>&1 &
sim=$!
kiosk_pid=
cleanup() {
  [[ -n $kiosk_pid ]] && kill "$kiosk_pid" 2>/dev/null || true
  kill "$sim" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap cleanup EXIT
fail() {
  echo "kiosk_uploads: $*"
  echo "--- kiosk log"; cat "$work/kiosk.log" 2>/dev/null || true
  echo "--- platform log"; cat "$work/platform.log"
  exit 1
}
stats() { curl -fsS -m 2 "http://127.0.0.1:$port/sim/stats"; }
accepted() { stats | python3 -c 'import json,sys; print(json.load(sys.stdin)["accepted"])'; }
for _ in $(seq 100); do stats >/dev/null 2>&1 && break; sleep 0.1; done
stats >/dev/null || fail "the reference platform did not come up"

# The demo hall's configuration, its data here and its platform on this port.
sed -e "s|^assets = .*|assets = \"$assets\"|" -e "s|^data = .*|data = \"$work/data\"|" \
    -e "s|^base_url = .*|base_url = \"http://127.0.0.1:$port\"|" "$assets/config/demo-hall.toml" >"$work/hall.toml"
grep -q "^base_url = \"http://127.0.0.1:$port\"" "$work/hall.toml" || fail "could not point [upload] at the platform"

# The citizen rates; the script then waits while this driver watches the platform.
{ cat "$here/scripts/good_rating.hcp"; echo "sleep 20000"; } >"$work/rate-and-wait.hcp"
"$kiosk" --headless --config "$work/hall.toml" --script "$work/rate-and-wait.hcp" --shots "$shots" \
  >"$work/kiosk.log" 2>&1 &
kiosk_pid=$!
got=0
for _ in $(seq 150); do
  got=$(accepted 2>/dev/null || echo 0)
  [[ $got -ge 1 ]] && break
  kill -0 "$kiosk_pid" 2>/dev/null || fail "hcp-kiosk ended before the platform accepted the rating"
  sleep 0.1
done
[[ $got == 1 ]] || fail "the platform accepted $got ratings within 15 s, want 1"
# SIGTERM ends the kiosk cleanly (SDL_QUIT): hub service stopped, store closed.
kill -TERM "$kiosk_pid"
wait "$kiosk_pid" || fail "hcp-kiosk did not exit cleanly on SIGTERM (status $?)"
kiosk_pid=
grep -q "script: FAILED" "$work/kiosk.log" && fail "the kiosk script failed"

# The hub's outbox marks it uploaded; the chain verifies; the platform saw no gap or fork.
states=$(sqlite3 "file:$work/data/hub.db?mode=ro" "SELECT group_concat(state) FROM outbox")
[[ $states == acked ]] || fail "hub outbox states: '$states', want 'acked'"
"$hcpctl" verify "$work/data/hub.db" >"$work/verify.log" 2>&1 || { cat "$work/verify.log"; fail "hcpctl verify failed"; }
echo "kiosk_uploads: ok (1 rating tapped, 1 accepted by the platform, outbox acked)"
