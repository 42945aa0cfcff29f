#!/usr/bin/env python3
"""Soak: mixed load on a live `screenpop serve --store --amocrm` for --minutes, then checks that
memory stayed flat, that nothing failed that the load did not ask for, that every notification
reached every reading stream of its users exactly once, and that the stand-in, the store and the
server's index agree (docs/reliability.md).

Starts `amocrm-standin --control` (a synthetic account of --contacts contacts and --users users) and
`screenpop serve --store <fresh SQLite file, or PostgreSQL> --amocrm <stand-in> --poll 5 --reconcile 300` (the
server reads the whole account first, then polls, reconciles and takes webhooks). Then, until the
time is up:
  - posters post calls in JSON and in PHP's form encoding, batches of 1 to 3 events, to one or two
    users or to every user, numbers the account has, numbers it has not and withheld ones;
  - a webhook sender changes a contact (name, phones) or a lead (status, price) in the stand-in
    first, then posts the matching amoCRM webhook with the stand-in's `updated_at` as
    `last_modified`, so that webhooks, polls and reconciliations tell one story;
  - streams (--streams-per-user per user, by the token or by a stream ticket) connect, read for
    5-30 s, drop and reconnect after 0.2-2.5 s with Last-Event-ID; --pausers of them stop reading
    for 8-15 s in every session (a 4 KiB receive buffer, and the server's --stream-queue-bytes
    16384: the server closes them, and they get the rest by replay when they reconnect);
  - the sync status is read every 10 s, and the server's resident memory (VmRSS) every --sample s.
Before the clock starts, 300 notifications to every user fill the replay buffers. The rates stay
inside the replay window: with the defaults a user gets about 4.2 notifications a second (8 posts
of 1.6 events on average; 15 % to every user, 65 % to one of 6, 20 % to two), so the 256 kept per
user (--replay; the 128 KiB of --replay-bytes hold more than 256 at about 300 bytes each) last
about 60 s, twice the longest gap (a pause of 30 s). Beyond the window a stream would miss the
oldest notifications of its gap: the check would report them as missing.

Checks (exit status 1 when one fails, each printed):
  memory   (runs of --memory-minutes, 10, or more; a shorter run is mostly warm-up and only prints
           its figures) the last two thirds of the samples (the first third is warm-up): the least-squares
           growth over them at most 2 % of the mean RSS + 1 MiB, and the max of the last third at
           most the max of the second third x 1.02 + 1 MiB;
  errors   every post 200, every webhook 200 or 202, every status read 200, no stream refused or
           closed while it read, no warning/error/critical line in the server's log;
  streams  each stream's uids, over its reconnects, are exactly the uids posted for its user after
           it first connected (those in flight at that moment may or may not be there), each once,
           in increasing event ids;
  sync     after the load, once a poll has run that started after the last change: every contact's
           name and phones and every lead's status and price are the stand-in's, in the store
           (read-only SQLite, or psql); every number the stand-in has resolves through POST /api/v2/events as
           `screenpop resolve --store` resolves it; GET /api/v2/sync/status shows no error.

    swift build -c release --product screenpop && swift build -c release --product amocrm-standin
    nice python3 Benchmarks/soak/soak.py --minutes 30
    nice python3 Benchmarks/soak/soak.py --minutes 30 --store postgres   # the store in PostgreSQL
    python3 Benchmarks/soak/soak.py --minutes 2      # quick, for development
"""
import argparse
import json
import os
import random
import resource
import sys
import tempfile
import threading
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import soaklib as sl  # noqa: E402
from soaklib import sb  # noqa: E402

MIB = 1024 * 1024


class Recorder:
    """Latencies by kind, failures, and the posts' uids, from every thread."""

    def __init__(self):
        self.lock = threading.Lock()
        self.latency = {}
        self.failures = []
        self.posts = []  # (uid, users or None, sent, answered)

    def ok(self, kind, seconds):
        with self.lock:
            self.latency.setdefault(kind, []).append(seconds)

    def fail(self, message):
        with self.lock:
            if len(self.failures) < 1000:
                self.failures.append(message)


