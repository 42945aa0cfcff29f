#!/usr/bin/env python3
"""Crash: `kill -9` a live `screenpop serve --store --amocrm` at random moments of its load, --kills
times, and check every restart (docs/reliability.md).

Starts `amocrm-standin --control` (--contacts contacts) and `screenpop serve --store <fresh SQLite
file> --amocrm <stand-in> --poll 5`, which reads the whole account first. Then, --kills times:
  1. load: two webhook senders (each change made in the stand-in first, then posted as amoCRM's
     webhook with the stand-in's `updated_at`: a contact's name and phones, or a lead's status and
     price; contacts taken round-robin, so no contact changes twice within seconds) and a poster of
     calls in JSON and form encoding;
  2. after a random moment (seeded, printed) of --min to --max seconds, SIGKILL;
  3. a restart on the same store file, timed from the exec to the `listening` line;
  4. checks: every change acknowledged (200) before the kill is in the store, as acknowledged or
     replaced by a later change of the same entity (one not acknowledged because of the kill may
     be there or not: the stand-in has it, so a poll may bring it too), checked on the file as the
     killed server left it and again after the restart; the store is read with Python's sqlite3,
     read-only (the schema is in docs/live-account.md), or with psql; the server answers every
     number changed in the round and a sample of the others as `screenpop resolve --store` answers
     from the store; GET /api/v2/sync/status answers with no error; the restart within
     --restart-bound seconds.
At the end, once a poll has run after the last change, the whole store equals the stand-in and the
server's log has no warning, error or critical line. Prints a table per kill and exits 1 on any
inconsistency.

    swift build -c release --product screenpop && swift build -c release --product amocrm-standin
    nice python3 Benchmarks/soak/crash.py --kills 50
    nice python3 Benchmarks/soak/crash.py --kills 50 --store postgres   # the store in PostgreSQL
    python3 Benchmarks/soak/crash.py --kills 3       # quick, for development
"""
import argparse
import json
import os
import random
import signal
import sys
import tempfile
import threading
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import soaklib as sl  # noqa: E402
from soaklib import sb  # noqa: E402


