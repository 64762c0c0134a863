#!/usr/bin/env bash
# Posta's XMPP server against a stock Prosody on this machine, the same
# clients and the same messages, one server after the other: logins per
# second, delivered messages per second and delivery latency with clients
# exchanging messages in pairs (bench_xmpp_load), server CPU per message,
# and the memory of idle authenticated connections. See bench/README.md.
#
# Usage: bench/xmpp_vs_prosody.sh [--clients N] [--messages N] [--size BYTES] [--window N]
#          [--idle N] [--warmup N] [--login-concurrency N] [--build DIR] [--keep] [--json FILE]
#          [--posta-setting KEY=VALUE]… [--posta-only | --prosody-only]
# The same settings may come from the environment: CLIENTS (1000), MESSAGES
# per client (100), SIZE body bytes (100), WINDOW (1), IDLE connections
# (5000; 0: skip), WARMUP messages per client (5; 0: skip), LOGIN_CONCURRENCY
# (50), BUILD_DIR, KEEP=1, JSON_OUT. Every connection does STARTTLS and SASL
# PLAIN (both servers require TLS). Needs root (runuser to prosody, the
# embedded PostgreSQL's user switch) and Debian's prosody; all traffic stays
# on 127.0.0.1. Posta is skipped with a message when it does not speak XMPP.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
source "$here/lib/common.sh"
source "$here/lib/posta.sh"
source "$here/lib/prosody.sh"

CLIENTS=${CLIENTS:-1000}
MESSAGES=${MESSAGES:-100}
SIZE=${SIZE:-100}
WINDOW=${WINDOW:-1}
IDLE=${IDLE:-5000}
WARMUP=${WARMUP:-5}
LOGIN_CONCURRENCY=${LOGIN_CONCURRENCY:-50}
BUILD_DIR=${BUILD_DIR:-$repo/build}
KEEP=${KEEP:-0}
JSON_OUT=${JSON_OUT:-}
POSTA_SETTINGS=${POSTA_SETTINGS:-}
RUN_POSTA=1
RUN_PROSODY=1
DOMAIN=example.test
USER_FORMAT='user%d'
PASSWORD_FORMAT='bench-%d-secret'   # posta_bench_add_accounts' passwords
LOAD_TIMEOUT=${LOAD_TIMEOUT:-600}   # hard bound of one load run, seconds

usage() { sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; }

while (($# > 0)); do
  case $1 in
    --clients) CLIENTS=$2; shift ;;
    --messages) MESSAGES=$2; shift ;;
    --size) SIZE=$2; shift ;;
    --window) WINDOW=$2; shift ;;
    --idle) IDLE=$2; shift ;;
    --warmup) WARMUP=$2; shift ;;
    --login-concurrency) LOGIN_CONCURRENCY=$2; shift ;;
    --build) BUILD_DIR=$2; shift ;;
    --keep) KEEP=1 ;;
    --json) JSON_OUT=$2; shift ;;
    --posta-setting) POSTA_SETTINGS="${POSTA_SETTINGS:-} $2"; shift ;;
    --posta-only) RUN_PROSODY=0 ;;
    --prosody-only) RUN_POSTA=0 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "unknown option: $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done

POSTA_BIN=$BUILD_DIR/posta
LOAD_BIN=$BUILD_DIR/bench/bench_xmpp_load
need=("$LOAD_BIN")
((RUN_POSTA)) && need+=("$POSTA_BIN")
bench_require_built "$repo" "$BUILD_DIR" "${need[@]}"
((RUN_PROSODY)) && { prosody_bench_check_installed || exit 2; }
"$LOAD_BIN" --self-test >/dev/null || { echo "bench_xmpp_load --self-test failed" >&2; exit 2; }

ACCOUNTS=$((IDLE > CLIENTS ? IDLE : CLIENTS))
# Each connection is a descriptor in the load generator and one in the
# server, and Posta sizes net.max_connections to about 2.2 descriptors per
# connection of its limit; the servers inherit it.
ulimit -n $((ACCOUNTS * 4 + 1000)) 2>/dev/null || ulimit -n "$(ulimit -Hn)"
if (($(ulimit -n) < ACCOUNTS + 100)); then
  echo "the descriptor limit $(ulimit -n) is too low for $ACCOUNTS connections (raise the hard limit)" >&2
  exit 2
fi

work=$(bench_tmpdir xmpp-vs-prosody)
mkdir -m 0755 "$work/posta" "$work/prosody"

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  posta_bench_stop || true
  prosody_bench_stop || true
  if ((KEEP)) || ((status != 0)); then
    echo "logs and data kept in $work" >&2
  else
    rm -rf "$work"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# xload PORT ARGS...: one bench_xmpp_load run, its JSON line on stdout.
