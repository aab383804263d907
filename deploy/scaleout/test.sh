#!/usr/bin/env bash
# Scale-out on one machine (docs/scaling.md): three Portico replicas, each in a
# network namespace of its own, behind HAProxy in TCP mode (an L4 balancer) in
# another, which sends the PROXY protocol; clients in a third. Addresses are
# 198.18.0.0/15 (RFC 2544's benchmarking range), inside these namespaces only.
#
#   client 198.18.0.1 --- 198.18.0.2:80 HAProxy --- 198.18.N.2:8080 replica rN (N = 1..3)
#                                       198.18.N.1
#
# Each replica serves "/" by proxying to an application (a server block of its
# own on 127.0.0.1:8081) that answers with what it was told: the replica and the
# client address (X-Real-IP, X-Forwarded-For).
#
# Under keep-alive load (loadclient.py), replica r1 is stopped gracefully, as an
# orchestrator does it: drained at the balancer (no new connections), then
# `portico -s quit` (requests in flight finish); then replica r2 is killed
# (SIGKILL). It checks that no request failed; that every request r1 logged
# reached its client (r1's access log and the client's count agree); that the
# clients whose connection was on r1 or on r2 went on through another replica;
# that every application saw the real client address; and that the balancer's
# health checks took r2 out.
#
# With --measure, first measures throughput through the balancer with wrk:
# 1 replica enabled, then 3 (docs/scaling.md has the figures).
#
# Usage (as root): deploy/scaleout/test.sh [--measure] [RELEASE_TREE]
# Needs: iproute2, haproxy, python3, curl; wrk for --measure.
set -euo pipefail

measure=no
if [ "${1:-}" = --measure ]; then
    measure=yes
    shift
fi
here=$(cd "$(dirname "$0")" && pwd -P)
repo=$(cd "$here/../.." && pwd -P)
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
tree=${1:-$(ls -d "$repo"/target/portico-*/ 2>/dev/null | head -n 1)}
tmp=$(mktemp -d /var/tmp/portico-scaleout.XXXXXX)

