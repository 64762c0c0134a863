# shellcheck shell=bash
# Shared helpers of the benchmark scripts (sourced, not run): private temp
# folders, free loopback ports, waiting with a bound, stopping by pid, and
# reading fields of bench_* JSON lines. Every server a benchmark starts
# listens on 127.0.0.1 only.

# A fresh folder under /tmp, mode 0755 so that unprivileged daemons (the
# embedded PostgreSQL's postgres user, Postfix's postfix user) can enter it.
bench_tmpdir() {
  local dir
  dir=$(mktemp -d "/tmp/${1:-bench}.XXXXXX") || return 1
  chmod 0755 "$dir"
  echo "$dir"
}

# A TCP port on 127.0.0.1 that nothing listens on now and that this script
# has not handed out before (BENCH_PORTS_TAKEN). Taken below the kernel's
# ephemeral range, so that no outgoing connection (the load generator's
# among them) can occupy it before the server binds it.
BENCH_PORTS_TAKEN=" "
bench_free_port() {
  local port tries=0 low=32768
  read -r low _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || true
  ((low > 12000)) || low=32768
  while ((tries++ < 200)); do
    port=$((10000 + RANDOM % (low - 10000)))
    [[ $BENCH_PORTS_TAKEN == *" $port "* ]] && continue
    if ! ss -Hltn "sport = :$port" 2>/dev/null | grep -q .; then
      BENCH_PORTS_TAKEN+="$port "
      echo "$port"
      return 0
    fi
  done
  echo "bench: no free port found" >&2
  return 1
}

# Seconds since the epoch with nanoseconds, for durations.
bench_now() { date +%s.%N; }

# bench_elapsed START [END]: seconds between two bench_now readings.
bench_elapsed() { awk -v a="$1" -v b="${2:-$(bench_now)}" 'BEGIN { printf "%.3f", b - a }'; }

# bench_wait_until TIMEOUT_SECONDS COMMAND...: runs COMMAND every 0.2 s until
# it succeeds; fails after the timeout.
bench_wait_until() {
  local timeout=$1
  shift
  local deadline=$(($(date +%s) + timeout))
  until "$@"; do
    (($(date +%s) >= deadline)) && return 1
    sleep 0.2
  done
}

bench_is_alive() { [[ -n ${1:-} ]] && kill -0 "$1" 2>/dev/null; }

# bench_stop_pid PID [GRACE_SECONDS]: SIGTERM, wait up to the grace period,
# then SIGKILL. Only the given pid; its own children are its business.
bench_stop_pid() {
  local pid=${1:-} grace=${2:-30}
  bench_is_alive "$pid" || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  local i
  for ((i = 0; i < grace * 10; i++)); do
    bench_is_alive "$pid" || return 0
    sleep 0.1
  done
  echo "bench: pid $pid did not stop within ${grace}s; killing it" >&2
  kill -KILL "$pid" 2>/dev/null || true
}

# PID and all its descendants, parents first.
bench_tree_pids() {
  local pids=("$1") i=0 p
  while ((i < ${#pids[@]})); do
    for p in $(ps -o pid= --ppid "${pids[i]}" 2>/dev/null); do pids+=("$p"); done
    i=$((i + 1))
  done
  echo "${pids[@]}"
}

# bench_cpu_ticks PID: CPU time (user + system, clock ticks) used so far by
# PID and its descendants, including those that have exited and been waited
# for (cutime/cstime); a difference of two readings is what a run cost.
bench_cpu_ticks() {
  local total=0 p stat f
  for p in $(bench_tree_pids "$1"); do
    stat=$(cat "/proc/$p/stat" 2>/dev/null) || continue
    read -r -a f <<<"${stat##*) }"  # fields from the 3rd on: utime is f[11]
    total=$((total + f[11] + f[12] + f[13] + f[14]))
  done
  echo "$total"
}

# bench_own_cpu_ticks PID: the same for PID alone, without its descendants.
bench_own_cpu_ticks() {
  local stat f
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || { echo 0; return; }
  read -r -a f <<<"${stat##*) }"
  echo $((f[11] + f[12]))
}

# bench_ms_per_item TICKS COUNT: milliseconds of CPU per item.
bench_ms_per_item() {
  awk -v t="$1" -v n="$2" -v hz="$(getconf CLK_TCK)" 'BEGIN { if (n > 0) printf "%.3f", t * 1000 / hz / n; else print 0 }'
}

# bench_json_number JSON KEY: the first numeric value of "KEY": in a flat or
# nested JSON line (our own bench_* output, whose keys are unique).
bench_json_number() {
  local v
  v=$(grep -o "\"$2\":-\?[0-9.eE+-]*" <<<"$1" | head -n1 | cut -d: -f2)
  echo "${v:-0}"
}

# bench_ratio A B: A / B with two decimals, or "n/a" when B is 0.
# bench_rate COUNT SECONDS: COUNT per second, one decimal (0 for no time).
bench_rate() { awk -v n="$1" -v t="$2" 'BEGIN { printf "%.1f", (t > 0 ? n / t : 0) }'; }

bench_ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 == 0) print "n/a"; else printf "%.2f", a / b }'; }

# bench_require_built REPO BUILD_DIR BINARY...: exits 2, with the commands that
# build them, unless every BINARY (a path under BUILD_DIR) is executable.
bench_require_built() {
  local repo=$1 dir=$2 bin targets=()
  shift 2
  for bin in "$@"; do [[ -x $bin ]] || targets+=("$(basename "$bin")"); done
  ((${#targets[@]} == 0)) && return 0
  echo "missing ${targets[*]} in $dir; build with:" >&2
  echo "  cmake -S $repo -B $dir -G Ninja -DCMAKE_BUILD_TYPE=Release -DPOSTA_TESTS=OFF" >&2
  echo "  ninja -C $dir -j2 ${targets[*]}" >&2
  exit 2
}
