#!/usr/bin/env bash
# Posta's SMTP listener against a stock Postfix on this machine, same load,
# one after the other: accepted messages per second and the latency from the
# final "." to the reply (bench_smtp_load), plus Postfix's end-to-end time
# until every message is in its Maildir. See bench/README.md.
#
# Usage: bench/smtp_vs_postfix.sh [--connections N] [--messages N] [--size BYTES]
#          [--recipients N] [--users N] [--warmup N] [--pipelining]
#          [--build DIR] [--keep] [--json FILE] [--client bench_smtp_load|smtp-source]
#          [--posta-setting KEY=VALUE]… [--posta-only]
# The same settings may come from the environment: CONNECTIONS, MESSAGES,
# SIZE, RECIPIENTS, USERS, WARMUP, PIPELINING=1, BUILD_DIR, KEEP=1, JSON_OUT;
# POSTFIX_BENCH_IN_FLOW_DELAY (default 1s, Postfix's own) sets in_flow_delay.
# Needs root (Postfix's master, the embedded PostgreSQL's user switch) and
# Debian's postfix package; all traffic stays on 127.0.0.1.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
source "$here/lib/common.sh"
source "$here/lib/posta.sh"
source "$here/lib/postfix.sh"

CONNECTIONS=${CONNECTIONS:-50}
MESSAGES=${MESSAGES:-2000}
SIZE=${SIZE:-10240}
RECIPIENTS=${RECIPIENTS:-1}
USERS=${USERS:-10}
WARMUP=${WARMUP:-100}
PIPELINING=${PIPELINING:-0}
BUILD_DIR=${BUILD_DIR:-$repo/build}
KEEP=${KEEP:-0}
JSON_OUT=${JSON_OUT:-}
POSTA_SETTINGS=${POSTA_SETTINGS:-}  # "key=value …" set on Posta before the load
CLIENT=${CLIENT:-bench_smtp_load}  # or smtp-source (Postfix's; one recipient, no latencies)
DOMAIN=example.test
LOAD_TIMEOUT=${LOAD_TIMEOUT:-600}      # hard bound of one load run, seconds
DELIVERY_TIMEOUT=${DELIVERY_TIMEOUT:-600}  # bound on Postfix's queue draining

usage() { sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; }

while (($# > 0)); do
  case $1 in
    --connections) CONNECTIONS=$2; shift ;;
    --messages) MESSAGES=$2; shift ;;
    --size) SIZE=$2; shift ;;
    --recipients) RECIPIENTS=$2; shift ;;
    --users) USERS=$2; shift ;;
    --warmup) WARMUP=$2; shift ;;
    --pipelining) PIPELINING=1 ;;
    --build) BUILD_DIR=$2; shift ;;
    --keep) KEEP=1 ;;
    --json) JSON_OUT=$2; shift ;;
    --client) CLIENT=$2; shift ;;
    --posta-setting) POSTA_SETTINGS="${POSTA_SETTINGS:-} $2"; shift ;;
    --posta-only) POSTA_ONLY=1 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "unknown option: $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done

POSTA_BIN=$BUILD_DIR/posta
LOAD_BIN=$BUILD_DIR/bench/bench_smtp_load
bench_require_built "$repo" "$BUILD_DIR" "$POSTA_BIN" "$LOAD_BIN"
postfix_bench_check_installed || exit 2

work=$(bench_tmpdir smtp-vs-postfix)
mkdir -m 0755 "$work/posta" "$work/postfix"

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  posta_bench_stop || true
  postfix_bench_stop || true
  if ((KEEP)) || ((status != 0)); then
    echo "logs and data kept in $work" >&2
  else
    rm -rf "$work"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# load PORT MESSAGES CONNECTIONS: one bench_smtp_load run, its JSON line on stdout.
# Postfix's own load client, an independent check of our generator: it
# reports no latencies, so only the rate and the stored counts are compared.
load_smtp_source() {
  local t0 t1 rc=0
  t0=$(date +%s.%N)
  smtp-source -s "$3" -m "$2" -l "$SIZE" -f "bench@client.test" -t "user1@$DOMAIN" "127.0.0.1:$1" \
    >/dev/null 2>>"$work/smtp-source.err" || rc=$?
  t1=$(date +%s.%N)
  awk -v n="$2" -v t0="$t0" -v t1="$t1" -v rc="$rc" 'BEGIN {
    s = t1 - t0; ok = rc == 0 ? n : 0
    printf "{\"client\":\"smtp-source\",\"accepted\":%d,\"failed\":%d,\"seconds\":%.4f,\"messages_per_second\":%.2f}\n",
      ok, n - ok, s, (s > 0 ? ok / s : 0) }'
}

load() {
  if [[ $CLIENT == smtp-source ]]; then
    load_smtp_source "$@"
    return
  fi
  local args=(--port "$1" --messages "$2" --connections "$3" --size "$SIZE" --recipients "$RECIPIENTS"
    --rcpt-domain "$DOMAIN" --rcpt-count "$USERS" --timeout "$LOAD_TIMEOUT" --json)
  ((PIPELINING)) && args+=(--pipelining)
  # Exit status 1 only says that some messages failed: the JSON tells which.
  "$LOAD_BIN" "${args[@]}" || true
}

