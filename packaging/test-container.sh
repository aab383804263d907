#!/usr/bin/env bash
# The container image (Containerfile). Where a container engine works (docker or
# podman), builds the image, runs it, waits for its HEALTHCHECK, fetches the
# welcome page and stops it with the engine's stop command (STOPSIGNAL SIGQUIT):
# exit status 0 after a graceful stop.
#
# Where none works, says so and skips the build, then checks what the image runs
# without an engine: the image's file layout (packaging/stage.sh container),
# relocated under a temporary root, started with the image's CMD as an
# unprivileged user, as PID 1 of a PID namespace of its own (as in a container),
# in a network namespace of its own; the image's HEALTHCHECK command; a
# Kubernetes-style ConfigMap update of /etc/portico (a "..data" symlink swap)
# served through PORTICO_WATCH_CONFIG=on; and SIGQUIT to PID 1 (what the engine
# sends) while a slow request is in flight: the listener closes, the request
# completes, the exit status is 0.
#
# Usage (as root): packaging/test-container.sh [RELEASE_TREE]   (default target/portico-*/)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd -P)
repo=$(dirname "$here")
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
tree=${1:-$(ls -d "$repo"/target/portico-*/ 2>/dev/null | head -n 1)}
tmp=$(mktemp -d /var/tmp/portico-test-container.XXXXXX)

