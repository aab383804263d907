#!/usr/bin/env bash
# Installs the Debian package on this machine and runs it as its systemd unit
# would, without systemd: `dpkg -i`, `portico -t` on the installed configuration,
# the service started as the "portico" user with only CAP_NET_BIND_SERVICE on
# port 80 (in a network namespace of its own) and the file system read-only but
# for its ReadWritePaths, the welcome page, a reload, a log rotation, an upgrade
# that keeps a changed conffile, the optional "nginx" alternative, a graceful
# stop, and `dpkg --purge`. `systemd-analyze verify` checks the unit where it is
# installed. Leaves nothing behind: processes, namespace, package, user.
#
# Usage (as root): packaging/test-deb.sh target/portico_VERSION_amd64.deb
# Needs: dpkg, iproute2 (ip netns), util-linux (setpriv, unshare), curl, logrotate.
set -euo pipefail

deb=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd -P)
repo=$(dirname "$here")
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
ns=portico-deb-$$
tmp=$(mktemp -d /var/tmp/portico-test-deb.XXXXXX) # not /tmp: the service gets a /tmp of its own

test_name=test-deb
failure_logs() { echo /var/log/portico/error.log "$tmp/start.log"; }
# shellcheck source=packaging/test-lib.sh
source "$here/test-lib.sh"
pidfile=/run/portico/portico.pid
user_existed=no
if getent passwd portico >/dev/null; then
    user_existed=yes
fi
installed=no


