#!/usr/bin/env python3
"""Hostile-client scenarios against a real `screenpop serve` on loopback (docs/performance.md).

Starts the release server on the demo account, runs one scenario, prints what a good client saw and
what the server's memory did, and stops the server. The server and this script share the machine.

    swift build -c release --product screenpop
    python3 Benchmarks/http/hostile.py slow-heads --connections 19000 --seconds 40
    python3 Benchmarks/http/hostile.py form-users --users 58000
    python3 Benchmarks/http/hostile.py long-numbers --posts 768
    python3 Benchmarks/http/hostile.py slow-streams --streams 2000 --posts 2000
    python3 Benchmarks/http/hostile.py bad-tokens --attackers 32 --seconds 30

Scenarios:
  slow-heads    N connections that each send one byte of a request head per second (slowloris),
                while a good client posts an event every 100 ms: the good posts' latency, the
                attack connections the server closed, its memory.
  form-users    One form body of `add[0][users][]=1` repeated: the CPU time to its answer.
  long-numbers  Posts whose phone_number is as long as allowed (250 characters) and one longer,
                to every user: the server's memory after them (replay buffers are bounded).
  slow-streams  S live streams that never read their socket, then posts to every user: the
                posts' latency and the server's memory.
  bad-tokens    A threads that post with a new wrong token each time from 127.0.0.1, while good
                clients post every 100 ms from 127.0.0.1 and from 127.0.0.2: the attackers'
                answers (401, then slow 429s) and the good posts' latency.
"""
import argparse
import asyncio
import os
import resource
import socket
import statistics
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOKEN = "demo-token-change-me"
HOST = "127.0.0.1"


def raise_file_limit():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Server:
    def __init__(self, port, extra):
        binary = os.environ.get("SCREENPOP_BIN", os.path.join(ROOT, ".build/release/screenpop"))
        if not os.path.exists(binary):
            sys.exit(f"{binary} not found: swift build -c release --product screenpop")
        env = dict(os.environ, SCREENPOP_API_TOKEN=TOKEN)
        self.port = port
        self.process = subprocess.Popen(
            [binary, "serve", "--account", os.path.join(ROOT, "Examples/demo-account"), "--port", str(port),
             "--log-level", "error"] + extra, env=env)
        for _ in range(200):
            try:
                status, _ = request("GET", "/health", port=port, timeout=1)
                if status == 200:
                    return
            except OSError:
                time.sleep(0.05)
        self.stop()
        sys.exit("the server did not start")

    @property
    def pid(self):
        return self.process.pid

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()


def request(method, path, body=b"", content_type="application/json", port=8090, timeout=30, token=TOKEN,
            source=None):
    """One HTTP/1.1 request on a new connection (from the local address `source`); returns (status, body)."""
    with socket.create_connection((HOST, port), timeout=timeout,
                                  source_address=(source, 0) if source else None) as s:
        head = (f"{method} {path} HTTP/1.1\r\nHost: {HOST}\r\nAuthorization: Bearer {token}\r\n"
                f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n")
        s.sendall(head.encode() + body)
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    status = int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/1.1 ") else 0
    return status, data.split(b"\r\n\r\n", 1)[-1]


def percentiles(samples):
    if not samples:
        return "no samples"
    ordered = sorted(samples)
    p = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]
    return (f"n={len(ordered)} p50={p(0.5) * 1000:.1f} ms p99={p(0.99) * 1000:.1f} ms "
            f"max={ordered[-1] * 1000:.1f} ms")


GOOD = b'{"add":[{"type":"phone_call","phone_number":"+79161234567","users":[8010001]}]}'


async def good_client(port, stop, latencies, failures):
    loop = asyncio.get_running_loop()
    while not stop.is_set():
        start = time.perf_counter()
        try:
            status, _ = await loop.run_in_executor(None, lambda: request("POST", "/api/v2/events", GOOD, port=port))
            if status == 200:
                latencies.append(time.perf_counter() - start)
            else:
                failures.append(status)
        except OSError as error:
            failures.append(str(error))
        await asyncio.sleep(0.1)


