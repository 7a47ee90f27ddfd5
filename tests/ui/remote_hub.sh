#!/usr/bin/env bash
# A hub in another process for the remote-terminal UI test (hcpctl hub), driven from the kiosk's
# script through `sh "$HCP_REMOTE" …` and from remote_hub_down_then_back.sh.
#   remote_hub.sh setup HCPCTL ASSETS DIR   write hub + terminal configs and tokens into DIR
#   remote_hub.sh start | stop              start the hub (waits for /health) / SIGTERM it (waits)
#   remote_hub.sh post-case CASE_NO         the business system reports a completed case at window 1
#   remote_hub.sh wait-rating CASE_NO       wait (≤ 10 s) until the hub's store holds a rating for it
#   remote_hub.sh count CASE_NO             ratings in the hub's store naming CASE_NO
#   remote_hub.sh ticket CATEGORY           take a ticket (the business system's token)
#   remote_hub.sh sign-in WINDOW STAFF_NO   sign a window in
#   remote_hub.sh call-next WINDOW          call the next ticket at a window
# Besides the rating terminal, setup writes a hall display (DIR/display) and a ticket station
# (DIR/station) whose hub is this one. $HCP_HUB_FAKETIME (a libfaketime spec), when set, runs the
# hub at that time, so ticket hours and the business day agree with kiosks run under faketime.
# DIR is $HCP_REMOTE_DIR for every command but setup.
set -euo pipefail
cmd=${1:?command}
shift
dir=${HCP_REMOTE_DIR:-}
sys_token="biz-system-token-0123456789"
dev_token="rater-01-device-token-0123456789"
display_token="display-01-device-token-0123456789"
station_token="ticket-01-device-token-0123456789"

port() { cat "$dir/port"; }
health() { curl -fsS -m 1 "http://127.0.0.1:$(port)/api/v1/health" >/dev/null 2>&1; }

