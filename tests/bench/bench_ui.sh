#!/usr/bin/env bash
# UI figures, one line each, from headless runs of hcp-kiosk at 1920x1080 with the
# software renderer and the CJK font (SDL dummy video driver: no GPU, no display).
#   usage: tests/bench/bench_ui.sh BUILD_DIR
# Run 1 (hub in the kiosk's process, LocalHubLink): first frame, idle frames, PSS, frame time,
#   tap → committed over 50 ratings.
# Run 2 (hub in another process: hcpctl hub on loopback, the kiosk as a remote terminal): from
#   the POST /api/v1/cases reply to the terminal's first frame showing the case, 50 cases.
set -euo pipefail
build=${1:?usage: bench_ui.sh BUILD_DIR}
here=$(cd "$(dirname "$0")" && pwd)
data=$(mktemp -d)
kiosk_pid=""
cleanup() {
  [[ -n $kiosk_pid ]] && kill -TERM "$kiosk_pid" 2>/dev/null || true
  [[ -f $data/remote/hub.pid ]] && HCP_REMOTE_DIR="$data/remote" "$here/../ui/remote_hub.sh" stop >/dev/null 2>&1 || true
  rm -rf "$data"
}
trap cleanup EXIT
start=$(date +%s%N)
out=$("$build/kiosk/app/hcp-kiosk" --headless --size 1920x1080 --data-dir "$data/local" --no-upload \
      --script "$here/ui_bench.hcp" 2>/dev/null) || true  # a failed script is reported below
grep -q "script: ok" <<<"$out" || { echo "bench_ui: the bench script failed:"; echo "$out"; exit 1; }
mapfile -t reports < <(grep '^report:' <<<"$out")
field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<"${reports[$1]}"; }
first=$(field 0 first_frame_ms)
idle=$(( $(field 1 frames) - $(field 0 frames) ))
ticks=$(( $(field 1 clock_ticks) - $(field 0 clock_ticks) ))
pss=$(field 2 pss_kb)
p99=$(sed -n 's/^redraw:.* p99_ms=\([^ ]*\).*/\1/p' <<<"$out")
p50=$(sed -n 's/^redraw:.* p50_ms=\([^ ]*\).*/\1/p' <<<"$out")
commits=$(field 3 commits)
c50=$(field 3 commit_p50_ms)
c99=$(field 3 commit_p99_ms)

# Run 2: the hub in another process, the kiosk as window 1's remote terminal.
remote="$data/remote"
export HCP_REMOTE_DIR="$remote"
"$here/../ui/remote_hub.sh" setup "$build/kiosk/hcpctl" "$(cd "$here/../../assets" && pwd)" "$remote" >/dev/null
"$here/../ui/remote_hub.sh" start
printf 'wait-for 号窗口\nsleep 600000\n' >"$remote/wait.hcp"
"$build/kiosk/app/hcp-kiosk" --headless --size 1920x1080 --config "$remote/terminal/hall.toml" \
  --script "$remote/wait.hcp" >"$remote/kiosk.log" 2>&1 &
kiosk_pid=$!
for _ in $(seq 100); do grep -q "hub online" "$remote/kiosk.log" && break; sleep 0.1; done
grep -q "hub online" "$remote/kiosk.log" || { echo "bench_ui: the remote terminal did not reach the hub"; cat "$remote/kiosk.log"; exit 1; }
# The business system: one keep-alive connection, a case every 300 ms; the reply's arrival
# (wall clock, µs) is taken right after the body was read.
python3 - "$(cat "$remote/port")" "biz-system-token-0123456789" >"$remote/replies.txt" <<'PY'
import http.client, json, sys, time
port, token = int(sys.argv[1]), sys.argv[2]
conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
for i in range(1, 51):
    body = json.dumps({"case_no": f"C-LAT-{i}", "item_code": "12370921MB2854123A4000117051000",
                       "item_name": "城乡居民基本养老保险参保登记", "kind": "immediate", "stage": "completed",
                       "window": 1, "staff_no": "1001", "staff_name": "王丽"})
    conn.request("POST", "/api/v1/cases", body, {"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    r = conn.getresponse()
    r.read()
    at = time.time_ns() // 1000
    if r.status != 201:
        sys.exit(f"POST /cases answered {r.status}")
    print(f"C-LAT-{i} {at}")
    time.sleep(0.3)
PY
sleep 1
kill -TERM "$kiosk_pid"
wait "$kiosk_pid" || true
kiosk_pid=""
lat=$(python3 - "$remote/replies.txt" "$remote/kiosk.log" <<'PY'
import re, sys
replies = dict(l.split() for l in open(sys.argv[1]))
shown = {}
for l in open(sys.argv[2]):
    m = re.match(r"shown: cases=(\S+) event=\S+ wall_us=(\d+)", l)
    if m and m.group(1) in replies and m.group(1) not in shown:
        shown[m.group(1)] = int(m.group(2))
d = sorted((shown[c] - int(replies[c])) / 1000.0 for c in replies if c in shown)
if len(d) != len(replies):
    sys.exit(f"only {len(d)} of {len(replies)} cases were shown")
pct = lambda p: d[min(len(d) - 1, int(p * len(d)))]
print(f"{len(d)} {pct(0.5):.1f} {pct(0.99):.1f} {d[0]:.1f}")
PY
)
read -r n l50 l99 lmin <<<"$lat"

printf 'ui: cold start to first frame (from main(), font atlas included)  %.0f ms   (target < 300)\n' "$first"
printf 'ui: PSS of the rating screen at 1920x1080 with the CJK font        %.1f MB  (target < 60)\n' "$(awk -v k="$pss" 'BEGIN{print k/1024}')"
printf 'ui: frames drawn during 10 s idle                                   %d       (target 0; %d of them the clock'"'"'s minute)\n' "$idle" "$ticks"
printf 'ui: frame time at 1920x1080, software renderer, rating screen       p50 %.1f ms, p99 %.1f ms\n' "$p50" "$p99"
printf 'ui: tap to committed rating (hub in process, worker thread, %s taps)  p50 %.1f ms, p99 %.1f ms\n' "$commits" "$c50" "$c99"
printf 'ui: POST /cases reply to the frame showing it (hub in another process, loopback, %s cases)  p50 %.1f ms, p99 %.1f ms  (target p99 < 50)\n' "$n" "$l50" "$l99"
printf 'ui: (whole bench run %.1f s; atlas glyphs %s)\n' "$(awk -v a="$start" -v b="$(date +%s%N)" 'BEGIN{print (b-a)/1e9}')" "$(field 2 glyphs)"
