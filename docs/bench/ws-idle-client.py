# Opens N websockets (handshake through the proxy), holds them idle, checks a sample still echoes.
import asyncio, base64, os, sys, time

HOST, PORT, N = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
HOLD = float(sys.argv[4]) if len(sys.argv) > 4 else 20

async def open_one(sem):
    async with sem:
        r, w = await asyncio.open_connection(HOST, PORT)
        key = base64.b64encode(os.urandom(16)).decode()
        w.write(("GET /ws HTTP/1.1\r\nHost: bench\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                 "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n" % key).encode())
        await w.drain()
        head = await r.readuntil(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1.1 101"):
            raise RuntimeError(head[:40])
        return r, w

async def echo(r, w):
    payload = b"still alive"
    mask = os.urandom(4)
    w.write(bytes([0x81, 0x80 | len(payload)]) + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))
    await w.drain()
    h = await r.readexactly(2)
    data = await r.readexactly(h[1] & 0x7f)
    return data == payload

async def main():
    sem = asyncio.Semaphore(200)
    t0 = time.time()
    conns = await asyncio.gather(*[open_one(sem) for _ in range(N)], return_exceptions=True)
    ok = [c for c in conns if not isinstance(c, Exception)]
    errs = [c for c in conns if isinstance(c, Exception)]
    print("open %d of %d in %.1f s, errors %d %s" % (len(ok), N, time.time() - t0, len(errs), repr(errs[:1])), flush=True)
    open("ready", "w").write(str(len(ok)))
    await asyncio.sleep(HOLD)
    sample = ok[:: max(1, len(ok) // 200)]
    results = await asyncio.gather(*[echo(r, w) for r, w in sample], return_exceptions=True)
    print("sample echo ok %d of %d" % (sum(1 for x in results if x is True), len(sample)), flush=True)
    for r, w in ok:
        w.close()

asyncio.run(main())
