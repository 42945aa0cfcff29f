#!/usr/bin/env python3
"""Many accounts in one store, one `screenpop serve` (docs/performance.md, "Many accounts and
several instances").

Builds a store of --accounts synthetic accounts of --contacts contacts each (SQLite by default,
--postgres for a throwaway PostgreSQL from scripts/postgres.sh), plus one account of
--big-contacts contacts, and registers them all. Setup is fast because only two accounts are made
the product's way (amocrm-standin, then `screenpop sync` into the store); every other account is a
copy of the small one made by SQL inside the store (`INSERT ... SELECT` with another account_id;
subdomain bench<id>), and registrations are written as `screenpop accounts add` writes them (the
SHA-256 of deterministic credentials), except the big account's, which `accounts add` makes.

Then, on a fresh `screenpop serve --store`:
1. the big account's first call (client time, and the `account loaded` log's `seconds`);
2. one call with each small account's token, in order: the time to its first answer (client) and
   the server's load time (`seconds`), p50/p99/max; the server's VmRSS and VmHWM (/proc) before and
   after all are loaded.
With --max-memory BYTES, a second server with that budget: every account is touched twice in
order while a sampler reads VmRSS every 20 ms; prints evictions, reloads, the first answers' times
and the largest resident size seen against the budget.

    swift build -c release --product screenpop && swift build -c release --product amocrm-standin
    python3 Benchmarks/http/many-accounts.py --accounts 1000 --contacts 2000 --max-memory 300000000
"""
import argparse
import json
import os
import shutil
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serverbench as sb  # noqa: E402

BIG_ID = 1_000_000
CALL = "+7 495 000-00-01"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--contacts", type=int, default=2000, help="contacts of each account")
    parser.add_argument("--big-contacts", type=int, default=10_000, help="contacts of the one big account (0: none)")
    parser.add_argument("--postgres", action="store_true", help="a PostgreSQL store instead of SQLite")
    parser.add_argument("--max-memory", type=int, help="bytes: also run a server with this budget")
    parser.add_argument("--setup-only", action="store_true", help="build and register, serve nothing")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (store, logs)")
    args = parser.parse_args()

    directory = tempfile.mkdtemp(prefix="screenpop-many-")
    postgres = None
    result = {"benchmark": "many-accounts", "commit": sb.git_commit(), "accounts": args.accounts,
              "contacts": args.contacts, "big_contacts": args.big_contacts,
              "store": "postgres" if args.postgres else "sqlite", "load_start": sb.load_average()}
    try:
        if args.postgres:
            postgres = sb.Postgres(os.path.join(directory, "pg"))
            store = postgres.url
        else:
            store = os.path.join(directory, "store.sqlite")
        accounts, big = setup(args, store, postgres, result)
        if args.setup_only:
            print(json.dumps(result, sort_keys=True))
            return
        serve_all(args, store, accounts, big, directory, result)
        if args.max_memory:
            serve_budget(args, store, accounts, directory, result)
        result["load_end"] = sb.load_average()
        report(result)
    finally:
        if postgres:
            postgres.stop()
        if args.keep:
            sb.log("kept " + directory)
        else:
            shutil.rmtree(directory, ignore_errors=True)


def setup(args, store, postgres, result):
    sql = sb.StoreSQL(store, postgres)
    started = time.perf_counter()
    big = None
    if args.big_contacts:
        seconds = sb.sync_synthetic(store, args.big_contacts, seed=2, account_id=1)
        sql.copy_account(1, [BIG_ID])
        sql.remove_account(1)
        sb.log("big account: %d contacts synced in %.1f s" % (args.big_contacts, seconds))
    # --account-id: the store may already hold the big account.
    seconds = sb.sync_synthetic(store, args.contacts, seed=1, account_id=1)
    sb.log("template account: %d contacts synced in %.1f s" % (args.contacts, seconds))
    result["setup_sync_seconds"] = round(time.perf_counter() - started, 1)

    copy_started = time.perf_counter()
    ids = list(range(2, args.accounts + 1))
    for start in range(0, len(ids), 100):
        sql.copy_account(1, ids[start:start + 100])
        sb.log("copied %d accounts" % (ids[start:start + 100][-1]))
    result["setup_copy_seconds"] = round(time.perf_counter() - copy_started, 1)

    register_started = time.perf_counter()
    accounts = [(i, sb.bench_secret("sp_", i, "token"), sb.bench_secret("wh_", i, "secret"))
                for i in range(1, args.accounts + 1)]
    sql.register_direct(accounts)
    if args.big_contacts:
        try:
            token, _ = sb.accounts_add(store, "bench-big", BIG_ID)
            result["big_registered_by"] = "screenpop accounts add"
        except RuntimeError as error:
            sb.log("accounts add failed (%s): registering directly" % error)
            token = sb.bench_secret("sp_", BIG_ID, "token")
            sql.register_direct([(BIG_ID, token, sb.bench_secret("wh_", BIG_ID, "secret"))])
            result["big_registered_by"] = "SQL"
        big = (BIG_ID, token)
    result["setup_register_seconds"] = round(time.perf_counter() - register_started, 1)
    result["setup_seconds"] = round(time.perf_counter() - started, 1)
    entities = sql.scalar("SELECT count(*) FROM entity")
    result["store_entities"] = int(entities)
    if postgres:
        result["store_bytes"] = int(postgres.psql("SELECT pg_database_size(current_database())").strip())
    else:
        with_wal = [store, store + "-wal"]
        result["store_bytes"] = sum(os.path.getsize(p) for p in with_wal if os.path.exists(p))
    sb.log("setup: %.1f s (sync %.1f, copy %.1f, register %.1f); %s entities, %.0f MB" % (
        result["setup_seconds"], result["setup_sync_seconds"], result["setup_copy_seconds"],
        result["setup_register_seconds"], entities, result["store_bytes"] / 1e6))
    return accounts, big