async def slow_heads(args, server):
    raise_file_limit()
    stop = asyncio.Event()
    latencies, failures = [], []
    opened, closed_by_server, refused = 0, 0, 0
    head = f"POST /api/v2/events HTTP/1.1\r\nHost: {HOST}\r\nX-Padding: " + "a" * 4096

    async def attacker():
        nonlocal opened, closed_by_server, refused
        while not stop.is_set():
            try:
                reader, writer = await asyncio.open_connection(HOST, server.port)
            except OSError:
                refused += 1
                await asyncio.sleep(1)
                continue
            opened += 1
            try:
                for byte in head:
                    if stop.is_set():
                        break
                    writer.write(byte.encode())
                    await writer.drain()
                    try:
                        data = await asyncio.wait_for(reader.read(1024), timeout=1)
                        if not data or data.startswith(b"HTTP/1.1 503"):
                            closed_by_server += 1
                            break
                    except asyncio.TimeoutError:
                        pass
            except (ConnectionError, OSError):
                closed_by_server += 1
            finally:
                writer.close()
            # Reconnect half a second later, as an attacker keeping the server full would.
            await asyncio.sleep(0.5)

    attackers = []
    for i in range(args.connections):
        attackers.append(asyncio.create_task(attacker()))
        if i % 500 == 499:
            await asyncio.sleep(0.05)
    print(f"{args.connections} slow-head connections opening; good client starts", flush=True)
    await asyncio.sleep(2)
    good = asyncio.create_task(good_client(server.port, stop, latencies, failures))
    peak = 0.0
    for _ in range(args.seconds):
        await asyncio.sleep(1)
        peak = max(peak, rss_mib(server.pid))
    stop.set()
    await good
    for task in attackers:
        task.cancel()
    await asyncio.gather(*attackers, return_exceptions=True)
    print(f"good posts under attack: {percentiles(latencies)}; failed: {len(failures)} {failures[:3]}")
    print(f"attack connections opened {opened}, closed by the server {closed_by_server}, "
          f"connect errors {refused}; server RSS peak {peak:.0f} MiB, after {rss_mib(server.pid):.0f} MiB")


def form_users(args, server):
    body = b"&".join([b"add[0][type]=phone_call", b"add[0][phone_number]=%2B79161234567"]
                     + [b"add[0][users][]=1"] * args.users)
    before = cpu_seconds(server.pid)
    start = time.perf_counter()
    status, answer = request("POST", "/api/v2/events", body, "application/x-www-form-urlencoded", port=server.port,
                             timeout=600)
    elapsed = time.perf_counter() - start
    print(f"form body of {len(body)} bytes, {args.users} users: HTTP {status} in {elapsed * 1000:.0f} ms "
          f"(server CPU {(cpu_seconds(server.pid) - before) * 1000:.0f} ms): {answer[:160]!r}")


def long_numbers(args, server):
    base = rss_mib(server.pid)
    longest = "+79161234567" + " " * 238
    body = ('{"add":[' + ",".join(['{"type":"phone_call","phone_number":"%s"}' % longest] * 10) + "]}").encode()
    statuses = {}
    for _ in range(args.posts):
        status, _ = request("POST", "/api/v2/events", body, port=server.port)
        statuses[status] = statuses.get(status, 0) + 1
    too_long = ('{"add":[{"type":"phone_call","phone_number":"%s"}]}' % ("1" * (1 << 19))).encode()
    status, answer = request("POST", "/api/v2/events", too_long, port=server.port)
    print(f"{args.posts} posts of 10 events with 250-character numbers to every user: {statuses}; "
          f"server RSS {base:.0f} -> {rss_mib(server.pid):.0f} MiB")
    print(f"a 512 KiB phone_number: HTTP {status}: {answer[:200]!r}")