def poster(port, rng, rate, stop, recorder, known, users):
    client = sl.Client(port)
    interval = 1.0 / rate
    due = time.perf_counter()
    while not stop.is_set():
        due += rng.expovariate(1.0 / interval)
        delay = due - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        events = []
        for _ in range(rng.choice((1, 1, 1, 2, 3))):
            roll = rng.random()
            if roll < 0.6:
                number = rng.choice(known)
            elif roll < 0.9:
                number = "+7 921 %03d-%02d-%02d" % (rng.randrange(1000), rng.randrange(100), rng.randrange(100))
            elif roll < 0.95:
                number = "sip:8%s@pbx.example" % "".join(c for c in rng.choice(known) if c.isdigit())[-10:]
            else:
                number = rng.choice(("anonymous", "Unknown", ""))
            who = rng.random()
            targets = None if who < 0.15 else rng.sample(users, 1 if who < 0.8 else 2)
            events.append((number, targets))
        form = rng.random() < 0.5
        kind = "post (form)" if form else "post (JSON)"
        sent = time.perf_counter()
        try:
            status, body = client.post_events(events, form)
        except Exception as error:  # noqa: BLE001 - any failure of a request is a finding
            recorder.fail("%s: %s" % (kind, error))
            continue
        answered = time.perf_counter()
        if status != 200:
            recorder.fail("%s: %d %r" % (kind, status, body[:200]))
            continue
        recorder.ok(kind, answered - sent)
        items = json.loads(body)["_embedded"]["items"]
        with recorder.lock:
            for (number, targets), item in zip(events, items):
                recorder.posts.append((item["uid"], set(targets) if targets else None, sent, answered))
    client.close()


def webhooker(port, standin, account_id, rng, rate, stop, recorder, contacts, leads, pipelines, state):
    """Changes the stand-in, then posts the matching webhook; keeps the latest change's time."""
    client = sl.Client(port)
    order = list(contacts)
    rng.shuffle(order)
    lead_ids = list(leads)
    n = 0
    interval = 1.0 / rate
    due = time.perf_counter()
    while not stop.is_set():
        due += interval
        delay = due - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        n += 1
        try:
            if rng.random() < 0.75 or not lead_ids:
                # Round-robin over the contacts: one contact is changed again only minutes later.
                contact_id = order[n % len(order)]
                phones = [sl.soak_number(state["numbers"])]
                state["numbers"] += 1
                if rng.random() < 0.5 and contacts[contact_id]:
                    phones.insert(0, contacts[contact_id][0])
                name = "Soak контакт %d" % n
                updated_at = standin.change_contact(contact_id, name, phones)
                pairs = sl.contact_webhook(account_id, contact_id, name, phones, updated_at)
                kind = "webhook (contact)"
            else:
                lead_id = rng.choice(lead_ids)
                pipeline = leads[lead_id]
                status_id = rng.choice(pipelines.get(pipeline) or [142, 143])
                price = rng.randrange(1000, 500000)
                updated_at, pipeline_id = standin.change_lead(lead_id, status_id, price)
                pairs = sl.lead_status_webhook(account_id, lead_id, status_id, pipeline_id, price, updated_at)
                kind = "webhook (lead status)"
            state["last_change"] = max(state["last_change"], updated_at)
        except Exception as error:  # noqa: BLE001
            recorder.fail("stand-in change: %s" % error)
            continue
        sent = time.perf_counter()
        try:
            status, body = client.webhook(pairs)
        except Exception as error:  # noqa: BLE001
            recorder.fail("%s: %s" % (kind, error))
            continue
        if status not in (200, 202):
            recorder.fail("%s: %d %r" % (kind, status, body[:200]))
            continue
        recorder.ok(kind, time.perf_counter() - sent)
    client.close()


def status_reader(port, stop, recorder, state):
    client = sl.Client(port)
    while not stop.wait(10):
        sent = time.perf_counter()
        try:
            answer = client.sync_status()
        except Exception as error:  # noqa: BLE001
            recorder.fail("sync status: %s" % error)
            continue
        recorder.ok("sync status", time.perf_counter() - sent)
        state["status"] = answer
    client.close()


def sampler(pid, every, stop, samples, started):
    while True:
        rss = sl.rss_bytes(pid)
        if rss is not None:
            samples.append((time.perf_counter() - started, rss))
        if stop.wait(every):
            return


