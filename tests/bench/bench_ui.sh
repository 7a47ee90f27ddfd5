#!/usr/bin/env bash
# UI figures of issue 4, one line each, from one headless run of hcp-kiosk at 1920x1080 with
# the software renderer and the CJK font (SDL dummy video driver: no GPU, no display).
#   usage: tests/bench/bench_ui.sh BUILD_DIR
set -euo pipefail
build=${1:?usage: bench_ui.sh BUILD_DIR}
here=$(cd "$(dirname "$0")" && pwd)
data=$(mktemp -d)
trap 'rm -rf "$data"' EXIT
start=$(date +%s%N)
out=$("$build/kiosk/app/hcp-kiosk" --headless --size 1920x1080 --data-dir "$data" \
      --script "$here/ui_bench.hcp" 2>/dev/null)
grep -q "script: ok" <<<"$out" || { echo "bench_ui: the bench script failed:"; echo "$out"; exit 1; }
mapfile -t reports < <(grep '^report:' <<<"$out")
field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<"${reports[$1]}"; }
first=$(field 0 first_frame_ms)
idle=$(( $(field 1 frames) - $(field 0 frames) ))
ticks=$(( $(field 1 clock_ticks) - $(field 0 clock_ticks) ))
pss=$(field 2 pss_kb)
p99=$(sed -n 's/^redraw:.* p99_ms=\([^ ]*\).*/\1/p' <<<"$out")
p50=$(sed -n 's/^redraw:.* p50_ms=\([^ ]*\).*/\1/p' <<<"$out")
printf 'ui: cold start to first frame (from main(), font atlas included)  %.0f ms   (target < 300)\n' "$first"
printf 'ui: PSS of the rating screen at 1920x1080 with the CJK font        %.1f MB  (target < 60)\n' "$(awk -v k="$pss" 'BEGIN{print k/1024}')"
printf 'ui: frames drawn during 10 s idle                                   %d       (target 0; %d of them the clock'"'"'s minute)\n' "$idle" "$ticks"
printf 'ui: frame time at 1920x1080, software renderer, rating screen       p50 %.1f ms, p99 %.1f ms\n' "$p50" "$p99"
printf 'ui: (whole bench run %.1f s; atlas glyphs %s)\n' "$(awk -v a="$start" -v b="$(date +%s%N)" 'BEGIN{print (b-a)/1e9}')" "$(field 2 glyphs)"
