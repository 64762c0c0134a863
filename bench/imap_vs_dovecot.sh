#!/usr/bin/env bash
# Posta's IMAP server against a stock Dovecot on this machine, the same
# messages and the same command mix, one server after the other: commands
# per second and latency per command type (bench_imap_load) at each client
# count, SELECT and UID FETCH 1:* (FLAGS) of a 100,000-message mailbox, and
# the memory of idle authenticated connections. See bench/README.md.
#
# Usage: bench/imap_vs_dovecot.sh [--clients "10 50"] [--commands N] [--duration S]
#          [--users N] [--messages N] [--large N] [--large-runs N] [--idle N]
#          [--warmup N] [--mix SPEC] [--starttls] [--build DIR] [--keep] [--json FILE]
#          [--posta-setting KEY=VALUE]… [--posta-only | --dovecot-only]
# The same settings may come from the environment: CLIENTS, COMMANDS,
# DURATION, USERS, MESSAGES, LARGE, LARGE_RUNS, IDLE, WARMUP, MIX,
# BUILD_DIR, KEEP=1, JSON_OUT, STARTTLS=1; DOVECOT_BENCH_FSYNC (default always) sets
# Dovecot's mail_fsync. Needs root (Dovecot's master, the embedded
# PostgreSQL's user switch) and Debian's dovecot-imapd; all traffic stays on
# 127.0.0.1.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
source "$here/lib/common.sh"
source "$here/lib/posta.sh"
source "$here/lib/dovecot.sh"

CLIENTS=${CLIENTS:-"10 50"}
COMMANDS=${COMMANDS:-20000}
DURATION=${DURATION:-0}
USERS=${USERS:-10}
MESSAGES=${MESSAGES:-1000}     # per mailbox of the load
LARGE=${LARGE:-100000}         # messages of the large mailbox (0: skip)
LARGE_RUNS=${LARGE_RUNS:-5}
IDLE=${IDLE:-1000}             # idle connections for the memory figure (0: skip)
WARMUP=${WARMUP:-500}          # commands before each measured load
MIX=${MIX:-}
STARTTLS=${STARTTLS:-0}        # every connection does STARTTLS before LOGIN
BUILD_DIR=${BUILD_DIR:-$repo/build}
KEEP=${KEEP:-0}
JSON_OUT=${JSON_OUT:-}
POSTA_SETTINGS=${POSTA_SETTINGS:-}
RUN_POSTA=1
RUN_DOVECOT=1
DOMAIN=example.test
PASSWORD_FORMAT='bench-%d-secret'
LOAD_TIMEOUT=${LOAD_TIMEOUT:-600}   # hard bound of one load run, seconds
LARGE_MAX_SIZE=4096                 # messages of the large mailbox: 1-4 KB
CORPUS=$here/imap_corpus/corpus.py
DOVECOT_BENCH_CORPUS=$CORPUS

usage() { sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; }

while (($# > 0)); do
  case $1 in
    --clients) CLIENTS=$2; shift ;;
    --commands) COMMANDS=$2; shift ;;
    --duration) DURATION=$2; shift ;;
    --users) USERS=$2; shift ;;
    --messages) MESSAGES=$2; shift ;;
    --large) LARGE=$2; shift ;;
    --large-runs) LARGE_RUNS=$2; shift ;;
    --idle) IDLE=$2; shift ;;
    --warmup) WARMUP=$2; shift ;;
    --mix) MIX=$2; shift ;;
    --starttls) STARTTLS=1 ;;
    --build) BUILD_DIR=$2; shift ;;
    --keep) KEEP=1 ;;
    --json) JSON_OUT=$2; shift ;;
    --posta-setting) POSTA_SETTINGS="${POSTA_SETTINGS:-} $2"; shift ;;
    --posta-only) RUN_DOVECOT=0 ;;
    --dovecot-only) RUN_POSTA=0 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "unknown option: $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done

