#!/usr/bin/env python3
"""Keep-alive HTTP/1.1 load for deploy/scaleout/test.sh, with the accounting the
test needs: which replica answered each request (the body says), what the
application behind it saw as the client, and every way a request went wrong.

Each of --connections workers sends GET requests, one at a time, on a persistent
connection, until the file --until exists (at most --duration seconds). A
response with "Connection: close" ends its connection, as the protocol says. A request that got no byte of a response
because its connection was closed or reset (the replica stopped or died, or
closed an idle keep-alive connection) is sent again on a new connection, as
HTTP clients do with idempotent requests (RFC 9112, 9.3.1): a "retry", counted
against the replica the connection was on. Failures are: a status other than
200, a response cut off after its first byte, a body that does not name the
expected client, a request still unanswered after --give-up seconds.

At the end, reads --marks (lines "NAME EPOCH_SECONDS", written by the test while
the load runs) and prints one JSON object: totals, per-replica counts, retries,
failures, and for each mark the workers whose connection was on each replica
just before it, with their answers after it.
"""
import argparse
import collections
import json
import os
import socket
import threading
import time


def parse(argv=None):
    p = argparse.ArgumentParser()
    p.add_argument("--host", required=True)
    p.add_argument("--port", type=int, default=80)
    p.add_argument("--path", default="/")
    p.add_argument("--connections", type=int, default=8)
    p.add_argument("--duration", type=float, default=60.0, help="at most this long")
    p.add_argument("--until", help="stop once this file exists")
    p.add_argument("--give-up", type=float, default=5.0)
    p.add_argument("--client", required=True, help="the address the application must see")
    p.add_argument("--marks", required=True)
    return p.parse_args(argv)


class Cut(Exception):
    """The connection ended after part of a response."""


class Lost(Exception):
    """The connection ended before any byte of a response."""


def read_response(sock):
    """Reads one response; returns (status, body, close). Raises Lost or Cut."""
    buf = b""
    while b"\r\n\r\n" not in buf:
        try:
            chunk = sock.recv(65536)
        except (ConnectionResetError, TimeoutError, socket.timeout) as e:
            if buf:
                raise Cut(str(e))
            raise Lost(str(e))
        if not chunk:
            if buf:
                raise Cut("closed in the head")
            raise Lost("closed")
        buf += chunk
    head, _, body = buf.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    length = 0
    close = False
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name = name.strip().lower()
        if name == "content-length":
            length = int(value.strip())
        elif name == "connection" and value.strip().lower() == "close":
            close = True
    while len(body) < length:
        try:
            chunk = sock.recv(65536)
        except (ConnectionResetError, TimeoutError, socket.timeout) as e:
            raise Cut(str(e))
        if not chunk:
            raise Cut("closed in the body")
        body += chunk
    return status, body[:length].decode("latin-1"), close


class Worker(threading.Thread):
    def __init__(self, n, args, stats, deadline):
        super().__init__(daemon=True)
        self.n = n
        self.args = args
        self.stats = stats
        self.deadline = deadline
        self.answers = []  # (time, replica)
        self.sock = None
        self.replica = None  # the replica of the current connection, once one answered on it

    def connect(self):
        self.close()
        self.sock = socket.create_connection((self.args.host, self.args.port), timeout=5)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.replica = None

    def close(self):
        if self.sock is not None:
            try:
                self.sock.close()
            except OSError:
                pass
        self.sock = None

    def run(self):
        request = ("GET %s HTTP/1.1\r\nHost: %s\r\n\r\n" % (self.args.path, self.args.host)).encode()
        while time.time() < self.deadline and not os.path.exists(self.args.until or "/nonexistent/"):
            started = time.time()
            answer = None
            while answer is None:
                try:
                    if self.sock is None:
                        self.connect()
                    self.sock.sendall(request)
                    answer = read_response(self.sock)
                except Cut as e:
                    self.stats.fail("response cut off on %s: %s" % (self.replica, e))
                    self.close()
                    break
                except (Lost, OSError) as e:
                    # no byte of a response: send it again on a new connection
                    self.stats.retry(self.replica, type(e).__name__)
                    self.close()
                    if time.time() - started > self.args.give_up:
                        self.stats.fail("no answer after %.1fs (%s)" % (self.args.give_up, e))
                        return
            if answer is None:
                continue
            status, body, close = answer
            fields = dict(f.split("=", 1) for f in body.split() if "=" in f)
            replica = fields.get("replica", "?")
            self.replica = replica
            if close:
                self.close()
            if status != 200:
                self.stats.fail("status %d from %s" % (status, replica))
            elif fields.get("client") != self.args.client or fields.get("forwarded-for") != self.args.client:
                self.stats.fail("the application saw %r, not %s" % (body.strip(), self.args.client))
            else:
                now = time.time()
                self.answers.append((now, replica))
                self.stats.ok(replica)
        self.close()


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.answered = collections.Counter()
        self.retries = collections.Counter()
        self.retry_kinds = collections.Counter()
        self.failures = []

    def ok(self, replica):
        with self.lock:
            self.answered[replica] += 1

    def retry(self, replica, kind):
        with self.lock:
            self.retries[replica or "new connection"] += 1
            self.retry_kinds[kind] += 1

    def fail(self, what):
        with self.lock:
            if len(self.failures) < 50:
                self.failures.append(what)
            else:
                self.failures[-1] = "... and more"


def main():
    args = parse()
    stats = Stats()
    start = time.time()
    workers = [Worker(i, args, stats, start + args.duration) for i in range(args.connections)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    marks = {}
    try:
        with open(args.marks) as f:
            for line in f:
                name, _, t = line.strip().partition(" ")
                if name:
                    marks[name] = float(t)
    except FileNotFoundError:
        pass
    after = {}
    for name, t in marks.items():
        on = collections.defaultdict(list)
        for w in workers:
            before = [r for (at, r) in w.answers if at < t]
            later = collections.Counter(r for (at, r) in w.answers if at >= t)
            on[before[-1] if before else "none"].append(dict(worker=w.n, answers_after=dict(later)))
        after[name] = on
    print(json.dumps(dict(
        seconds=round(time.time() - start, 2),
        answered=sum(stats.answered.values()),
        by_replica=dict(stats.answered),
        retries=dict(stats.retries),
        retry_kinds=dict(stats.retry_kinds),
        failures=stats.failures,
        marks=after,
    ), indent=1, sort_keys=True))


if __name__ == "__main__":
    main()