class Ledger:
    """What the store may hold for every entity that the load changed: the acknowledged state, or
    any of the states tried after it (in the stand-in, not acknowledged)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.contacts = {}  # id -> [(name, phones)]
        self.leads = {}  # id -> [(status, price)]
        self.acked_round = 0
        self.acked_total = 0
        self.tried_round = 0
        self.numbers_round = []
        self.acked_at = {}  # (table name, id) -> time.perf_counter() of the acknowledgement
        self.killed_at = None

    def tried(self, table, key, value, original):
        """`value` goes to the stand-in; until acknowledged, the store may still hold what it had."""
        with self.lock:
            table.setdefault(key, [original]).append(value)
            self.tried_round += 1

    def acked(self, table, key, value, numbers=()):
        with self.lock:
            states = table[key]
            # This state, and any tried after it (another sender's, not acknowledged yet).
            table[key] = states[states.index(value):] if value in states else [value]
            self.acked_at[(id(table), key)] = time.perf_counter()
            self.acked_round += 1
            self.acked_total += 1
            self.numbers_round += list(numbers)


def sender(port, standin, account_id, rng, stop, killed, ledger, plan, failures, kinds):
    client = sl.Client(port, timeout=10)
    while not stop.is_set():
        with plan["lock"]:
            plan["n"] += 1
            n = plan["n"]
        if rng.random() < 0.75:
            contact_id = plan["contacts"][n % len(plan["contacts"])]
            phones = [sl.soak_number(plan["base"] + n)]
            name = "Crash контакт %d" % n
            try:
                updated_at = standin.change_contact(contact_id, name, phones)
            except Exception as error:  # noqa: BLE001
                failures.append("stand-in: %s" % error)
                continue
            value = (name, phones)
            table, key, numbers = ledger.contacts, contact_id, phones
            pairs = sl.contact_webhook(account_id, contact_id, name, phones, updated_at)
        else:
            lead_id = rng.choice(plan["lead_ids"])
            status_id = rng.choice(plan["pipelines"].get(plan["leads"][lead_id]) or [142, 143])
            price = rng.randrange(1000, 500000)
            try:
                updated_at, pipeline_id = standin.change_lead(lead_id, status_id, price)
            except Exception as error:  # noqa: BLE001
                failures.append("stand-in: %s" % error)
                continue
            value = (status_id, price)
            table, key, numbers = ledger.leads, lead_id, ()
            pairs = sl.lead_status_webhook(account_id, lead_id, status_id, pipeline_id, price, updated_at)
        ledger.tried(table, key, value, plan["original"][(table is ledger.leads, key)])
        plan["last_change"] = max(plan["last_change"], updated_at)
        try:
            status, body = client.webhook(pairs)
        except Exception as error:  # noqa: BLE001
            if not killed.is_set():
                failures.append("webhook: %s" % error)
            time.sleep(0.05)
            continue
        if status == 200:
            ledger.acked(table, key, value, numbers)
            kinds["webhook"] = kinds.get("webhook", 0) + 1
        elif not killed.is_set():
            failures.append("webhook: %d %r" % (status, body[:200]))
        time.sleep(rng.uniform(0, 0.05))
    client.close()


def poster(port, rng, stop, killed, known, users, failures, kinds):
    client = sl.Client(port, timeout=10)
    while not stop.is_set():
        number = rng.choice(known) if rng.random() < 0.7 else "+7 921 %07d" % rng.randrange(10 ** 7)
        form = rng.random() < 0.5
        try:
            status, body = client.post_events([(number, [rng.choice(users)])], form)
        except Exception as error:  # noqa: BLE001
            if not killed.is_set():
                failures.append("post: %s" % error)
            time.sleep(0.05)
            continue
        if status == 200:
            kinds["post"] = kinds.get("post", 0) + 1
        elif not killed.is_set():
            failures.append("post: %d %r" % (status, body[:200]))
        time.sleep(rng.uniform(0, 0.1))
    client.close()


def check_store(store, ledger, read_only=True):
    """Entities whose stored state is none of the acceptable ones; and how many were checked."""
    contacts, leads = sl.store_state(store, read_only)
    wrong = []
    with ledger.lock:
        for label, table, stored in (("contact", ledger.contacts, contacts), ("lead", ledger.leads, leads)):
            for key, states in table.items():
                value = stored.get(key)
                value = (value[0], list(value[1])) if label == "contact" and value else value
                accepted = [(a, list(b)) for a, b in states] if label == "contact" else list(states)
                if value not in accepted:
                    at = ledger.acked_at.get((id(table), key))
                    when = " (acknowledged %.3f s before the kill)" % (ledger.killed_at - at) if at and ledger.killed_at else ""
                    wrong.append("%s %d: store %r, acknowledged or later %r%s" % (label, key, value, accepted[:3], when))
        checked = len(ledger.contacts) + len(ledger.leads)
    return wrong, checked


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kills", type=int, default=50)
    parser.add_argument("--contacts", type=int, default=1000)
    parser.add_argument("--users", type=int, default=3)
    parser.add_argument("--min", type=float, default=0.3, help="least seconds of load before a kill")
    parser.add_argument("--max", type=float, default=4.0, help="most seconds of load before a kill")
    parser.add_argument("--poll", type=int, default=5)
    parser.add_argument("--restart-bound", type=float, default=30, help="seconds a restart may take")
    parser.add_argument("--sample", type=int, default=100, help="numbers not changed checked per restart")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--store", default="sqlite",
                        help="sqlite (a fresh file; the default), postgres (a throwaway cluster through "
                             "scripts/postgres.sh), or the postgres:// URL of an empty database")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1 << 31)
    rng = random.Random(seed)
    directory = tempfile.mkdtemp(prefix="screenpop-crash-")
    if args.store not in ("sqlite", "postgres") and not sl.is_postgres(args.store):
        sys.exit("--store: sqlite, postgres (a throwaway cluster) or a postgres:// URL of an empty database")
    store = os.path.join(directory, "crash.sqlite") if args.store == "sqlite" else args.store
    print("crash: %d kills, seed %d, commit %s, %d cores, load %s, directory %s" % (
        args.kills, seed, sb.git_commit(), os.cpu_count(), sb.load_average(), directory), flush=True)
    problems = []
    standin = server = postgres = None
    logs = []
    try:
        if args.store == "postgres":
            postgres = sb.Postgres(os.path.join(directory, "postgres"))
            store = postgres.url
        standin = sl.StandIn(args.contacts, args.users, seed=1)
        server = sl.start_server(store, standin, args.poll, 86400, log_path=os.path.join(directory, "serve-0.log"))
        client = sl.Client(server.port)
        account_id = client.sync_status()["account_id"]
        client.close()
        initial_contacts, initial_leads = sl.standin_state(standin)
        contacts = {key: phones for key, (_, phones) in initial_contacts.items()}
        leads = {lead["id"]: lead.get("pipeline_id") for lead in standin.listing("leads") if not lead.get("is_deleted")}
        original = {(False, key): value for key, value in initial_contacts.items()}
        original.update({(True, key): value for key, value in initial_leads.items()})
        order = list(contacts)
        rng.shuffle(order)
        plan = {"lock": threading.Lock(), "n": 0, "base": rng.randrange(10 ** 6), "contacts": order,
                "lead_ids": sorted(leads), "leads": leads, "pipelines": standin.pipelines(), "last_change": 0,
                "original": original}
        known = sl.line_numbers(sorted({p for phones in contacts.values() for p in phones}))
        ledger = Ledger()
        print("%4s %8s %7s %6s %8s %8s %9s  %s" % ("kill", "moment", "acked", "posts", "checked", "numbers",
                                                 "restart", "result"), flush=True)
        restarts = []
        for k in range(1, args.kills + 1):
            moment = rng.uniform(args.min, args.max)
            stop, killed = threading.Event(), threading.Event()
            failures, kinds = [], {}
            with ledger.lock:
                ledger.acked_round = ledger.tried_round = 0
                ledger.numbers_round = []
            threads = [threading.Thread(target=sender, args=(
                server.port, standin, account_id, random.Random(rng.randrange(1 << 30)), stop, killed, ledger, plan,
                failures, kinds), daemon=True) for _ in range(2)]
            threads.append(threading.Thread(target=poster, args=(
                server.port, random.Random(rng.randrange(1 << 30)), stop, killed, known, standin.users, failures,
                kinds), daemon=True))
            for t in threads:
                t.start()
            time.sleep(moment)
            killed.set()
            ledger.killed_at = time.perf_counter()
            os.kill(server.process.pid, signal.SIGKILL)
            server.process.wait()
            stop.set()
            for t in threads:
                t.join(30)
            server.reader.join(5)
            logs.append(server.lines)
            round_problems = ["kill %d: %s" % (k, f) for f in failures]
            # The file as the killed server left it, before anything opens it again.
            wrong, _ = check_store(store, ledger, read_only=os.environ.get("CRASH_RW") is None)
            round_problems += ["kill %d, before the restart: %s" % (k, w) for w in wrong[:10]]
            restarted = time.perf_counter()
            try:
                server = sl.start_server(store, standin, args.poll, 86400,
                                         log_path=os.path.join(directory, "serve-%d.log" % k))
            except RuntimeError as error:
                problems += round_problems + ["kill %d: the server did not start again: %s" % (k, error)]
                server = None
                break
            restart = time.perf_counter() - restarted
            restarts.append(restart)
            if restart > args.restart_bound:
                round_problems.append("kill %d: the restart took %.1f s (bound %.0f s)" % (k, restart, args.restart_bound))
            wrong, checked = check_store(store, ledger)
            round_problems += ["kill %d: %s" % (k, w) for w in wrong[:10]]
            client = sl.Client(server.port)
            with ledger.lock:
                numbers = sorted(set(ledger.numbers_round))
            numbers += rng.sample(known, min(args.sample, len(known)))
            try:
                mismatches = sl.index_agrees(store, client, numbers, standin.users[0])
                if mismatches:
                    round_problems.append("kill %d: the server and the store differ on %d of %d numbers, e.g. %s" % (
                        k, len(mismatches), len(numbers), mismatches[:3]))
                status = client.sync_status()
                if status.get("error_count"):
                    round_problems.append("kill %d: sync errors %s" % (k, json.dumps(status.get("errors"))[:400]))
            except Exception as error:  # noqa: BLE001
                round_problems.append("kill %d: checking: %s" % (k, error))
            client.close()
            with ledger.lock:
                acked = ledger.acked_round
            print("%4d %7.2fs %7d %6d %8d %8d %8.2fs  %s" % (
                k, moment, acked, kinds.get("post", 0), checked, len(numbers), restart,
                "ok" if not round_problems else "FAILED (%d)" % len(round_problems)), flush=True)
            problems += round_problems

        standin_contacts, standin_leads = {}, {}
        if server is not None:
            client = sl.Client(server.port)
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline:
                status = client.sync_status()
                if (status.get("last_poll_at") or 0) > plan["last_change"] and not status.get("listing_in_progress"):
                    break
                time.sleep(1)
            else:
                problems.append("no poll after the last change within 90 s")
            standin_contacts, standin_leads = sl.standin_state(standin)
            store_contacts, store_leads = sl.store_state(store)
            differences, count = sl.compare_states(standin_contacts, standin_leads, store_contacts, store_leads)
            if count:
                problems.append("at the end the store and the stand-in differ in %d entities: %s" % (
                    count, "; ".join(differences)))
            client.close()
            server.stop()
            logs.append(server.lines)
            server = None
        bad = [line for lines in logs for line in sl.bad_log_lines(lines)]
        problems += ["log: " + line for line in bad[:20]]
        if restarts:
            print("restarts: %d, p50 %.2f s, max %.2f s; webhooks acknowledged %d in all; load average %s" % (
                len(restarts), sb.percentile(restarts, 50), max(restarts), ledger.acked_total, sb.load_average()))
            print("end: store = stand-in on %d contacts and %d leads; server log lines at warning or above: %d" % (
                len(standin_contacts), len(standin_leads), len(bad)))
    except Exception:  # noqa: BLE001 - said, and the directory kept
        problems.append("the run stopped: " + traceback.format_exc())
    finally:
        sl.stop_all(server, standin, postgres)
        sl.tidy_up(directory, args.keep or problems, "the store and each run's serve-N.log")
    sl.verdict(problems)


if __name__ == "__main__":
    main()
