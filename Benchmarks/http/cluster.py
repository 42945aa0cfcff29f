#!/usr/bin/env python3
"""Two `screenpop serve` instances on one PostgreSQL store, on loopback (docs/performance.md, "Many
accounts and several instances").

Starts a throwaway PostgreSQL (scripts/postgres.sh, in a temporary directory, stopped at the end),
puts an account in it (a synthetic one of --contacts N: amocrm-standin and `screenpop sync`; or the
demo account with --demo), registers it (`screenpop accounts add`), and starts two release servers
on the store. Then, for --seconds:

- webhooks: --rate amoCRM webhooks a second (form format, each gives one contact a new number) go
  to instance 1; a prober posts, every --probe-interval, one batch call to instance 2 with every
  number not yet seen there, and a number is "visible on the other instance" when instance 2's
  answer names an entity for it (time from sending the webhook to that answer: an upper bound by
  up to one probe interval). The probes notify a user that has no stream open.
- calls: a stream (Server-Sent Events) stays open on instance 2 for one user while calls for that
  user are posted to instance 1 at --calls-rate a second; the time from sending the post to the
  event's bytes arriving on instance 2's stream.

Prints a table and one line of JSON. Targets: visible p99 <= 1 s, call -> other instance's stream
p99 <= 50 ms. Everything runs on this machine (servers, PostgreSQL and this client share the cores).

    swift build -c release --product screenpop && swift build -c release --product amocrm-standin
    python3 Benchmarks/http/cluster.py --seconds 30 --rate 200 --calls-rate 20

--instances 1 runs the same measurements against a single server (with --store-kind sqlite, no
PostgreSQL: the token and secret come from the environment, as for one account).
"""
import argparse
import json
import os
import shutil
import sys
import tempfile
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serverbench as sb  # noqa: E402