def first_call(server, connection, token):
    started = time.perf_counter()
    status, answer = sb.post_call(connection, token, CALL)
    elapsed = time.perf_counter() - started
    if status != 200:
        raise RuntimeError("first call: %s %s" % (status, answer))
    return elapsed


def serve_all(args, store, accounts, big, directory, result):
    server = sb.Server(["--store", store, "--log-level", "info"], name="serve",
                       log_path=os.path.join(directory, "serve.log"))
    try:
        connection = server.connection(timeout=120)
        time.sleep(0.5)
        result["rss_idle_bytes"], _ = server.memory()
        if big:
            account_id, token = big
            client = first_call(server, connection, token)
            again = first_call(server, connection, token)
            time.sleep(0.2)
            with server.lock:
                logged = server.loaded.get(account_id, [None])[0]
                provider = server.provider_loaded.get(account_id, [None])[0]
            result["big_provider_logged_ms"] = None if provider is None else round(provider * 1000, 2)
            result["big_first_call_ms"] = round(client * 1000, 2)
            result["big_second_call_ms"] = round(again * 1000, 2)
            result["big_load_logged_ms"] = None if logged is None else round(logged * 1000, 2)
            sb.log("big account (%d contacts): first call %.1f ms (logged load %s ms), second %.2f ms" % (
                args.big_contacts, client * 1000, result["big_load_logged_ms"], again * 1000))
        result["rss_before_small_bytes"], _ = server.memory()
        client_times = []
        touch_started = time.perf_counter()
        for n, (account_id, token, _) in enumerate(accounts):
            client_times.append(first_call(server, connection, token))
            if (n + 1) % 200 == 0:
                rss, _ = server.memory()
                sb.log("%d accounts touched, VmRSS %.0f MB" % (n + 1, rss / 1e6))
        result["touch_all_seconds"] = round(time.perf_counter() - touch_started, 1)
        time.sleep(0.5)
        rss, hwm = server.memory()
        with server.lock:
            logged = [server.loaded[i][0] for i, _, _ in accounts if i in server.loaded]
            provider = [server.provider_loaded[i][0] for i, _, _ in accounts if i in server.provider_loaded]
            result["evicted_without_budget"] = len(server.evicted)
        result["first_answer_client"] = sb.summary(client_times)
        # Whether a load slows down as more accounts are loaded: the first and the last hundred.
        result["first_answer_first100_p50_ms"] = sb.summary(client_times[:100])["p50_ms"]
        result["first_answer_last100_p50_ms"] = sb.summary(client_times[-100:])["p50_ms"]
        result["load_logged"] = sb.summary(logged)
        result["load_provider_logged"] = sb.summary(provider)
        result["rss_all_loaded_bytes"] = rss
        result["hwm_all_loaded_bytes"] = hwm
        result["rss_per_account_bytes"] = round((rss - result["rss_before_small_bytes"]) / len(accounts))
        with server.lock:
            estimates = [int(b) for b in server.loaded_bytes.values()]
        result["estimated_bytes_median"] = sorted(estimates)[len(estimates) // 2] if estimates else None
        # A second round: every account is loaded, a call is an index lookup.
        warm = [first_call(server, connection, token) for _, token, _ in accounts[:200]]
        result["loaded_call_client"] = sb.summary(warm)
    finally:
        server.stop()


def serve_budget(args, store, accounts, directory, result):
    budget = args.max_memory
    server = sb.Server(["--store", store, "--log-level", "info", "--max-memory", str(budget)], name="serve budget",
                       log_path=os.path.join(directory, "serve-budget.log"))
    samples = []
    stop = threading.Event()

    def sampler():
        while not stop.is_set():
            try:
                samples.append(server.memory()[0])
            except (OSError, TypeError):
                pass
            time.sleep(0.02)

    thread = threading.Thread(target=sampler, daemon=True)
    try:
        time.sleep(0.5)
        idle, _ = server.memory()
        thread.start()
        connection = server.connection(timeout=120)
        passes = []
        for round_ in range(2):
            times = [first_call(server, connection, token) for _, token, _ in accounts]
            passes.append(sb.summary(times))
            sb.log("budget pass %d: p50 %.1f ms, VmRSS %.0f MB" % (round_ + 1, passes[-1]["p50_ms"], server.memory()[0] / 1e6))
        stop.set()
        thread.join()
        rss, hwm = server.memory()
        with server.lock:
            loads = sum(len(v) for v in server.loaded.values())
            evictions = len(server.evicted)
            evicted_bytes = [b for _, b in server.evicted if b]
        result["budget"] = {
            "max_memory_bytes": budget, "rss_idle_bytes": idle, "rss_max_sampled_bytes": max(samples) if samples else None,
            "rss_end_bytes": rss, "hwm_bytes": hwm, "loads": loads, "evictions": evictions,
            "evicted_estimate_median_bytes": sorted(evicted_bytes)[len(evicted_bytes) // 2] if evicted_bytes else None,
            "pass1_first_answer": passes[0], "pass2_first_answer": passes[1],
            "rss_under_budget": (max(samples) if samples else rss) <= budget,
        }
    finally:
        stop.set()
        server.stop()


def report(result):
    mb = lambda value: "-" if value is None else "%.0f MB" % (value / 1e6)
    print("| | n | p50 | p99 | max |")
    print("| --- | --- | --- | --- | --- |")
    rows = [("First answer per account (client)", result["first_answer_client"]),
            ("Account load, server's `account loaded` seconds", result["load_logged"]),
            ("of which the store's provider (read + index)", result["load_provider_logged"]),
            ("Call on a loaded account (client)", result["loaded_call_client"])]
    budget = result.get("budget")
    if budget:
        rows += [("With --max-memory, pass 1 (client)", budget["pass1_first_answer"]),
                 ("With --max-memory, pass 2 (client)", budget["pass2_first_answer"])]
    for name, values in rows:
        if not values["n"]:
            continue
        print("| %s | %d | %s | %s | %s |" % (name, values["n"], sb.fmt_ms(values["p50_ms"]),
                                             sb.fmt_ms(values["p99_ms"]), sb.fmt_ms(values["max_ms"])))
    print("memory: idle %s, %s with the big account; %d more accounts loaded: VmRSS %s, VmHWM %s "
          "(%.0f KB an account; the server's estimate %s KB)" % (
              mb(result["rss_idle_bytes"]), mb(result["rss_before_small_bytes"]), result["accounts"],
              mb(result["rss_all_loaded_bytes"]), mb(result["hwm_all_loaded_bytes"]), result["rss_per_account_bytes"] / 1e3,
              "-" if result["estimated_bytes_median"] is None else "%.0f" % (result["estimated_bytes_median"] / 1e3)))
    print("first answer p50: first 100 accounts %s, last 100 %s" % (
        sb.fmt_ms(result["first_answer_first100_p50_ms"]), sb.fmt_ms(result["first_answer_last100_p50_ms"])))
    if "big_first_call_ms" in result:
        print("one account of %d contacts: first call %.1f ms (logged load %s ms, provider %s ms; target <= 100 ms), "
              "then %.2f ms" % (result["big_contacts"], result["big_first_call_ms"], result["big_load_logged_ms"],
                                result["big_provider_logged_ms"], result["big_second_call_ms"]))
    if budget:
        print("budget %s: VmRSS max sampled %s, at end %s, VmHWM %s; %d loads, %d evictions; under budget: %s" % (
            mb(budget["max_memory_bytes"]), mb(budget["rss_max_sampled_bytes"]), mb(budget["rss_end_bytes"]),
            mb(budget["hwm_bytes"]), budget["loads"], budget["evictions"], budget["rss_under_budget"]))
    print("setup %.1f s (sync %.1f, copy %.1f, register %.1f), store %s; load %s -> %s; commit %s" % (
        result["setup_seconds"], result["setup_sync_seconds"], result["setup_copy_seconds"],
        result["setup_register_seconds"], mb(result["store_bytes"]), result["load_start"], result["load_end"],
        result["commit"]))
    print(json.dumps(result, sort_keys=True))


if __name__ == "__main__":
    main()