cleanup() {
    set +e
    if [ -s "$pidfile" ]; then
        main=$(cat "$pidfile")
        kill -TERM "$main" 2>/dev/null
        for _ in $(seq 50); do kill -0 "$main" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$main" 2>/dev/null
    fi
    if [ "$installed" = yes ]; then
        dpkg --purge portico >/dev/null 2>&1
    fi
    if [ "$user_existed" = no ] && getent passwd portico >/dev/null; then
        deluser --system portico >/dev/null 2>&1
        getent group portico >/dev/null && delgroup --system portico >/dev/null 2>&1
    fi
    ip netns del "$ns" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT

[ "$(id -u)" = 0 ] || fail "run as root (dpkg -i)"
if dpkg -s portico >/dev/null 2>&1; then
    fail "a portico package is already installed here; this test would remove it"
fi

# As the unit runs its commands: user portico, only CAP_NET_BIND_SERVICE, no new
# privileges, the environment of /etc/default/portico and systemd's PATH.
cat >"$tmp/as-service" <<'EOF_AS'
#!/bin/sh
set -a
. /etc/default/portico
set +a
exec setpriv --reuid=portico --regid=portico --init-groups \
    --inh-caps=-all,+net_bind_service --ambient-caps=-all,+net_bind_service \
    --bounding-set=-all,+net_bind_service --no-new-privs "$@"
EOF_AS
# ProtectSystem=strict, ReadWritePaths=, PrivateTmp= and RuntimeDirectory= in a
# mount namespace of its own: all read-only but the service's directories.
cat >"$tmp/confined" <<'EOF_CONFINED'
#!/bin/sh
set -e
mount --rbind / /
mount -o remount,bind,ro /
for d in /var/log/portico /var/lib/portico /run/portico; do
    mount --bind "$d" "$d"
    mount -o remount,bind,rw "$d"
done
mount -t tmpfs -o mode=1777 tmpfs /tmp
exec "$@"
EOF_CONFINED
chmod 0755 "$tmp/as-service" "$tmp/confined"
as_service() { "$tmp/as-service" "$@"; }

in_ns() { ip netns exec "$ns" "$@"; }
fetch() { in_ns curl -sS --max-time 5 "http://127.0.0.1$1"; }
serves() { [ "$(fetch "$1" 2>/dev/null)" = "$2" ]; }


# --- install ------------------------------------------------------------------
dpkg -i "$deb" >"$tmp/dpkg.log" 2>&1 || { cat "$tmp/dpkg.log"; fail "dpkg -i"; }
installed=yes
ok "dpkg -i $(basename "$deb")"
[ -x /usr/sbin/portico ] || fail "/usr/sbin/portico"
getent passwd portico >/dev/null || fail "no portico user"
[ "$(stat -c %U /var/lib/portico)" = portico ] || fail "/var/lib/portico not owned by portico"
[ "$(stat -c %U:%G /var/log/portico)" = portico:adm ] || fail "/var/log/portico not portico:adm"
conffiles=$(dpkg-query -W -f='${Conffiles}\n' portico | awk '{print $1}' | sort | tr '\n' ' ')
[ "$conffiles" = "/etc/default/portico /etc/logrotate.d/portico /etc/portico/conf.d/default.conf /etc/portico/mime.types /etc/portico/portico.conf " ] \
    || fail "conffiles: $conffiles"
ok "files, user, directories and conffiles"

# --- the installed configuration and paths --------------------------------------
out=$(portico -t 2>&1) || fail "portico -t: $out"
grep -q "the configuration file /etc/portico/portico.conf syntax is ok" <<<"$out" || fail "portico -t: $out"
# run by root, it ran as portico: the logs it opened are the service's
[ "$(stat -c %U /var/log/portico/error.log)" = portico ] || fail "portico -t as root made a root-owned error.log"
ok "portico -t (as root, run as portico): /etc/portico/portico.conf"
out=$(portico -V 2>&1)
grep -q -- "--prefix=/var/lib/portico/ --conf-path=/etc/portico/portico.conf --error-log-path=/var/log/portico/error.log --pid-path=/run/portico/portico.pid" <<<"$out" \
    || fail "portico -V: $out"
ok "portico -V names the FHS paths"

if command -v systemd-analyze >/dev/null; then
    systemd-analyze verify /lib/systemd/system/portico.service >"$tmp/verify.log" 2>&1 || { cat "$tmp/verify.log"; fail "systemd-analyze verify"; }
    ok "systemd-analyze verify portico.service"
else
    say "skipped: systemd-analyze is not installed"
fi

# --- start as the unit does, port 80 without root ----------------------------
ip netns add "$ns"
ip -n "$ns" link set lo up
install -d -o portico -g portico -m 0755 /run/portico # RuntimeDirectory=portico
as_service /usr/sbin/portico -t -q || fail "ExecStartPre: portico -t -q"
# ExecStart (Type=forking): returns once every listener accepts
in_ns unshare --mount --propagation private "$tmp/confined" "$tmp/as-service" /usr/sbin/portico \
    >"$tmp/start.log" 2>&1 || fail "ExecStart: /usr/sbin/portico"
[ -s "$pidfile" ] || fail "no pid file once the start command returned"
main=$(cat "$pidfile")
[ "$(ps -o user= -p "$main")" = portico ] || fail "the master does not run as portico"
jvm=$(pgrep -P "$main" java || true)
[ -n "$jvm" ] && [ "$(ps -o user= -p "$jvm")" = portico ] || fail "the JVM does not run as portico"
grep -q '^CapEff:.*0000000000000400$' "/proc/$jvm/status" || fail "the JVM's capabilities: $(grep Cap "/proc/$jvm/status")"
ok "started as portico (pid $main), JVM $jvm with CAP_NET_BIND_SERVICE only"

page=$(fetch /) || fail "GET /"
grep -q "Welcome to Portico" <<<"$page" || fail "GET /: $page"
[ "$(fetch /healthz)" = ok ] || fail "GET /healthz"
ok "welcome page and /healthz on port 80"
grep -q '"GET / HTTP/1.1" 200' /var/log/portico/access.log || fail "access log"
ok "access log in /var/log/portico"

# --- reload (ExecReload), as an administrator changes a conffile ---------------
sed -i 's|^    location = /healthz {|    location = /reloaded {\n        return 200 "reloaded\\n";\n    }\n\n&|' /etc/portico/conf.d/default.conf
as_service /usr/sbin/portico -t -q || fail "ExecReload: portico -t -q"
as_service /usr/sbin/portico -s reload || fail "ExecReload: portico -s reload"
await "the reloaded configuration" serves /reloaded reloaded
[ "$(cat "$pidfile")" = "$main" ] || fail "the master changed on reload"
ok "reload: the changed configuration serves, same master"

# --- log rotation: logrotate renames, the postrotate script sends -s reopen ---
if command -v logrotate >/dev/null; then
    logrotate -f -s "$tmp/logrotate.state" /etc/logrotate.d/portico 2>"$tmp/logrotate.log" || { cat "$tmp/logrotate.log"; fail "logrotate"; }
    [ -f /var/log/portico/access.log.1 ] || fail "access.log not rotated"
    # the signal is logged in the old file, later lines in the new one (see the stop below)
    await "the reopen signal" grep -q "reopening logs" /var/log/portico/error.log.1
    fetch / >/dev/null
    await "a request in the new access.log" grep -q '"GET / HTTP/1.1" 200' /var/log/portico/access.log
    [ "$(stat -c %U:%G /var/log/portico/access.log)" = portico:adm ] || fail "new access.log owner"
    ok "logrotate: rotated, reopened, new files portico:adm"
else
    say "skipped: logrotate is not installed"
fi

# --- upgrade: the changed conffile stays ----------------------------------------
version=$(dpkg-query -W -f='${Version}' portico)
tree=$(ls -d "$repo"/target/portico-*/ | head -n 1)
sh "$here/deb/build.sh" "$tree" "$version+upgrade" "$tmp" >/dev/null
DEBIAN_FRONTEND=noninteractive dpkg -i --force-confdef --force-confold "$tmp/portico_${version}+upgrade_amd64.deb" \
    >"$tmp/dpkg.log" 2>&1 || { cat "$tmp/dpkg.log"; fail "upgrade"; }
[ "$(dpkg-query -W -f='${Version}' portico)" = "$version+upgrade" ] || fail "upgraded version"
grep -q "location = /reloaded" /etc/portico/conf.d/default.conf || fail "the changed conffile was replaced on upgrade"
ok "upgrade to $version+upgrade keeps the changed /etc/portico/conf.d/default.conf"

# --- the optional "nginx" name (documented with /usr/sbin/nginx; elsewhere where nginx is installed)
link=
for l in /usr/sbin/nginx /usr/local/sbin/nginx; do
    if [ ! -e "$l" ] && [ ! -L "$l" ]; then
        link=$l
        break
    fi
done
if [ -n "$link" ]; then
    update-alternatives --install "$link" nginx /usr/sbin/portico 10 >/dev/null
    out=$("$link" -v 2>&1)
    grep -q "^nginx version: nginx/.* (portico/" <<<"$out" || fail "nginx -v: $out"
    ok "update-alternatives: $link -v says $out"
else
    say "skipped: nginx is installed at both /usr/sbin/nginx and /usr/local/sbin/nginx"
fi

# --- graceful stop (ExecStop), then wait for the main process as the unit does -
as_service /usr/sbin/portico -s quit || fail "ExecStop: portico -s quit"
await "the main process to exit" sh -c "! kill -0 $main 2>/dev/null"
[ ! -e "$pidfile" ] || fail "pid file left after stop"
grep -q "gracefully shutting down" /var/log/portico/error.log || fail "no graceful stop in the error log"
ok "portico -s quit: graceful stop, pid file removed"

# --- purge ----------------------------------------------------------------------------
dpkg --purge portico >"$tmp/dpkg.log" 2>&1 || { cat "$tmp/dpkg.log"; fail "dpkg --purge"; }
installed=no
for p in /etc/portico /var/log/portico /var/lib/portico /usr/share/portico /usr/sbin/portico /etc/default/portico /etc/logrotate.d/portico; do
    [ ! -e "$p" ] || fail "$p left after purge"
done
if [ -n "$link" ] && { [ -e "$link" ] || [ -L "$link" ]; }; then
    fail "the nginx alternative $link left after purge"
fi
ok "dpkg --purge removes configuration, logs and state"

say "all $checks checks passed"
