#!/bin/sh
# UI test driver (ctest label ui) for display_recall.hcp: runs the given hcp-kiosk command line,
# requires "script: ok", then requires the recalled number's sentence twice in the voice log
# (`voice: "…"` lines: once for the call, once for the recall).
#   usage: display_recall.sh LOG_FILE HCP_KIOSK_COMMAND…
log=$1
shift
mkdir -p "$(dirname "$log")"
"$@" >"$log" 2>&1
rc=$?
cat "$log"
[ "$rc" -eq 0 ] || { echo "display_recall: hcp-kiosk exited with $rc"; exit 1; }
grep -q '^script: ok' "$log" || { echo "display_recall: no script: ok"; exit 1; }
spoken=$(grep -c '^voice: "请 A 零零一 号到3号窗口办理" .* repeats=[1-9]' "$log")
[ "$spoken" -eq 2 ] || { echo "display_recall: A001 at window 3 spoken $spoken times, want 2 (call and recall)"; exit 1; }
echo "display_recall: ok"
