#!/usr/bin/env bash
# A throwaway PostgreSQL server for tests, CI and benchmarks (docs/live-account.md, "PostgreSQL").
#
#   scripts/postgres.sh start DIR   # initdb into DIR when new, start on a free 127.0.0.1 port, print the URL
#   scripts/postgres.sh stop DIR
#
# `start` prints `postgres://postgres@127.0.0.1:PORT/screenpop` on stdout and nothing else there; a
# server already running in DIR is reused. Trust authentication, loopback only: never for real data.
# As root, initdb and postgres run as the `postgres` system user (they refuse root).
set -euo pipefail

usage() {
    echo "usage: $0 start|stop DIR" >&2
    exit 2
}
[ $# -eq 2 ] || usage
command="$1"
dir="$2"

# The server's binaries: pg_config's, else Debian's newest.
bindir=""
if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then
    bindir="$(pg_config --bindir)"
else
    for candidate in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [ -x "$candidate/initdb" ]; then
            bindir="$candidate"
            break
        fi
    done
fi
if [ -z "$bindir" ]; then
    echo "PostgreSQL's server is not installed (no initdb found): apt-get install postgresql" >&2
    exit 1
fi

# Runs a server binary as the data directory's owner: `postgres` when we are root.
as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null && return
    # Without Python: a random high port that nothing answers on.
    while :; do
        port=$((20000 + RANDOM % 30000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return
        fi
    done
}

running() {
    [ -f "$dir/PG_VERSION" ] && as_owner "$bindir/pg_ctl" status -D "$dir" >/dev/null 2>&1
}

start() {
    mkdir -p "$dir"
    dir="$(cd "$dir" && pwd)"
    if [ "$(id -u)" -eq 0 ]; then chown postgres: "$dir"; fi
    chmod 700 "$dir"
    if ! [ -f "$dir/PG_VERSION" ]; then
        as_owner "$bindir/initdb" -D "$dir" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$dir.initdb.log" 2>&1 || {
            cat "$dir.initdb.log" >&2
            exit 1
        }
        rm -f "$dir.initdb.log"
        port="$(free_port)"
        # Loopback only, trust; the socket in DIR (the default directory may not be writable).
        cat >>"$dir/postgresql.conf" <<EOF

# scripts/postgres.sh
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
max_connections = 400
shared_buffers = 256MB
max_wal_size = 4GB
EOF
        printf 'local all all trust\nhost all all 127.0.0.1/32 trust\n' >"$dir/pg_hba.conf"
        echo "$port" >"$dir/screenpop.port"
    fi
    port="$(cat "$dir/screenpop.port")"
    if ! running; then
        # The port may have been taken since initdb: pick another.
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            port="$(free_port)"
            sed -i "s/^port = .*/port = $port/" "$dir/postgresql.conf"
            echo "$port" >"$dir/screenpop.port"
        fi
        as_owner "$bindir/pg_ctl" start -w -t 60 -D "$dir" -l "$dir/server.log" >/dev/null 9>&- || {
            tail -n 20 "$dir/server.log" >&2 || true
            exit 1
        }
    fi
    if [ "$("$bindir/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -Atc \
        "SELECT 1 FROM pg_database WHERE datname = 'screenpop'")" != "1" ]; then
        "$bindir/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -qc "CREATE DATABASE screenpop" >/dev/null
    fi
    echo "postgres://postgres@127.0.0.1:$port/screenpop"
}

stop() {
    if running; then
        as_owner "$bindir/pg_ctl" stop -w -D "$dir" -m fast >/dev/null
    fi
}

case "$command" in
start)
    # Two test processes starting the same directory at once: one initdb, one server.
    mkdir -p "$(dirname "$dir")"
    exec 9>"$dir.lock"
    flock 9
    start
    ;;
stop) stop ;;
*) usage ;;
esac