if [[ $CLIENT == smtp-source ]] && ((RECIPIENTS != 1)); then
  echo "smtp-source sends one recipient per message: use --recipients 1 with it" >&2
  exit 2
fi

warmup_connections() { echo $((CONNECTIONS < 10 ? CONNECTIONS : 10)); }

echo "== load: $MESSAGES messages of $SIZE bytes, $RECIPIENTS recipient(s) among $USERS users," \
  "$CONNECTIONS connections$( ((PIPELINING)) && echo ', pipelining'); warm-up $WARMUP messages"
echo "== machine: $(nproc) cores, $(uname -r); $(date -u '+%Y-%m-%d %H:%M UTC')"

# --- Posta: a 250 after DATA means fsynced blob + committed delivery. ---
echo "== posta: starting ($POSTA_BIN)"
posta_bench_start "$POSTA_BIN" "$work/posta" smtp
posta_bench_add_accounts "$DOMAIN" "$USERS"
# The default (10 SMTP connections per client IP) would refuse most of the 50
# connections from 127.0.0.1; Postfix exempts $mynetworks from its own limit.
posta_bench_cli settings set smtp.max_connections_per_ip 0 >/dev/null
for kv in $POSTA_SETTINGS; do  # e.g. POSTA_SETTINGS="blobs.inline_max_kb=64"
  posta_bench_cli settings set "${kv%%=*}" "${kv#*=}" >/dev/null
  echo "   posta setting ${kv%%=*} = ${kv#*=}"
done
posta_warm_accepted=0
if ((WARMUP > 0)); then
  warm=$(load "$POSTA_BENCH_PORT_SMTP" "$WARMUP" "$(warmup_connections)")
  posta_warm_accepted=$(bench_json_number "$warm" accepted)
  echo "   warm-up: $posta_warm_accepted of $WARMUP accepted"
fi
echo "== posta: measuring"
# CPU of posta and its embedded PostgreSQL (a child process, as are its backends).
cpu0=$(bench_cpu_ticks "$POSTA_BENCH_PID")
own0=$(bench_own_cpu_ticks "$POSTA_BENCH_PID")
wal0=$(posta_bench_sql "SELECT pg_current_wal_lsn()")
posta_json=$(load "$POSTA_BENCH_PORT_SMTP" "$MESSAGES" "$CONNECTIONS")
wal_bytes=$(posta_bench_sql "SELECT pg_current_wal_lsn() - '$wal0'")
posta_cpu=$(($(bench_cpu_ticks "$POSTA_BENCH_PID") - cpu0))
posta_own_cpu=$(($(bench_own_cpu_ticks "$POSTA_BENCH_PID") - own0))
echo "   $posta_json"
posta_stored=$(posta_bench_message_count)
posta_expected=$(((posta_warm_accepted + $(bench_json_number "$posta_json" accepted)) * RECIPIENTS))
echo "   mailbox rows: ${posta_stored:-?} (expected $posta_expected)"
# Table sizes, dead rows and autovacuum runs (does vacuuming keep up?).
posta_bench_cli storage show | sed 's/^/   /' || true
posta_bench_stop
if ((${POSTA_ONLY:-0})); then  # A/B experiments on Posta alone: no comparison
  accepted=$(bench_json_number "$posta_json" accepted)
  echo "posta only: $(bench_json_number "$posta_json" messages_per_second) msg/s," \
    "CPU ms/msg $(bench_ms_per_item "$posta_cpu" "$accepted")" \
    "(posta $(bench_ms_per_item "$posta_own_cpu" "$accepted")," \
    "PostgreSQL $(bench_ms_per_item "$((posta_cpu - posta_own_cpu))" "$accepted"))"
  # Bytes of write-ahead log per message: what the database wrote, exactly,
  # whatever else the machine was doing.
  echo "posta only: WAL bytes per message $(awk -v w="${wal_bytes:-0}" -v n="$accepted" 'BEGIN { if (n > 0) printf "%.0f", w / n }')"
  exit 0
fi

# --- Postfix: a 250 after DATA means the fsynced queue file; virtual(8)
# delivers (and fsyncs) into the Maildir afterwards. ---
echo "== postfix: starting ($(postconf -d -h mail_version 2>/dev/null || echo '?'), in_flow_delay $POSTFIX_BENCH_IN_FLOW_DELAY)"
postfix_bench_start "$work/postfix" "$DOMAIN" "$USERS"
if ((WARMUP > 0)); then
  warm=$(load "$POSTFIX_BENCH_PORT" "$WARMUP" "$(warmup_connections)")
  echo "   warm-up: $(bench_json_number "$warm" accepted) of $WARMUP accepted"
  warm_expected=$(($(bench_json_number "$warm" accepted) * RECIPIENTS))
  bench_wait_until "$DELIVERY_TIMEOUT" postfix_bench_delivered_at_least "$warm_expected" ||
    echo "   warm-up: only $(postfix_bench_delivered) of $warm_expected delivered" >&2
