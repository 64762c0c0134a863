#!/usr/bin/env bash
# Outbound delivery: Posta's queue runner against Postfix relaying the same
# queue to the same receiver (Postfix's smtp-sink on loopback), one after the
# other. Each server first takes MESSAGES messages for remote recipients with
# delivery held (Posta: the "queue" service disabled; Postfix:
# defer_transports = smtp), then delivery is released and timed until the
# sink has counted every message: the drain rate, in messages per second,
# and the server CPU per message (Posta with its PostgreSQL; every Postfix
# daemon). Both send through one relay host with connection reuse and 20
# connections at once (Postfix's default_destination_concurrency_limit).
# Posta does not DKIM-sign (Postfix cannot without a milter) unless --dkim.
# See bench/README.md.
#
# Usage: bench/outbound_vs_postfix.sh [--messages N] [--size BYTES] [--connections N]
#          [--concurrency N] [--build DIR] [--keep] [--posta-only] [--dkim]
# Needs root (Postfix's master, the embedded PostgreSQL's user switch, the
# sink's user switch) and Debian's postfix package (smtp-sink, smtp-source).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
source "$here/lib/common.sh"
source "$here/lib/posta.sh"
source "$here/lib/postfix.sh"

MESSAGES=${MESSAGES:-5000}
SIZE=${SIZE:-10240}
CONNECTIONS=${CONNECTIONS:-20}   # injecting clients
CONCURRENCY=${CONCURRENCY:-20}   # delivery connections to the relay host
BUILD_DIR=${BUILD_DIR:-$repo/build}
KEEP=${KEEP:-0}
POSTA_ONLY=${POSTA_ONLY:-0}
DKIM=${DKIM:-0}
DOMAIN=example.test          # the servers' own
REMOTE=remote.bench.test     # the recipients' domain: remote for both servers
# The sender is user1@$DOMAIN: outgoing mail of a local user (what Posta signs with --dkim).
DRAIN_TIMEOUT=${DRAIN_TIMEOUT:-3600}

usage() { sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; }

while (($# > 0)); do
  case $1 in
    --messages) MESSAGES=$2; shift ;;
    --size) SIZE=$2; shift ;;
    --connections) CONNECTIONS=$2; shift ;;
    --concurrency) CONCURRENCY=$2; shift ;;
    --build) BUILD_DIR=$2; shift ;;
    --keep) KEEP=1 ;;
    --posta-only) POSTA_ONLY=1 ;;
    --dkim) DKIM=1 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "unknown option: $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done

POSTA_BIN=$BUILD_DIR/posta
LOAD_BIN=$BUILD_DIR/bench/bench_smtp_load
bench_require_built "$repo" "$BUILD_DIR" "$POSTA_BIN" "$LOAD_BIN"
postfix_bench_check_installed || exit 2
command -v smtp-sink >/dev/null || { echo "smtp-sink (package postfix) is missing" >&2; exit 2; }

work=$(bench_tmpdir outbound-vs-postfix)
mkdir -m 0755 "$work/posta" "$work/postfix"
SINK_PID=

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  posta_bench_stop || true
  postfix_bench_stop || true
  bench_stop_pid "$SINK_PID" 10 || true
  if ((KEEP)) || ((status != 0)); then echo "logs and data kept in $work" >&2; else rm -rf "$work"; fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The receiver: one smtp-sink for both runs, counting finished DATA ("mesg=N").
SINK_PORT=$(bench_free_port)
smtp-sink -c -u nobody "127.0.0.1:$SINK_PORT" 1024 >"$work/sink.out" 2>"$work/sink.err" &
SINK_PID=$!
bench_wait_until 10 bash -c "ss -Hltn 'sport = :$SINK_PORT' | grep -q ." || { echo "smtp-sink did not start" >&2; exit 1; }
sink_count() { tr '\r' '\n' <"$work/sink.out" | awk -F'mesg=' 'NF > 1 { n = $2 + 0 } END { print n + 0 }'; }
sink_has() { (($(sink_count) >= $1)); }

inject() {  # PORT: MESSAGES messages, each to one remote recipient
  "$LOAD_BIN" --port "$1" --messages "$MESSAGES" --connections "$CONNECTIONS" --size "$SIZE" --from "user1@$DOMAIN" \
    --rcpt-domain "$REMOTE" --rcpt-count 100 --timeout 3600 --json || true
}

echo "== load: $MESSAGES queued messages of $SIZE bytes, delivered over $CONCURRENCY connections to smtp-sink$( ((DKIM)) && echo ', Posta signing with DKIM')"
echo "== machine: $(nproc) cores, $(uname -r); $(date -u '+%Y-%m-%d %H:%M UTC')"

