"""What soak.py and crash.py share: the amoCRM stand-in with its control routes, `screenpop serve
--store --amocrm` on it, amoCRM-shaped webhooks, calls posted in both encodings, Server-Sent Events
streams that reconnect with Last-Event-ID, and the checks that the stand-in, the store and the
server's index agree. Python's standard library only; every address is 127.0.0.1.

The server process is `Benchmarks/http/serverbench.py`'s `Server` (its port from the `listening`
line, its log kept); the rest is here.
"""
import csv
import http.client
import io
import json
import os
import random
import re
import socket
import sqlite3
import subprocess
import shutil
import sys
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "http"))
import serverbench as sb  # noqa: E402

API_TOKEN = "soak-api-token-0123456789abcdef"
WEBHOOK_SECRET = "soak-webhook-secret-0123456789abcdef"
# Log lines at these levels are findings unless the load asked for them (`expected_log` below).
BAD_LEVELS = re.compile(r"^\S+\s+(warning|error|critical)\s")
log = sb.log
percentile = sb.percentile


def rss_bytes(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return None


# MARK: The stand-in

class StandIn:
    """`amocrm-standin --control`: a synthetic account of `contacts` contacts and `users` users
    (501...), changed through its control routes so that webhooks and polls tell one story."""

    def __init__(self, contacts, users, seed=1):
        self.process = subprocess.Popen(
            [sb.STANDIN, "--contacts", str(contacts), "--users", str(users), "--seed", str(seed), "--port", "0",
             "--control"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.url = self.token = None
        deadline = time.monotonic() + 60
        for line in self.process.stdout:
            match = re.search(r"(http://127\.0\.0\.1:(\d+))", line)
            if match and self.url is None:
                self.url, self.port = match.group(1), int(match.group(2))
            if line.startswith("long-lived token:"):
                self.token = line.split(":", 1)[1].strip()
            if (self.url and self.token) or time.monotonic() > deadline:
                break
        if not (self.url and self.token):
            self.stop()
            raise RuntimeError("amocrm-standin did not start (is it built? swift build -c release --product "
                               "amocrm-standin)")
        self.users = [500 + n for n in range(1, users + 1)]
        self.lock = threading.Lock()

    def request(self, method, path, timeout=30):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            connection.request(method, path, headers={"Authorization": "Bearer " + self.token})
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def listing(self, kind, with_=None):
        """Every entity of a list (`contacts`, `leads`), page by page."""
        entities = []
        page = 1
        while True:
            query = "limit=250&page=%d" % page + ("&with=" + with_ if with_ else "")
            status, body = self.request("GET", "/api/v4/%s?%s" % (kind, query))
            if status == 204:
                break
            if status != 200:
                raise RuntimeError("stand-in GET %s page %d: %d %r" % (kind, page, status, body[:200]))
            answer = json.loads(body)
            entities += answer["_embedded"][kind]
            if "next" not in answer.get("_links", {}):
                break
            page += 1
        return entities

    def pipelines(self):
        """{pipeline id: [status ids]}."""
        status, body = self.request("GET", "/api/v4/leads/pipelines")
        if status != 200:
            raise RuntimeError("stand-in GET pipelines: %d" % status)
        return {p["id"]: [s["id"] for s in p["_embedded"]["statuses"]]
                for p in json.loads(body)["_embedded"]["pipelines"]}

    def change_contact(self, contact_id, name, phones):
        """The contact's name and phones become these; returns its new updated_at."""
        query = urllib.parse.urlencode([("id", contact_id), ("name", name)] + [("phone", p) for p in phones])
        status, body = self.request("POST", "/standin/contact?" + query)
        if status != 200:
            raise RuntimeError("stand-in contact change: %d %r" % (status, body[:200]))
        return json.loads(body)["updated_at"]

    def change_lead(self, lead_id, status_id, price):
        """Returns (updated_at, pipeline_id)."""
        query = urllib.parse.urlencode([("id", lead_id), ("status_id", status_id), ("price", price)])
        status, body = self.request("POST", "/standin/lead?" + query)
        if status != 200:
            raise RuntimeError("stand-in lead change: %d %r" % (status, body[:200]))
        answer = json.loads(body)
        return answer["updated_at"], answer.get("pipeline_id")

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def contact_phones(contact):
    """The PHONE values of a v4 contact, in order."""
    values = []
    for field in contact.get("custom_fields_values") or []:
        if field.get("field_code") == "PHONE":
            values += [v["value"] for v in field.get("values") or []]
    return values


# MARK: screenpop serve

def serve_arguments(store, standin, poll, reconcile, extra=()):
    return ["--store", store, "--amocrm", standin.url, "--poll", str(poll), "--reconcile", str(reconcile),
            "--log-level", "info"] + list(extra)


def serve_environment(standin):
    return {"SCREENPOP_API_TOKEN": API_TOKEN, "SCREENPOP_WEBHOOK_SECRET": WEBHOOK_SECRET,
            "SCREENPOP_AMOCRM_TOKEN": standin.token}


def start_server(store, standin, poll, reconcile, extra=(), log_path=None):
    return sb.Server(serve_arguments(store, standin, poll, reconcile, extra), environment=serve_environment(standin),
                     log_path=log_path)


def bad_log_lines(lines, expected=()):
    """Lines at warning, error or critical that match none of the `expected` patterns."""
    found = []
    for line in lines:
        if BAD_LEVELS.match(line) and not any(re.search(p, line) for p in expected):
            found.append(line.rstrip())
    return found


# MARK: Requests

class Client:
    """One keep-alive connection to the server; reconnects after an error, and before a request
    when it has been idle for 60 s (the server closes idle connections after --idle-timeout, 75 s)."""

    def __init__(self, port, timeout=30):
        self.port = port
        self.timeout = timeout
        self.connection = None
        self.last_used = 0.0

    def request(self, method, path, body=None, headers=None):
        """(status, body bytes); raises OSError (and http.client's errors) when the server is away."""
        if self.connection is not None and time.monotonic() - self.last_used > 60:
            self.close()
        if self.connection is None:
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        try:
            self.connection.request(method, path, body, headers or {})
            response = self.connection.getresponse()
            answer = response.status, response.read()
            self.last_used = time.monotonic()
            return answer
        except (OSError, http.client.HTTPException):
            self.close()
            raise

    def close(self):
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def api(self, method, path, body=None, content_type="application/json"):
        headers = {"Authorization": "Bearer " + API_TOKEN}
        if body is not None:
            headers["Content-Type"] = content_type
        return self.request(method, path, body, headers)

    def post_events(self, events, form):
        """`events`: [(phone_number, users or None)]. JSON, or PHP's http_build_query form."""
        if form:
            pairs = []
            for i, (number, users) in enumerate(events):
                pairs += [("add[%d][type]" % i, "phone_call"), ("add[%d][phone_number]" % i, number)]
                for k, user in enumerate(users or []):
                    pairs.append(("add[%d][users][%d]" % (i, k), str(user)))
            return self.api("POST", "/api/v2/events", urllib.parse.urlencode(pairs),
                            "application/x-www-form-urlencoded")
        add = []
        for number, users in events:
            event = {"type": "phone_call", "phone_number": number}
            if users:
                event["users"] = users
            add.append(event)
        return self.api("POST", "/api/v2/events", json.dumps({"add": add}))

    def webhook(self, pairs):
        return self.request("POST", "/amocrm/webhooks/" + WEBHOOK_SECRET, urllib.parse.urlencode(pairs),
                            {"Content-Type": "application/x-www-form-urlencoded",
                             "User-Agent": "amoCRM-WebHook-client/1.0"})

    def sync_status(self):
        status, body = self.api("GET", "/api/v2/sync/status")
        if status != 200:
            raise RuntimeError("sync status: %d %r" % (status, body[:200]))
        return json.loads(body)


def contact_webhook(account_id, contact_id, name, phones, last_modified, responsible=None):
    """`contacts[update][0]`, as amoCRM writes it (docs/amocrm.md, "Webhooks")."""
    e = "contacts[update][0]"
    pairs = [(e + "[id]", str(contact_id)), (e + "[name]", name), (e + "[last_modified]", str(last_modified))]
    if responsible is not None:
        pairs.append((e + "[responsible_user_id]", str(responsible)))
    pairs += [(e + "[custom_fields][0][id]", "54667"), (e + "[custom_fields][0][name]", "Телефон")]
    for k, phone in enumerate(phones):
        pairs += [(e + "[custom_fields][0][values][%d][value]" % k, phone),
                  (e + "[custom_fields][0][values][%d][enum]" % k, "114611")]
    pairs += [(e + "[custom_fields][0][code]", "PHONE"), (e + "[type]", "contact")]
    return pairs + [("account[id]", str(account_id)), ("account[subdomain]", "standin")]


def lead_status_webhook(account_id, lead_id, status_id, pipeline_id, price, last_modified):
    e = "leads[status][0]"
    pairs = [(e + "[id]", str(lead_id)), (e + "[status_id]", str(status_id)), (e + "[price]", str(price)),
             (e + "[last_modified]", str(last_modified))]
    if pipeline_id is not None:
        pairs.append((e + "[pipeline_id]", str(pipeline_id)))
    return pairs + [("account[id]", str(account_id)), ("account[subdomain]", "standin")]


def soak_number(n):
    """A Russian mobile number that the synthetic account does not have (the 999 range)."""
    return "+7 999 %03d-%02d-%02d" % (n // 10000 % 1000, n // 100 % 100, n % 100)


# MARK: Streams

class Stream(threading.Thread):
    """One user's stream that connects, reads for a while, drops and reconnects with Last-Event-ID,
    by the token or by a stream ticket. A `pauser` stops reading for `pause` seconds in each session
    (its socket's receive buffer small), then reads again or, one time in two, drops the connection
    with what it did not read; the server may also close it for not reading (its queue full). It
    gets the rest by replay when it reconnects.

    Records every event's uid in order (`received`), the sessions `(requested, connected, ended,
    how)`, and disconnects that nobody asked for (`unexpected`)."""

    def __init__(self, name, port, user, auth, pauser, stop, seed, session=(5, 30), gap=(0.2, 2.5), pause=(20, 30)):
        super().__init__(daemon=True, name=name)
        self.port, self.user, self.auth, self.pauser = port, user, auth, pauser
        self.stop_event = stop
        self.rng = random.Random(seed)
        self.session_range, self.gap_range, self.pause_range = session, gap, pause
        self.last_id = None
        self.received = []  # (event id, uid)
        self.sessions = []  # (requested, connected, ended, how)
        self.unexpected = []
        self.closed_while_paused = 0
        self.dropped_unread = 0
        self.errors = []
        self.ticket = None
        self.first_connected = None

    def _mint(self):
        client = Client(self.port)
        status, body = client.api("POST", "/api/v2/events/stream-tickets", json.dumps({"user_id": self.user}))
        client.close()
        if status != 200:
            raise RuntimeError("ticket for %d: %d %r" % (self.user, status, body[:200]))
        return json.loads(body)["ticket"]

    def _open(self):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if self.pauser:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.settimeout(10)
        sock.connect(("127.0.0.1", self.port))
        if self.auth == "ticket":
            if self.ticket is None:
                self.ticket = self._mint()
            path = "/api/v2/events/stream?ticket=" + self.ticket
            auth = ""
        else:
            path = "/api/v2/events/stream?user_id=%d" % self.user
            auth = "Authorization: Bearer %s\r\n" % API_TOKEN
        resume = "Last-Event-ID: %s\r\n" % self.last_id if self.last_id is not None else ""
        sock.sendall(("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%s%sAccept: text/event-stream\r\n\r\n"
                      % (path, auth, resume)).encode())
        return sock

    def run(self):
        while True:
            # After the stop: one last session with Last-Event-ID, for what was posted during the gap.
            final = self.stop_event.is_set()
            requested = time.perf_counter()
            try:
                sock = self._open()
            except (OSError, RuntimeError) as error:
                self.unexpected.append("connect: %s" % error)
                if final:
                    return
                time.sleep(1)
                continue
            try:
                self._session(sock, requested, final)
            finally:
                try:
                    sock.close()
                except OSError:
                    pass
            if final:
                return
            if not self.stop_event.is_set():
                time.sleep(self.rng.uniform(*self.gap_range))

    def _session(self, sock, requested, final):
        """Reads one connection until its time is up (`dropped`, by us), the server closes it while
        it did not read (`paused-closed`), or unexpectedly (`closed`, `refused`, `no-connect`)."""
        parser = EventParser()
        connected = None
        length = 3.0 if final else self.rng.uniform(*self.session_range)
        pause_at = self.rng.uniform(1, max(1.5, length / 2)) if self.pauser and not final else None
        paused = False
        deadline = None
        how = "dropped"
        head = b""
        body_started = False
        sock.settimeout(0.5)
        while True:
            now = time.perf_counter()
            if connected is None and now - requested > 10:
                self.unexpected.append("no `: connected` within 10 s")
                how = "no-connect"
                break
            if deadline is not None and now >= deadline:
                break
            if not final and self.stop_event.is_set():
                break
            if pause_at is not None and connected is not None and now - connected >= pause_at:
                pause_at = None
                paused = True
                end_pause = now + self.rng.uniform(*self.pause_range)
                while time.perf_counter() < end_pause and not self.stop_event.is_set():
                    time.sleep(0.2)
                if self.rng.random() < 0.5:
                    # Dropped with what the kernel holds unread: the next session must replay it.
                    how = "dropped-unread"
                    self.dropped_unread += 1
                    break
            try:
                chunk = sock.recv(65536)
            except socket.timeout:
                continue
            except OSError as error:
                chunk = b""
                if not paused:
                    self.errors.append(str(error))
            if not chunk:
                if paused:
                    how = "paused-closed"
                    self.closed_while_paused += 1
                else:
                    how = "closed"
                    self.unexpected.append("closed by the server after %.1f s (connected: %s)" % (
                        time.perf_counter() - requested, connected is not None))
                break
            if not body_started:
                head += chunk
                if b"\r\n\r\n" not in head:
                    continue
                head_bytes, chunk = head.split(b"\r\n\r\n", 1)
                status_line = head_bytes.split(b"\r\n", 1)[0]
                if b" 200 " not in status_line + b" ":
                    self.unexpected.append("stream refused: %r" % status_line)
                    how = "refused"
                    break
                parser.chunked = b"transfer-encoding: chunked" in head_bytes.lower()
                body_started = True
            for kind, value in parser.feed(chunk):
                if kind == "connected" and connected is None:
                    connected = time.perf_counter()
                    if self.first_connected is None:
                        self.first_connected = connected
                    deadline = connected + length
                elif kind == "event":
                    event_id, data = value
                    try:
                        uid = json.loads(data)["uid"]
                    except (ValueError, KeyError):
                        self.errors.append("event without a uid: %r" % data[:200])
                        continue
                    self.received.append((event_id, uid))
                    self.last_id = event_id
        self.sessions.append((requested, connected, time.perf_counter(), how))
        return how


class EventParser:
    """HTTP/1.1 chunked transfer and Server-Sent Events, fed bytes as they come; yields
    ("connected", None) for the `: connected` comment and ("event", (id, data)) per event."""

    def __init__(self):
        self.chunked = True
        self.raw = b""
        self.text = b""
        self.event_id = None
        self.data = []

    def feed(self, chunk):
        self.raw += chunk
        while True:
            if not self.chunked:
                self.text += self.raw
                self.raw = b""
                break
            end = self.raw.find(b"\r\n")
            if end < 0:
                break
            size = int(self.raw[:end].split(b";")[0] or b"0", 16)
            if len(self.raw) < end + 2 + size + 2:
                break
            self.text += self.raw[end + 2:end + 2 + size]
            self.raw = self.raw[end + 2 + size + 2:]
        out = []
        while b"\n" in self.text:
            line, self.text = self.text.split(b"\n", 1)
            line = line.rstrip(b"\r")
            if line == b"":
                if self.data:
                    out.append(("event", (self.event_id, b"\n".join(self.data).decode())))
                self.data = []
                continue
            if line.startswith(b": connected"):
                out.append(("connected", None))
            elif line.startswith(b"id:"):
                self.event_id = line[3:].strip().decode()
            elif line.startswith(b"data:"):
                self.data.append(line[5:].lstrip())
        return out


def check_streams(streams, posts):
    """Exactly once: each stream's uids (over its reconnects) against the posts for its user.

    `posts`: [(uid, users or None for every user, sent, answered)]. A post answered after the
    stream's first `: connected` must be there; one answered before its first request must not; one
    in flight then may be. No uid twice, none for another user, event ids increasing."""
    problems = []
    delivered = 0
    for s in streams:
        uids = [uid for _, uid in s.received]
        delivered += len(uids)
        seen = set()
        for uid in uids:
            if uid in seen:
                problems.append("%s: %s received twice" % (s.name, uid))
            seen.add(uid)
        ids = [int(i) for i, _ in s.received if i is not None]
        if any(b <= a for a, b in zip(ids, ids[1:])):
            problems.append("%s: event ids not increasing" % s.name)
        if s.first_connected is None:
            problems.append("%s: never connected" % s.name)
            continue
        first_request = s.sessions[0][0] if s.sessions else s.first_connected
        must, may = set(), set()
        for uid, users, sent, answered in posts:
            if users is not None and s.user not in users:
                continue
            if answered > s.first_connected:
                must.add(uid)
            elif answered >= first_request:
                may.add(uid)
        missing = must - seen
        extra = seen - must - may
        if missing:
            problems.append("%s (user %d): %d of %d notifications missing, e.g. %s" % (
                s.name, s.user, len(missing), len(must), sorted(missing)[:3]))
        if extra:
            problems.append("%s (user %d): %d notifications not for it or from before it connected, e.g. %s" % (
                s.name, s.user, len(extra), sorted(extra)[:3]))
    return problems, delivered


# MARK: Agreement: the stand-in, the store and the index

def is_postgres(store):
    return store.startswith(("postgres://", "postgresql://"))


def postgres_rows(url, sql):
    """The rows of a query through psql (`COPY ... TO STDOUT` as CSV: values with new lines too)."""
    match = re.match(r"postgres(?:ql)?://([^@:]+)(?::[^@]*)?@([^:/]+):(\d+)/([^?]+)", url)
    if not match:
        raise RuntimeError("cannot read the PostgreSQL URL %s" % re.sub(r":[^@/]*@", "@", url))
    user, host, port, database = match.groups()
    result = subprocess.run(["psql", "-h", host, "-p", port, "-U", user, "-d", database, "-v", "ON_ERROR_STOP=1",
                             "-Atq", "-c", "COPY (%s) TO STDOUT WITH (FORMAT csv)" % sql],
                            capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise RuntimeError("psql: " + result.stderr.strip()[-500:])
    return list(csv.reader(io.StringIO(result.stdout)))


def store_state(store, read_only=True):
    """From the store (a SQLite file, read-only; or PostgreSQL through psql): ({contact id: (name,
    [phones])}, {lead id: (status, price)}) of the entities not deleted."""
    if is_postgres(store):
        # One statement, one snapshot: a commit between reading the names and the phones would
        # pair one state's name with another's phones.
        contacts = {int(r[0]): (r[1], json.loads(r[2])) for r in postgres_rows(
            store, "SELECT e.id, e.name, coalesce((SELECT json_agg(p.value ORDER BY p.position) FROM phone p "
                   "WHERE p.account_id = e.account_id AND p.kind = 1 AND p.entity_id = e.id), '[]') "
                   "FROM entity e WHERE e.kind = 1 AND NOT e.is_deleted")}
        leads = {int(r[0]): (int(r[1]) if r[1] else None, int(r[2]) if r[2] else None) for r in postgres_rows(
            store, "SELECT id, status_id, price FROM entity WHERE kind = 2 AND NOT is_deleted")}
        return contacts, leads
    db = sqlite3.connect("file:%s%s" % (store, "?mode=ro" if read_only else ""), uri=True, timeout=30)
    try:
        # One read transaction, one snapshot (WAL): the server may commit between the statements.
        db.execute("BEGIN")
        contacts = {row[0]: (row[1], []) for row in db.execute(
            "SELECT id, name FROM entity WHERE kind = 1 AND is_deleted = 0")}
        for entity_id, value in db.execute(
                "SELECT entity_id, value FROM phone WHERE kind = 1 ORDER BY entity_id, position"):
            if entity_id in contacts:
                contacts[entity_id][1].append(value)
        leads = {row[0]: (row[1], row[2]) for row in db.execute(
            "SELECT id, status_id, price FROM entity WHERE kind = 2 AND is_deleted = 0")}
    finally:
        db.close()
    return contacts, leads


def standin_state(standin):
    """The stand-in's contacts and leads as `store_state` gives the store's; the entities its lists
    mark `is_deleted` (the synthetic account has some) are the store's tombstones, left out."""
    contacts = {c["id"]: (c.get("name") or "", contact_phones(c))
                for c in standin.listing("contacts") if not c.get("is_deleted")}
    leads = {lead["id"]: (lead.get("status_id"), lead.get("price"))
             for lead in standin.listing("leads") if not lead.get("is_deleted")}
    return contacts, leads


def compare_states(standin_contacts, standin_leads, store_contacts, store_leads, limit=5):
    problems = []
    for label, a, b in (("contact", standin_contacts, store_contacts), ("lead", standin_leads, store_leads)):
        for key in sorted(set(a) | set(b)):
            if a.get(key) != b.get(key):
                problems.append("%s %d: stand-in %r, store %r" % (label, key, a.get(key), b.get(key)))
    return problems[:limit], len(problems)


def line_numbers(numbers):
    """The numbers that `resolve` can read one a line: a stored value may hold two numbers on two
    lines (the synthetic account has such), which the comparison leaves out."""
    return [n for n in numbers if "\n" not in n and "\r" not in n]


def resolve_with_store(store, numbers):
    """`screenpop resolve --store` on every number (one a line): [(element_type, element_id)]."""
    result = subprocess.run([sb.SCREENPOP, "resolve", "--store", store], input="\n".join(numbers) + "\n",
                            capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        raise RuntimeError("screenpop resolve: " + result.stderr.strip()[-500:])
    answers = [json.loads(line) for line in result.stdout.split("\n") if line.strip()]
    if len(answers) != len(numbers):
        raise RuntimeError("screenpop resolve answered %d lines for %d numbers" % (len(answers), len(numbers)))
    return [(a["element_type"], a["element_id"]) for a in answers]


def resolve_with_server(client, numbers, user):
    """`POST /api/v2/events` in batches of 500, to one user: [(element_type, element_id)]."""
    answers = []
    for start in range(0, len(numbers), 500):
        status, body = client.post_events([(n, [user]) for n in numbers[start:start + 500]], form=False)
        if status != 200:
            raise RuntimeError("POST /api/v2/events: %d %r" % (status, body[:200]))
        answers += [(i["element_type"], i["element_id"]) for i in json.loads(body)["_embedded"]["items"]]
    return answers


def index_agrees(store, client, numbers, user, attempts=5):
    """The server's answers equal `resolve --store`'s for every number. A poll committing between
    the two readings can differ once, so a difference is read again (up to `attempts` times).
    Returns the differences of the last attempt."""
    differences = []
    for attempt in range(attempts):
        server = resolve_with_server(client, numbers, user)
        stored = resolve_with_store(store, numbers)
        differences = [(n, a, b) for n, a, b in zip(numbers, server, stored) if a != b]
        if not differences:
            return []
        time.sleep(1)
    return differences


def linear_slope(points):
    """Least-squares slope of [(x, y)]."""
    n = len(points)
    if n < 2:
        return 0.0
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _ in points)
    return sum((x - mx) * (y - my) for x, y in points) / sxx if sxx else 0.0


def stop_all(*processes):
    """Stops what a run started (the server, the stand-in, a throwaway PostgreSQL), skipping None."""
    for process in processes:
        if process:
            process.stop()


def tidy_up(directory, keep, what):
    """Keeps the run's directory when asked or when the run failed (saying what it holds), else removes it."""
    if keep:
        print("kept %s (%s)" % (directory, what))
    else:
        shutil.rmtree(directory, ignore_errors=True)


def verdict(problems):
    """PASSED, or FAILED with the first problems and exit status 1."""
    if problems:
        print("FAILED: %d problem(s)" % len(problems))
        for problem in problems[:40]:
            print("  - " + problem)
        sys.exit(1)
    print("PASSED")

