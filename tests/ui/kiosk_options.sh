#!/bin/sh
# hcp-kiosk's command line as a shell sees it: --help exits 0 and lists the options; an unknown
# option exits non-zero and says which. Usage: kiosk_options.sh HCP_KIOSK
set -u
kiosk=$1
fail() { echo "kiosk_options: FAILED $*"; exit 1; }

help=$("$kiosk" --help) || fail "--help exited $?"
for name in --config --headless --script --shots --size --windowed --lang --large-text \
            --timeout-seconds --role --link --data-dir --no-upload --stats --voice-wav; do
  printf '%s\n' "$help" | grep -q -e "$name" || fail "--help does not list $name"
done

err=$("$kiosk" --no-such-option 2>&1 >/dev/null)
rc=$?
[ "$rc" -ne 0 ] || fail "an unknown option exited 0"
printf '%s\n' "$err" | grep -q -e "--no-such-option" || fail "the message does not name the option: $err"
echo "kiosk_options: ok"
