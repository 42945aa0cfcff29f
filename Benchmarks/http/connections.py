#!/usr/bin/env python3
"""What one open connection holds in the server, by kind (docs/performance.md, "Many open streams").

Serves the demo account with N users (as streams.py does), opens N connections of one kind and
prints the server's VmRSS growth per connection:
- `idle`: connected, nothing sent;
- `health`: one `GET /health` answered, the connection kept alive;
- `stream`: one ticket stream open (tickets minted first, outside the measurement).

    swift build -c release --product screenpop
    python3 Benchmarks/http/connections.py 5000 idle
"""
import asyncio
import os
import resource
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serverbench as sb  # noqa: E402
import streams as st  # noqa: E402


async def measure(server, count, kind):
    port = server.port
    tickets = await st.mint_all(port, count) if kind == "stream" else None
    time.sleep(1)
    before = server.memory()[0]
    connections = []
    for i in range(count):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        if kind == "health":
            writer.write(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            await writer.drain()
            await reader.readuntil(b'"ok"}')
        elif kind == "stream":
            writer.write(("GET /api/v2/events/stream?ticket=%s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                          % tickets[i + 1]).encode())
            await writer.drain()
            await reader.readuntil(b": connected\n\n")
        connections.append((reader, writer))
    await asyncio.sleep(2)
    after = server.memory()[0]
    print("%s: %d connections, %d bytes each (commit %s, load %s)"
          % (kind, count, (after - before) // count, sb.git_commit(), sb.load_average()))


def main():
    if len(sys.argv) != 3 or sys.argv[2] not in ("idle", "health", "stream"):
        sys.exit(__doc__)
    count, kind = int(sys.argv[1]), sys.argv[2]
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    directory = tempfile.mkdtemp(prefix="screenpop-connections-")
    server = None
    try:
        account = st.make_account(directory, count)
        limit = str(count + 100)
        server = sb.Server(["--account", account, "--max-connections", limit, "--max-streams", limit],
                           environment={"SCREENPOP_API_TOKEN": st.TOKEN})
        asyncio.run(measure(server, count, kind))
    finally:
        if server:
            server.stop()
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