POSTA_BIN=$BUILD_DIR/posta
LOAD_BIN=$BUILD_DIR/bench/bench_imap_load
need=("$LOAD_BIN")
((RUN_POSTA)) && need+=("$POSTA_BIN")
bench_require_built "$repo" "$BUILD_DIR" "${need[@]}"
((RUN_DOVECOT)) && { dovecot_bench_check_installed || exit 2; }
tls_arg=()
((STARTTLS)) && tls_arg=(--starttls)
DOVECOT_BENCH_TLS=$STARTTLS
"$LOAD_BIN" --self-test >/dev/null || { echo "bench_imap_load --self-test failed" >&2; exit 2; }

# The large mailbox belongs to one more user, so the load's mailboxes stay as they are.
LARGE_USER=$((USERS + 1))
ACCOUNTS=$USERS
((LARGE > 0)) && ACCOUNTS=$LARGE_USER
max_clients=0
for c in $CLIENTS; do ((c > max_clients)) && max_clients=$c; done
CONNECTION_LIMIT=$(((IDLE > max_clients ? IDLE : max_clients) + 100))
ulimit -n $((CONNECTION_LIMIT * 4 + 1000)) 2>/dev/null || true  # Posta's net.max_connections fits the descriptor limit

work=$(bench_tmpdir imap-vs-dovecot)
mkdir -m 0755 "$work/posta" "$work/dovecot"

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  posta_bench_stop || true
  dovecot_bench_stop || true
  if ((KEEP)) || ((status != 0)); then
    echo "logs and data kept in $work" >&2
  else
    rm -rf "$work"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# load PORT CLIENTS COMMANDS: one bench_imap_load run, its JSON line on stdout.
load() {
  local args=(--port "$1" --clients "$2" --commands "$3" --users "$USERS" --user-format "user%d@$DOMAIN"
    --password-format "$PASSWORD_FORMAT" --timeout "$LOAD_TIMEOUT" --json)
  [[ -n $MIX ]] && args+=(--mix "$MIX")
  args+=("${tls_arg[@]}")
  # Exit status 1 only says that some commands failed: the JSON tells which.
  "$LOAD_BIN" "${args[@]}" "${@:4}" || true
}

large() {
  "$LOAD_BIN" --mode large --port "$1" --runs "$LARGE_RUNS" --user-format "user$LARGE_USER@$DOMAIN" \
    --password-format "bench-$LARGE_USER-secret" --timeout "$LOAD_TIMEOUT" "${tls_arg[@]}" --json || true
}

idle_cost() {
  /usr/bin/python3 "$here/idle_cost/imap_idle_cost.py" --port "$1" --pid "$2" --connections "$IDLE" \
    --users "$USERS" --user-format "user%d@$DOMAIN" --password-format "$PASSWORD_FORMAT" "${tls_arg[@]}" --json || true
}

rcpt_args() {
  local i
  for ((i = 1; i <= USERS; i++)); do printf -- '--rcpt\nuser%d@%s\n' "$i" "$DOMAIN"; done
}

# measure NAME PORT PID: warm-up and measured load at each client count;
# sets <NAME>_json_<clients>. The load generator reads the CPU of the
# server's process tree itself when every client is ready and when the last
# command is answered (--cpu-pid): logins and clean-up are not charged.
measure() {
  local name=$1 port=$2 pid=$3 c json
  for c in $CLIENTS; do
    if ((WARMUP > 0)); then
      json=$(load "$port" "$c" "$WARMUP")
      echo "   warm-up, $c clients: $(bench_json_number "$json" completed) of $WARMUP commands"
    fi
    json=$(load "$port" "$c" "$COMMANDS" --duration "$DURATION" --cpu-pid "$pid")
    echo "   $c clients: $json"
    printf -v "${name}_json_$c" '%s' "$json"
  done
}

echo "== load: $COMMANDS commands at ${CLIENTS// /, } clients on $USERS mailboxes of $MESSAGES messages$( ((STARTTLS)) && echo ', STARTTLS');" \
  "warm-up $WARMUP; large mailbox $LARGE messages; $IDLE idle connections"
echo "== machine: $(nproc) cores, $(uname -r); $(date -u '+%Y-%m-%d %H:%M UTC')"

