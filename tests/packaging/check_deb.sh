#!/bin/sh
# check_deb.sh BUILD_DIR [DEB]
# Builds the .deb from an already-built tree with CPack (unless DEB is given) and inspects it:
# file list and modes, conffiles, maintainer scripts, declared dependencies, the units' sandbox
# score, and that the shipped hall.toml is refused by `hcpctl config check` until its
# placeholders are filled in — then accepted. Prints "N passed, N failed"; exit 1 on any failure.
set -eu

BUILD=$1
WORK=$(mktemp -d "${TMPDIR:-/tmp}/hcp-check-deb.XXXXXX")
trap 'rm -rf "$WORK"' EXIT INT TERM

passed=0
failed=0
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL: $*"; }
check() {  # check DESCRIPTION COMMAND...
    what=$1
    shift
    if "$@" >/dev/null 2>&1; then ok; else bad "$what"; fi
}

if [ $# -ge 2 ]; then
    DEB=$2
else
    start=$(date +%s)
    (cd "$WORK" && cpack --config "$BUILD/CPackConfig.cmake" -G DEB -B "$WORK/out" >"$WORK/cpack.log" 2>&1) ||
        { cat "$WORK/cpack.log"; echo "FAIL: cpack"; exit 1; }
    DEB=$(ls "$WORK"/out/hcp-kiosk_*_amd64.deb)
    echo "FIG packaging cpack_secs=$(($(date +%s) - start)) deb_bytes=$(stat -c %s "$DEB")"
fi
echo "inspecting $DEB"

# --- contents and modes ---
dpkg-deb -c "$DEB" >"$WORK/contents"
has() {  # has MODE PATH: PATH is in the package with that mode string, owned by root/root
    grep -Eq "^$1 root/root +[0-9]+ [0-9-]+ [0-9:]+ \.$2\$" "$WORK/contents"
}
check "hcpctl in /usr/bin, 0755" has '-rwxr-xr-x' /usr/bin/hcpctl
check "hcp-kiosk in /usr/bin, 0755" has '-rwxr-xr-x' /usr/bin/hcp-kiosk
check "hcp-kiosk-lockdown in /usr/sbin" has '-rwxr-xr-x' /usr/sbin/hcp-kiosk-lockdown
A=/usr/share/hcp-kiosk/assets
for f in fonts/hcp-cjk-sc-regular.otf fonts/LICENSE-NotoSansCJK.txt catalog/cn-004.toml calendars/cn-2026.toml \
         printers/generic-58.toml printers/generic-80.toml printers/generic-safe.toml platforms/generic.json \
         lang/zh_CN.json lang/en.json config/demo-hall.toml; do
    check "asset $A/$f, 0644" has '-rw-r--r--' "$A/$f"
done
check "default config /etc/hcp-kiosk/hall.toml" has '-rw-r--r--' /etc/hcp-kiosk/hall.toml
check "hcp-hub.service" has '-rw-r--r--' /lib/systemd/system/hcp-hub.service
check "hcp-kiosk-session.service" has '-rw-r--r--' /lib/systemd/system/hcp-kiosk-session.service
check "PAM file of the kiosk session" has '-rw-r--r--' /etc/pam.d/hcp-kiosk-session
check "udev rule for receipt printers" has '-rw-r--r--' /lib/udev/rules.d/70-hcp-printers.rules
check "copyright" has '-rw-r--r--' /usr/share/doc/hcp-kiosk/copyright
check "changelog.Debian.gz" has '-rw-r--r--' /usr/share/doc/hcp-kiosk/changelog.Debian.gz
check "every directory is 0755 root/root" sh -c "! grep '^d' '$WORK/contents' | grep -v '^drwxr-xr-x root/root '"
check "nothing but root owns a file" sh -c "! grep -v ' root/root ' '$WORK/contents'"
check "no data shipped in /var (postinst makes /var/lib/hcp-kiosk)" sh -c "! grep -q ' \./var/' '$WORK/contents'"
check "no build files among the assets" sh -c "! grep -Eq 'CMakeLists.txt|README.md' '$WORK/contents'"
check "no file is writable by group or others" sh -c "! grep -E '^-....w|^-.......w' '$WORK/contents'"

# --- control: dependencies from the real libraries, conffiles, scripts ---
depends=$(dpkg-deb -f "$DEB" Depends)
for lib in libc6 libstdc++6 libsqlite3-0 libsodium23 libcurl4 libsdl2-2.0-0 libfreetype6 libqrencode4 adduser; do
    check "Depends names $lib (got: $depends)" sh -c "printf '%s\n' '$depends' | tr ',' '\n' | sed 's/^ *//; s/ .*//' | grep -qxF '$lib'"
done
recommends=$(dpkg-deb -f "$DEB" Recommends)
check "Recommends cups-client and cage (got: $recommends)" sh -c "printf '%s' '$recommends' | grep -q cups-client && printf '%s' '$recommends' | grep -q cage"
check "Package name" test "$(dpkg-deb -f "$DEB" Package)" = hcp-kiosk
check "Architecture amd64" test "$(dpkg-deb -f "$DEB" Architecture)" = amd64

mkdir -p "$WORK/ctrl"
dpkg-deb -e "$DEB" "$WORK/ctrl"
printf '/etc/hcp-kiosk/hall.toml\n/etc/pam.d/hcp-kiosk-session\n' >"$WORK/conffiles.want"
check "conffiles are the config and the PAM file" cmp "$WORK/conffiles.want" "$WORK/ctrl/conffiles"
check "md5sums present" test -s "$WORK/ctrl/md5sums"
for s in postinst prerm postrm; do
    check "$s is 0755" test "$(stat -c %a "$WORK/ctrl/$s")" = 755
    check "$s is a POSIX sh script" test "$(head -n1 "$WORK/ctrl/$s")" = "#!/bin/sh"
    check "$s uses set -e" grep -q '^set -e$' "$WORK/ctrl/$s"
    check "$s parses (sh -n)" sh -n "$WORK/ctrl/$s"
    if command -v shellcheck >/dev/null 2>&1; then
        check "$s passes shellcheck" shellcheck -s sh "$WORK/ctrl/$s"
    else
        echo "note: shellcheck not installed, $s not linted"
    fi
    check "$s refuses an unknown action" sh -c "! sh '$WORK/ctrl/$s' no-such-action"
done
# Data is deleted only on purge: the one rm -rf of /var/lib/hcp-kiosk is inside the purge branch.
check "postrm deletes data only on purge" sh -c "awk '/^    purge\\)/{p=1} /^        ;;/{p=0} /rm -rf \\/var\\/lib\\/hcp-kiosk/{ if (!p) exit 1; n++ } END{ exit n==1 ? 0 : 1 }' '$WORK/ctrl/postrm'"
check "prerm and postinst never delete data" sh -c "! grep -q 'rm -rf' '$WORK/ctrl/prerm' '$WORK/ctrl/postinst'"
# shellcheck disable=SC2016 # the text of the script, not an expansion
check "postinst creates the key only when absent" grep -q 'if \[ ! -e "\$KEY" \]' "$WORK/ctrl/postinst"
check "postinst adds the account only when missing" grep -q 'if ! getent passwd hcp' "$WORK/ctrl/postinst"

# --- the units: sandbox score (reference: fail above 3.5) ---
mkdir -p "$WORK/root"
dpkg-deb -x "$DEB" "$WORK/root"
if command -v systemd-analyze >/dev/null 2>&1 && systemd-analyze security --help 2>/dev/null | grep -q -- '--offline'; then
    for unit in hcp-hub.service hcp-kiosk-session.service; do
        score=$(systemd-analyze security --offline=yes "$WORK/root/lib/systemd/system/$unit" 2>/dev/null |
            sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
        echo "FIG packaging unit=$unit exposure=$score"
        check "$unit exposure $score <= 3.5" awk -v s="$score" 'BEGIN{ exit (s != "" && s <= 3.5) ? 0 : 1 }'
    done
else
    echo "note: systemd-analyze security --offline not available, scores not measured"
fi
hub=$WORK/root/lib/systemd/system/hcp-hub.service
for key in Type=notify WatchdogSec= Restart=on-failure StartLimitIntervalSec= StartLimitBurst= User=hcp \
           ProtectSystem=strict ReadWritePaths=/var/lib/hcp-kiosk NoNewPrivileges=yes CapabilityBoundingSet= \
           SystemCallFilter=@system-service "ExecStart=/usr/bin/hcpctl hub --config /etc/hcp-kiosk/hall.toml"; do
    check "hcp-hub.service has $key" grep -q "^$key" "$hub"
done
session=$WORK/root/lib/systemd/system/hcp-kiosk-session.service
check "kiosk session runs cage without -s" grep -q '^ExecStart=/usr/bin/cage -d -- /usr/bin/hcp-kiosk --config /etc/hcp-kiosk/hall.toml$' "$session"
check "kiosk session restarts always" grep -q '^Restart=always' "$session"
check "kiosk session takes tty1 from getty" grep -q '^Conflicts=getty@tty1.service' "$session"

# --- the shipped configuration: placeholders refused, filled file accepted ---
HCPCTL=$WORK/root/usr/bin/hcpctl
cfg=$WORK/hall.toml
sed "s#^assets = \"/usr/share/hcp-kiosk/assets\"#assets = \"$WORK/root/usr/share/hcp-kiosk/assets\"#; s#^data = .*#data = \"$WORK/data\"#" \
    "$WORK/root/etc/hcp-kiosk/hall.toml" >"$cfg"
check "shipped hall.toml points at the installed assets" grep -q '^assets = "/usr/share/hcp-kiosk/assets"$' "$WORK/root/etc/hcp-kiosk/hall.toml"
check "shipped hall.toml keeps data in /var/lib/hcp-kiosk" grep -q '^data = "/var/lib/hcp-kiosk"$' "$WORK/root/etc/hcp-kiosk/hall.toml"
set +e
"$HCPCTL" config check "$cfg" >"$WORK/check.out" 2>&1
rc=$?
set -e
check "config check refuses the unfilled file with exit 1 (got $rc)" test "$rc" -eq 1
for key in hall.code hall.name hall.area_code hall.level device.id device.roles rating.unrated.preset; do
    check "config check names $key" grep -q "hall.toml:[0-9]*:[0-9]*: $key" "$WORK/check.out"
done
check "config check shows the placeholder it refuses" grep -q "待填写" "$WORK/check.out"
check "nothing else is wrong with the unfilled file (7 problems)" grep -q "7 problem" "$WORK/check.out"
sed -e 's/^code = .*/code = "NY-0001"/' -e 's/^name = .*/name = "宁阳县政务服务中心"/' \
    -e 's/^area_code = .*/area_code = "370921000000"/' -e 's/^level = .*/level = "county"/' \
    -e 's/^id = .*/id = "hub-01"/' -e 's/^roles = .*/roles = ["hub"]/' -e 's/^preset = .*/preset = "taian"/' \
    "$cfg" >"$WORK/filled.toml"
check "config check accepts the file once filled in" "$HCPCTL" config check "$WORK/filled.toml"
if [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then cat "$WORK/check.out"; fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
