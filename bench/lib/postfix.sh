# shellcheck shell=bash
# Starting a private Postfix for a benchmark (sourced; needs common.sh):
# Debian's postfix package, its own config, queue, data and mailbox folders
# under the given folder, smtpd on a free 127.0.0.1 port, no chroot, virtual
# Maildir delivery of user1..userN of one domain as an unprivileged user,
# logging to a file. Postfix's defaults are kept otherwise: cleanup fsyncs
# each queue file before smtpd answers 250, and virtual(8) fsyncs each Maildir
# file before it is moved to new/.
#
#   postfix_bench_start DIR DOMAIN COUNT
#     sets POSTFIX_BENCH_PORT, POSTFIX_BENCH_PID (the master), POSTFIX_BENCH_DIR
#   postfix_bench_delivered                 Maildir files in new/ so far
#   postfix_bench_delivered_at_least N      succeeds once N are there
#   postfix_bench_stop                      SIGTERM to the master, by pid

# The user that owns the mailboxes and that virtual(8) writes as.
POSTFIX_BENCH_MAILBOX_USER=${POSTFIX_BENCH_MAILBOX_USER:-nobody}
# Postfix's flow control: cleanup pauses a message up to this long while the
# queue manager lags behind arrivals. 1s is Postfix's default; 0 turns it off.
POSTFIX_BENCH_IN_FLOW_DELAY=${POSTFIX_BENCH_IN_FLOW_DELAY:-1s}

postfix_bench_check_installed() {
  if ! command -v postfix >/dev/null || [[ ! -x /usr/lib/postfix/sbin/master ]]; then
    echo "postfix is not installed; install it with:" >&2
    echo "  echo 'postfix postfix/main_mailer_type select No configuration' | debconf-set-selections" >&2
    echo "  DEBIAN_FRONTEND=noninteractive apt-get install -y postfix" >&2
    return 1
  fi
  if ! id postfix >/dev/null 2>&1 || [[ $(id -u) -ne 0 ]]; then
    echo "postfix benchmark: needs root and the postfix user (from the Debian package)" >&2
    return 1
  fi
}

postfix_bench_write_main_cf() {
  local dir=$1 domain=$2 uid gid
  uid=$(id -u "$POSTFIX_BENCH_MAILBOX_USER") gid=$(id -g "$POSTFIX_BENCH_MAILBOX_USER")
  cat >"$dir/etc/main.cf" <<CF
# Written by bench/lib/postfix.sh for one benchmark run.
compatibility_level = 3.6
queue_directory = $dir/queue
data_directory = $dir/data
mail_owner = postfix
setgid_group = postdrop
maillog_file = $dir/maillog
maillog_file_prefixes = $dir
myhostname = postfix.bench.test
mydomain = bench.test
myorigin = \$myhostname
mydestination =
relayhost =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_banner = \$myhostname ESMTP
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
smtpd_recipient_restrictions = permit_mynetworks, reject_unauth_destination
alias_maps =
alias_database =
local_recipient_maps =
biff = no
in_flow_delay = $POSTFIX_BENCH_IN_FLOW_DELAY
virtual_mailbox_domains = $domain
virtual_mailbox_base = $dir/vmail
virtual_mailbox_maps = texthash:$dir/etc/vmailbox
virtual_uid_maps = static:$uid
virtual_gid_maps = static:$gid
CF
}

# Postfix's standard services, none chrooted; smtpd only on 127.0.0.1:PORT.
postfix_bench_write_master_cf() {
  local dir=$1 port=$2
  cat >"$dir/etc/master.cf" <<CF
# service            type  private unpriv chroot wakeup maxproc command
127.0.0.1:$port      inet  n       -      n      -      -       smtpd
pickup               unix  n       -      n      60     1       pickup
cleanup              unix  n       -      n      -      0       cleanup
qmgr                 unix  n       -      n      300    1       qmgr
rewrite              unix  -       -      n      -      -       trivial-rewrite
bounce               unix  -       -      n      -      0       bounce
defer                unix  -       -      n      -      0       bounce
trace                unix  -       -      n      -      0       bounce
verify               unix  -       -      n      -      1       verify
flush                unix  n       -      n      1000?  0       flush
proxymap             unix  -       -      n      -      -       proxymap
proxywrite           unix  -       -      n      -      1       proxymap
smtp                 unix  -       -      n      -      -       smtp
relay                unix  -       -      n      -      -       smtp
showq                unix  n       -      n      -      -       showq
error                unix  -       -      n      -      -       error
retry                unix  -       -      n      -      -       error
discard              unix  -       -      n      -      -       discard
local                unix  -       n      n      -      -       local
virtual              unix  -       n      n      -      -       virtual
lmtp                 unix  -       -      n      -      -       lmtp
anvil                unix  -       -      n      -      1       anvil
scache               unix  -       -      n      -      1       scache
postlog              unix-dgram n  -      n      -      1       postlogd
CF
}

postfix_bench_write_mailboxes() {
  local dir=$1 domain=$2 count=$3 i
  for ((i = 1; i <= count; i++)); do
    echo "user$i@$domain $domain/user$i/"
  done >"$dir/etc/vmailbox"
  mkdir -p "$dir/vmail"
  chown "$POSTFIX_BENCH_MAILBOX_USER:$(id -gn "$POSTFIX_BENCH_MAILBOX_USER")" "$dir/vmail"
}

postfix_bench_listening() { ss -Hltn "sport = :$POSTFIX_BENCH_PORT" 2>/dev/null | grep -q .; }

postfix_bench_start() {
  local dir=$1 domain=$2 count=$3
  postfix_bench_check_installed || return 1
  POSTFIX_BENCH_DIR=$dir
  POSTFIX_BENCH_PORT=$(bench_free_port) || return 1
  mkdir -m 0755 "$dir/etc" "$dir/queue" "$dir/data"
  chown postfix "$dir/data"
  postfix_bench_write_main_cf "$dir" "$domain"
  postfix_bench_write_master_cf "$dir" "$POSTFIX_BENCH_PORT"
  postfix_bench_write_mailboxes "$dir" "$domain" "$count"
  # `postfix check` (run by start) creates the queue's subfolders.
  if ! postfix -c "$dir/etc" start >"$dir/start.log" 2>&1; then
    echo "postfix did not start:" >&2
    cat "$dir/start.log" >&2
    tail -n 20 "$dir/maillog" >&2 2>/dev/null
    return 1
  fi
  bench_wait_until 30 test -s "$dir/queue/pid/master.pid" || return 1
  POSTFIX_BENCH_PID=$(tr -dc '0-9' <"$dir/queue/pid/master.pid")
  bench_wait_until 30 postfix_bench_listening || {
    echo "postfix smtpd is not listening on 127.0.0.1:$POSTFIX_BENCH_PORT" >&2
    return 1
  }
}

postfix_bench_delivered() {
  find "$POSTFIX_BENCH_DIR/vmail" -path '*/new/*' -type f 2>/dev/null | wc -l
}

# postfix_bench_delivered_at_least N: for bench_wait_until.
postfix_bench_delivered_at_least() { (($(postfix_bench_delivered) >= $1)); }

# The master ends its children when it gets SIGTERM (as `postfix stop` does).
postfix_bench_stop() {
  bench_stop_pid "${POSTFIX_BENCH_PID:-}" 30
  POSTFIX_BENCH_PID=
}