# --- Posta: OK to STORE/APPEND/EXPUNGE means committed (synchronous_commit on). ---
if ((RUN_POSTA)); then
  echo "== posta: starting ($POSTA_BIN)"
  posta_bench_start "$POSTA_BIN" "$work/posta" smtp imap
  posta_bench_add_accounts "$DOMAIN" "$ACCOUNTS"
  # LOGIN without TLS from 127.0.0.1 (as a webmail on the same host would).
  # Posta's per-IP and per-account connection limits would refuse most of the
  # clients (all come from 127.0.0.1 as 10 users), and its per-session command
  # rate would slow them: Dovecot is configured without such limits too.
  for kv in imap.allow_plaintext_auth_on_loopback=true imap.max_sessions_per_account=0 \
    imap.max_commands_per_second=0 net.max_connections_per_ip=0 smtp.max_connections_per_ip=0 \
    smtp.max_commands_per_second=0 $POSTA_SETTINGS; do
    if posta_bench_cli settings set "${kv%%=*}" "${kv#*=}" >/dev/null 2>&1; then
      echo "   posta setting ${kv%%=*} = ${kv#*=}"
    else
      echo "   posta setting ${kv%%=*}: could not be set (unknown in this build?)" >&2
    fi
  done
  rcpts=$(rcpt_args)
  # shellcheck disable=SC2086
  /usr/bin/python3 "$CORPUS" smtp --port "$POSTA_BENCH_PORT_SMTP" $rcpts --count "$MESSAGES" | sed 's/^/   /'
  # Idle memory first, while the server has done little else (memory freed
  # by a load would be reused by the sessions and hide their cost).
  if ((IDLE > 0)); then
    posta_idle=$(idle_cost "$POSTA_BENCH_PORT_IMAP" "$POSTA_BENCH_PID")
    echo "   idle: $posta_idle"
  fi
  if ((LARGE > 0)); then
    /usr/bin/python3 "$CORPUS" smtp --port "$POSTA_BENCH_PORT_SMTP" --rcpt "user$LARGE_USER@$DOMAIN" \
      --count "$LARGE" --max-size "$LARGE_MAX_SIZE" --seed 2 | sed 's/^/   /'
  fi
  echo "   messages stored: $(posta_bench_message_count) (expected $((USERS * MESSAGES + LARGE)))"
  echo "== posta: measuring"
  measure posta "$POSTA_BENCH_PORT_IMAP" "$POSTA_BENCH_PID"
  if ((LARGE > 0)); then
    posta_large=$(large "$POSTA_BENCH_PORT_IMAP")
    echo "   large: $posta_large"
  fi
  posta_bench_stop
fi

# --- Dovecot: Maildir files hold the same messages; mail_fsync as set. ---
if ((RUN_DOVECOT)); then
  echo "== dovecot: starting ($(/usr/sbin/dovecot --version 2>/dev/null || echo '?'), mail_fsync $DOVECOT_BENCH_FSYNC)"
  dovecot_bench_start "$work/dovecot" "$DOMAIN" "$ACCOUNTS" "$PASSWORD_FORMAT" "$CONNECTION_LIMIT"
  dirs=()
  for ((i = 1; i <= USERS; i++)); do dirs+=(--dir "$(dovecot_bench_maildir "$i")"); done
  /usr/bin/python3 "$CORPUS" maildir "${dirs[@]}" --count "$MESSAGES" | sed 's/^/   /'
  dovecot_bench_fix_owner
  if ((IDLE > 0)); then
    dovecot_idle=$(idle_cost "$DOVECOT_BENCH_PORT" "$DOVECOT_BENCH_PID")
    echo "   idle: $dovecot_idle"
  fi
  if ((LARGE > 0)); then
    /usr/bin/python3 "$CORPUS" maildir --dir "$(dovecot_bench_maildir "$LARGE_USER")" --count "$LARGE" \
      --max-size "$LARGE_MAX_SIZE" --seed 2 | sed 's/^/   /'
    dovecot_bench_fix_owner
  fi
  echo "== dovecot: measuring"
  measure dovecot "$DOVECOT_BENCH_PORT" "$DOVECOT_BENCH_PID"
  if ((LARGE > 0)); then
    dovecot_large=$(large "$DOVECOT_BENCH_PORT")
    echo "   large: $dovecot_large"
  fi
  dovecot_bench_stop
fi