def memory_check(samples):
    """(passed, figures) by the criterion of the module's doc."""
    n = len(samples)
    if n < 6:
        return False, {"samples": n, "reason": "too few samples"}
    first, second = n // 3, 2 * n // 3
    tail = samples[first:]
    slope = sl.linear_slope([(t, rss) for t, rss in tail])  # bytes a second
    span = tail[-1][0] - tail[0][0]
    mean = sum(rss for _, rss in tail) / len(tail)
    growth = slope * span
    max_second = max(rss for _, rss in samples[first:second])
    max_third = max(rss for _, rss in samples[second:])
    growth_bound = 0.02 * mean + MIB
    max_bound = max_second * 1.02 + MIB
    figures = {
        "samples": n, "warm_up_end_s": round(samples[first][0]), "rss_at_warm_up_mib": round(samples[first][1] / MIB, 1),
        "rss_end_mib": round(samples[-1][1] / MIB, 1), "rss_peak_mib": round(max(r for _, r in samples) / MIB, 1),
        "slope_mib_per_hour": round(slope * 3600 / MIB, 2), "growth_over_window_mib": round(growth / MIB, 2),
        "growth_bound_mib": round(growth_bound / MIB, 2), "max_second_third_mib": round(max_second / MIB, 1),
        "max_last_third_mib": round(max_third / MIB, 1), "max_bound_mib": round(max_bound / MIB, 1),
    }
    return growth <= growth_bound and max_third <= max_bound, figures


def wait_for_poll_after(client, instant, timeout=90):
    """Waits until a poll that started after `instant` (Unix seconds) has succeeded."""
    deadline = time.monotonic() + timeout
    status = None
    while time.monotonic() < deadline:
        status = client.sync_status()
        if (status.get("last_poll_at") or 0) > instant and not status.get("listing_in_progress"):
            return status
        time.sleep(1)
    raise RuntimeError("no poll after %d within %d s: %s" % (instant, timeout, json.dumps(status)[:500]))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--store", default="sqlite",
                        help="sqlite (a fresh file; the default), postgres (a throwaway cluster through "
                             "scripts/postgres.sh), or the postgres:// URL of an empty database")
    parser.add_argument("--contacts", type=int, default=2000)
    parser.add_argument("--users", type=int, default=6)
    parser.add_argument("--post-rate", type=float, default=8, help="posts a second, all posters together")
    parser.add_argument("--posters", type=int, default=2)
    parser.add_argument("--webhook-rate", type=float, default=4)
    parser.add_argument("--streams-per-user", type=int, default=2)
    parser.add_argument("--pausers", type=int, default=2, help="streams that stop reading for a while")
    parser.add_argument("--poll", type=int, default=5)
    parser.add_argument("--reconcile", type=int, default=300)
    parser.add_argument("--sample", type=float, default=5, help="seconds between RSS samples")
    parser.add_argument("--memory-minutes", type=float, default=10,
                        help="the shortest run whose memory is judged (shorter ones print the figures)")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--keep", action="store_true", help="keep the directory with the store and the log")
    args = parser.parse_args()
    if args.store not in ("sqlite", "postgres") and not sl.is_postgres(args.store):
        sys.exit("--store: sqlite, postgres (a throwaway cluster) or a postgres:// URL of an empty database")
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1 << 31)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    directory = tempfile.mkdtemp(prefix="screenpop-soak-")
    store = os.path.join(directory, "soak.sqlite") if args.store == "sqlite" else args.store
    print("soak: %.1f min, seed %d, commit %s, %d cores, load %s, directory %s" % (
        args.minutes, seed, sb.git_commit(), os.cpu_count(), sb.load_average(), directory), flush=True)
    problems = []
    standin = server = postgres = None
    try:
        if args.store == "postgres":
            postgres = sb.Postgres(os.path.join(directory, "postgres"))
            store = postgres.url
            sl.log("PostgreSQL at %s" % store)
        standin = sl.StandIn(args.contacts, args.users, seed=1)
        started_server = time.perf_counter()
        server = sl.start_server(store, standin, args.poll, args.reconcile,
                                 ["--heartbeat", "5", "--stream-queue-bytes", "16384"],
                                 log_path=os.path.join(directory, "serve.log"))
        sl.log("server listening on %d after %.1f s (first listing included)" % (
            server.port, time.perf_counter() - started_server))
        problems += run(args, seed, standin, server, store)
    except Exception:  # noqa: BLE001 - said, and the directory kept
        problems.append("the run stopped: " + traceback.format_exc())
    finally:
        sl.stop_all(server, standin, postgres)
        sl.tidy_up(directory, args.keep or problems, "the store and serve.log")
    sl.verdict(problems)


