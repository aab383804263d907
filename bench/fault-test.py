#!/usr/bin/env python3
"""Behaviour under faults: three backends behind Portico under steady wrk load; one backend is
killed, then restored. Prints failed requests seen by the client, how long the dead backend
still got attempts, and how long the restored one waited for traffic (from Portico's access log).

Usage: bench/fault-test.py CLASSPATH   (CLASSPATH: target/classes plus the runtime jars)
"""
import os, re, signal, subprocess, sys, tempfile, time

CP = sys.argv[1]
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PORTS = [28401, 28402, 28403]
FRONT = 28480
DURATION = 24
KILL_AT, RESTORE_AT = 6, 14
VICTIM = PORTS[1]

BACKEND = r'''
import sys
from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler
class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        b = b"ok %d\n" % PORT
        self.send_response(200); self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(b))); self.end_headers(); self.wfile.write(b)
    def log_message(self, *a): pass
PORT = int(sys.argv[1])
ThreadingHTTPServer.daemon_threads = True
ThreadingHTTPServer(("127.0.0.1", PORT), H).serve_forever()
'''

def backend(port):
    return subprocess.Popen([sys.executable, "-c", BACKEND, str(port)])

def main():
    prefix = tempfile.mkdtemp(prefix="portico-fault-")
    os.makedirs(prefix + "/logs")
    os.makedirs(prefix + "/conf")
    servers = "".join("        server 127.0.0.1:%d max_fails=1 fail_timeout=2s;\n" % p for p in PORTS)
    conf = f"""daemon off;
pid logs/portico.pid;
error_log logs/error.log warn;
events {{}}
http {{
    log_format t '$msec $status $upstream_addr $upstream_status';
    access_log logs/access.log t;
    upstream app {{
{servers}        keepalive 16;
    }}
    server {{
        listen 127.0.0.1:{FRONT};
        location / {{
            proxy_pass http://app;
            proxy_next_upstream error timeout;
            proxy_connect_timeout 1s;
            proxy_read_timeout 2s;
            health_check interval=1s fails=1 passes=1 uri=/;
        }}
    }}
}}
"""
    open(prefix + "/conf/portico.conf", "w").write(conf)
    procs = {p: backend(p) for p in PORTS}
    env = dict(os.environ, PORTICO_CLASSPATH=CP)
    portico = subprocess.Popen([ROOT + "/bin/portico", "-p", prefix, "-c", prefix + "/conf/portico.conf"], env=env)
    time.sleep(3)
    start = time.time()
    wrk = subprocess.Popen(["wrk", "-t2", "-c16", "-d%ds" % DURATION, "http://127.0.0.1:%d/" % FRONT],
                           stdout=subprocess.PIPE, text=True)
    time.sleep(KILL_AT)
    killed = time.time()
    procs[VICTIM].send_signal(signal.SIGKILL)
    procs[VICTIM].wait()
    time.sleep(RESTORE_AT - KILL_AT)
    restored = time.time()
    procs[VICTIM] = backend(VICTIM)
    out = wrk.communicate()[0]
    portico.send_signal(signal.SIGTERM)
    portico.wait()
    for p in procs.values():
        p.kill()
    victim = "127.0.0.1:%d" % VICTIM
    total = failed = retried = 0
    last_attempt_dead = None
    first_ok_restored = None
    for line in open(prefix + "/logs/access.log"):
        t, status, rest = line.rstrip("\n").split(" ", 2)
        t = float(t)
        if t < start:
            continue
        total += 1
        if status != "200":
            failed += 1
        # "$upstream_addr $upstream_status": "a, b 502, 200" for two attempts
        n = rest.count(",") // 2 + 1
        tokens = rest.replace(",", "").split(" ")
        addrs, statuses = tokens[:n], tokens[n:]
        if n > 1:
            retried += 1
        if victim in addrs and killed <= t < restored:
            last_attempt_dead = t
        if t >= restored and first_ok_restored is None and addrs[-1] == victim and statuses[-1] == "200":
            first_ok_restored = t
    print(out)
    print("requests logged:", total, " failed (non-200) at Portico:", failed, " answered after a retry:", retried)
    print("dead backend last attempted %.3f s after the kill" % ((last_attempt_dead or killed) - killed))
    print("restored backend answered %s s after its restart" %
          ("%.3f" % (first_ok_restored - restored) if first_ok_restored else "never"))

main()