xload() {
  local port=$1
  shift
  # Exit status 1 only says that something failed: the JSON tells what.
  "$LOAD_BIN" --port "$port" --domain "$DOMAIN" --user-format "$USER_FORMAT" --password-format "$PASSWORD_FORMAT" \
    --login-concurrency "$LOGIN_CONCURRENCY" --timeout "$LOAD_TIMEOUT" --json "$@" || true
}

# measure NAME PORT PID: idle memory first (while the server has done
# little else: memory freed by a load would be reused by the sessions and
# hide their cost), then the warm-up and the measured load; sets
# <NAME>_idle and <NAME>_load. The load generator reads the CPU of the
# server's process tree when every client has logged in and when the last
# message has arrived (--cpu-pid): logins are not charged to messages.
measure() {
  local name=$1 port=$2 pid=$3 json
  if ((IDLE > 0)); then
    json=$(xload "$port" --mode idle --clients "$IDLE" --rss-pid "$pid")
    echo "   idle: $json"
    printf -v "${name}_idle" '%s' "$json"
    sleep 2
  fi
  if ((WARMUP > 0)); then
    json=$(xload "$port" --clients "$CLIENTS" --messages "$WARMUP" --size "$SIZE" --window "$WINDOW")
    echo "   warm-up: $(bench_json_number "$json" delivered) of $(bench_json_number "$json" expected) messages"
  fi
  json=$(xload "$port" --clients "$CLIENTS" --messages "$MESSAGES" --size "$SIZE" --window "$WINDOW" --cpu-pid "$pid")
  echo "   load: $json"
  printf -v "${name}_load" '%s' "$json"
}