def run(args, seed, standin, server, store):
    rng = random.Random(seed)
    problems = []
    client = sl.Client(server.port)
    account_id = client.sync_status()["account_id"]
    contacts = {c["id"]: sl.contact_phones(c) for c in standin.listing("contacts") if not c.get("is_deleted")}
    leads = {lead["id"]: lead.get("pipeline_id") for lead in standin.listing("leads") if not lead.get("is_deleted")}
    pipelines = standin.pipelines()
    known = sorted({p for phones in contacts.values() for p in phones})
    users = standin.users
    sl.log("account %d: %d contacts, %d numbers, %d leads, users %s" % (
        account_id, len(contacts), len(known), len(leads), users))

    recorder = Recorder()
    state = {"last_change": 0, "numbers": rng.randrange(10 ** 6), "status": None}
    load_stop, stream_stop, sample_stop = threading.Event(), threading.Event(), threading.Event()
    # Warm-up before the clock: the replay buffers filled (300 notifications to every user, more
    # than the 256 each keeps), before any stream connects.
    for _ in range(3):
        status, body = client.post_events([(rng.choice(known), None) for _ in range(100)], form=False)
        if status != 200:
            raise RuntimeError("warm-up post: %d %r" % (status, body[:200]))
    started = time.perf_counter()
    samples = []
    threads = [threading.Thread(target=sampler, args=(server.process.pid, args.sample, sample_stop, samples, started),
                                daemon=True)]
    streams = []
    for i, user in enumerate(users):
        for k in range(args.streams_per_user):
            number = len(streams)
            pauser = k == 1 and i < args.pausers
            streams.append(sl.Stream("stream-%d-%s%s" % (user, "ticket" if number % 2 else "token",
                                                          "-pauser" if pauser else "-%d" % k),
                                     server.port, user, "ticket" if number % 2 else "token", pauser, stream_stop,
                                     seed=rng.randrange(1 << 30)))
    for s in streams:
        s.start()
    time.sleep(1)
    for i in range(args.posters):
        threads.append(threading.Thread(target=poster, args=(
            server.port, random.Random(rng.randrange(1 << 30)), args.post_rate / args.posters, load_stop, recorder,
            known, users), daemon=True))
    threads.append(threading.Thread(target=webhooker, args=(
        server.port, standin, account_id, random.Random(rng.randrange(1 << 30)), args.webhook_rate, load_stop,
        recorder, contacts, leads, pipelines, state), daemon=True))
    threads.append(threading.Thread(target=status_reader, args=(server.port, load_stop, recorder, state), daemon=True))
    for t in threads:
        t.start()

    end = started + args.minutes * 60
    next_report = started + 60
    while time.perf_counter() < end:
        time.sleep(min(1, max(0, end - time.perf_counter())))
        if server.process.poll() is not None:
            problems.append("the server exited with status %s during the load" % server.process.returncode)
            break
        if time.perf_counter() >= next_report:
            next_report += 60
            with recorder.lock:
                counts = {k: len(v) for k, v in recorder.latency.items()}
                failures = len(recorder.failures)
            sl.log("%.0f s: %s, failures %d, RSS %.1f MiB, load %s" % (
                time.perf_counter() - started, counts, failures, (samples[-1][1] if samples else 0) / MIB,
                sb.load_average()))
    load_seconds = time.perf_counter() - started
    load_stop.set()
    for t in threads[1:]:
        t.join(60)
    time.sleep(2)  # the last posts reach the open streams
    stream_stop.set()
    for s in streams:
        s.join(60)
    sample_stop.set()
    threads[0].join(10)
    load_end = sb.load_average()

    # Errors the load did not ask for.
    problems += ["request: " + f for f in recorder.failures]
    for s in streams:
        problems += ["%s: %s" % (s.name, u) for u in s.unexpected]
        problems += ["%s: %s" % (s.name, e) for e in s.errors]
        if s.is_alive():
            problems.append("%s: still running after the stop" % s.name)

    # Exactly once.
    stream_problems, delivered = sl.check_streams(streams, recorder.posts)
    problems += stream_problems

    # The sync agrees.
    sl.log("waiting for a poll that started after the last change (%d)" % state["last_change"])
    status = wait_for_poll_after(client, state["last_change"])
    standin_contacts, standin_leads = sl.standin_state(standin)
    store_contacts, store_leads = sl.store_state(store)
    differences, count = sl.compare_states(standin_contacts, standin_leads, store_contacts, store_leads)
    if count:
        problems.append("the store and the stand-in differ in %d entities: %s" % (count, "; ".join(differences)))
    numbers = sl.line_numbers(sorted({p for _, phones in standin_contacts.values() for p in phones}))
    numbers += [sl.soak_number(n) for n in range(5)]  # nobody's
    mismatches = sl.index_agrees(store, client, numbers, users[0])
    if mismatches:
        problems.append("the server and `resolve --store` differ on %d of %d numbers, e.g. %s" % (
            len(mismatches), len(numbers), mismatches[:3]))
    status = client.sync_status()
    if status.get("error_count"):
        problems.append("sync status: %d errors: %s" % (status["error_count"], json.dumps(status.get("errors"))[:600]))
    bad = sl.bad_log_lines(server.lines)
    problems += ["log: " + line for line in bad[:20]]
    if len(bad) > 20:
        problems.append("log: %d more lines at warning or above" % (len(bad) - 20))

    passed, memory = memory_check(samples)
    judged = args.minutes >= args.memory_minutes
    if not passed and judged:
        problems.append("memory not flat after warm-up: %s" % json.dumps(memory))

    # Figures.
    print()
    print("load: %.1f min (%.0f s), seed %d; load average at the end %s" % (
        load_seconds / 60, load_seconds, seed, load_end))
    print("%-24s %8s %10s %10s %10s" % ("requests", "count", "p50", "p99", "max"))
    for kind in sorted(recorder.latency):
        values = recorder.latency[kind]
        figures = sb.summary(values)
        print("%-24s %8d %10s %10s %10s" % (kind, len(values), sb.fmt_ms(figures["p50_ms"]),
                                            sb.fmt_ms(figures["p99_ms"]), sb.fmt_ms(figures["max_ms"])))
    sessions = sum(len(s.sessions) for s in streams)
    print("notifications posted: %d (events); delivered to streams: %d, over %d stream sessions of %d streams "
          "(%d by ticket); pauses of 20-30 s: %d dropped by the client with what it had not read, %d closed by "
          "the server, each caught up by replay" % (
              len(recorder.posts), delivered, sessions, len(streams), sum(1 for s in streams if s.auth == "ticket"),
              sum(s.dropped_unread for s in streams), sum(s.closed_while_paused for s in streams)))
    print("sync: %d webhooks applied, %d commits, %d re-reads, %d index rebuilds, %d errors; last reconcile at %s; "
          "store = stand-in on %d contacts and %d leads; %d numbers resolved alike" % (
              status.get("webhooks", 0), status.get("commits", 0), status.get("re_reads", 0),
              status.get("index_rebuilds", 0), status.get("error_count", 0), status.get("last_reconcile_at"),
              len(standin_contacts), len(standin_leads), len(numbers) - len(mismatches)))
    print("memory%s: %s" % ("" if judged else " (not judged: a run under %g minutes is mostly warm-up)"
                            % args.memory_minutes, json.dumps(memory)))
    by_minute = [round(rss / MIB, 1) for t, rss in samples if int(t) % 60 < args.sample]
    print("RSS MiB, one sample a minute: %s" % by_minute)
    print("server log: %d lines, %d at warning or above" % (len(server.lines), len(bad)))
    client.close()
    return problems


if __name__ == "__main__":
    main()
