#!/usr/bin/env bash
# Hall display figures, from a headless hcp-kiosk in role display at 1920x1080 with the
# hub (and its hall API) in the same process, voice on: the latency from the reply of
# POST /api/v1/windows/1/call-next to the display's first frame showing that number, 50 calls.
#   usage: tests/bench/bench_display.sh BUILD_DIR
set -euo pipefail
build=${1:?usage: bench_display.sh BUILD_DIR}
here=$(cd "$(dirname "$0")" && pwd)
assets=$(cd "$here/../../assets" && pwd)
data=$(mktemp -d)
kiosk_pid=""
cleanup() {
  [[ -n $kiosk_pid ]] && kill -TERM "$kiosk_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$data"
}
trap cleanup EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
token="bench-system-token-0123456789"
# The demo hall as a hub with only the display role, open all day (the bench may run at night),
# a skipped ticket never re-queued (each call takes a fresh ticket), no upload.
sed -e "s|^assets = .*|assets = \"$assets\"|" -e "s|^data = .*|data = \"$data\"|" \
    -e 's|^roles = .*|roles = ["hub", "display"]|' -e 's|^opens = .*|opens = "00:00"|' \
    -e 's|^closes = .*|closes = "23:59"|' -e 's|^skip_max_requeues = .*|skip_max_requeues = 0|' \
    -e 's|^voice_repeat = .*|voice_repeat = 1|' "$assets/config/demo-hall.toml" |
  awk '/^\[upload\]/ {skip = 1; next} /^\[/ {skip = 0} !skip' >"$data/hall.toml"
printf '\n[api]\nlisten = "127.0.0.1:%s"\ntokens_file = "api-tokens.toml"\n' "$port" >>"$data/hall.toml"
(umask 077; printf '[[system]]\nid = "bench"\ntoken = "%s"\n' "$token" >"$data/api-tokens.toml")
"$build/kiosk/hcpctl" key create "$data/store.key" >/dev/null
printf 'wait-for 暂无叫号\nsleep 600000\n' >"$data/wait.hcp"
"$build/kiosk/app/hcp-kiosk" --headless --size 1920x1080 --config "$data/hall.toml" --script "$data/wait.hcp" \
  >"$data/kiosk.log" 2>&1 &
kiosk_pid=$!
for _ in $(seq 100); do curl -fsS -m 1 "http://127.0.0.1:$port/api/v1/health" >/dev/null 2>&1 && break; sleep 0.1; done
sleep 1  # the display's first frame
python3 - "$port" "$token" >"$data/replies.txt" <<'PY'
import http.client, json, sys, time
port, token = int(sys.argv[1]), sys.argv[2]
conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
def post(path, body):
    conn.request("POST", path, json.dumps(body), {"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    r = conn.getresponse()
    data = r.read()
    return r.status, data, time.time_ns() // 1000
status, data, _ = post("/api/v1/windows/1/sign-in", {"staff_no": "1001"})
if status != 200:
    sys.exit(f"sign-in answered {status}: {data!r}")
for i in range(50):
    status, data, _ = post("/api/v1/tickets", {"category": "SBYB"})
    if status != 201:
        sys.exit(f"POST /tickets answered {status}: {data!r}")
    status, data, at = post("/api/v1/windows/1/call-next", {})
    if status != 200:
        sys.exit(f"call-next answered {status}: {data!r}")
    reply = json.loads(data)
    number = reply["call"]["number"]
    print(f"{number} {at}")
    time.sleep(0.3)
    status, data, _ = post("/api/v1/windows/1/skip", {})
    if status != 200:
        sys.exit(f"skip answered {status}: {data!r}")
PY
sleep 1
kill -TERM "$kiosk_pid"
wait "$kiosk_pid" || true
kiosk_pid=""
python3 - "$data/replies.txt" "$data/kiosk.log" <<'PY'
import re, sys
replies = dict(l.split() for l in open(sys.argv[1]))
shown = {}
for l in open(sys.argv[2]):
    m = re.match(r"shown: call=(\S+) window=1 wall_us=(\d+)", l)
    if m and m.group(1) in replies and m.group(1) not in shown:
        shown[m.group(1)] = int(m.group(2))
d = sorted((shown[c] - int(replies[c])) / 1000.0 for c in replies if c in shown)
if len(d) != len(replies):
    sys.exit(f"bench_display: only {len(d)} of {len(replies)} calls were shown")
pct = lambda p: d[min(len(d) - 1, int(p * len(d)))]
print(f"display: call-next reply to the display frame showing the number (hub in process, voice on, {len(d)} calls)  "
      f"p50 {pct(0.5):.1f} ms, p99 {pct(0.99):.1f} ms  (target: within 200 ms)")
PY