case "$cmd" in
  setup)
    hcpctl=${1:?hcpctl}; assets=${2:?assets}; dir=${3:?dir}
    rm -rf "$dir"; mkdir -p "$dir/hub" "$dir/terminal"
    echo "$hcpctl" >"$dir/hcpctl"
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' >"$dir/port"
    base=$(sed -e "s|^assets = .*|assets = \"$assets\"|" "$assets/config/demo-hall.toml")
    # No [upload]: the hub would refuse to start without the demo's platform secret (HubService).
    sed -e "s|^data = .*|data = \"$dir/hub\"|" -e 's|^roles = .*|roles = ["hub"]|' <<<"$base" |
      awk '/^\[upload\]/ {skip = 1; next} /^\[/ {skip = 0} !skip' >"$dir/hub/hall.toml"
    # The hall API: listen on a free port, keep-alive often (dead streams are found fast).
    printf '\n[api]\nlisten = "127.0.0.1:%s"\nsse_keepalive_seconds = 2\n' "$(port)" >>"$dir/hub/hall.toml"
    (umask 077; cat >"$dir/hub/api-tokens.toml" <<TOML
[[device]]
id = "rater-01"
token = "$dev_token"
window = 1
[[device]]
id = "display-01"
token = "$display_token"
window = 0
[[device]]
id = "ticket-01"
token = "$station_token"
window = 0
[[system]]
id = "biz"
token = "$sys_token"
TOML
    )
    # The terminal: window 1's rating terminal only, its hub elsewhere, its token in a file.
    (umask 077; echo "$dev_token" >"$dir/terminal/device-token")
    sed -e "s|^data = .*|data = \"$dir/terminal\"|" \
        -e 's|^id = "hub-01"|id = "rater-01"|' \
        -e 's|^roles = .*|roles = ["rater"]|' \
        -e "s|^# 本机即为中心.*|hub_url = \"http://127.0.0.1:$(port)\"\nhub_token_file = \"device-token\"|" \
        -e 's|^database = "hub.db"|database = "terminal.db"|' <<<"$base" |
      awk '/^\[upload\]/ {skip = 1; next} /^\[/ {skip = 0} !skip' >"$dir/terminal/hall.toml"  # only hubs upload
    grep -q '^hub_url' "$dir/terminal/hall.toml" || { echo "setup: could not set hub_url"; exit 1; }
    # The hall display and the ticket station: the same hall, their hub elsewhere, no store of
    # their own to speak of (a display rates nothing; its link's store stays empty).
    for role in display station; do
      mkdir -p "$dir/$role"
      case $role in display) id=display-01 roles='["display"]' token=$display_token ;;
                    station) id=ticket-01 roles='["ticket"]' token=$station_token ;; esac
      (umask 077; echo "$token" >"$dir/$role/device-token")
      sed -e "s|^data = .*|data = \"$dir/$role\"|" \
          -e "s|^id = \"hub-01\"|id = \"$id\"|" \
          -e "s|^roles = .*|roles = $roles|" \
          -e "s|^# 本机即为中心.*|hub_url = \"http://127.0.0.1:$(port)\"\nhub_token_file = \"device-token\"|" \
          -e 's|^database = "hub.db"|database = "terminal.db"|' <<<"$base" |
        awk '/^\[upload\]/ {skip = 1; next} /^\[/ {skip = 0} !skip' >"$dir/$role/hall.toml"
    done
    printf '\n[printer]\nprofile = "generic-80"\ntransport = "file:%s/station/tickets.bin"\n' "$dir" >>"$dir/station/hall.toml"
    "$hcpctl" key create "$dir/hub/store.key" >/dev/null
    "$hcpctl" key create "$dir/station/qr-token.key" >/dev/null  # the hall's QR key, on tickets
    ;;
  start)
    if [[ -n ${HCP_HUB_FAKETIME:-} ]]; then
      # libfaketime preloaded directly: the `faketime` wrapper forks, and its pid would not be
      # the hub's (stop would signal the wrapper and leave the hub running).
      lib=$(find /usr/lib -name libfaketime.so.1 -print -quit)
      [[ -n $lib ]] || { echo "remote_hub: libfaketime.so.1 not found (apt-get install faketime)"; exit 1; }
      LD_PRELOAD=$lib FAKETIME="$HCP_HUB_FAKETIME" FAKETIME_DONT_FAKE_MONOTONIC=1 \
        "$(cat "$dir/hcpctl")" hub --config "$dir/hub/hall.toml" >>"$dir/hub.log" 2>&1 &
    else
      "$(cat "$dir/hcpctl")" hub --config "$dir/hub/hall.toml" >>"$dir/hub.log" 2>&1 &
    fi
    echo $! >"$dir/hub.pid"
    for _ in $(seq 100); do health && exit 0; sleep 0.1; done
    echo "remote_hub: the hub did not come up; log:"; cat "$dir/hub.log"; exit 1 ;;
  stop)
    pid=$(cat "$dir/hub.pid")
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || exit 0; sleep 0.1; done
    kill -KILL "$pid"; exit 1 ;;
  post-case)
    no=${1:?case number}
    body=$(printf '{"case_no":"%s","item_code":"12370921MB2854123A4000117051000","item_name":"城乡居民基本养老保险参保登记","kind":"immediate","stage":"completed","window":1,"staff_no":"1001","staff_name":"王丽"}' "$no")
    code=$(curl -sS -m 5 -o "$dir/last-reply.json" -w '%{http_code}' -H "Authorization: Bearer $sys_token" \
           -H 'Content-Type: application/json' -d "$body" "http://127.0.0.1:$(port)/api/v1/cases")
    [[ $code == 201 ]] || { echo "post-case $no: HTTP $code $(cat "$dir/last-reply.json")"; exit 1; } ;;
  count)
    sqlite3 "file:$dir/hub/hub.db?mode=ro" "SELECT count(*) FROM ratings WHERE case_nos LIKE '%\"${1:?case}\"%'" ;;
  wait-rating)
    for _ in $(seq 100); do
      [[ $("$0" count "$1") -ge 1 ]] && exit 0
      sleep 0.1
    done
    echo "wait-rating $1: the hub's store has no rating for it after 10 s"; exit 1 ;;
  ticket|sign-in|call-next)
    case $cmd in
      ticket) path=/api/v1/tickets body=$(printf '{"category":"%s"}' "${1:?category}") ;;
      sign-in) path=/api/v1/windows/${1:?window}/sign-in body=$(printf '{"staff_no":"%s"}' "${2:?staff}") ;;
      call-next) path=/api/v1/windows/${1:?window}/call-next body='{}' ;;
    esac
    code=$(curl -sS -m 5 -o "$dir/last-reply.json" -w '%{http_code}' -H "Authorization: Bearer $sys_token" \
           -H 'Content-Type: application/json' -d "$body" "http://127.0.0.1:$(port)$path")
    [[ $code == 20? ]] || { echo "$cmd $*: HTTP $code $(cat "$dir/last-reply.json")"; exit 1; } ;;
  *) echo "remote_hub.sh: unknown command $cmd"; exit 2 ;;
esac
