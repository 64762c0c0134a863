# shellcheck shell=bash
# Starting a private Dovecot for a benchmark (sourced; needs common.sh):
# Debian's dovecot-imapd, its own dovecot.conf, base_dir, state and mail in
# the given folder, IMAP on a free 127.0.0.1 port only, users from a
# passwd-file, Maildir mailboxes owned by an unprivileged user, log to a
# file. The master runs in the foreground under this shell, so it is stopped
# by its own pid.
#
#   dovecot_bench_check_installed
#   dovecot_bench_start DIR DOMAIN COUNT PASSWORD_FORMAT MAX_CONNECTIONS
#     users user1..userCOUNT@DOMAIN, password PASSWORD_FORMAT with %d = n;
#     sets DOVECOT_BENCH_PORT, DOVECOT_BENCH_PID (the master), DOVECOT_BENCH_DIR
#   dovecot_bench_maildir N                 the Maildir of userN
#   dovecot_bench_stop                      SIGTERM to the master, by pid
#
# DOVECOT_BENCH_FSYNC sets mail_fsync (default `always`: see bench/README.md);
# DOVECOT_BENCH_TLS=1 offers STARTTLS with a self-signed certificate.

DOVECOT_BENCH_MAILBOX_USER=${DOVECOT_BENCH_MAILBOX_USER:-nobody}
DOVECOT_BENCH_FSYNC=${DOVECOT_BENCH_FSYNC:-always}
DOVECOT_BENCH_TLS=${DOVECOT_BENCH_TLS:-0}

dovecot_bench_check_installed() {
  if [[ ! -x /usr/sbin/dovecot ]] || ! command -v doveadm >/dev/null || [[ ! -e /usr/lib/dovecot/imap ]]; then
    echo "dovecot-imapd is not installed; install it with:" >&2
    echo "  DEBIAN_FRONTEND=noninteractive apt-get install -y dovecot-imapd" >&2
    echo "(the package's own instance need not run: this benchmark starts a private one)" >&2
    return 1
  fi
  if ! id dovecot >/dev/null 2>&1 || ! id dovenull >/dev/null 2>&1 || [[ $(id -u) -ne 0 ]]; then
    echo "dovecot benchmark: needs root and the dovecot and dovenull users (from the Debian package)" >&2
    return 1
  fi
}

# passwd-file: user:{ARGON2ID}hash:uid:gid::home::  (argon2id with Posta's
# default parameters, so LOGIN costs the same on both servers).
dovecot_bench_write_passwd() {
  local dir=$1 domain=$2 count=$3 format=$4 uid gid i hash
  uid=$(id -u "$DOVECOT_BENCH_MAILBOX_USER") gid=$(id -g "$DOVECOT_BENCH_MAILBOX_USER")
  for ((i = 1; i <= count; i++)); do
    hash=$(/usr/bin/python3 "$DOVECOT_BENCH_CORPUS" argon2id "${format//%d/$i}") || return 1
    echo "user$i@$domain:{ARGON2ID}$hash:$uid:$gid::$dir/mail/user$i::"
  done >"$dir/etc/passwd"
  chmod 0640 "$dir/etc/passwd"
  chgrp dovecot "$dir/etc/passwd"
}

# ssl settings: off, or STARTTLS with a fresh self-signed certificate.
dovecot_bench_ssl_conf() {
  local dir=$1
  if ! ((DOVECOT_BENCH_TLS)); then
    echo "ssl = no"
    return
  fi
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=dovecot.bench.test \
    -keyout "$dir/etc/key.pem" -out "$dir/etc/cert.pem" >/dev/null 2>&1 || return 1
  echo "ssl = yes"
  echo "ssl_cert = <$dir/etc/cert.pem"
  echo "ssl_key = <$dir/etc/key.pem"
  [[ -f /usr/share/dovecot/dh.pem ]] && echo "ssl_dh = </usr/share/dovecot/dh.pem"
  return 0
}