test_name=test-container
failure_logs() { echo "$tmp"/*.log; }
AWAIT_TRIES=300
# shellcheck source=packaging/test-lib.sh
source "$here/test-lib.sh"
ns=portico-ctr-$$
pids=()


engine=
for e in docker podman; do
    if command -v "$e" >/dev/null 2>&1 && "$e" info >/dev/null 2>&1; then
        engine=$e
        break
    fi
done

cleanup() {
    set +e
    for p in "${pids[@]}"; do
        kill -KILL "$p" 2>/dev/null && wait "$p" 2>/dev/null
    done
    if [ -n "${cid:-}" ]; then
        "$engine" rm -f "$cid" >/dev/null 2>&1
    fi
    if [ -n "${image:-}" ]; then
        "$engine" rmi -f "$image" >/dev/null 2>&1
    fi
    ip netns del "$ns" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT

# --- with a container engine: the image itself --------------------------------
if [ -n "$engine" ]; then
    image=portico-test:$$
    "$engine" build -f "$repo/Containerfile" -t "$image" "$repo" >"$tmp/build.log" 2>&1 || fail "$engine build"
    ok "$engine build -f Containerfile"
    cid=$("$engine" run -d -p 127.0.0.1::8080 "$image")
    await "the HEALTHCHECK to pass" sh -c "[ \"\$($engine inspect -f '{{.State.Health.Status}}' $cid)\" = healthy ]"
    port=$("$engine" port "$cid" 8080 | head -n 1 | sed 's/.*://')
    curl -fsS "http://127.0.0.1:$port/" | grep -q "Welcome to Portico" || fail "GET / from the container"
    [ "$("$engine" exec "$cid" id -u)" = 10001 ] || fail "the container does not run as uid 10001"
    ok "healthy, serving the welcome page as uid 10001"
    "$engine" stop -t 40 "$cid" >/dev/null
    [ "$("$engine" inspect -f '{{.State.ExitCode}}' "$cid")" = 0 ] || fail "exit status after $engine stop"
    "$engine" logs "$cid" 2>&1 | grep -q "gracefully shutting down" || fail "no graceful stop in the logs"
    ok "$engine stop (SIGQUIT): graceful, exit status 0"
else
    say "SKIPPED the image build and run: no container engine works here" \
        "($({ docker info 2>&1 || true; } | grep -m1 -i 'cannot connect\|error' || echo 'docker and podman absent'))"
fi

# --- without an engine: what the image runs ------------------------------------
[ -n "$tree" ] && [ -f "$tree/lib/portico.jar" ] || fail "no release tree: build with mvn -B -DskipTests -Prelease package"
root=$tmp/root
sh "$here/stage.sh" container "$tree" "$root" "$root"
chmod 0755 "$tmp"
uid=10001 # the image's user
chown "$uid:$uid" "$root/var/lib/portico" "$root/run/portico"

# a slow application behind a location of its own: a request in flight at the stop
cat >"$root/etc/portico/conf.d/slow.conf" <<'EOF'
server {
    listen 8081;
    location /slow {
        proxy_pass http://127.0.0.1:18081;
    }
}
EOF
cat >"$tmp/slow.py" <<'EOF'
import http.server, sys, time
class Slow(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        open(sys.argv[1], "w").close()  # the request arrived
        time.sleep(3)
        body = b"slow done\n"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
http.server.HTTPServer(("127.0.0.1", 18081), Slow).serve_forever()
EOF

# /etc/portico as Kubernetes mounts a ConfigMap volume: files are symlinks into
# ..data, a symlink to a timestamped directory that an update replaces
configmap() {
    local dir=$1 version=$2
    mkdir -p "$dir/..$version"
    cp -R "$tmp/conf/." "$dir/..$version/"
    ln -sfn "..$version" "$dir/..data_tmp"
    mv -T "$dir/..data_tmp" "$dir/..data"
}
mkdir -p "$tmp/conf"
cp -R "$root/etc/portico/." "$tmp/conf/"
rm -rf "$root/etc/portico"
mkdir -p "$root/etc/portico"
configmap "$root/etc/portico" 2026_01_01_00_00_00.1
for f in portico.conf mime.types conf.d; do
    ln -s "..data/$f" "$root/etc/portico/$f"
done

ip netns add "$ns"
ip -n "$ns" link set lo up
ip netns exec "$ns" /usr/bin/python3 "$tmp/slow.py" "$tmp/slow-arrived" &
pids+=($!)

# the image's CMD, as its user, as PID 1 of its own PID namespace; its standard
# output and error belong to that user, as runc and conmon hand them over (so
# that "access_log /dev/stdout" can open them)
java_home=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
install -o "$uid" -g "$uid" -m 0600 /dev/null "$tmp/stdout.log"
install -o "$uid" -g "$uid" -m 0600 /dev/null "$tmp/stderr.log"
ip netns exec "$ns" unshare --pid --fork --mount-proc \
    setpriv --reuid="$uid" --regid="$uid" --clear-groups \
    env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin JAVA_HOME="$java_home" PORTICO_WATCH_CONFIG=on \
    "$root/usr/sbin/portico" -g "daemon off;" >"$tmp/stdout.log" 2>"$tmp/stderr.log" &
outer=$!
pids+=($outer)
await "PID 1 of the container" pgrep -P "$outer"
pid1=$(pgrep -P "$outer")
pids+=($pid1)
grep -q '^NSpid:.*[[:space:]]1$' "/proc/$pid1/status" || fail "the launcher is not PID 1 in its namespace"

in_ns() { ip netns exec "$ns" "$@"; }
await "the HEALTHCHECK command to pass" in_ns "$root/usr/share/portico/bin/healthcheck" 8080
ok "HEALTHCHECK passes (launcher is PID 1, uid $uid, daemon off)"
in_ns curl -fsS http://127.0.0.1:8080/ | grep -q "Welcome to Portico" || fail "GET /"
await "the access log on standard output" grep -q '"GET / HTTP/1.1" 200' "$tmp/stdout.log"
grep -q "start worker processes" "$tmp/stderr.log" || fail "no error log on standard error"
ok "welcome page; access log on stdout, error log on stderr"

# a ConfigMap update: new files, the ..data symlink swapped, the old directory removed
sed -i 's|^    location = /healthz {|    location = /version {\n        return 200 "v2\\n";\n    }\n\n&|' "$tmp/conf/conf.d/default.conf"
configmap "$root/etc/portico" 2026_01_01_00_01_00.2
rm -rf "$root/etc/portico/..2026_01_01_00_00_00.1"
served() { [ "$(in_ns curl -sS --max-time 5 http://127.0.0.1:8080/version 2>/dev/null)" = v2 ]; }
await "the updated ConfigMap served" served
ok "ConfigMap update (..data swap) served through PORTICO_WATCH_CONFIG=on"

# the engine's stop: SIGQUIT to PID 1 while a request is in flight
in_ns curl -sS --max-time 20 http://127.0.0.1:8081/slow >"$tmp/slow.out" 2>"$tmp/slow.err" &
slow=$!
pids+=($slow)
await "the slow request at the application" test -e "$tmp/slow-arrived"
kill -QUIT "$pid1"
await "the listener to close" sh -c "! ip netns exec $ns $root/usr/share/portico/bin/healthcheck 8080"
wait "$slow" || fail "the request in flight failed: $(cat "$tmp/slow.err")"
[ "$(cat "$tmp/slow.out")" = "slow done" ] || fail "the request in flight: $(cat "$tmp/slow.out")"
status=0
wait "$outer" || status=$?
[ "$status" = 0 ] || fail "exit status $status after SIGQUIT"
grep -q "gracefully shutting down" "$tmp/stderr.log" || fail "no graceful stop in the error log"
! grep -q "Full thread dump" "$tmp/stdout.log" "$tmp/stderr.log" || fail "SIGQUIT reached the JVM (thread dump)"
ok "SIGQUIT to PID 1: listener closed, the request in flight completed, exit status 0"

say "all $checks checks passed"