PROBE_USER_ID = 9_000_001


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--rate", type=float, default=200, help="webhooks a second to instance 1")
    parser.add_argument("--calls-rate", type=float, default=20, help="calls a second to instance 1")
    parser.add_argument("--contacts", type=int, default=10_000, help="contacts of the synthetic account")
    parser.add_argument("--demo", action="store_true", help="the demo account instead of a synthetic one")
    parser.add_argument("--senders", type=int, default=16, help="connections sending webhooks")
    parser.add_argument("--probe-interval", type=float, default=0.01, help="seconds between two probes")
    parser.add_argument("--timeout", type=float, default=5, help="seconds after which a webhook is never visible")
    parser.add_argument("--instances", type=int, choices=[1, 2], default=2)
    parser.add_argument("--store-kind", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (logs)")
    args = parser.parse_args()
    if args.instances == 2 and args.store_kind != "postgres":
        parser.error("two instances share a PostgreSQL store")

    directory = tempfile.mkdtemp(prefix="screenpop-cluster-")
    postgres = None
    servers = []
    try:
        setup_started = time.perf_counter()
        if args.store_kind == "postgres":
            postgres = sb.Postgres(os.path.join(directory, "pg"))
            store = postgres.url
            sb.log("PostgreSQL at " + store)
        else:
            store = os.path.join(directory, "store.sqlite")
        sql = sb.StoreSQL(store, postgres)
        if args.demo:
            imported = sb.import_directory(store, os.path.join(sb.ROOT, "Examples/demo-account"))
            account_id = imported["account_id"]
        else:
            seconds = sb.sync_synthetic(store, args.contacts)
            account_id = sql.account_ids()[0]
            sb.log("synthetic account of %d contacts synced in %.1f s" % (args.contacts, seconds))
        contacts = sql.contacts(account_id)
        users = sql.users(account_id)
        stream_user = users[0]
        if len(users) >= 2:
            probe_user = users[1]
        else:
            sql.add_user(account_id, PROBE_USER_ID, "Bench probe")
            probe_user = PROBE_USER_ID

        environment = {}
        if args.store_kind == "postgres":
            token, secret = sb.accounts_add(store, "bench", account_id)
        else:
            token, secret = "bench-token-0123456789", "bench-webhook-secret-0123456789"
            environment = {"SCREENPOP_API_TOKEN": token, "SCREENPOP_WEBHOOK_SECRET": secret}
        for n in range(args.instances):
            servers.append(sb.Server(["--store", store, "--log-level", "info"], environment, name="instance %d" % (n + 1),
                                     log_path=os.path.join(directory, "serve-%d.log" % (n + 1))))
        first, other = servers[0], servers[-1]
        # Load the account on both (the first request of an account loads it).
        for server in servers:
            status, answer = sb.post_call(server.connection(), token, "+7 495 000-00-00", users=[probe_user])
            if status != 200:
                raise RuntimeError("%s: %s %s" % (server.name, status, answer))
        setup_seconds = time.perf_counter() - setup_started
        sb.log("servers on ports %s; account %d, %d contacts, stream user %d, probe user %d; setup %.1f s" % (
            ", ".join(str(s.port) for s in servers), account_id, len(contacts), stream_user, probe_user, setup_seconds))
        load_before = sb.load_average()
        result = run(args, first, other, token, secret, account_id, contacts, stream_user, probe_user)
        result.update({
            "benchmark": "cluster", "commit": sb.git_commit(), "instances": args.instances, "store": args.store_kind,
            "account": "demo" if args.demo else "synthetic", "contacts": len(contacts),
            "load_before": load_before, "load_after": sb.load_average(), "setup_seconds": round(setup_seconds, 1),
        })
        report(result)
    finally:
        for server in servers:
            server.stop()
        if postgres:
            postgres.stop()
        if args.keep:
            sb.log("kept " + directory)
        else:
            shutil.rmtree(directory, ignore_errors=True)


def webhook_body(account_id, contact, number, i):
    return urllib.parse.urlencode({
        "account[id]": str(account_id),
        "contacts[update][0][id]": str(contact),
        "contacts[update][0][name]": "Webhook %d" % i,
        "contacts[update][0][last_modified]": str(int(time.time())),
        "contacts[update][0][custom_fields][0][code]": "PHONE",
        "contacts[update][0][custom_fields][0][values][0][value]": number,
        "contacts[update][0][custom_fields][0][values][0][enum]": "MOB",
    })


def webhook_number(i):
    # +7 999 ...: a mobile range; numbers the account already has are skipped before the run.
    return "+7 999 %03d-%02d-%02d" % (i // 10000 % 1000, i // 100 % 100, i % 100)


def call_number(i):
    return "+7 916 8%02d-%02d-%02d" % (i // 10000 % 100, i // 100 % 100, i % 100)


def run(args, first, other, token, secret, account_id, contacts, stream_user, probe_user):
    count = int(args.rate * args.seconds)
    # Numbers that already resolve on the account (a synthetic number, a suffix match) are left out.
    numbers = []
    candidate = 0
    probe = other.connection()
    while len(numbers) < count:
        batch = [webhook_number(candidate + k) for k in range(500)]
        candidate += 500
        status, items = sb.post_calls(probe, token, batch, users=[probe_user])
        if status != 200:
            raise RuntimeError("probe: %s %s" % (status, items))
        numbers += [number for number, item in zip(batch, items) if item["element_id"] is None]
    numbers = numbers[:count]
    if count > len(contacts):
        sb.log("warning: %d webhooks for %d contacts: a contact's number is replaced while the last one may "
               "not be visible yet (counted as superseded)" % (count, len(contacts)))

    lock = threading.Lock()
    pending = {}  # number -> (contact, sent)
    last_number = {}  # contact -> its pending number
    answered = []
    visible = []
    failures = {"webhook_status": 0, "never_visible": 0, "superseded": 0, "call_status": 0, "call_never_streamed": 0}
    started = time.perf_counter() + 0.5
    stop = threading.Event()

    def sender(k):
        connection = first.connection()
        path = "/amocrm/webhooks/" + secret
        for i in range(k, count, args.senders):
            due = started + i / args.rate
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            contact = contacts[i % len(contacts)]
            number = numbers[i]
            body = webhook_body(account_id, contact, number, i)
            sent = time.perf_counter()
            with lock:
                previous = last_number.get(contact)
                if previous in pending:
                    del pending[previous]
                    failures["superseded"] += 1
                pending[number] = (contact, sent)
                last_number[contact] = number
            connection.request("POST", path, body, {"Content-Type": "application/x-www-form-urlencoded"})
            response = connection.getresponse()
            response.read()
            done = time.perf_counter()
            with lock:
                if response.status != 200:
                    failures["webhook_status"] += 1
                    pending.pop(number, None)
                else:
                    answered.append(done - sent)

    probes = {"requests": 0, "events": 0}
    senders_done = threading.Event()

    def prober():
        connection = other.connection()
        while True:
            tick = time.perf_counter()
            with lock:
                batch = sorted(pending.items(), key=lambda item: item[1][1])[:500]
            if not batch:
                if senders_done.is_set():
                    return
                time.sleep(args.probe_interval)
                continue
            status, items = sb.post_calls(connection, token, [number for number, _ in batch], users=[probe_user])
            now = time.perf_counter()
            probes["requests"] += 1
            probes["events"] += len(batch)
            if status != 200:
                raise RuntimeError("probe: %s %s" % (status, items))
            with lock:
                for (number, (contact, sent)), item in zip(batch, items):
                    if number not in pending:
                        continue
                    if item["element_id"] is not None:
                        visible.append(now - sent)
                        del pending[number]
                    elif now - sent > args.timeout:
                        failures["never_visible"] += 1
                        del pending[number]
            delay = tick + args.probe_interval - time.perf_counter()
            if delay > 0:
                time.sleep(delay)

    call_sent = {}  # number -> sent
    call_answered = []
    streamed = []

    def on_event(data, received):
        try:
            number = json.loads(data).get("phone_number")
        except ValueError:
            return
        with lock:
            sent = call_sent.pop(number, None)
            if sent is not None:
                streamed.append(received - sent)

    stream = sb.EventStream(other.port, token, stream_user, on_event)
    call_count = int(args.calls_rate * args.seconds)

    def caller():
        connection = first.connection()
        for i in range(call_count):
            due = started + i / args.calls_rate
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            number = call_number(i)
            sent = time.perf_counter()
            with lock:
                call_sent[number] = sent
            status, _ = sb.post_call(connection, token, number, users=[stream_user])
            done = time.perf_counter()
            with lock:
                if status != 200:
                    failures["call_status"] += 1
                    call_sent.pop(number, None)
                else:
                    call_answered.append(done - sent)

    threads = [threading.Thread(target=sender, args=(k,)) for k in range(args.senders)]
    probe_thread = threading.Thread(target=prober)
    call_thread = threading.Thread(target=caller)
    for thread in threads + [probe_thread, call_thread]:
        thread.start()
    for thread in threads:
        thread.join()
    webhook_seconds = time.perf_counter() - started
    senders_done.set()
    call_thread.join()
    probe_thread.join()
    deadline = time.perf_counter() + 2
    while time.perf_counter() < deadline:
        with lock:
            if not call_sent:
                break
        time.sleep(0.05)
    stop.set()
    stream.close()
    with lock:
        failures["call_never_streamed"] = len(call_sent)

    return {
        "seconds": args.seconds, "rate": args.rate, "calls_rate": args.calls_rate,
        "webhooks_sent": count, "webhooks_per_second": round(count / webhook_seconds, 1),
        "probe_interval_ms": args.probe_interval * 1000, "probe_requests": probes["requests"],
        "probe_events": probes["events"],
        "webhook_answered": sb.summary(answered), "visible_other_instance": sb.summary(visible),
        "calls_sent": call_count, "call_answered": sb.summary(call_answered),
        "call_to_other_stream": sb.summary(streamed), "failures": failures,
    }


def report(result):
    rows = [
        ("Webhook answered (instance 1)", result["webhook_answered"], ""),
        ("Webhook sent -> number resolves on instance 2", result["visible_other_instance"], "p99 <= 1 s"),
        ("Call answered (instance 1)", result["call_answered"], ""),
        ("Call sent -> event on instance 2's stream", result["call_to_other_stream"], "p99 <= 50 ms"),
    ]
    print("| | n | p50 | p99 | max | target |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name, values, target in rows:
        print("| %s | %d | %s | %s | %s | %s |" % (
            name, values["n"], sb.fmt_ms(values["p50_ms"]), sb.fmt_ms(values["p99_ms"]), sb.fmt_ms(values["max_ms"]), target))
    print("webhooks: %d at %.1f/s; probes: %d requests, %d numbers; failures: %s; load %s -> %s; commit %s" % (
        result["webhooks_sent"], result["webhooks_per_second"], result["probe_requests"], result["probe_events"],
        result["failures"], result["load_before"], result["load_after"], result["commit"]))
    print(json.dumps(result, sort_keys=True))


if __name__ == "__main__":
    main()
