#!/usr/bin/env python3
"""10,000 open streams on one server (docs/performance.md, "Many open streams").

Copies the demo account into a temporary directory with --users users (a `users` page of its
own), runs `screenpop serve --account` on it, mints one stream ticket per user
(`POST /api/v2/events/stream-tickets`), opens one ticket-authenticated Server-Sent Events stream
per user (plain sockets read by one selector thread, no Authorization header), and then:
1. the server's resident memory (VmRSS, /proc) before the streams and with all of them open:
   the difference per stream (target: at most 16 KB);
2. --broadcasts times, one call without `users` (so: every user), and the time from the post to
   each stream's receiving it, from one client clock: p50, p99 and the last (target: every one
   within 1 s), and that every stream got every call exactly once.

    swift build -c release --product screenpop
    python3 Benchmarks/http/streams.py --users 10000
"""
import argparse
import asyncio
import json
import os
import resource
import selectors
import shutil
import socket
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serverbench as sb  # noqa: E402

TOKEN = "bench-streams-token-0123456789abcdef"
CALL = "+7 495 000-00-01"


def make_account(directory, users):
    """The demo account with `users` users (ids 1..users) instead of its three."""
    account = os.path.join(directory, "account")
    shutil.copytree(os.path.join(sb.ROOT, "Examples/demo-account"), account)
    page = {"_embedded": {"users": [{"id": i, "name": "Agent %d" % i} for i in range(1, users + 1)]}}
    with open(os.path.join(account, "users.json"), "w") as f:
        json.dump(page, f)
    with open(os.path.join(account, "api-token"), "w") as f:
        f.write(TOKEN)
    return account


async def request(port, method, path, body=None, headers=None):
    """One HTTP/1.1 request on a new connection; (status, body)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    data = body.encode() if body else b""
    lines = ["%s %s HTTP/1.1" % (method, path), "Host: 127.0.0.1", "Connection: close",
             "Content-Length: %d" % len(data)] + ["%s: %s" % item for item in (headers or {}).items()]
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + data)
    await writer.drain()
    response = await reader.read()
    writer.close()
    head, _, rest = response.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), rest


async def mint_all(port, users, concurrency=64):
    tickets = {}
    queue = list(range(1, users + 1))

    async def worker():
        while queue:
            user = queue.pop()
            status, body = await request(port, "POST", "/api/v2/events/stream-tickets", json.dumps({"user_id": user}),
                                         {"Authorization": "Bearer " + TOKEN, "Content-Type": "application/json"})
            if status != 200:
                raise RuntimeError("mint for %d: %d %s" % (user, status, body[:200]))
            tickets[user] = json.loads(body)["ticket"]
    await asyncio.gather(*[worker() for _ in range(concurrency)])
    return tickets


class Stream:
    """One open stream on a plain socket: the uids it received and when (time.monotonic())."""

    def __init__(self, user):
        self.user = user
        self.received = []  # (monotonic time, uid)
        self.sock = None

    def open(self, port, ticket):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.sock.sendall(("GET /api/v2/events/stream?ticket=%s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                           "Accept: text/event-stream\r\n\r\n" % ticket).encode())
        head = b""
        while b": connected\n\n" not in head:
            data = self.sock.recv(4096)
            if not data:
                raise RuntimeError("stream of user %d closed: %r" % (self.user, head[:200]))
            head += data
        if b" 200 " not in head.split(b"\r\n", 1)[0]:
            raise RuntimeError("stream of user %d: %r" % (self.user, head[:200]))
        self.sock.setblocking(False)


def read_all(streams, stop):
    """Reads every stream's socket until `stop`; records (arrival time, uid) of each event."""
    selector = selectors.DefaultSelector()
    pending = {}
    for stream in streams:
        selector.register(stream.sock, selectors.EVENT_READ, stream)
        pending[stream.sock.fileno()] = b""
    marker = b'"uid":"'
    while not stop.is_set():
        for key, _ in selector.select(timeout=0.1):
            now = time.monotonic()
            try:
                data = key.fileobj.recv(1 << 16)
            except BlockingIOError:
                continue
            if not data:
                selector.unregister(key.fileobj)
                continue
            buffer = pending[key.fd] + data
            start = 0
            while True:
                found = buffer.find(marker, start)
                if found < 0 or found + len(marker) + 36 > len(buffer):
                    break
                uid = buffer[found + len(marker):found + len(marker) + 36].decode()
                key.data.received.append((now, uid))
                start = found + len(marker) + 36
            pending[key.fd] = buffer[start:][-64:]


