#!/usr/bin/env bash
# UI test (ctest label ui): the hall display and the ticket station on devices without the hub
# (device.hub_url), against `hcpctl hub` in another process. Hub and kiosks run under
# libfaketime at 10:00 China time on a working day, so ticket hours and the business day agree.
#   usage: remote_queue_screens.sh HCP_KIOSK HCPCTL ASSETS WORK_DIR SHOTS_DIR
set -euo pipefail
kiosk=$1 hcpctl=$2 assets=$3 work=$4 shots=$5
here=$(cd "$(dirname "$0")" && pwd)
at="@2026-03-04 02:00:00"
export HCP_REMOTE="$here/remote_hub.sh" HCP_REMOTE_DIR="$work" HCP_HUB_FAKETIME="$at"
"$HCP_REMOTE" setup "$hcpctl" "$assets" "$work"
cleanup() { "$HCP_REMOTE" stop >/dev/null 2>&1 || true; }
trap cleanup EXIT
fail() { echo "remote_queue_screens: $*"; echo "--- hub log"; cat "$work/hub.log"; exit 1; }
# libfaketime preloaded directly, not through the `faketime` wrapper: the wrapper waits for a
# pipe its child holds, and the hub started from the kiosk's script would inherit it.
lib=$(find /usr/lib -name libfaketime.so.1 -print -quit)
[[ -n $lib ]] || { echo "remote_queue_screens: libfaketime.so.1 not found (apt-get install faketime)"; exit 1; }
run_kiosk() {  # role script log
  TZ=UTC LD_PRELOAD=$lib FAKETIME="$at" FAKETIME_DONT_FAKE_MONOTONIC=1 "$kiosk" --headless --config "$work/$1/hall.toml" \
    --script "$here/scripts/$2.hcp" --shots "$shots/$2" >"$work/$3" 2>&1 || { cat "$work/$3"; fail "$2 failed"; }
  cat "$work/$3"
  grep -q "script: ok" "$work/$3" || fail "$2: no script: ok"
}

"$HCP_REMOTE" start
run_kiosk display remote_display display.log
# The station starts with the hub up again (the display's script ends with it running).
run_kiosk station remote_station station.log
bytes=$(stat -c %s "$work/station/tickets.bin")
[[ $bytes -gt 5000 ]] || fail "the station printed $bytes bytes, want one ticket with its QR"
echo "remote_queue_screens: ok (display followed the remote hub through a restart; station took A004 and printed ${bytes} bytes)"
