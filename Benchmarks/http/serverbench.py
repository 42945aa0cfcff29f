"""What cluster.py and many-accounts.py share: the release binaries, a throwaway PostgreSQL, synthetic
accounts in a store, registrations, `screenpop serve` processes, a Server-Sent Events reader and
percentiles. Python's standard library only; every address is 127.0.0.1.
"""
import base64
import hashlib
import http.client
import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("SCREENPOP_BIN_DIR", os.path.join(ROOT, ".build/release"))
SCREENPOP = os.environ.get("SCREENPOP_BIN", os.path.join(BIN, "screenpop"))
STANDIN = os.environ.get("AMOCRM_STANDIN_BIN", os.path.join(BIN, "amocrm-standin"))
POSTGRES_SH = os.path.join(ROOT, "scripts/postgres.sh")


def log(message):
    print("[%s] %s" % (time.strftime("%H:%M:%S"), message), file=sys.stderr, flush=True)


def percentile(values, p):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def summary(values):
    """p50, p99 and max in milliseconds (None when there are no values)."""
    if not values:
        return {"n": 0, "p50_ms": None, "p99_ms": None, "max_ms": None}
    return {"n": len(values), "p50_ms": round(percentile(values, 50) * 1000, 3),
            "p99_ms": round(percentile(values, 99) * 1000, 3), "max_ms": round(max(values) * 1000, 3)}


def fmt_ms(value):
    return "-" if value is None else ("%.1f ms" % value if value >= 10 else "%.2f ms" % value)


def load_average():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def git_commit():
    try:
        return subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"


# MARK: PostgreSQL

