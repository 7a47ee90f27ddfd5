#!/bin/sh
# install_test.sh DEB WORKDIR — `./dev package-test`.
# Installs the .deb into a throwaway Debian 12 root (mmdebstrap from the machine's Debian mirror)
# and checks, as an installer would meet them: the account, folders, modes and key the
# maintainer scripts make; `hcpctl config check` refusing the unfilled hall.toml and accepting a
# filled one; `hcpctl hub` serving /api/v1/health as the service account; the key and data kept
# by reinstall, upgrade-in-place and remove; deleted only by purge. Prints the figures (package
# size, installed footprint) and "N passed, N failed".
set -eu

DEB=$(readlink -f "$1")
WORK=$2
ROOT=$WORK/root
MIRROR=${HCP_DEBIAN_MIRROR:-$(sed -n 's/^URIs: *\([^ ]*\).*/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n1)}
MIRROR=${MIRROR:-http://deb.debian.org/debian}

passed=0
failed=0
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL: $*"; }
check() {
    what=$1
    shift
    if "$@" >/dev/null 2>&1; then ok; else bad "$what"; fi
}
in_root() { chroot "$ROOT" "$@"; }

hub_pid=
cleanup() {
    if [ -n "$hub_pid" ]; then kill "$hub_pid" 2>/dev/null || true; fi
    for m in "$ROOT/proc" "$ROOT/dev/pts" "$ROOT/dev"; do
        if mountpoint -q "$m" 2>/dev/null; then umount -l "$m" || true; fi
    done
}
trap cleanup EXIT INT TERM

[ "$(id -u)" -eq 0 ] || { echo "install_test.sh needs root (chroot)" >&2; exit 2; }
rm -rf "$WORK"
mkdir -p "$WORK"

echo "bootstrapping Debian 12 from $MIRROR with $(basename "$DEB") …"
start=$(date +%s)
mmdebstrap --variant=apt --mode=root --include=ca-certificates --include="$DEB" \
    --hook-dir=/usr/share/mmdebstrap/hooks/file-mirror-automount \
    bookworm "$ROOT" "$MIRROR" >"$WORK/mmdebstrap.log" 2>&1 ||
    { tail -n 30 "$WORK/mmdebstrap.log"; echo "FAIL: mmdebstrap"; exit 1; }
echo "FIG package_test bootstrap_secs=$(($(date +%s) - start))"
mount -t proc proc "$ROOT/proc"
mount --bind /dev "$ROOT/dev"
cp "$DEB" "$ROOT/tmp/hcp-kiosk.deb"

# --- what postinst made on a first install ---
check "package installed" sh -c "chroot '$ROOT' dpkg-query -W -f='\${Status}' hcp-kiosk | grep -q 'install ok installed'"
check "system account hcp" sh -c "chroot '$ROOT' getent passwd hcp | grep -q ':/var/lib/hcp-kiosk:/usr/sbin/nologin$'"
check "group hcp-print" in_root getent group hcp-print
check "/var/lib/hcp-kiosk is hcp:hcp 0750" test "$(in_root stat -c '%U:%G %a' /var/lib/hcp-kiosk)" = "hcp:hcp 750"
check "store key is hcp's, 0600" test "$(in_root stat -c '%U %a' /var/lib/hcp-kiosk/store.key)" = "hcp 600"
check "hall.toml is root:hcp 0640" test "$(in_root stat -c '%U:%G %a' /etc/hcp-kiosk/hall.toml)" = "root:hcp 640"
key_sum=$(in_root sha256sum /var/lib/hcp-kiosk/store.key)

# --- the installer's first step: config check names every placeholder ---
set +e
in_root hcpctl config check /etc/hcp-kiosk/hall.toml >"$WORK/check1.out" 2>&1
rc=$?
set -e
check "config check refuses the unfilled hall.toml (exit $rc)" test "$rc" -eq 1
check "config check names the placeholders" grep -q '待填写' "$WORK/check1.out"
sed -i -e 's/^code = .*/code = "NY-0001"/' -e 's/^name = .*/name = "宁阳县政务服务中心"/' \
    -e 's/^area_code = .*/area_code = "370921000000"/' -e 's/^level = .*/level = "county"/' \
    -e 's/^id = .*/id = "hub-01"/' -e 's/^roles = .*/roles = ["hub"]/' -e 's/^preset = .*/preset = "taian"/' \
    "$ROOT/etc/hcp-kiosk/hall.toml"
check "config check accepts the filled hall.toml" in_root hcpctl config check /etc/hcp-kiosk/hall.toml
in_root hcpctl config check /etc/hcp-kiosk/hall.toml >"$WORK/check2.out" 2>&1 || true

# --- the hub, as the service account, as hcp-hub.service would run it ---
# chroot itself in the background (not through in_root: a function would run in a subshell,
# and $! would be the subshell's pid, not the hub's): chroot and setpriv exec, so the pid is the hub's.
chroot "$ROOT" setpriv --reuid=hcp --regid=hcp --init-groups hcpctl hub --config /etc/hcp-kiosk/hall.toml \
    --listen 127.0.0.1:0 >"$WORK/hub.out" 2>&1 &
hub_pid=$!
port=
i=0
while [ $i -lt 100 ] && [ -z "$port" ]; do
    port=$(sed -n 's#.*serving on http://127.0.0.1:\([0-9]*\)/api/v1.*#\1#p' "$WORK/hub.out")
    [ -n "$port" ] || sleep 0.1
    i=$((i + 1))
done
if [ -n "$port" ]; then
    ok
    check "hub answers /api/v1/health" sh -c "curl -fsS --max-time 5 http://127.0.0.1:$port/api/v1/health | grep -q ok"
else
    bad "hub did not start: $(cat "$WORK/hub.out")"
fi
kill -TERM "$hub_pid" 2>/dev/null || true
set +e
wait "$hub_pid"
hub_rc=$?
set -e
hub_pid=
check "hub stops cleanly on SIGTERM (exit $hub_rc)" test "$hub_rc" -eq 0
check "hub created its database as hcp, 0600" test "$(in_root stat -c '%U %a' /var/lib/hcp-kiosk/hub.db)" = "hcp 600"
cat "$WORK/hub.out"

# --- the screen program, headless, from the installed files only (fonts, screen texts) ---
cp "$(dirname "$0")/../ui/scripts/good_rating.hcp" "$ROOT/tmp/good_rating.hcp"
mkdir -p "$ROOT/tmp/kiosk-smoke"
chown "$(in_root id -u hcp):$(in_root id -g hcp)" "$ROOT/tmp/kiosk-smoke"
set +e
# --no-upload: the demo configuration uploads to the demo platform with a secret only the demo has.
in_root setpriv --reuid=hcp --regid=hcp --init-groups hcp-kiosk --headless --no-upload \
    --config /usr/share/hcp-kiosk/assets/config/demo-hall.toml --data-dir /tmp/kiosk-smoke \
    --script /tmp/good_rating.hcp --shots /tmp/kiosk-smoke >"$WORK/kiosk.out" 2>&1
kiosk_rc=$?
set -e
check "hcp-kiosk runs a headless rating from the installed assets (exit $kiosk_rc)" test "$kiosk_rc" -eq 0
[ "$kiosk_rc" -eq 0 ] || tail -n 5 "$WORK/kiosk.out"

# --- installed footprint ---
# shellcheck disable=SC2016 # expanded inside the root, not here
installed_kib=$(in_root dpkg-query -W -f='${Installed-Size}' hcp-kiosk)
# shellcheck disable=SC2016
files_bytes=$(in_root sh -c 'dpkg -L hcp-kiosk | while read -r f; do [ -f "$f" ] && [ ! -L "$f" ] && echo "$f"; done | xargs du -cb | tail -n1 | cut -f1')
echo "FIG package_test deb_bytes=$(stat -c %s "$DEB") installed_size_kib=$installed_kib installed_files_bytes=$files_bytes"

# --- reinstall, remove, install again: data and key survive; purge deletes them ---
echo '# 安装人员的修改 / an installer edit' >>"$ROOT/etc/hcp-kiosk/hall.toml"
in_root dpkg -i /tmp/hcp-kiosk.deb >"$WORK/reinstall.log" 2>&1 || { cat "$WORK/reinstall.log"; bad "reinstall"; }
check "reinstall keeps the store key" test "$(in_root sha256sum /var/lib/hcp-kiosk/store.key)" = "$key_sum"
check "reinstall keeps the database" test -s "$ROOT/var/lib/hcp-kiosk/hub.db"
check "reinstall keeps the installer's hall.toml" grep -q '^code = "NY-0001"' "$ROOT/etc/hcp-kiosk/hall.toml"
in_root dpkg -r hcp-kiosk >"$WORK/remove.log" 2>&1 || { cat "$WORK/remove.log"; bad "remove"; }
check "remove keeps the store key" test "$(in_root sha256sum /var/lib/hcp-kiosk/store.key)" = "$key_sum"
check "remove keeps the database" test -s "$ROOT/var/lib/hcp-kiosk/hub.db"
check "remove keeps hall.toml (conffile)" grep -q '^code = "NY-0001"' "$ROOT/etc/hcp-kiosk/hall.toml"
check "remove takes the programs" test ! -e "$ROOT/usr/bin/hcpctl"
in_root dpkg -i /tmp/hcp-kiosk.deb >"$WORK/install2.log" 2>&1 || { cat "$WORK/install2.log"; bad "install after remove"; }
check "install after remove reuses the key" test "$(in_root sha256sum /var/lib/hcp-kiosk/store.key)" = "$key_sum"
check "install after remove: data dir still hcp 0750" test "$(in_root stat -c '%U:%G %a' /var/lib/hcp-kiosk)" = "hcp:hcp 750"
check "install after remove: config still accepted" in_root hcpctl config check /etc/hcp-kiosk/hall.toml
in_root dpkg -P hcp-kiosk >"$WORK/purge.log" 2>&1 || { cat "$WORK/purge.log"; bad "purge"; }
check "purge deletes the data" test ! -e "$ROOT/var/lib/hcp-kiosk"
check "purge deletes the configuration" test ! -e "$ROOT/etc/hcp-kiosk/hall.toml"
check "purge leaves no statoverride" sh -c "! chroot '$ROOT' dpkg-statoverride --list | grep -q hcp-kiosk"
in_root dpkg -i /tmp/hcp-kiosk.deb >"$WORK/install3.log" 2>&1 || { cat "$WORK/install3.log"; bad "install after purge"; }
check "install after purge makes a new key" sh -c "test \"\$(chroot '$ROOT' sha256sum /var/lib/hcp-kiosk/store.key)\" != '$key_sum'"

# --- a full disk at install time: postinst says what is wrong, dpkg --configure -a recovers ---
in_root dpkg -P hcp-kiosk >/dev/null 2>&1
mkdir -p "$ROOT/var/lib/hcp-kiosk"
mount -t tmpfs -o size=4k tmpfs "$ROOT/var/lib/hcp-kiosk"
dd if=/dev/zero of="$ROOT/var/lib/hcp-kiosk/ballast" bs=1k count=64 2>/dev/null || true
set +e
in_root dpkg -i /tmp/hcp-kiosk.deb >"$WORK/full.log" 2>&1
full_rc=$?
set -e
check "install on a full data disk fails (exit $full_rc)" test "$full_rc" -ne 0
check "and says the disk may be full, and how to go on" grep -q 'df -h.*dpkg --configure -a' "$WORK/full.log"
sed -n '/hcp-kiosk:/p' "$WORK/full.log"
rm -f "$ROOT/var/lib/hcp-kiosk/ballast"
umount "$ROOT/var/lib/hcp-kiosk"
check "dpkg --configure -a completes once there is space" in_root dpkg --configure -a
check "and the key exists then" test -s "$ROOT/var/lib/hcp-kiosk/store.key"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
