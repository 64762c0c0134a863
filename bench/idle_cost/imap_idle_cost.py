#!/usr/bin/python3
"""Memory cost of idle authenticated IMAP connections: opens N connections
to a running server, each logged in (LOGIN) with INBOX selected, waits, and
reports how much the server's processes grew, per connection.

The server is named by a pid: its whole process tree is counted (Dovecot's
master with one imap process per connection; Posta with its embedded
PostgreSQL). Two figures per connection: the growth of the summed RSS (pages
shared between processes counted once per process, as `ps` shows them), and
of the summed PSS (/proc/PID/smaps_rollup: shared pages split between the
processes sharing them, so the sum is what the machine really spends). The
main process's own RSS growth is printed too (for Posta, all of its
sessions live there).

  imap_idle_cost.py --port P --pid PID [--connections 1000] [--users 10]
      [--user-format user%d@example.test] [--password-format bench-%d-secret]
      [--starttls] [--json]

Bounded: N connections (at most 20,000), one attempt each, a 120 s timeout
on every socket operation."""

import argparse
import concurrent.futures
import json
import os
import resource
import socket
import ssl
import sys
import time


def tree(pid):
    """pid and its descendants, from /proc."""
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as f:
                stat = f.read()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += children.get(p, [])
    return out


def field_kb(path, name):
    try:
        with open(path) as f:
            for line in f:
                if line.startswith(name + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def measure(pid):
    pids = tree(pid)
    return {
        "processes": len(pids),
        "rss_kb": sum(field_kb("/proc/%d/status" % p, "VmRSS") for p in pids),
        "pss_kb": sum(field_kb("/proc/%d/smaps_rollup" % p, "Pss") for p in pids),
        "main_rss_kb": field_kb("/proc/%d/status" % pid, "VmRSS"),
    }


def until_tagged(f, tag):
    while True:
        line = f.readline()
        if not line:
            raise ConnectionError("connection closed")
        if line.startswith(tag + b" "):
            if not line[len(tag) + 1:].upper().startswith(b"OK"):
                raise ConnectionError(line.decode(errors="replace").strip())
            return


def open_one(args, i):
    n = i % args.users + 1
    s = socket.create_connection(("127.0.0.1", args.port), timeout=120)
    f = s.makefile("rb")
    f.readline()  # greeting
    if args.starttls:
        s.sendall(b"t STARTTLS\r\n")
        until_tagged(f, b"t")
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        s = ctx.wrap_socket(s)
        f = s.makefile("rb")
    user = args.user_format.replace("%d", str(n))
    password = args.password_format.replace("%d", str(n))
    s.sendall(b'a LOGIN "%s" "%s"\r\n' % (user.encode(), password.encode()))
    until_tagged(f, b"a")
    s.sendall(b"b SELECT INBOX\r\n")
    until_tagged(f, b"b")
    return s, f


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--pid", type=int, required=True)
    p.add_argument("--connections", type=int, default=1000)
    p.add_argument("--users", type=int, default=10)
    p.add_argument("--user-format", default="user%d@example.test")
    p.add_argument("--password-format", default="bench-%d-secret")
    p.add_argument("--threads", type=int, default=8)
    p.add_argument("--starttls", action="store_true", help="STARTTLS before LOGIN")
    p.add_argument("--json", action="store_true")
    args = p.parse_args()
    if not 1 <= args.connections <= 20000:
        sys.exit("--connections must be 1..20000")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, args.connections * 2 + 100)
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))

    time.sleep(1)
    before = measure(args.pid)
    held, errors = [], {}
    t0 = time.time()
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, min(args.threads, 64))) as pool:
        futures = [pool.submit(open_one, args, i) for i in range(args.connections)]
        for fut in futures:
            try:
                held.append(fut.result())
            except Exception as e:  # noqa: BLE001 - reported, the run goes on
                key = type(e).__name__ + ": " + str(e)[:80]
                errors[key] = errors.get(key, 0) + 1
    opened_in = time.time() - t0
    time.sleep(2)
    after = measure(args.pid)
    for s, f in held:
        try:
            s.sendall(b"z LOGOUT\r\n")
        except OSError:
            pass
        f.close()
        s.close()
    n = len(held)

    def per(key):
        return round((after[key] - before[key]) / n, 1) if n else 0
    result = {
        "connections": args.connections,
        "opened": len(held),
        "open_seconds": round(opened_in, 2),
        "processes_before": before["processes"],
        "processes_after": after["processes"],
        "rss_kb_per_connection": per("rss_kb"),
        "pss_kb_per_connection": per("pss_kb"),
        "main_rss_kb_per_connection": per("main_rss_kb"),
        "errors": errors,
    }
    if args.json:
        print(json.dumps(result, separators=(",", ":")))
    else:
        print("idle IMAP connections: %d of %d open (%.1f s); per connection: RSS %.1f kB, PSS %.1f kB, "
              "main process RSS %.1f kB; processes %d -> %d"
              % (len(held), args.connections, opened_in, result["rss_kb_per_connection"],
                 result["pss_kb_per_connection"], result["main_rss_kb_per_connection"],
                 before["processes"], after["processes"]))
        for k, v in errors.items():
            print("  error %s: %d" % (k, v))
    return 0 if len(held) == args.connections else 1


if __name__ == "__main__":
    sys.exit(main())