dovecot_bench_write_conf() {
  local dir=$1 port=$2 limit=$3 uid ssl
  uid=$(id -u "$DOVECOT_BENCH_MAILBOX_USER")
  ssl=$(dovecot_bench_ssl_conf "$dir") || return 1
  cat >"$dir/etc/dovecot.conf" <<CONF
# Written by bench/lib/dovecot.sh for one benchmark run. Dovecot's defaults
# otherwise (mailbox_list_index, index files next to the Maildir, one imap
# process per connection).
instance_name = dovecot-bench-$port
base_dir = $dir/run
state_dir = $dir/state
protocols = imap
listen = 127.0.0.1
$ssl
disable_plaintext_auth = no
auth_mechanisms = plain login
log_path = $dir/dovecot.log
default_login_user = dovenull
default_internal_user = dovecot
first_valid_uid = $uid
mail_location = maildir:~/Maildir
# Durability: see bench/README.md (always = fdatasync of the index log at every commit).
mail_fsync = $DOVECOT_BENCH_FSYNC
# Enough processes and connections for the idle-connection measurement.
default_process_limit = $limit
default_client_limit = $((limit + 100))
passdb {
  driver = passwd-file
  args = $dir/etc/passwd
}
userdb {
  driver = passwd-file
  args = $dir/etc/passwd
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $port
  }
  inet_listener imaps {
    port = 0
  }
}
service imap {
  process_limit = $limit
}
protocol imap {
  mail_max_userip_connections = $limit
}
CONF
}

dovecot_bench_listening() { ss -Hltn "sport = :$DOVECOT_BENCH_PORT" 2>/dev/null | grep -q .; }

dovecot_bench_start() {
  local dir=$1 domain=$2 count=$3 format=$4 limit=${5:-1100} i
  dovecot_bench_check_installed || return 1
  DOVECOT_BENCH_DIR=$dir
  DOVECOT_BENCH_PORT=$(bench_free_port) || return 1
  mkdir -p "$dir/etc" "$dir/run" "$dir/state" "$dir/mail"
  chmod 0755 "$dir" "$dir/etc" "$dir/run" "$dir/state" "$dir/mail"
  dovecot_bench_write_passwd "$dir" "$domain" "$count" "$format" || return 1
  dovecot_bench_write_conf "$dir" "$DOVECOT_BENCH_PORT" "$limit" || return 1
  for ((i = 1; i <= count; i++)); do mkdir -p "$dir/mail/user$i/Maildir"/{cur,new,tmp}; done
  chown -R "$DOVECOT_BENCH_MAILBOX_USER:$(id -gn "$DOVECOT_BENCH_MAILBOX_USER")" "$dir/mail"
  /usr/sbin/dovecot -F -c "$dir/etc/dovecot.conf" >"$dir/master.log" 2>&1 &
  DOVECOT_BENCH_PID=$!
  if ! bench_wait_until 30 dovecot_bench_listening || ! bench_is_alive "$DOVECOT_BENCH_PID"; then
    echo "dovecot did not start; $dir/master.log and dovecot.log:" >&2
    tail -n 20 "$dir/master.log" "$dir/dovecot.log" >&2 2>/dev/null
    return 1
  fi
}

dovecot_bench_maildir() { echo "$DOVECOT_BENCH_DIR/mail/user$1/Maildir"; }

# Gives the mailboxes back to the mail user after files were written as root.
dovecot_bench_fix_owner() {
  chown -R "$DOVECOT_BENCH_MAILBOX_USER:$(id -gn "$DOVECOT_BENCH_MAILBOX_USER")" "$DOVECOT_BENCH_DIR/mail"
}

# The master ends its children when it gets SIGTERM.
dovecot_bench_stop() {
  bench_stop_pid "${DOVECOT_BENCH_PID:-}" 30
  DOVECOT_BENCH_PID=
}