async def run(args, server, result):
    port = server.port
    sb.log("minting %d tickets" % args.users)
    start = time.monotonic()
    tickets = await mint_all(port, args.users)
    result["mint_seconds"] = round(time.monotonic() - start, 2)
    rss_before, _ = server.memory()
    sb.log("opening %d streams" % args.users)
    streams = [Stream(user) for user in range(1, args.users + 1)]
    start = time.monotonic()
    for s in streams:
        s.open(port, tickets[s.user])
    result["open_seconds"] = round(time.monotonic() - start, 2)
    # One thread reads every stream's socket with a selector: the events' arrival times are taken as
    # soon as the bytes are read. (asyncio's per-stream wakeups and JSON parsing cost the client more
    # than the server spends writing: 10 s to read 10,000 events, of a server mostly idle.)
    stop = threading.Event()
    reader = threading.Thread(target=read_all, args=(streams, stop), daemon=True)
    reader.start()
    await asyncio.sleep(2)
    rss_open, hwm = server.memory()
    result["rss_before_streams"] = rss_before
    result["rss_with_streams"] = rss_open
    result["bytes_per_stream"] = round((rss_open - rss_before) / args.users)
    sb.log("%d streams open: %d bytes a stream" % (args.users, result["bytes_per_stream"]))
    latencies = []
    uids = []
    for _ in range(args.broadcasts):
        posted = time.monotonic()
        status, body = await request(port, "POST", "/api/v2/events",
                                     json.dumps({"add": [{"type": "phone_call", "phone_number": CALL}]}),
                                     {"Authorization": "Bearer " + TOKEN, "Content-Type": "application/json"})
        if status != 200:
            raise RuntimeError("post: %d %s" % (status, body[:200]))
        uid = json.loads(body)["_embedded"]["items"][0]["uid"]
        uids.append(uid)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if all(any(u == uid for _, u in s.received) for s in streams):
                break
            await asyncio.sleep(0.05)
        for s in streams:
            times = [t for t, u in s.received if u == uid]
            latencies.append((times[0] - posted) if times else float("inf"))
        await asyncio.sleep(0.5)
    exact = all(sorted(u for _, u in s.received) == sorted(uids) for s in streams)
    result["every_stream_got_every_call_once"] = exact
    finite = [x for x in latencies if x != float("inf")]
    result["missing"] = len(latencies) - len(finite)
    result["delivery_ms"] = {"p50": round(sb.percentile(finite, 50) * 1000, 1),
                             "p99": round(sb.percentile(finite, 99) * 1000, 1),
                             "max": round(max(finite) * 1000, 1) if finite else None}
    stop.set()
    reader.join(5)
    for s in streams:
        s.sock.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--broadcasts", type=int, default=5)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if hard < args.users + 100:
        sys.exit("the open-file limit (%d) is below --users + 100" % hard)
    directory = tempfile.mkdtemp(prefix="screenpop-streams-")
    result = {"benchmark": "streams", "commit": sb.git_commit(), "users": args.users,
              "load_start": sb.load_average()}
    server = None
    try:
        account = make_account(directory, args.users)
        limit = str(args.users + 100)
        server = sb.Server(["--account", account, "--max-connections", limit, "--max-streams", limit,
                            "--heartbeat", "15"],
                           environment={"SCREENPOP_API_TOKEN": TOKEN})
        asyncio.run(run(args, server, result))
        result["load_end"] = sb.load_average()
        print(json.dumps(result, sort_keys=True))
    finally:
        if server:
            server.stop()
        if args.keep:
            sb.log("kept " + directory)
        else:
            shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