class Postgres:
    """scripts/postgres.sh in its own directory; `stop()` (or the context manager) shuts it down."""

    def __init__(self, directory):
        self.directory = directory
        # As root the server runs as `postgres`, which must be able to reach DIR.
        parent = os.path.dirname(directory)
        os.chmod(parent, 0o755)
        result = subprocess.run(["bash", POSTGRES_SH, "start", directory], capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError("scripts/postgres.sh start failed: " + result.stderr.strip())
        self.url = result.stdout.strip().splitlines()[-1]
        match = re.match(r"postgres(?:ql)?://([^@]+)@([^:/]+):(\d+)/(\w+)", self.url)
        self.user, self.host, self.port, self.database = match.group(1), match.group(2), match.group(3), match.group(4)

    def psql(self, sql, quiet=True):
        """Runs SQL through psql; returns its unaligned output."""
        result = subprocess.run(
            ["psql", "-h", self.host, "-p", self.port, "-U", self.user, "-d", self.database, "-v", "ON_ERROR_STOP=1",
             "-Atq"], input=sql, capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError("psql: %s\n%s" % (result.stderr.strip(), sql[:500]))
        return result.stdout

    def stop(self):
        subprocess.run(["bash", POSTGRES_SH, "stop", self.directory], capture_output=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


# MARK: Stores: SQL on the store's own tables

class StoreSQL:
    """Direct SQL on a store (a SQLite path or a Postgres), for what a benchmark makes in bulk:
    copies of an account under other ids, a user for probes, registrations by hash."""

    # Every table that has an account_id column and holds an account's data (not the registration).
    DATA_TABLES = ["account", "entity", "phone", "link", "user", "customer_status", "lead_pipeline", "lead_status"]

    def __init__(self, store, postgres=None):
        self.store = store
        self.postgres = postgres
        self._columns = {}

    def _quote(self, table):
        return '"%s"' % table

    def columns(self, table):
        """(name, is_serial) in the table's order."""
        if table not in self._columns:
            self._columns[table] = self._read_columns(table)
        return self._columns[table]

    def _read_columns(self, table):
        if self.postgres:
            rows = self.postgres.psql(
                "SELECT column_name, coalesce(column_default, '') FROM information_schema.columns "
                "WHERE table_name = '%s' AND table_schema = current_schema() ORDER BY ordinal_position" % table)
            return [(line.split("|")[0], line.split("|")[1].startswith("nextval(")) for line in rows.splitlines() if line]
        with sqlite3.connect(self.store) as db:
            return [(row[1], False) for row in db.execute("PRAGMA table_info(%s)" % self._quote(table))]

    def tables(self):
        if self.postgres:
            return [line for line in self.postgres.psql(
                "SELECT table_name FROM information_schema.columns WHERE column_name = 'account_id' "
                "AND table_schema = current_schema()").splitlines() if line]
        with sqlite3.connect(self.store) as db:
            names = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
            return [name for name in names if any(
                row[1] == "account_id" for row in db.execute("PRAGMA table_info(%s)" % self._quote(name)))]

    def account_ids(self):
        if self.postgres:
            return [int(x) for x in self.postgres.psql("SELECT account_id FROM account ORDER BY 1").split()]
        with sqlite3.connect(self.store) as db:
            return [row[0] for row in db.execute("SELECT account_id FROM account ORDER BY 1")]

    def scalar(self, sql):
        if self.postgres:
            return self.postgres.psql(sql).strip()
        with sqlite3.connect(self.store) as db:
            return db.execute(sql).fetchone()[0]

    def contacts(self, account_id, limit=None):
        sql = "SELECT id FROM entity WHERE account_id = %d AND kind = 1 AND %s ORDER BY position%s" % (
            account_id, "NOT is_deleted" if self.postgres else "is_deleted = 0", " LIMIT %d" % limit if limit else "")
        if self.postgres:
            return [int(x) for x in self.postgres.psql(sql).split()]
        with sqlite3.connect(self.store) as db:
            return [row[0] for row in db.execute(sql)]

    def users(self, account_id):
        sql = 'SELECT id FROM "user" WHERE account_id = %d ORDER BY id' % account_id
        if self.postgres:
            return [int(x) for x in self.postgres.psql(sql).split()]
        with sqlite3.connect(self.store) as db:
            return [row[0] for row in db.execute(sql)]

    def add_user(self, account_id, user_id, name):
        """A copy of the account's first user under another id and name."""
        columns = [name_ for name_, _ in self.columns("user")]
        select = []
        for column in columns:
            if column == "id":
                select.append(str(user_id))
            elif column == "name":
                select.append("'%s'" % name.replace("'", "''"))
            elif column == "position":
                select.append("position + 1000")
            else:
                select.append(column)
        sql = 'INSERT INTO "user" (%s) SELECT %s FROM "user" WHERE account_id = %d ORDER BY id LIMIT 1' % (
            ", ".join(columns), ", ".join(select), account_id)
        self.execute([sql])

    def execute(self, statements):
        if self.postgres:
            self.postgres.psql("BEGIN;\n" + ";\n".join(statements) + ";\nCOMMIT;")
            return
        db = sqlite3.connect(self.store, isolation_level=None)
        try:
            db.execute("PRAGMA busy_timeout = 10000")
            db.execute("BEGIN IMMEDIATE")
            for statement in statements:
                db.execute(statement)
            db.execute("COMMIT")
        finally:
            db.close()

    def copy_statements(self, source_id, target_ids):
        """INSERT ... SELECT statements that copy every data table's rows of `source_id` to each of
        `target_ids` (a contiguous range), with subdomain `bench<id>`."""
        first, last = target_ids[0], target_ids[-1]
        assert list(target_ids) == list(range(first, last + 1))
        statements = []
        for table in self.DATA_TABLES:
            columns = [(name, serial) for name, serial in self.columns(table) if not serial]
            names = [name for name, _ in columns]
            select = []
            for name in names:
                if name == "account_id":
                    select.append("g.id")
                elif table == "account" and name == "subdomain":
                    select.append("'bench' || g.id")
                elif table == "account" and name == "name":
                    select.append("'Bench account ' || g.id")
                else:
                    select.append("t." + name)
            # One account's rows together, in the source's order, as an import writes them: rows
            # interleaved account by account would make every load read many more pages.
            if self.postgres:
                source = "generate_series(%d, %d) AS g(id)" % (first, last)
                order = " ORDER BY g.id, t.seq" if "seq" in [n for n, _ in self.columns(table)] else " ORDER BY g.id, t.ctid"
            else:
                source = ("(WITH RECURSIVE r(id) AS (SELECT %d UNION ALL SELECT id + 1 FROM r WHERE id < %d) "
                          "SELECT id FROM r) AS g" % (first, last))
                order = " ORDER BY g.id, t.rowid"  # load() reads links, users and statuses in rowid order
            statements.append("INSERT INTO %s (%s) SELECT %s FROM %s t CROSS JOIN %s WHERE t.account_id = %d%s" % (
                self._quote(table), ", ".join(names), ", ".join(select), self._quote(table), source, source_id,
                order))
        return statements

    def copy_account(self, source_id, target_ids, chunk=100):
        """Copies in transactions of `chunk` accounts (SQLite's WAL stays small)."""
        target_ids = list(target_ids)
        for start in range(0, len(target_ids), chunk):
            self.execute(self.copy_statements(source_id, target_ids[start:start + chunk]))

    def remove_account(self, account_id):
        self.execute(['DELETE FROM %s WHERE account_id = %d' % (self._quote(t), account_id) for t in self.tables()])

    def register_direct(self, accounts):
        """Registers (account_id, api_token, webhook_secret) triples by writing the SHA-256 hashes as
        `screenpop accounts add` does (hex in SQLite, bytea in PostgreSQL)."""
        now = int(time.time())
        rows = []
        for account_id, token, secret in accounts:
            token_hash = hashlib.sha256(token.encode()).hexdigest()
            secret_hash = hashlib.sha256(secret.encode()).hexdigest()
            if self.postgres:
                rows.append("(%d, 'bench%d', NULL, decode('%s', 'hex'), decode('%s', 'hex'), %d)" % (
                    account_id, account_id, token_hash, secret_hash, now))
            else:
                rows.append("(%d, 'bench%d', NULL, '%s', '%s', %d)" % (account_id, account_id, token_hash, secret_hash, now))
        statements = []
        for start in range(0, len(rows), 500):
            statements.append("INSERT INTO registration (account_id, subdomain, amocrm_url, api_token_hash, "
                              "webhook_secret_hash, created_at) VALUES " + ", ".join(rows[start:start + 500]))
        self.execute(statements)


def bench_secret(prefix, account_id, kind):
    """A deterministic credential in the minted format: prefix and 43 characters of URL-safe base64."""
    digest = hashlib.sha256(("screenpop-bench-%s-%d" % (kind, account_id)).encode()).digest()
    return prefix + base64.urlsafe_b64encode(digest).decode().rstrip("=")


def accounts_add(store, subdomain, account_id):
    """`screenpop accounts add`: returns (api_token, webhook_secret)."""
    result = subprocess.run([SCREENPOP, "accounts", "add", "--store", store, "--subdomain", subdomain,
                             "--id", str(account_id)], capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError("screenpop accounts add: " + result.stderr.strip())
    line = [line for line in result.stdout.splitlines() if line.startswith("{")][-1]
    answer = json.loads(line)
    return answer["api_token"], answer["webhook_secret"]


# MARK: Synthetic accounts

def sync_synthetic(store, contacts, seed=1, account_id=None):
    """Serves SyntheticAccount(seed, contacts) with amocrm-standin and runs `screenpop sync` from it
    into the store (the standin's account id is 1). Returns the seconds it took."""
    started = time.perf_counter()
    standin = subprocess.Popen([STANDIN, "--contacts", str(contacts), "--seed", str(seed), "--port", "0"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        url = token = None
        for line in standin.stdout:
            match = re.search(r"(http://127\.0\.0\.1:\d+)", line)
            if match and url is None:
                url = match.group(1)
            if line.startswith("long-lived token:"):
                token = line.split(":", 1)[1].strip()
            if url and token:
                break
        if not (url and token):
            raise RuntimeError("amocrm-standin did not start")
        environment = dict(os.environ, SCREENPOP_AMOCRM_TOKEN=token)
        command = [SCREENPOP, "sync", "--store", store, "--amocrm", url, "--rate", "1000"]
        if account_id is not None:
            command += ["--account-id", str(account_id)]
        result = subprocess.run(command, env=environment, capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError("screenpop sync: " + result.stderr.strip()[-2000:])
    finally:
        standin.terminate()
        standin.wait()
    return time.perf_counter() - started


def import_directory(store, directory):
    result = subprocess.run([SCREENPOP, "import", "--store", store, "--account", directory],
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError("screenpop import: " + result.stderr.strip())
    return json.loads(result.stdout.strip().splitlines()[-1])


# MARK: serve

class Server:
    """One `screenpop serve --port 0` process: its port from the `listening` line, its log lines
    (kept, and `account loaded` / `account evicted` parsed), its memory from /proc."""

    def __init__(self, arguments, environment=None, name="serve", log_path=None):
        self.name = name
        self.lines = []
        self.loaded = {}  # account_id -> [seconds, ...]: the server's `account loaded`
        self.provider_loaded = {}  # the same from the store's provider, when it logs one
        self.loaded_bytes = {}  # account_id -> the server's estimate (`bytes=`)
        self.evicted = []  # (account_id, bytes)
        self.lock = threading.Lock()
        self.listening = threading.Event()
        self.port = None
        self.log_file = open(log_path, "w") if log_path else None
        self.process = subprocess.Popen([SCREENPOP, "serve"] + arguments + ["--port", "0"],
                                        env=dict(os.environ, **(environment or {})),
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, bufsize=1)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        if not self.listening.wait(120):
            self.stop()
            raise RuntimeError("%s did not log `listening`:\n%s" % (name, "".join(self.lines[-20:])))

    def _read(self):
        for line in self.process.stderr:
            if self.log_file:
                self.log_file.write(line)
            with self.lock:
                if len(self.lines) < 100_000:
                    self.lines.append(line)
                if "account loaded" in line:
                    # Two lines a load: the server's (`bytes=`, the whole load) and the store
                    # provider's (`estimated_bytes=`, reading the store and building the index).
                    account = re.search(r"account_id=(\d+)", line)
                    seconds = re.search(r"seconds=([0-9.eE+-]+)", line)
                    if account and seconds:
                        size = re.search(r"\sbytes=(\d+)", line)
                        into = self.loaded if size else self.provider_loaded
                        into.setdefault(int(account.group(1)), []).append(float(seconds.group(1)))
                        if size:
                            self.loaded_bytes[int(account.group(1))] = int(size.group(1))
                elif "account evicted" in line:
                    account = re.search(r"account_id=(\d+)", line)
                    size = re.search(r"bytes=(\d+)", line)
                    self.evicted.append((int(account.group(1)) if account else None, int(size.group(1)) if size else None))
            if self.port is None and "listening" in line:
                match = re.search(r"127\.0\.0\.1:(\d+)", line)
                if match:
                    self.port = int(match.group(1))
                    self.listening.set()

    def memory(self):
        """VmRSS and VmHWM in bytes."""
        values = {}
        with open("/proc/%d/status" % self.process.pid) as f:
            for line in f:
                if line.startswith(("VmRSS:", "VmHWM:")):
                    key, value = line.split(":", 1)
                    values[key] = int(value.split()[0]) * 1024
        return values.get("VmRSS"), values.get("VmHWM")

    def connection(self, timeout=30):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.log_file:
            self.reader.join(5)
            self.log_file.close()


def post_call(connection, token, number, users=None):
    """POST /api/v2/events with one phone call; returns (status, items or body)."""
    event = {"type": "phone_call", "phone_number": number}
    if users:
        event["users"] = users
    connection.request("POST", "/api/v2/events", json.dumps({"add": [event]}),
                       {"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    response = connection.getresponse()
    body = response.read()
    if response.status != 200:
        return response.status, body
    return 200, json.loads(body)["_embedded"]["items"]


def post_calls(connection, token, numbers, users=None):
    events = []
    for number in numbers:
        event = {"type": "phone_call", "phone_number": number}
        if users:
            event["users"] = users
        events.append(event)
    connection.request("POST", "/api/v2/events", json.dumps({"add": events}),
                       {"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    response = connection.getresponse()
    body = response.read()
    if response.status != 200:
        return response.status, body
    return 200, json.loads(body)["_embedded"]["items"]


# MARK: Server-Sent Events

class EventStream:
    """GET /api/v2/events/stream over a raw socket, HTTP/1.1 chunked transfer decoded by hand; calls
    `on_event(data, received)` for every `data:` line, `received` = time.perf_counter() when the
    bytes that completed it arrived."""

    def __init__(self, port, token, user_id, on_event):
        self.on_event = on_event
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        request = ("GET /api/v2/events/stream?user_id=%d HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                   "Authorization: Bearer %s\r\nAccept: text/event-stream\r\n\r\n" % (user_id, token))
        self.sock.sendall(request.encode())
        self.buffer = b""
        while b"\r\n\r\n" not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise RuntimeError("the stream closed before its headers")
            self.buffer += chunk
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        status = head.split(b"\r\n")[0]
        if b" 200 " not in status + b" ":
            raise RuntimeError("stream: " + head.decode(errors="replace"))
        self.chunked = b"transfer-encoding: chunked" in head.lower()
        self.sock.settimeout(0.5)
        self.closed = threading.Event()
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        raw = self.buffer  # undecoded bytes
        text = b""  # decoded body not yet split into lines
        received = time.perf_counter()
        try:
            while not self.stop_event.is_set():
                # Decode whatever complete chunks `raw` holds.
                while True:
                    if not self.chunked:
                        text += raw
                        raw = b""
                        break
                    end = raw.find(b"\r\n")
                    if end < 0:
                        break
                    size = int(raw[:end].split(b";")[0], 16)
                    if len(raw) < end + 2 + size + 2:
                        break
                    text += raw[end + 2:end + 2 + size]
                    raw = raw[end + 2 + size + 2:]
                    if size == 0:
                        self.stop_event.set()
                        break
                while b"\n" in text:
                    line, text = text.split(b"\n", 1)
                    if line.startswith(b"data:"):
                        self.on_event(line[5:].strip(), received)
                try:
                    chunk = self.sock.recv(65536)
                except socket.timeout:
                    continue
                received = time.perf_counter()
                if not chunk:
                    break
                raw += chunk
        except OSError:
            pass
        finally:
            self.closed.set()

    def close(self):
        self.stop_event.set()
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()
        self.thread.join(2)
