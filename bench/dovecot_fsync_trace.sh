#!/usr/bin/env bash
# Which syscalls make Dovecot's IMAP changes durable, per mail_fsync mode: a
# private Dovecot (lib/dovecot.sh) with 20 messages, one imaplib session,
# and strace on its imap process around a UID STORE, an APPEND and an
# EXPUNGE. Shows why bench/imap_vs_dovecot.sh runs Dovecot with
# mail_fsync = always (see bench/README.md). Needs root, dovecot-imapd, strace.
#
# Usage: bench/dovecot_fsync_trace.sh [MODE…]   (default: optimized always)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/lib/common.sh"
source "$here/lib/dovecot.sh"
DOVECOT_BENCH_CORPUS=$here/imap_corpus/corpus.py
command -v strace >/dev/null || { echo "needs strace: apt-get install -y strace" >&2; exit 2; }
dovecot_bench_check_installed || exit 2

trace_mode() {
  # shellcheck disable=SC2034  # read by lib/dovecot.sh
  DOVECOT_BENCH_FSYNC=$1
  local work
  work=$(bench_tmpdir dovecot-fsync)
  # shellcheck disable=SC2064
  trap "dovecot_bench_stop; rm -rf '$work'" RETURN
  dovecot_bench_start "$work" example.test 1 'bench-%d-secret' 50 >/dev/null
  /usr/bin/python3 "$DOVECOT_BENCH_CORPUS" maildir --dir "$(dovecot_bench_maildir 1)" --count 20 >/dev/null
  dovecot_bench_fix_owner
  echo "== mail_fsync = $1"
  /usr/bin/python3 - "$DOVECOT_BENCH_PORT" "$DOVECOT_BENCH_PID" "$work/strace.txt" <<'PY'
import imaplib, subprocess, sys, time
port, master, out = int(sys.argv[1]), sys.argv[2], sys.argv[3]
m = imaplib.IMAP4("127.0.0.1", port)
m.login("user1@example.test", "bench-1-secret")
m.select("INBOX")
pid = subprocess.run(["pgrep", "-P", master, "-x", "imap"], capture_output=True, text=True).stdout.split()[-1]

def traced(name, action):
    st = subprocess.Popen(["strace", "-e", "trace=fsync,fdatasync,rename,unlink", "-p", pid, "-o", out],
                          stderr=subprocess.DEVNULL)
    time.sleep(0.5)
    action()
    time.sleep(0.3)
    st.terminate()
    st.wait(timeout=10)
    calls = [l.split("(", 1)[0] for l in open(out) if "(" in l and not l.startswith("---")]
    print("  %-8s %s" % (name, ", ".join("%s x%d" % (c, calls.count(c)) for c in sorted(set(calls))) or "nothing"))

traced("STORE", lambda: m.uid("STORE", "3", "+FLAGS", "(\\Seen)"))
traced("APPEND", lambda: m.append("INBOX", None, None, b"Subject: x\r\n\r\nbody\r\n"))
traced("EXPUNGE", lambda: (m.store("2", "+FLAGS", "(\\Deleted)"), m.expunge()))
m.logout()
PY
}

for mode in "${@:-optimized always}"; do
  for m in $mode; do trace_mode "$m"; done
done
