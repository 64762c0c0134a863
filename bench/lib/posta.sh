# shellcheck shell=bash
# Starting a private Posta for a benchmark (sourced; needs common.sh): a
# bootstrap file with only the listeners asked for, its data and log in the
# given folder, the embedded PostgreSQL, and the CLI pointed at it.
#
#   posta_bench_start BIN DIR [LISTENER...]   (default listeners: smtp)
#     sets POSTA_BENCH_PID, POSTA_BENCH_HTTP_PORT, POSTA_BENCH_PORT_<NAME>
#     (e.g. POSTA_BENCH_PORT_SMTP), POSTA_BENCH_LOG
#   posta_bench_cli ARGS...                   the posta CLI against it
#   posta_bench_add_accounts DOMAIN COUNT     user1..userCOUNT@DOMAIN
#   posta_bench_message_count                 messages in mailboxes (via psql)
#   posta_bench_sql QUERY                     one value from the database
#   posta_bench_stop                          SIGTERM by pid, then wait (and
#                                             stop a PostgreSQL it left behind)

POSTA_BENCH_LISTENERS=(smtp submission submissions imap imaps pop3 pop3s xmpp xmpps s2s http https)

posta_bench_write_config() {
  local dir=$1
  shift
  local wanted=" $* http " name port
  {
    echo "# Written by bench/lib/posta.sh for one benchmark run."
    echo "[server]"
    echo "data_dir = \"$dir/data\""
    echo "hostname = \"posta.bench.test\""
    echo "[admin]"
    echo "token = \"$POSTA_BENCH_TOKEN\""
    echo "[listeners]"
    for name in "${POSTA_BENCH_LISTENERS[@]}"; do
      if [[ $wanted == *" $name "* ]]; then
        port=$(bench_free_port) || return 1
        printf -v "POSTA_BENCH_PORT_${name^^}" '%s' "$port"
        echo "$name = \"127.0.0.1:$port\""
      else
        echo "$name = 0"
      fi
    done
  } >"$dir/posta.toml"
  POSTA_BENCH_HTTP_PORT=$POSTA_BENCH_PORT_HTTP
}

posta_bench_http_up() {
  curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$POSTA_BENCH_HTTP_PORT/"
}

posta_bench_start() {
  POSTA_BENCH_BIN=$1
  local dir=$2
  POSTA_BENCH_DIR=$dir
  shift 2
  (($# > 0)) || set -- smtp
  POSTA_BENCH_TOKEN=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
  mkdir -m 0755 "$dir/data" 2>/dev/null || test -d "$dir/data"
  posta_bench_write_config "$dir" "$@" || return 1
  POSTA_BENCH_LOG=$dir/posta.log
  "$POSTA_BENCH_BIN" serve --config "$dir/posta.toml" >"$POSTA_BENCH_LOG" 2>&1 &
  POSTA_BENCH_PID=$!
  # The first start runs initdb and the migrations: allow a minute.
  if ! bench_wait_until 120 posta_bench_up_or_dead || ! bench_is_alive "$POSTA_BENCH_PID"; then
    echo "posta did not come up; last lines of $POSTA_BENCH_LOG:" >&2
    tail -n 20 "$POSTA_BENCH_LOG" >&2
    return 1
  fi
}

# Succeeds when the server answers or has died (so that waiting stops early).
posta_bench_up_or_dead() { posta_bench_http_up || ! bench_is_alive "$POSTA_BENCH_PID"; }

posta_bench_cli() {
  "$POSTA_BENCH_BIN" --api "http://127.0.0.1:$POSTA_BENCH_HTTP_PORT" --token "$POSTA_BENCH_TOKEN" "$@"
}

posta_bench_add_accounts() {
  local domain=$1 count=$2 i
  posta_bench_cli domain add "$domain" >/dev/null || return 1
  for ((i = 1; i <= count; i++)); do
    posta_bench_cli account add "user$i@$domain" --password "bench-$i-secret" >/dev/null || return 1
  done
}

# Messages stored in mailboxes, read from the embedded database directly (the
# mailstore schema's `messages` table); empty when it cannot be read.
posta_bench_sql() {
  psql -X -At -h "$POSTA_BENCH_DIR/data/pg" -p 5432 -U postgres -d posta -c "$1" 2>/dev/null || true
}

posta_bench_message_count() { posta_bench_sql "SELECT count(*) FROM messages"; }

# Posta stops its embedded PostgreSQL on SIGTERM; give it time to do so. If
# Posta died without doing so, the cluster is stopped by its own pid (SIGINT:
# PostgreSQL's fast shutdown).
posta_bench_stop() {
  bench_stop_pid "${POSTA_BENCH_PID:-}" 60
  POSTA_BENCH_PID=
  local pidfile=${POSTA_BENCH_DIR:-/nonexistent}/data/pg/postmaster.pid pg
  [[ -f $pidfile ]] || return 0
  pg=$(head -n1 "$pidfile" | tr -dc '0-9')
  if bench_is_alive "$pg"; then
    echo "posta left its PostgreSQL (pid $pg) running; stopping it" >&2
    kill -INT "$pg" 2>/dev/null || true
    bench_wait_until 30 posta_bench_pg_gone "$pg" || kill -KILL "$pg" 2>/dev/null || true
  fi
}

posta_bench_pg_gone() { ! bench_is_alive "$1"; }
