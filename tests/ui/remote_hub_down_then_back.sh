#!/usr/bin/env bash
# UI test (ctest label ui): a remote window terminal while its hub (another process) goes down
# and comes back. The kiosk script drives the journey and the hub (remote_hub.sh); this driver
# then checks the hub's store: the rating taken while the hub was down arrived exactly once,
# and a restart of the terminal forwards nothing again.
#   usage: remote_hub_down_then_back.sh HCP_KIOSK HCPCTL ASSETS WORK_DIR SHOTS_DIR
set -euo pipefail
kiosk=$1 hcpctl=$2 assets=$3 work=$4 shots=$5
here=$(cd "$(dirname "$0")" && pwd)
export HCP_REMOTE="$here/remote_hub.sh" HCP_REMOTE_DIR="$work"
"$HCP_REMOTE" setup "$hcpctl" "$assets" "$work"
cleanup() { "$HCP_REMOTE" stop >/dev/null 2>&1 || true; }
trap cleanup EXIT
"$HCP_REMOTE" start
fail() { echo "remote_hub_down_then_back: $*"; echo "--- hub log"; cat "$work/hub.log"; exit 1; }

"$kiosk" --headless --config "$work/terminal/hall.toml" --script "$here/scripts/remote_hub_down_then_back.hcp" \
  --shots "$shots" >"$work/kiosk.log" 2>&1 || { cat "$work/kiosk.log"; fail "the kiosk script failed"; }
cat "$work/kiosk.log"
grep -q "script: ok" "$work/kiosk.log" || fail "no script: ok"

# Nothing lost, nothing doubled: one rating per case in the hub, the forwarded one under the
# terminal's own device id and sequence, and the terminal's outbox entry acknowledged.
[[ $("$HCP_REMOTE" count C-REM-1) == 1 ]] || fail "hub has $("$HCP_REMOTE" count C-REM-1) ratings for C-REM-1, want 1"
[[ $("$HCP_REMOTE" count C-REM-2) == 1 ]] || fail "hub has $("$HCP_REMOTE" count C-REM-2) ratings for C-REM-2, want 1"
dev=$(sqlite3 "file:$work/hub/hub.db?mode=ro" "SELECT device_id FROM ratings WHERE case_nos LIKE '%\"C-REM-1\"%'")
[[ $dev == rater-01 ]] || fail "the forwarded rating has device $dev, want rater-01"
states=$(sqlite3 "file:$work/terminal/terminal.db?mode=ro" "SELECT group_concat(state) FROM outbox")
[[ $states == acked ]] || fail "terminal outbox states: '$states', want 'acked'"
# The installer's view of the terminal: its outbox towards the hub, empty now.
"$hcpctl" sync --config "$work/terminal/hall.toml" --status >"$work/sync.log" 2>&1 ||
  { cat "$work/sync.log"; fail "hcpctl sync --status on the terminal reports ratings waiting"; }
grep -q "ratings waiting for the hub" "$work/sync.log" || { cat "$work/sync.log"; fail "sync --status did not read the terminal's outbox"; }

# A restart of the terminal (its outbox reopened) must not send the rating again.
printf 'wait-for 号窗口\nsleep 3000\nexpect-not 网络暂时中断\n' >"$work/restart.hcp"
"$kiosk" --headless --config "$work/terminal/hall.toml" --script "$work/restart.hcp" >"$work/kiosk2.log" 2>&1 ||
  { cat "$work/kiosk2.log"; fail "the restarted kiosk failed"; }
[[ $("$HCP_REMOTE" count C-REM-1) == 1 ]] || fail "after a terminal restart the hub has $("$HCP_REMOTE" count C-REM-1) ratings for C-REM-1"
# The hub's chains (its own ratings and the forwarded one) still verify: hashes and sequence.
# (Not --key: the forwarded rating's MAC is under the terminal's key, which the hub lacks.)
"$hcpctl" verify "$work/hub/hub.db" >"$work/verify.log" 2>&1 ||
  { cat "$work/verify.log"; fail "hcpctl verify found problems"; }
# A terminal started while its hub is down says so on the idle screen within seconds.
"$HCP_REMOTE" stop
printf 'wait-for 网络暂时中断\nshot 05-started-while-hub-down\n' >"$work/down.hcp"
"$kiosk" --headless --config "$work/terminal/hall.toml" --script "$work/down.hcp" --shots "$shots" \
  >"$work/kiosk3.log" 2>&1 || { cat "$work/kiosk3.log"; fail "a terminal started without its hub showed no banner"; }
echo "remote_hub_down_then_back: ok (C-REM-1 forwarded once, C-REM-2 stored directly)"
