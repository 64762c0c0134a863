#!/usr/bin/python3
"""Login rates of directory accounts (issue 12: target 1,000 pass-through
logins per second), side by side with what bounds them, all measured by
bench_login_load (C++, one thread) on this machine:

  - slapd's own rate: simple binds on kept TLS connections (what Posta's bind
    pool does), and bind + the base search of the entry's state attributes
    that Posta makes after each bind;
  - Posta, IMAP LOGIN + LOGOUT (a new connection each) of directory users:
    first logins (the argon2id verifier is made), then again (one pooled
    bind, no argon2); SMTP AUTH PLAIN of the same users;
  - Posta, local accounts (argon2id) for comparison;
  - the same IMAP and SMTP connections without the login (--no-login): what
    a connection costs by itself, so the difference is the login's cost;

each with the CPU that Posta, its PostgreSQL and slapd spent per login, and
PostgreSQL's statements and row writes per login (pg_stat_database /
pg_stat_user_tables before and after).

Run: bench/directory_logins.py --build build [--users 2000] [--logins 20000]
     [--connections 16] [--local-logins 1000]
Prints one JSON object. Not a test: figures only.
"""

import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration", "harness"))

from directory_fixtures import Slapd  # noqa: E402
from posta_harness import PostaServer  # noqa: E402

# What directory/proto/account_state.cpp reads after a bind.
STATE_ATTRIBUTES = ["userAccountControl", "accountExpires", "pwdAccountLockedTime", "nsAccountLock"]


def users_ldif(slapd, count):
    return "\n".join("dn: uid=u%05d,%s\nobjectClass: inetOrgPerson\nuid: u%05d\ncn: User %d\nsn: User%d\n"
                     "mail: u%05d@corp.test\nuserPassword: pw-u%05d\n" % (i, slapd.people_dn, i, i, i, i, i)
                     for i in range(count))


def port_of(uri):
    return uri.rsplit(":", 1)[1].strip("/")


class Pg:
    """Counters of Posta's embedded PostgreSQL, to tell statements and
    writes per login."""

    def __init__(self, server):
        self.host = os.path.join(server.data_dir, "pg")

    def query(self, sql):
        p = subprocess.run(["psql", "-X", "-q", "-h", self.host, "-U", "postgres", "-d", "posta", "-A", "-t",
                            "-F", "|", "-c", sql], capture_output=True, text=True, timeout=60)
        return [line.split("|") for line in p.stdout.strip().splitlines() if line]

    def counters(self):
        time.sleep(11)  # an idle backend reports its statistics within 10 s (PostgreSQL 15)
        c = {"xact": int(self.query("SELECT xact_commit + xact_rollback FROM pg_stat_database "
                                    "WHERE datname = 'posta'")[0][0])}
        for name, reads, ins, upd, dele in self.query(
                "SELECT relname, coalesce(seq_scan, 0) + coalesce(idx_scan, 0), n_tup_ins, n_tup_upd, n_tup_del "
                "FROM pg_stat_user_tables"):
            c[name] = (int(reads), int(ins), int(upd), int(dele))
        return c

    @staticmethod
    def per_login(before, after, logins):
        out = {"transactions": round((after["xact"] - before["xact"]) / logins, 2)}
        for name, now in after.items():
            if name == "xact":
                continue
            was = before.get(name, (0, 0, 0, 0))
            d = [round((a - b) / logins, 3) for a, b in zip(now, was)]
            if any(abs(x) >= 0.01 for x in d):
                out[name] = {"scans": d[0], "inserted": d[1], "updated": d[2], "deleted": d[3]}
        return out


def load(client, *args):
    p = subprocess.run([client, "--json"] + [str(a) for a in args], capture_output=True, text=True, timeout=900)
    if not p.stdout.strip():
        raise SystemExit("bench_login_load failed: %s" % p.stderr)
    return json.loads(p.stdout)


