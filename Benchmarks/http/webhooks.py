#!/usr/bin/env python3
"""Webhooks under load against a real `screenpop serve --store` on loopback (docs/performance.md).

Imports a synthetic-sized account into a fresh store (the demo account unless --account), starts the
release server on it, then for --seconds sends --rate webhooks a second (each gives one contact a
new mobile number, in amoCRM's form format) while --resolvers clients post calls to /api/v2/events
as fast as they can. Prints the webhooks' answer latency (p50, p99, max), the time from sending a
webhook to the first call that resolves its new number to its contact ("visible"), and the calls'
throughput and latency over the same seconds. Everything shares the machine.

    swift build -c release --product screenpop
    python3 Benchmarks/http/webhooks.py --rate 100 --seconds 30 --resolvers 2
"""
import argparse
import http.client
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOKEN = "bench-token"
SECRET = "bench-webhook-secret-0123456789"


def percentile(values, p):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=float, default=100, help="webhooks a second")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--resolvers", type=int, default=2, help="clients posting calls meanwhile")
    parser.add_argument("--account", default=os.path.join(ROOT, "Examples/demo-account"))
    parser.add_argument("--port", type=int, default=18089)
    args = parser.parse_args()
    binary = os.environ.get("SCREENPOP_BIN", os.path.join(ROOT, ".build/release/screenpop"))

    directory = tempfile.mkdtemp(prefix="screenpop-webhooks-")
    store = os.path.join(directory, "account.sqlite")
    subprocess.run([binary, "import", "--store", store, "--account", args.account], check=True,
                   stdout=subprocess.DEVNULL)
    database = sqlite3.connect(store)
    account_id = database.execute("SELECT account_id FROM account").fetchone()[0]
    contacts = [row[0] for row in database.execute(
        "SELECT id FROM entity WHERE kind = 1 AND is_deleted = 0 ORDER BY id")]
    database.close()

    environment = dict(os.environ, SCREENPOP_API_TOKEN=TOKEN, SCREENPOP_WEBHOOK_SECRET=SECRET)
    server = subprocess.Popen(
        [binary, "serve", "--store", store, "--port", str(args.port), "--log-level", "warning"],
        env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                connection = http.client.HTTPConnection("127.0.0.1", args.port, timeout=1)
                connection.request("GET", "/health")
                if connection.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.1)
        run(args, account_id, contacts)
    finally:
        server.terminate()
        server.wait()


def run(args, account_id, contacts):
    stop = threading.Event()
    calls = []  # latency of each call, seconds
    lock = threading.Lock()

    def resolver(number):
        connection = http.client.HTTPConnection("127.0.0.1", args.port)
        body = json.dumps({"add": [{"type": "phone_call", "phone_number": number}]})
        headers = {"Authorization": "Bearer " + TOKEN, "Content-Type": "application/json"}
        while not stop.is_set():
            start = time.perf_counter()
            connection.request("POST", "/api/v2/events", body, headers)
            connection.getresponse().read()
            with lock:
                calls.append(time.perf_counter() - start)

    threads = [threading.Thread(target=resolver, args=("+7 916 123-45-67",)) for _ in range(args.resolvers)]
    for thread in threads:
        thread.start()

    answers = []
    visible = []
    failures = 0
    hook = http.client.HTTPConnection("127.0.0.1", args.port)
    check = http.client.HTTPConnection("127.0.0.1", args.port)
    path = "/amocrm/webhooks/" + SECRET
    count = int(args.rate * args.seconds)
    started = time.perf_counter()
    for i in range(count):
        due = started + i / args.rate
        delay = due - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        contact = contacts[i % len(contacts)]
        number = "+7 999 %03d-%02d-%02d" % (i // 10000 % 1000, i // 100 % 100, i % 100)
        body = urllib.parse.urlencode({
            "account[id]": str(account_id),
            "contacts[update][0][id]": str(contact),
            "contacts[update][0][name]": "Webhook %d" % i,
            "contacts[update][0][custom_fields][0][code]": "PHONE",
            "contacts[update][0][custom_fields][0][values][0][value]": number,
            "contacts[update][0][custom_fields][0][values][0][enum]": "MOB",
        })
        sent = time.perf_counter()
        hook.request("POST", path, body, {"Content-Type": "application/x-www-form-urlencoded"})
        response = hook.getresponse()
        response.read()
        answered = time.perf_counter()
        if response.status != 200:
            failures += 1
            continue
        answers.append(answered - sent)
        # Visible: the first call after the answer that finds the contact by its new number.
        while True:
            check.request("POST", "/api/v2/events",
                          json.dumps({"add": [{"type": "phone_call", "phone_number": number}]}),
                          {"Authorization": "Bearer " + TOKEN, "Content-Type": "application/json"})
            item = json.loads(check.getresponse().read())["_embedded"]["items"][0]
            if item["element_id"] is not None:
                visible.append(time.perf_counter() - sent)
                break
            if time.perf_counter() - sent > 5:
                failures += 1
                break
    elapsed = time.perf_counter() - started
    stop.set()
    for thread in threads:
        thread.join()

    ms = lambda seconds: "%.2f ms" % (seconds * 1000)
    print("webhooks: %d sent in %.1f s (%.0f/s), %d failed or never visible" % (count, elapsed, count / elapsed, failures))
    print("  answered: p50 %s, p99 %s, max %s" % (ms(percentile(answers, 50)), ms(percentile(answers, 99)), ms(max(answers))))
    print("  visible:  p50 %s, p99 %s, max %s" % (ms(percentile(visible, 50)), ms(percentile(visible, 99)), ms(max(visible))))
    print("calls meanwhile: %d (%.0f/s), p50 %s, p99 %s" % (
        len(calls), len(calls) / elapsed, ms(percentile(calls, 50)), ms(percentile(calls, 99))))
    if failures:
        sys.exit(1)


if __name__ == "__main__":
    main()