test_name=scaleout
failure_logs() { echo "$tmp"/r*/logs/error.log "$tmp"/*.log; }
# shellcheck source=packaging/test-lib.sh
source "$here/../../packaging/test-lib.sh"
tag=$$
client_ns=pso-c-$tag
lb_ns=pso-lb-$tag
client=198.18.0.1
vip=198.18.0.2
pids=()

replica_ns() { echo "pso-r$1-$tag"; }

cleanup() {
    set +e
    for i in 1 2 3; do
        pidfile=$tmp/r$i/logs/nginx.pid
        if [ -s "$pidfile" ]; then
            master=$(cat "$pidfile")
            jvm=$(pgrep -P "$master")
            kill -KILL "$master" $jvm 2>/dev/null
        fi
    done
    for p in "${pids[@]}"; do
        kill -KILL "$p" 2>/dev/null && wait "$p" 2>/dev/null
    done
    for ns in "$client_ns" "$lb_ns" "$(replica_ns 1)" "$(replica_ns 2)" "$(replica_ns 3)"; do
        ip netns del "$ns" 2>/dev/null
    done
    rm -rf "$tmp"
}
trap cleanup EXIT

[ -n "$tree" ] && [ -x "$tree/bin/portico" ] || fail "no release tree: build with mvn -B -DskipTests -Prelease package"
command -v haproxy >/dev/null || fail "haproxy is not installed"
chmod 0755 "$tmp"

# --- the network --------------------------------------------------------------
ip netns add "$client_ns"
ip netns add "$lb_ns"
ip link add c0 netns "$client_ns" type veth peer name lb0 netns "$lb_ns"
ip -n "$client_ns" addr add "$client/30" dev c0
ip -n "$lb_ns" addr add "$vip/30" dev lb0
for ns in "$client_ns" "$lb_ns"; do
    ip -n "$ns" link set lo up
done
ip -n "$client_ns" link set c0 up
ip -n "$lb_ns" link set lb0 up
for i in 1 2 3; do
    ns=$(replica_ns "$i")
    ip netns add "$ns"
    ip link add "lb$i" netns "$lb_ns" type veth peer name eth0 netns "$ns"
    ip -n "$lb_ns" addr add "198.18.$i.1/30" dev "lb$i"
    ip -n "$ns" addr add "198.18.$i.2/30" dev eth0
    ip -n "$lb_ns" link set "lb$i" up
    ip -n "$ns" link set lo up
    ip -n "$ns" link set eth0 up
done

# --- three replicas -------------------------------------------------------------
for i in 1 2 3; do
    mkdir -p "$tmp/r$i/conf" "$tmp/r$i/logs"
    cat >"$tmp/r$i/conf/nginx.conf" <<EOF
daemon on;
worker_processes auto;
worker_shutdown_timeout 10s;
error_log logs/error.log notice;
pid logs/nginx.pid;
events { worker_connections 4096; }
http {
    log_format lb '\$remote_addr \$realip_remote_addr \$status "\$request"';
    access_log logs/access.log lb;
    upstream app {
        server 127.0.0.1:8081;
        keepalive 16;
    }
    server {
        # the balancer's connections start with a PROXY protocol header, which
        # names the client; only the balancer may name it
        listen 198.18.$i.2:8080 proxy_protocol;
        set_real_ip_from 198.18.$i.1;
        real_ip_header proxy_protocol;
        location / {
            proxy_pass http://app;
            proxy_set_header X-Real-IP \$remote_addr;
            proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
            proxy_set_header X-Replica r$i;
        }
        location = /healthz {
            access_log off;
            return 200 "ok\n";
        }
    }
    # the application: says who asked
    server {
        listen 127.0.0.1:8081;
        access_log off;
        default_type text/plain;
        location / {
            return 200 "replica=\$http_x_replica client=\$http_x_real_ip forwarded-for=\$http_x_forwarded_for\n";
        }
    }
}
EOF
    # daemon on: returns once listening
    ip netns exec "$(replica_ns "$i")" "$tree/bin/portico" -p "$tmp/r$i/" -c conf/nginx.conf >"$tmp/r$i.start.log" 2>&1 &
    starts[$i]=$!
done
for i in 1 2 3; do
    wait "${starts[$i]}" || fail "replica r$i did not start: $(cat "$tmp/r$i.start.log")"
done
say "replicas r1 r2 r3 serving"

# --- the balancer ---------------------------------------------------------------
cat >"$tmp/haproxy.cfg" <<EOF
global
    maxconn 4096
    stats socket ipv4@127.0.0.1:9999 level admin
defaults
    mode tcp
    timeout connect 2s
    timeout client 30s
    timeout server 30s
    # a refused connection goes to another replica
    retries 3
    option redispatch
frontend vip
    bind $vip:80
    default_backend portico
backend portico
    balance roundrobin
    option httpchk GET /healthz
    http-check expect status 200
    default-server send-proxy check check-send-proxy inter 200ms fall 2 rise 2
    server r1 198.18.1.2:8080
    server r2 198.18.2.2:8080
    server r3 198.18.3.2:8080
EOF
haproxy -c -q -f "$tmp/haproxy.cfg" || fail "haproxy configuration"
ip netns exec "$lb_ns" haproxy -db -f "$tmp/haproxy.cfg" >"$tmp/haproxy.log" 2>&1 &
pids+=($!)

admin() { ip netns exec "$lb_ns" bash -c 'exec 3<>/dev/tcp/127.0.0.1/9999 && echo "$1" >&3 && cat <&3' admin "$1"; }
# srv_op_state (column 6 of "show servers state"): 2 is running
up() { [ "$(admin "show servers state portico" | awk -v s="$1" '$4 == s {print $6}')" = 2 ]; }
down() { ! up "$1"; }
for s in r1 r2 r3; do
    await "$s up at the balancer" up "$s"
done
body=$(ip netns exec "$client_ns" curl -fsS --max-time 5 "http://$vip/") || fail "GET through the balancer"
say "balancer up; GET / -> $body"

# --- throughput (--measure) -------------------------------------------------------
wrk_run() {
    ip netns exec "$client_ns" wrk -t2 -c32 -d5s --latency "http://$vip$2" >"$tmp/wrk.txt"
    rps=$(awk '/^Requests\/sec/ {print $2}' "$tmp/wrk.txt")
    p99=$(awk '$1 == "99%" {print $2}' "$tmp/wrk.txt")
    errors=$(grep -c "Socket errors\|Non-2xx" "$tmp/wrk.txt" || true)
    say "$1, GET $2: $rps requests/s, p99 $p99, error lines: $errors"
}
if [ "$measure" = yes ]; then
    command -v wrk >/dev/null || fail "wrk is not installed"
    # warm-up: every JVM compiles both paths
    for path in / /healthz; do
        ip netns exec "$client_ns" wrk -t2 -c32 -d5s "http://$vip$path" >/dev/null
    done
    admin "disable server portico/r2" >/dev/null
    admin "disable server portico/r3" >/dev/null
    wrk_run "1 replica (r1), wrk -t2 -c32 -d5s" /
    wrk_run "1 replica (r1), wrk -t2 -c32 -d5s" /healthz
    admin "enable server portico/r2" >/dev/null
    admin "enable server portico/r3" >/dev/null
    for s in r2 r3; do
        await "$s up at the balancer" up "$s"
    done
    wrk_run "3 replicas, wrk -t2 -c32 -d5s" /
    wrk_run "3 replicas, wrk -t2 -c32 -d5s" /healthz
fi

# --- graceful stop of r1, kill of r2, under load ---------------------------------
# its own path, to count its requests in r1's access log
ip netns exec "$client_ns" /usr/bin/python3 "$here/loadclient.py" --host "$vip" --path /load --connections 8 \
    --until "$tmp/stop" --client "$client" --marks "$tmp/marks" >"$tmp/load.json" 2>"$tmp/load.log" &
load=$!
pids+=($load)
sleep 2
# as an orchestrator stops a replica: no new connections first, then a graceful stop
echo "drain $(date +%s.%N)" >>"$tmp/marks"
admin "set server portico/r1 state drain" >/dev/null
sleep 0.5
r1_master=$(cat "$tmp/r1/logs/nginx.pid")
"$tree/bin/portico" -p "$tmp/r1/" -c conf/nginx.conf -s quit || fail "portico -s quit on r1"
await "r1 to exit" sh -c "! kill -0 $r1_master 2>/dev/null"
say "r1 drained and stopped gracefully"
sleep 1.5
r2_master=$(cat "$tmp/r2/logs/nginx.pid")
r2_jvm=$(pgrep -P "$r2_master")
echo "kill $(date +%s.%N)" >>"$tmp/marks"
kill -KILL "$r2_jvm"
say "r2 killed (SIGKILL to its JVM, pid $r2_jvm)"
sleep 2
touch "$tmp/stop"
wait "$load" || fail "the load client: $(cat "$tmp/load.log")"
r1_logged=$(grep -c '"GET /load HTTP/1.1"' "$tmp/r1/logs/access.log" || true)

# --- what happened ----------------------------------------------------------------
/usr/bin/python3 - "$tmp/load.json" "$r1_logged" "$tmp" "$client" <<'EOF' || fail "the checks above"
import json, sys
load = json.load(open(sys.argv[1]))
r1_logged, tmp, client = int(sys.argv[2]), sys.argv[3], sys.argv[4]
problems = []
print("scaleout: %d answers in %ss, by replica %s; retried after a closed or reset connection %s (%s)"
      % (load["answered"], load["seconds"], load["by_replica"], load["retries"], load["retry_kinds"]))
if load["failures"]:
    problems.append("failed requests: %s" % load["failures"])
# every request r1 took reached its client
if load["by_replica"].get("r1", 0) != r1_logged:
    problems.append("r1 logged %d requests, its clients got %d answers" % (r1_logged, load["by_replica"].get("r1", 0)))
lines = [l for l in open(tmp + "/r1/logs/access.log").read().splitlines() if '"GET /load ' in l]
if any(l.split()[2] != "200" for l in lines):
    problems.append("r1 logged a status other than 200")
error_log = open(tmp + "/r1/logs/error.log").read()
if "gracefully shutting down" not in error_log or "at worker_shutdown_timeout" in error_log:
    problems.append("r1 did not stop gracefully within worker_shutdown_timeout")
# every replica saw the client's address, and the balancer's as the peer
for i in (1, 2, 3):
    for l in open("%s/r%d/logs/access.log" % (tmp, i)).read().splitlines():
        remote, peer = l.split()[:2]
        if remote != client or peer != "198.18.%d.1" % i:
            problems.append("r%d logged %s via %s" % (i, remote, peer))
            break
# the clients of the stopped and of the killed replica went on elsewhere
for mark, replica in (("drain", "r1"), ("kill", "r2")):
    clients = load["marks"].get(mark, {}).get(replica, [])
    if not clients:
        problems.append("no client was on %s at %s" % (replica, mark))
    for c in clients:
        elsewhere = sum(n for r, n in c["answers_after"].items() if r != replica)
        if elsewhere == 0:
            problems.append("worker %d, on %s at %s, got no answer from another replica" % (c["worker"], replica, mark))
    print("scaleout: %d clients on %s at the %s went on through %s"
          % (len(clients), replica, mark, sorted({r for c in clients for r in c["answers_after"] if r != replica})))
print("scaleout: r1 logged %d requests, all answered 200 and received" % r1_logged)
for p in problems:
    print("scaleout: problem: " + p)
sys.exit(1 if problems else 0)
EOF
await "r2 down at the balancer" down r2
say "r2 marked down by the balancer's health checks"
say "passed"