fi
baseline=$(postfix_bench_delivered)
echo "== postfix: measuring"
cpu0=$(bench_cpu_ticks "$POSTFIX_BENCH_PID")  # the master and every Postfix daemon
start=$(bench_now)
postfix_json=$(load "$POSTFIX_BENCH_PORT" "$MESSAGES" "$CONNECTIONS")
accepted_at=$(bench_now)
echo "   $postfix_json"
expected=$((baseline + $(bench_json_number "$postfix_json" accepted) * RECIPIENTS))
delivered_ok=1
deadline=$(($(date +%s) + DELIVERY_TIMEOUT))
while (($(postfix_bench_delivered) < expected)); do
  if (($(date +%s) >= deadline)); then
    delivered_ok=0
    break
  fi
  sleep 0.05
done
delivered_at=$(bench_now)
postfix_cpu=$(($(bench_cpu_ticks "$POSTFIX_BENCH_PID") - cpu0))
delivered=$(($(postfix_bench_delivered) - baseline))
postfix_e2e=$(bench_elapsed "$start" "$delivered_at")
postfix_drain=$(bench_elapsed "$accepted_at" "$delivered_at")
postfix_bench_stop

# --- Report ---
field() { bench_json_number "$1" "$2"; }
row() {
  local name=$1 key=$2 a b
  a=$(field "$posta_json" "$key") b=$(field "$postfix_json" "$key")
  printf '%-28s %12s %12s %14s\n' "$name" "$a" "$b" "$(bench_ratio "$a" "$b")"
}
echo
printf '%-28s %12s %12s %14s\n' "" "Posta" "Postfix" "Posta/Postfix"
row "accepted messages/s" messages_per_second
row "latency p50 (ms)" p50
row "latency p90 (ms)" p90
row "latency p99 (ms)" p99
row "MAIL..250 p50 (ms)" t50
row "MAIL..250 p99 (ms)" t99
row "load time (s)" seconds
posta_cpu_ms=$(bench_ms_per_item "$posta_cpu" "$(field "$posta_json" accepted)")
postfix_cpu_ms=$(bench_ms_per_item "$postfix_cpu" "$(field "$postfix_json" accepted)")
printf '%-28s %12s %12s %14s\n' "server CPU ms per message" "$posta_cpu_ms" "$postfix_cpu_ms" \
  "$(bench_ratio "$posta_cpu_ms" "$postfix_cpu_ms")"
posta_own_ms=$(bench_ms_per_item "$posta_own_cpu" "$(field "$posta_json" accepted)")
posta_pg_ms=$(bench_ms_per_item "$((posta_cpu - posta_own_cpu))" "$(field "$posta_json" accepted)")
printf '%-28s %12s\n' "  of which posta itself" "$posta_own_ms"
printf '%-28s %12s\n' "  of which its PostgreSQL" "$posta_pg_ms"
printf '%-28s %12s %12s\n' "accepted" "$(field "$posta_json" accepted)" "$(field "$postfix_json" accepted)"
printf '%-28s %12s %12s\n' "failed" "$(field "$posta_json" failed)" "$(field "$postfix_json" failed)"
e2e_rate=$(awk -v n="$delivered" -v t="$postfix_e2e" 'BEGIN { if (t > 0) printf "%.1f", n / t / '"$RECIPIENTS"'; else print 0 }')
echo
echo "Postfix end-to-end: $delivered Maildir deliveries in $postfix_e2e s ($e2e_rate messages/s);" \
  "queue drained $postfix_drain s after the last 250"
echo "Posta's 250 already means delivered to the mailbox (blob fsync + commit)."
echo "Server CPU: Posta with its PostgreSQL during the load; Postfix's daemons until the"
echo "last delivery. It varies less than the rates on a shared machine."
echo "latency: final \".\" to its reply; MAIL..250: the whole transaction, MAIL sent to that reply."
echo "Ratio for messages/s: higher is better for Posta; for latency and CPU: lower is better."

if [[ -n $JSON_OUT ]]; then
  printf '{"date":"%s","cores":%s,"posta":%s,"postfix":%s,"posta_cpu_ms_per_message":%s,"postfix_cpu_ms_per_message":%s,"postfix_end_to_end":{"delivered":%s,"seconds":%s,"messages_per_second":%s,"drain_seconds":%s}}\n' \
    "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(nproc)" "$posta_json" "$postfix_json" "$posta_cpu_ms" "$postfix_cpu_ms" \
    "$delivered" "$postfix_e2e" "$e2e_rate" "$postfix_drain" >>"$JSON_OUT"
fi

((delivered_ok)) || { echo "postfix did not deliver everything within ${DELIVERY_TIMEOUT}s" >&2; exit 1; }
failed=$(($(field "$posta_json" failed) + $(field "$postfix_json" failed)))
((failed == 0)) || { echo "some messages failed (see the JSON lines above)" >&2; exit 1; }
