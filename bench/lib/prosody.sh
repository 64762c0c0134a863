# shellcheck shell=bash
# Starting a private Prosody for a benchmark (sourced; needs common.sh):
# Debian's prosody 0.12, its own config, pidfile, data and log in the given
# folder, c2s on a free 127.0.0.1 port only (no s2s, no HTTP), STARTTLS
# required with a fresh self-signed certificate, accounts written straight
# into its storage (lib/prosody_accounts.py). It runs in the foreground as
# the prosody user and is stopped by the pid in its pidfile.
#
#   prosody_bench_check_installed
#   prosody_bench_start DIR DOMAIN COUNT USER_FORMAT PASSWORD_FORMAT
#     sets PROSODY_BENCH_PORT, PROSODY_BENCH_PID (prosody itself), PROSODY_BENCH_LOG
#   prosody_bench_stop                      SIGTERM to prosody by pid
#
# PROSODY_BENCH_LOG_LEVEL (default info, Debian's) sets what is logged.

PROSODY_BENCH_LOG_LEVEL=${PROSODY_BENCH_LOG_LEVEL:-info}
PROSODY_BENCH_ACCOUNTS=$(dirname "${BASH_SOURCE[0]}")/prosody_accounts.py

prosody_bench_check_installed() {
  if ! command -v prosody >/dev/null || ! command -v prosodyctl >/dev/null || ! id prosody >/dev/null 2>&1; then
    echo "prosody is not installed; install it with:" >&2
    echo "  DEBIAN_FRONTEND=noninteractive apt-get install -y prosody lua-unbound" >&2
    echo "(the package's own instance need not run: this benchmark starts a private one)" >&2
    return 1
  fi
  if [[ $(id -u) -ne 0 ]]; then
    echo "prosody benchmark: needs root (runuser to the prosody user)" >&2
    return 1
  fi
}

# The modules of Debian's default configuration that a c2s server of this
# kind offers (roster, carbons, stream management, blocking, vCard, PEP…),
# without registration, invitations, admin interfaces and s2s.
prosody_bench_write_conf() {
  local dir=$1 domain=$2 port=$3
  cat >"$dir/prosody.cfg.lua" <<CONF
-- Written by bench/lib/prosody.sh for one benchmark run.
pidfile = "$dir/prosody.pid"
data_path = "$dir/data"
log = { $PROSODY_BENCH_LOG_LEVEL = "$dir/prosody.log" }
admins = {}
plugin_paths = {}
modules_enabled = {
  "disco"; "roster"; "saslauth"; "tls"; "blocklist"; "bookmarks"; "carbons"; "pep"; "private";
  "smacks"; "vcard4"; "vcard_legacy"; "csi_simple"; "ping"; "time"; "uptime"; "version"; "posix";
}
modules_disabled = { "s2s" }
c2s_ports = { $port }
c2s_interfaces = { "127.0.0.1" }
c2s_direct_tls_ports = {}
legacy_ssl_ports = {}
s2s_ports = {}
component_ports = {}
http_ports = {}
https_ports = {}
c2s_require_encryption = true
allow_registration = false
authentication = "internal_hashed"
storage = "internal"
certificates = "$dir/certs"
ssl = { certificate = "$dir/cert.pem"; key = "$dir/key.pem"; }
VirtualHost "$domain"
CONF
}

# Listening, and the pidfile written (mod_posix writes it a little later).
prosody_bench_up() {
  ss -Hltn "sport = :$PROSODY_BENCH_PORT" 2>/dev/null | grep -q . && [[ -s $PROSODY_BENCH_DIR/prosody.pid ]]
}
prosody_bench_up_or_dead() { prosody_bench_up || ! bench_is_alive "$PROSODY_BENCH_RUNUSER"; }

prosody_bench_start() {
  local dir=$1 domain=$2 count=$3 user_format=$4 password_format=$5
  PROSODY_BENCH_DIR=$dir
  PROSODY_BENCH_PORT=$(bench_free_port) || return 1
  PROSODY_BENCH_LOG=$dir/prosody.log
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$domain" \
    -keyout "$dir/key.pem" -out "$dir/cert.pem" >/dev/null 2>&1 || return 1
  prosody_bench_write_conf "$dir" "$domain" "$PROSODY_BENCH_PORT"
  mkdir -p "$dir/data" "$dir/certs"  # certs: the folder Prosody indexes for certificates
  /usr/bin/python3 "$PROSODY_BENCH_ACCOUNTS" --data "$dir/data" --host "$domain" --count "$count" \
    --user-format "$user_format" --password-format "$password_format" || return 1
  chown -R prosody:prosody "$dir"
  # runuser's PAM session (pam_limits) lowers the soft descriptor limit to
  # 1024; Prosody does not raise it itself, so the shell does before exec.
  runuser -u prosody -- /bin/sh -c 'ulimit -n "$0" && exec prosody -F --config "$1"' "$(ulimit -Hn)" \
    "$dir/prosody.cfg.lua" >>"$dir/prosody.stdout" 2>&1 &
  PROSODY_BENCH_RUNUSER=$!
  if ! bench_wait_until 30 prosody_bench_up_or_dead || ! prosody_bench_up; then
    echo "prosody did not come up; last lines of $PROSODY_BENCH_LOG:" >&2
    tail -n 20 "$PROSODY_BENCH_LOG" "$dir/prosody.stdout" >&2 2>/dev/null
    return 1
  fi
  PROSODY_BENCH_PID=$(tr -dc '0-9' <"$dir/prosody.pid" 2>/dev/null)
  bench_is_alive "$PROSODY_BENCH_PID" || { echo "prosody: no live pid in $dir/prosody.pid" >&2; return 1; }
}

# Prosody itself by the pid of its pidfile, then runuser (which waits for it).
prosody_bench_stop() {
  bench_stop_pid "${PROSODY_BENCH_PID:-}" 30
  bench_stop_pid "${PROSODY_BENCH_RUNUSER:-}" 10
  PROSODY_BENCH_PID= PROSODY_BENCH_RUNUSER=
}