async def slow_streams(args, server):
    raise_file_limit()
    sockets = []
    users = [8010001, 8010002, 8010003]
    refused = 0
    for i in range(args.streams):
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.connect((HOST, server.port))
        s.sendall((f"GET /api/v2/events/stream?user_id={users[i % len(users)]} HTTP/1.1\r\nHost: {HOST}\r\n"
                   f"Authorization: Bearer {TOKEN}\r\n\r\n").encode())
        sockets.append(s)
    base = rss_mib(server.pid)
    body = ('{"add":[{"type":"phone_call","phone_number":"%s"}]}' % ("+79161234567" + " " * 200)).encode()
    latencies, peak = [], base
    for i in range(args.posts):
        start = time.perf_counter()
        status, _ = request("POST", "/api/v2/events", body, port=server.port)
        latencies.append(time.perf_counter() - start)
        if i % 100 == 0:
            peak = max(peak, rss_mib(server.pid))
    closed = 0
    for s in sockets:
        received = b""
        try:
            while True:
                chunk = s.recv(1 << 20, socket.MSG_DONTWAIT)
                if not chunk:
                    closed += 1
                    break
                received += chunk
        except BlockingIOError:
            pass
        except OSError:
            closed += 1
        if received.startswith(b"HTTP/1.1 429"):
            refused += 1
    print(f"{args.streams} streams that never read ({refused} refused with 429, {closed - refused} accepted and "
          f"later closed by the server), {args.posts} posts to every user: {percentiles(latencies)}; server RSS "
          f"{base:.0f} MiB after opening, peak {peak:.0f}, after {rss_mib(server.pid):.0f} MiB")
    for s in sockets:
        s.close()


def bad_tokens(args, server):
    deadline = time.time() + args.seconds
    lock = threading.Lock()
    answers = {}

    def attacker(number):
        attempt = 0
        while time.time() < deadline:
            attempt += 1
            start = time.perf_counter()
            try:
                status, _ = request("POST", "/api/v2/events", GOOD, port=server.port,
                                    token=f"guess-{number}-{attempt}", source="127.0.0.1")
            except OSError as error:
                status = type(error).__name__
            with lock:
                answers.setdefault(status, []).append(time.perf_counter() - start)

    def good(source, latencies, failures):
        while time.time() < deadline:
            start = time.perf_counter()
            try:
                status, _ = request("POST", "/api/v2/events", GOOD, port=server.port, source=source)
                if status == 200:
                    latencies.append(time.perf_counter() - start)
                else:
                    failures.append(status)
            except OSError as error:
                failures.append(str(error))
            time.sleep(0.1)

    same, other, same_failures, other_failures = [], [], [], []
    threads = [threading.Thread(target=attacker, args=(i,)) for i in range(args.attackers)]
    threads += [threading.Thread(target=good, args=("127.0.0.1", same, same_failures)),
                threading.Thread(target=good, args=("127.0.0.2", other, other_failures))]
    before = cpu_seconds(server.pid)
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    cpu = cpu_seconds(server.pid) - before
    for status, latencies in sorted(answers.items(), key=lambda item: str(item[0])):
        print(f"attackers' {status}: {percentiles(latencies)}")
    print(f"good posts from the attackers' address 127.0.0.1: {percentiles(same)}; failed: {len(same_failures)} "
          f"{same_failures[:3]}")
    print(f"good posts from 127.0.0.2: {percentiles(other)}; failed: {len(other_failures)} {other_failures[:3]}")
    print(f"server CPU {cpu:.1f} s in {args.seconds} s; RSS {rss_mib(server.pid):.0f} MiB")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=8090)
    parser.add_argument("--server-args", default="", help="extra `serve` options, e.g. '--head-timeout 10'")
    sub = parser.add_subparsers(dest="scenario", required=True)
    p = sub.add_parser("slow-heads")
    p.add_argument("--connections", type=int, default=19000)
    p.add_argument("--seconds", type=int, default=40)
    p = sub.add_parser("form-users")
    p.add_argument("--users", type=int, default=58000)
    p = sub.add_parser("long-numbers")
    p.add_argument("--posts", type=int, default=768)
    p = sub.add_parser("slow-streams")
    p.add_argument("--streams", type=int, default=2000)
    p.add_argument("--posts", type=int, default=2000)
    p = sub.add_parser("bad-tokens")
    p.add_argument("--attackers", type=int, default=32)
    p.add_argument("--seconds", type=int, default=30)
    args = parser.parse_args()
    server = Server(args.port, args.server_args.split())
    try:
        print(f"server pid {server.pid}, RSS {rss_mib(server.pid):.0f} MiB, {os.cpu_count()} cores, "
              f"load {open('/proc/loadavg').read().split()[:3]}", flush=True)
        if args.scenario == "slow-heads":
            asyncio.run(slow_heads(args, server))
        elif args.scenario == "form-users":
            form_users(args, server)
        elif args.scenario == "long-numbers":
            long_numbers(args, server)
        elif args.scenario == "slow-streams":
            asyncio.run(slow_streams(args, server))
        elif args.scenario == "bad-tokens":
            bad_tokens(args, server)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