# --- Posta ---
echo "== posta: starting ($POSTA_BIN)"
posta_bench_start "$POSTA_BIN" "$work/posta" smtp
posta_bench_add_accounts "$DOMAIN" 1
# No per-session command bound: 100,000 messages over 20 connections are
# 15,000 commands each (Postfix has no such bound).
for kv in smtp.max_connections_per_ip=0 smtp.max_commands_per_session=0 'smtp.trusted_networks=["127.0.0.0/8"]' \
  "relay.smarthost=[127.0.0.1]:$SINK_PORT" relay.smarthost_tls=none \
  "queue.max_connections_per_destination=$CONCURRENCY" "dkim.sign=$( ((DKIM)) && echo true || echo false)"; do
  posta_bench_cli settings set "${kv%%=*}" "${kv#*=}" >/dev/null
done
posta_bench_cli service disable queue >/dev/null
echo "   injecting: $(inject "$POSTA_BENCH_PORT_SMTP")"
queued=$(posta_bench_sql "SELECT count(*) FROM queue")
echo "   queued rows: $queued"
base=$(sink_count)
cpu0=$(bench_cpu_ticks "$POSTA_BENCH_PID")
own0=$(bench_own_cpu_ticks "$POSTA_BENCH_PID")
t0=$(bench_now)
posta_bench_cli service enable queue >/dev/null
bench_wait_until "$DRAIN_TIMEOUT" sink_has $((base + queued)) || echo "   posta: only $(($(sink_count) - base)) delivered" >&2
posta_seconds=$(bench_elapsed "$t0")
posta_cpu=$(($(bench_cpu_ticks "$POSTA_BENCH_PID") - cpu0))
posta_own=$(($(bench_own_cpu_ticks "$POSTA_BENCH_PID") - own0))
posta_delivered=$(($(sink_count) - base))
left=$(posta_bench_sql "SELECT count(*) FROM queue")
echo "   delivered $posta_delivered in $posta_seconds s; rows left: $left"
posta_bench_stop
posta_rate=$(bench_rate "$posta_delivered" "$posta_seconds")
posta_ms=$(bench_ms_per_item "$posta_cpu" "$posta_delivered")
if ((POSTA_ONLY)); then
  echo "posta only: $posta_rate msg/s, CPU ms/msg $posta_ms (posta $(bench_ms_per_item "$posta_own" "$posta_delivered"))"
  exit 0
fi

# --- Postfix ---
echo "== postfix: starting ($(postconf -d -h mail_version 2>/dev/null || echo '?'))"
postfix_bench_start "$work/postfix" "$DOMAIN" 1
postconf -c "$work/postfix/etc" -e "relayhost = [127.0.0.1]:$SINK_PORT" "defer_transports = smtp" \
  "default_destination_concurrency_limit = $CONCURRENCY" "smtp_tls_security_level = none"
postfix -c "$work/postfix/etc" reload >/dev/null 2>&1
sleep 1
echo "   injecting: $(inject "$POSTFIX_BENCH_PORT")"
postfix_queued() { find "$work/postfix/queue/deferred" "$work/postfix/queue/active" "$work/postfix/queue/incoming" -type f 2>/dev/null | wc -l; }
bench_wait_until 600 bash -c "[[ \$(find '$work/postfix/queue/incoming' -type f | wc -l) -eq 0 ]]" || true
echo "   queued files: $(postfix_queued)"
base=$(sink_count)
cpu0=$(bench_cpu_ticks "$POSTFIX_BENCH_PID")
t0=$(bench_now)
postconf -c "$work/postfix/etc" -e "defer_transports ="
postfix -c "$work/postfix/etc" reload >/dev/null 2>&1
postqueue -c "$work/postfix/etc" -f
bench_wait_until "$DRAIN_TIMEOUT" sink_has $((base + MESSAGES)) || echo "   postfix: only $(($(sink_count) - base)) delivered" >&2
postfix_seconds=$(bench_elapsed "$t0")
postfix_cpu=$(($(bench_cpu_ticks "$POSTFIX_BENCH_PID") - cpu0))
postfix_delivered=$(($(sink_count) - base))
echo "   delivered $postfix_delivered in $postfix_seconds s"
postfix_bench_stop
postfix_rate=$(bench_rate "$postfix_delivered" "$postfix_seconds")
postfix_ms=$(bench_ms_per_item "$postfix_cpu" "$postfix_delivered")

echo
printf '%-30s %12s %12s %14s\n' "" "Posta" "Postfix" "Posta/Postfix"
printf '%-30s %12s %12s %14s\n' "delivered messages/s" "$posta_rate" "$postfix_rate" "$(bench_ratio "$posta_rate" "$postfix_rate")"
printf '%-30s %12s %12s %14s\n' "drain time (s)" "$posta_seconds" "$postfix_seconds" "$(bench_ratio "$posta_seconds" "$postfix_seconds")"
printf '%-30s %12s %12s %14s\n' "server CPU ms per message" "$posta_ms" "$postfix_ms" "$(bench_ratio "$posta_ms" "$postfix_ms")"
printf '%-30s %12s\n' "  of which posta itself" "$(bench_ms_per_item "$posta_own" "$posta_delivered")"
printf '%-30s %12s %12s\n' "delivered" "$posta_delivered" "$postfix_delivered"
echo "Drain: from releasing the held queue to the sink's count of the last message."
echo "Posta deletes each row (one commit) after the sink's 250; Postfix unlinks its queue file."