# --- Report ---
field() { bench_json_number "$1" "$2"; }
# A command type's figure from a load JSON: type_field JSON TYPE KEY.
type_field() { field "$(grep -o "\"$2\":{[^}]*}" <<<"$1" || true)" "$3"; }
row() { printf '%-34s %12s %12s %14s\n' "$1" "$2" "$3" "$(bench_ratio "$2" "$3")"; }
pair() { printf '%-34s %12s %12s\n' "$1" "$2" "$3"; }  # no ratio
echo
printf '%-34s %12s %12s %14s\n' "" "Posta" "Dovecot" "Posta/Dovecot"
failed_total=0
for c in $CLIENTS; do
  pv=posta_json_$c dv=dovecot_json_$c
  pj=${!pv:-} dj=${!dv:-}
  row "$c clients: commands/s" "$(field "$pj" commands_per_second)" "$(field "$dj" commands_per_second)"
  for t in headers body flags flags_all store search append noop expunge; do
    pair "  $t p50/p99 ms" "$(type_field "$pj" "$t" p50)/$(type_field "$pj" "$t" p99)" \
      "$(type_field "$dj" "$t" p50)/$(type_field "$dj" "$t" p99)"
  done
  row "  server CPU ms per command" "$(field "$pj" cpu_ms_per_command)" "$(field "$dj" cpu_ms_per_command)"
  pair "  completed / failed" "$(field "$pj" completed)/$(field "$pj" failed)" \
    "$(field "$dj" completed)/$(field "$dj" failed)"
  failed_total=$((failed_total + $(field "$pj" failed) + $(field "$dj" failed)))
done
if ((LARGE > 0)); then
  sel() { field "$(grep -o "\"$2\":{[^}]*}" <<<"$1" || true)" best; }
  row "$LARGE msgs: SELECT best (ms)" "$(sel "${posta_large:-}" select_ms)" "$(sel "${dovecot_large:-}" select_ms)"
  row "  UID FETCH 1:* (FLAGS) best (ms)" "$(sel "${posta_large:-}" fetch_flags_ms)" "$(sel "${dovecot_large:-}" fetch_flags_ms)"
  pair "  messages seen / fetched" \
    "$(field "${posta_large:-}" exists)/$(field "${posta_large:-}" fetched)" \
    "$(field "${dovecot_large:-}" exists)/$(field "${dovecot_large:-}" fetched)"
fi
if ((IDLE > 0)); then
  row "$IDLE idle: PSS kB per connection" "$(field "${posta_idle:-}" pss_kb_per_connection)" \
    "$(field "${dovecot_idle:-}" pss_kb_per_connection)"
  row "  RSS kB per connection" "$(field "${posta_idle:-}" rss_kb_per_connection)" \
    "$(field "${dovecot_idle:-}" rss_kb_per_connection)"
  pair "  connections opened" "$(field "${posta_idle:-}" opened)" "$(field "${dovecot_idle:-}" opened)"
fi
echo
echo "commands/s: OK answers in the measured phase divided by the time from the moment every client had"
echo "logged in and selected to the last answer. Latency: command written to its tagged response."
echo "Server CPU (measured phase only): Posta with its PostgreSQL; Dovecot's master and all its processes. RSS/PSS: growth of"
echo "the whole process tree with the idle connections open, per connection (PSS splits shared pages)."
echo "Ratio for commands/s: higher is better for Posta; for latency, CPU, time and memory: lower is better."

if [[ -n $JSON_OUT ]]; then
  {
    printf '{"date":"%s","cores":%s,"clients":"%s"' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(nproc)" "$CLIENTS"
    for c in $CLIENTS; do
      pv=posta_json_$c dv=dovecot_json_$c
      printf ',"posta_%s":%s,"dovecot_%s":%s' "$c" "${!pv:-null}" "$c" "${!dv:-null}"
    done
    printf ',"posta_large":%s,"dovecot_large":%s,"posta_idle":%s,"dovecot_idle":%s}\n' \
      "${posta_large:-null}" "${dovecot_large:-null}" "${posta_idle:-null}" "${dovecot_idle:-null}"
  } >>"$JSON_OUT"
fi

((failed_total == 0)) || { echo "some commands failed (see the JSON lines above)" >&2; exit 1; }