# user1..userCOUNT@DOMAIN as posta_bench_add_accounts makes them (same
# passwords), eight CLI calls at a time: one after the other, 5,000 accounts
# take minutes (each is a CLI start and an argon2id hash).
posta_add_accounts() {
  local domain=$1 count=$2 i pids=() pid failed=0
  posta_bench_cli domain add "$domain" >/dev/null || return 1
  for ((i = 1; i <= count; i++)); do
    posta_bench_cli account add "user$i@$domain" --password "${PASSWORD_FORMAT//%d/$i}" >/dev/null &
    pids+=($!)
    if ((${#pids[@]} == 8 || i == count)); then
      for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
      pids=()
    fi
  done
  ((failed == 0)) || { echo "posta: some accounts could not be created" >&2; return 1; }
}

# Whether a server on PORT completes an XMPP login and a message exchange.
xmpp_answers() {
  local json
  json=$("$LOAD_BIN" --port "$1" --domain "$DOMAIN" --user-format "$USER_FORMAT" \
    --password-format "$PASSWORD_FORMAT" --clients 2 --messages 1 --timeout 20 --json 2>/dev/null) || {
    echo "   probe: ${json:-no answer}" >&2
    return 1
  }
}

echo "== load: $CLIENTS clients in pairs, $MESSAGES messages of $SIZE bytes each (window $WINDOW), STARTTLS +" \
  "SASL PLAIN, $LOGIN_CONCURRENCY logins at once; warm-up $WARMUP; $IDLE idle connections"
echo "== machine: $(nproc) cores, $(uname -r); $(date -u '+%Y-%m-%d %H:%M UTC')"

posta_skipped=""
if ((RUN_POSTA)); then
  echo "== posta: starting ($POSTA_BIN)"
  posta_bench_start "$POSTA_BIN" "$work/posta" xmpp
  if ! ss -Hltn "sport = :$POSTA_BENCH_PORT_XMPP" 2>/dev/null | grep -q .; then
    posta_skipped="posta does not listen on its xmpp listener (127.0.0.1:$POSTA_BENCH_PORT_XMPP): no XMPP server in this build"
  else
    echo "   creating $ACCOUNTS accounts"
    posta_add_accounts "$DOMAIN" "$ACCOUNTS"
    # All clients come from 127.0.0.1: Posta's per-IP limits would refuse
    # most of them (Prosody has none by default).
    for kv in net.max_connections_per_ip=0 $POSTA_SETTINGS; do
      if posta_bench_cli settings set "${kv%%=*}" "${kv#*=}" >/dev/null 2>&1; then
        echo "   posta setting ${kv%%=*} = ${kv#*=}"
      else
        echo "   posta setting ${kv%%=*}: could not be set (unknown in this build?)" >&2
      fi
    done
    xmpp_answers "$POSTA_BENCH_PORT_XMPP" || posta_skipped="posta does not complete an XMPP login and message on 127.0.0.1:$POSTA_BENCH_PORT_XMPP"
  fi
  if [[ -n $posta_skipped ]]; then
    echo "== posta: SKIPPED: $posta_skipped"
  else
    echo "== posta: measuring"
    measure posta "$POSTA_BENCH_PORT_XMPP" "$POSTA_BENCH_PID"
  fi
  posta_bench_stop
fi

if ((RUN_PROSODY)); then
  echo "== prosody: starting ($(dpkg-query -W -f '${Version}' prosody 2>/dev/null || echo '?')), $ACCOUNTS accounts"
  prosody_bench_start "$work/prosody" "$DOMAIN" "$ACCOUNTS" "$USER_FORMAT" "$PASSWORD_FORMAT"
  xmpp_answers "$PROSODY_BENCH_PORT" || { echo "prosody does not complete a login and a message" >&2; exit 1; }
  echo "== prosody: measuring"
  measure prosody "$PROSODY_BENCH_PORT" "$PROSODY_BENCH_PID"
  prosody_bench_stop
fi

# --- Report ---
field() { bench_json_number "$1" "$2"; }
sub() { field "$(grep -o "\"$2\":{[^}]*}" <<<"$1" || true)" "$3"; }  # sub JSON OBJECT KEY
# A ratio only when both servers have a figure (a skipped half prints 0).
ratio() { if [[ $1 == 0 || $2 == 0 ]]; then echo n/a; else bench_ratio "$1" "$2"; fi; }
row() { printf '%-40s %12s %12s %14s\n' "$1" "$2" "$3" "$(ratio "$2" "$3")"; }
pair() { printf '%-40s %12s %12s\n' "$1" "$2" "$3"; }  # no ratio
pl=${posta_load:-} xl=${prosody_load:-} pi=${posta_idle:-} xi=${prosody_idle:-}
echo
[[ -n $posta_skipped ]] && echo "(Posta skipped: $posta_skipped)"
printf '%-40s %12s %12s %14s\n' "" "Posta" "Prosody" "Posta/Prosody"
row "$CLIENTS clients: messages/s" "$(field "$pl" messages_per_second)" "$(field "$xl" messages_per_second)"
row "  delivery p50 ms" "$(sub "$pl" latency_ms p50)" "$(sub "$xl" latency_ms p50)"
row "  delivery p99 ms" "$(sub "$pl" latency_ms p99)" "$(sub "$xl" latency_ms p99)"
row "  server CPU ms per message" "$(field "$pl" cpu_ms_per_message)" "$(field "$xl" cpu_ms_per_message)"
pair "  load generator CPU ms (message phase)" "$(field "$pl" client_cpu_ms)" "$(field "$xl" client_cpu_ms)"
pair "  delivered / expected" "$(field "$pl" delivered)/$(field "$pl" expected)" \
  "$(field "$xl" delivered)/$(field "$xl" expected)"
row "  logins/s ($LOGIN_CONCURRENCY at once)" "$(field "$pl" logins_per_second)" "$(field "$xl" logins_per_second)"
row "  login p50 ms" "$(sub "$pl" login_ms p50)" "$(sub "$xl" login_ms p50)"
row "  login p99 ms" "$(sub "$pl" login_ms p99)" "$(sub "$xl" login_ms p99)"
if ((IDLE > 0)); then
  row "$IDLE idle: RSS KB per connection" "$(field "$pi" rss_kb_per_connection)" "$(field "$xi" rss_kb_per_connection)"
  row "  PSS KB per connection" "$(field "$pi" pss_kb_per_connection)" "$(field "$xi" pss_kb_per_connection)"
  pair "  connections authenticated" "$(field "$pi" opened)" "$(field "$xi" opened)"
  row "  logins/s" "$(field "$pi" logins_per_second)" "$(field "$xi" logins_per_second)"
fi
echo
echo "messages/s: messages received by the peers divided by the time from the moment every client had logged in"
echo "to the last arrival; each client keeps $WINDOW message(s) in flight to its peer. Latency: written by the sender"
echo "to read by the peer (the same process and clock). Logins: TCP connect to initial presence written (STARTTLS,"
echo "SASL PLAIN, bind). Server CPU (message phase only): Posta with its PostgreSQL; Prosody's one process."
echo "RSS/PSS: growth of the server's process tree with the idle connections open, per connection."
echo "Ratio for messages/s and logins/s: higher is better for Posta; for latency, CPU and memory: lower is better."

if [[ -n $JSON_OUT ]]; then
  printf '{"date":"%s","cores":%s,"clients":%s,"posta_load":%s,"prosody_load":%s,"posta_idle":%s,"prosody_idle":%s}\n' \
    "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(nproc)" "$CLIENTS" "${pl:-null}" "${xl:-null}" "${pi:-null}" "${xi:-null}" >>"$JSON_OUT"
fi

failed=0
for j in "$pl" "$xl" "$pi" "$xi"; do
  [[ -z $j ]] && continue
  failed=$((failed + $(field "$j" failed)))
  [[ $j == *'"timed_out":true'* ]] && failed=$((failed + 1))
done
((failed == 0)) || { echo "some logins or messages failed (see the JSON lines above)" >&2; exit 1; }