def summary(r, labels):
    out = {"logins_per_second": r["logins_per_second"], "failed": r["failed"], "failures": r["failures"],
           "login_ms_p50": r["login_ms"]["p50"], "login_ms_p99": r["login_ms"]["p99"]}
    for entry, label in zip(r["cpu"], labels):
        out["cpu_ms_per_login_" + label] = round(entry["ms_per_login"], 3)
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--users", type=int, default=2000)
    p.add_argument("--logins", type=int, default=20000)
    p.add_argument("--connections", type=int, default=16)
    p.add_argument("--local-logins", type=int, default=1000, help="argon2id logins of local accounts")
    p.add_argument("--build", default=os.path.join(HERE, "..", "build"))
    p.add_argument("--client", help="bench_login_load to use (default: the one in --build)")
    a = p.parse_args()
    client = a.client or os.path.join(a.build, "bench", "bench_login_load")
    os.environ.setdefault("POSTA_BIN", os.path.join(a.build, "posta"))
    result = {"users": a.users, "connections": a.connections}
    common = ["--connections", a.connections, "--users", a.users]
    with Slapd() as slapd:
        slapd.add(users_ldif(slapd, a.users))
        binds = ["--protocol", "ldap", "--tls", "--port", port_of(slapd.ldaps_uri), "--logins", a.logins,
                 "--user-format", "uid=u%05d," + slapd.people_dn, "--cpu-pid", slapd.pid] + common
        result["slapd_binds"] = summary(load(client, *binds), ["slapd"])
        result["slapd_bind_and_search"] = summary(load(client, *binds, "--ldap-search", *STATE_ATTRIBUTES),
                                                  ["slapd"])
        server = PostaServer()
        server.start()
        try:
            for key, value in (("imap.allow_plaintext_auth_on_loopback", "true"),
                               ("smtp.allow_plaintext_auth_on_loopback", "true"),
                               ("smtp.max_connections_per_ip", "0")):  # the default 10 < --connections
                server.cli("settings", "set", key, value)
            server.cli("directory", "add", "corp", "--profile", "openldap", "--uri", slapd.uri, "--ca-file",
                       slapd.ca_file, "--bind-dn", slapd.service_dn, "--password-stdin", "--base", slapd.people_dn,
                       "--managed-domain", "corp.test", "--interval", "0", input=slapd.service_password + "\n")
            server.cli("directory", "sync", "corp", timeout=600)
            pg = Pg(server)
            pids = ["--cpu-pid", server.proc.pid, "--cpu-pid", server.postmaster_pid(), "--cpu-pid", slapd.pid]
            labels = ["posta", "postgres", "slapd"]
            imap = ["--protocol", "imap", "--port", server.port("imap")] + common + pids
            # First logins: every user once (a bind, and an argon2id verifier made and stored).
            before = pg.counters()
            result["posta_imap_directory_first"] = summary(load(client, *imap, "--logins", a.users), labels)
            result["posta_imap_directory_first"]["db_per_login"] = Pg.per_login(before, pg.counters(), a.users)
            before = pg.counters()
            result["posta_imap_directory_again"] = summary(load(client, *imap, "--logins", a.logins), labels)
            result["posta_imap_directory_again"]["db_per_login"] = Pg.per_login(before, pg.counters(), a.logins)
            smtp = ["--protocol", "smtp", "--port", server.port("submission")] + common + pids
            result["posta_smtp_directory_again"] = summary(load(client, *smtp, "--logins", a.logins), labels)
            # The same connections without the login: what a connection costs by itself.
            before = pg.counters()
            result["posta_imap_no_login"] = summary(load(client, *imap, "--logins", a.logins, "--no-login"), labels)
            result["posta_imap_no_login"]["db_per_login"] = Pg.per_login(before, pg.counters(), a.logins)
            result["posta_smtp_no_login"] = summary(load(client, *smtp, "--logins", a.logins, "--no-login"), labels)
            server.cli("domain", "add", "local.test")
            for i in range(a.connections):
                server.cli("account", "add", "l%02d@local.test" % i, "--password-stdin", input="local-pw-%02d\n" % i)
            local = ["--protocol", "imap", "--port", server.port("imap"), "--connections", a.connections,
                     "--users", a.connections, "--user-format", "l%02d@local.test", "--password-format",
                     "local-pw-%02d", "--logins", a.local_logins] + pids
            before = pg.counters()
            result["posta_imap_local_argon2"] = summary(load(client, *local), labels)
            result["posta_imap_local_argon2"]["db_per_login"] = Pg.per_login(before, pg.counters(), a.local_logins)
        finally:
            server.stop()
            server.cleanup()
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
