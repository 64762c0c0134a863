#!/usr/bin/python3
"""Directory benchmark (issue 12): a private slapd with USERS generated users
and GROUPS groups (each with a mail address and MEMBERS members), one Posta
(the build under test) with a source for it; prints

  - the full sync time and Posta's peak RSS after it,
  - an incremental pass with nothing changed, and one after one ldapmodify
    (RFC 4533 content sync: only changes travel),
  - persist mode: ldapmodify to the change visible through the admin API,
    with the source set to an hour between passes, and the memory of Posta
    and slapd then,
  - pass-through logins per second: IMAP LOGIN over plain TCP on loopback
    (imap.allow_plaintext_auth_on_loopback, as a webmail on the same host
    would), CLIENTS threads, each login a new connection, directory users
    first (one LDAP bind each on pooled connections), then local accounts
    (argon2id) for comparison.

Run: bench/directory_sync.py [--users 10000] [--groups 500] [--members 20]
     [--logins 3000] [--clients 16] [--persist-changes 20] [--build build]
Standard library only; slapd from Debian's slapd package. Nothing here is a
test: no assertion on timings, figures only.

With --samba the directory is a private Samba AD DC instead (as root: its
LDAP ports are fixed; see bench_samba below): full sync, then DirSync
passes with nothing changed and after one change, bound as an administrator
(deletions read as tombstones) and as a plain user (deletions found by
listing who is still there).
"""

import argparse
import imaplib
import json
import os
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration", "harness"))

from directory_fixtures import SambaAD, Slapd  # noqa: E402
from posta_harness import PostaServer  # noqa: E402


def users_ldif(slapd, count):
    out = []
    for i in range(count):
        uid = "u%05d" % i
        out.append("dn: uid=%s,%s\nobjectClass: inetOrgPerson\nuid: %s\ncn: User %d\nsn: User%d\n"
                   "mail: %s@corp.test\ntitle: Title %d\ntelephoneNumber: +1 555 %04d\nuserPassword: pw-%s\n"
                   % (uid, slapd.people_dn, uid, i, i, uid, i % 50, i % 10000, uid))
    return "\n".join(out)


def groups_ldif(slapd, groups, members, users):
    out = []
    for g in range(groups):
        lines = ["dn: cn=g%04d,%s" % (g, slapd.groups_dn), "objectClass: groupOfNames", "objectClass: extensibleObject",
                 "cn: g%04d" % g, "mail: g%04d@corp.test" % g]
        for m in range(members):
            lines.append("member: uid=u%05d,%s" % ((g * members + m) % users, slapd.people_dn))
        out.append("\n".join(lines) + "\n")
    return "\n".join(out)


def rss_kb(pid, field):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def timed_sync(server, name):
    """One pass through the admin API (what `posta directory sync` calls),
    without the CLI's 30 s timeout: a Debug build on a busy machine takes
    longer. Returns (seconds, a one-line summary of the report)."""
    t0 = time.monotonic()
    status, _, data = server.request("POST", "/api/v1/directory/sources/%s/sync" % name, timeout=1800)
    seconds = time.monotonic() - t0
    if status != 200:
        raise SystemExit("sync %s failed: %s %s" % (name, status, data[:300]))
    r = json.loads(data)
    g = r["groups"]
    summary = "%d entries, %d created, %d updated, %d disabled; lists: %d created, %d updated%s" % (
        r["entries"], len(r["created"]), len(r["updated"]), len(r["missing"]), len(g["created"]),
        len(g["updated"]), " (incremental)" if r["incremental"] else "")
    return seconds, summary


def title_of(server, address):
    status, body = server.api("GET", "/api/v1/accounts/" + address)
    if status != 200 or not isinstance(body, dict):
        return None
    return (body.get("directory_attributes") or {}).get("title")


def wait_until(predicate, timeout):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.005)
    return True


def slapd_persist_latency(server, slapd, users, changes):
    """Persist mode (RFC 4533 refreshAndPersist): the source set to an hour
    between passes (so polling explains nothing), the service's own first
    pass awaited, then `changes` ldapmodify title changes one after another,
    each timed from just before ldapmodify starts to the new title being
    visible through the admin API. Returns the figures as a dict."""
    out = {}
    t0 = time.monotonic()
    server.cli("directory", "set", "corp", "--interval", "3600")
    # New settings: the watch makes the full pass itself, then listens.
    listening = lambda: any("listening for changes" in e.get("text", "") for e in
                            server.api("GET", "/api/v1/journal?service=directory&page_size=1000")[1]["entries"])
    if not wait_until(listening, 600):
        raise SystemExit("persist mode never started listening")
    out["persist_first_pass_and_listen_seconds"] = round(time.monotonic() - t0, 2)
    latencies = []
    for n in range(changes):
        uid = "u%05d" % ((n * 7919) % users)
        title = "Persist %d" % n
        t0 = time.monotonic()
        slapd.modify("dn: uid=%s,%s\nchangetype: modify\nreplace: title\ntitle: %s\n" % (uid, slapd.people_dn, title))
        if not wait_until(lambda: title_of(server, uid + "@corp.test") == title, 60):
            raise SystemExit("change %d never became visible" % n)
        latencies.append(time.monotonic() - t0)
    latencies.sort()
    out["persist_changes"] = changes
    out["persist_change_visible_seconds_median"] = round(latencies[len(latencies) // 2], 3)
    out["persist_change_visible_seconds_max"] = round(latencies[-1], 3)
    out["posta_rss_kb_persist_mode"] = rss_kb(server.proc.pid, "VmRSS")
    out["slapd_rss_kb"] = rss_kb(slapd.proc.pid, "VmRSS")
    server.cli("directory", "set", "corp", "--interval", "0")
    return out


def logins_per_second(port, who, total, clients):
    """`who(i)` gives (user, password); returns (logins per second, failures)."""
    done = [0]
    failures = [0]
    lock = threading.Lock()
    counter = iter(range(total))

    def worker():
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                return
            user, password = who(i)
            try:
                c = imaplib.IMAP4("127.0.0.1", port, timeout=30)
                c.login(user, password)
                c.logout()
                with lock:
                    done[0] += 1
            except Exception:
                with lock:
                    failures[0] += 1

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return done[0] / (time.monotonic() - t0), failures[0]


# --- Samba AD (--samba) -------------------------------------------------------

SAMBA_OU = "OU=Bench,DC=corp,DC=test"


def samba_users_ldif(count):
    """Users without a password (userAccountControl 544: enabled, no
    password required): ldapadd makes about 70 a second this way."""
    out = []
    for i in range(count):
        u = "u%05d" % i
        out.append("dn: CN=%s,%s\nobjectClass: user\nsAMAccountName: %s\nuserPrincipalName: %s@corp.test\n"
                   "mail: %s@corp.test\ndisplayName: User %d\ntitle: Title %d\ntelephoneNumber: +1 555 %04d\n"
                   "userAccountControl: 544\n" % (u, SAMBA_OU, u, u, u, i, i % 50, i % 10000))
    return "\n".join(out)


def samba_groups_ldif(groups, members, users):
    out = []
    for g in range(groups):
        lines = ["dn: CN=g%04d,%s" % (g, SAMBA_OU), "objectClass: group", "sAMAccountName: g%04d" % g,
                 "mail: g%04d@corp.test" % g]
        for m in range(members):
            lines.append("member: CN=u%05d,%s" % ((g * members + m) % users, SAMBA_OU))
        out.append("\n".join(lines) + "\n")
    return "\n".join(out)


def samba_passes(server, ad, result, prefix, n):
    """A pass with nothing changed, then one after a new title; `n` picks
    the user, so each round changes another one."""
    seconds, out = timed_cli(server, "directory", "sync", "corp")
    result[prefix + "nothing_changed_seconds"] = round(seconds, 3)
    ad.modify("dn: CN=u%05d,%s\nchangetype: modify\nreplace: title\ntitle: Changed %d\n" % (n, SAMBA_OU, n))
    seconds, out = timed_cli(server, "--json", "directory", "sync", "corp")
    report = json.loads(out)
    result[prefix + "one_change_seconds"] = round(seconds, 3)
    result[prefix + "one_change_entries"] = report["entries"]
    result[prefix + "one_change_updated"] = [u["address"] for u in report["updated"]]


def bench_samba(a):
    result = {"directory": "samba", "users": a.users, "groups": a.groups, "members_per_group": a.members}
    ad = SambaAD()
    ad.start()
    try:
        ad.samba_tool("ou", "create", SAMBA_OU)
        ad.create_user("posta-svc", "Svc-Posta-pw-1")
        t0 = time.monotonic()
        entries = samba_users_ldif(a.users).split("\n\n") + samba_groups_ldif(a.groups, a.members, a.users).split("\n\n")
        for i in range(0, len(entries), 1000):  # each ldapadd within the fixture's two minutes
            ad.add("\n\n".join(entries[i:i + 1000]))
        result["ldapadd_seconds"] = round(time.monotonic() - t0, 1)
        server = PostaServer()
        server.start()
        try:
            server.cli("directory", "add", "corp", "--profile", "ad", "--uri", ad.ldaps_uri, "--ca-file", ad.ca_file,
                       "--bind-dn", ad.admin_upn, "--password-stdin", "--base", SAMBA_OU,
                       "--managed-domain", "corp.test", "--interval", "0", "--max-disable-percent", "100",
                       input=ad.admin_password + "\n")
            pid = server.proc.pid
            seconds, out = timed_cli(server, "directory", "sync", "corp")
            result["full_sync_seconds"] = round(seconds, 2)
            result["full_sync_summary"] = out.strip().splitlines()[-1]
            result["posta_peak_rss_kb_after_sync"] = rss_kb(pid, "VmHWM")
            samba_passes(server, ad, result, "admin_incremental_", 42)
            server.cli("directory", "set", "corp", "--bind-dn", "posta-svc@corp.test", "--password-stdin",
                       input="Svc-Posta-pw-1\n")
            samba_passes(server, ad, result, "plain_user_incremental_", 43)
        finally:
            server.stop()
            server.cleanup()
    finally:
        ad.stop()
    return result


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--users", type=int, default=10000)
    p.add_argument("--groups", type=int, default=500)
    p.add_argument("--members", type=int, default=20)
    p.add_argument("--logins", type=int, default=3000)
    p.add_argument("--clients", type=int, default=16)
    p.add_argument("--persist-changes", type=int, default=20, help="0: no persist-mode figures")
    p.add_argument("--build", default=os.path.join(HERE, "..", "build"))
    p.add_argument("--samba", action="store_true", help="a Samba AD DC instead of slapd (as root)")
    a = p.parse_args()
    os.environ.setdefault("POSTA_BIN", os.path.join(a.build, "posta"))
    if a.samba:
        print(json.dumps(bench_samba(a), indent=2))
        return
    result = {"users": a.users, "groups": a.groups, "members_per_group": a.members}

    with Slapd() as slapd:
        t0 = time.monotonic()
        slapd.add(users_ldif(slapd, a.users))
        slapd.add(groups_ldif(slapd, a.groups, a.members, a.users))
        result["ldapadd_seconds"] = round(time.monotonic() - t0, 2)
        server = PostaServer()
        server.start()
        try:
            server.cli("settings", "set", "imap.allow_plaintext_auth_on_loopback", "true")
            server.cli("directory", "add", "corp", "--profile", "openldap", "--uri", slapd.uri, "--ca-file",
                       slapd.ca_file, "--bind-dn", slapd.service_dn, "--password-stdin", "--base", slapd.people_dn,
                       "--base", slapd.groups_dn, "--managed-domain", "corp.test", "--interval", "0",
                       input=slapd.service_password + "\n")
            pid = server.proc.pid
            rss_before = rss_kb(pid, "VmRSS")
            seconds, summary = timed_sync(server, "corp")
            result["full_sync_seconds"] = round(seconds, 2)
            result["full_sync_summary"] = summary
            result["posta_rss_kb_before_sync"] = rss_before
            result["posta_peak_rss_kb_after_sync"] = rss_kb(pid, "VmHWM")
            seconds, _ = timed_sync(server, "corp")
            result["incremental_nothing_changed_seconds"] = round(seconds, 3)
            slapd.modify("dn: uid=u00042,%s\nchangetype: modify\nreplace: title\ntitle: Changed\n" % slapd.people_dn)
            seconds, summary = timed_sync(server, "corp")
            result["incremental_one_change_seconds"] = round(seconds, 3)
            result["incremental_one_change_summary"] = summary
            if a.persist_changes > 0:
                result.update(slapd_persist_latency(server, slapd, a.users, a.persist_changes))
            port = server.port("imap")
            rate, failed = logins_per_second(port, lambda i: ("u%05d@corp.test" % (i % a.users), "pw-u%05d" % (i % a.users)),
                                             a.logins, a.clients)
            result["directory_logins_per_second_first"] = round(rate, 1)
            result["directory_login_failures_first"] = failed
            # The same users again: their verifiers are fresh, a login is one bind.
            rate, failed = logins_per_second(port, lambda i: ("u%05d@corp.test" % (i % a.users), "pw-u%05d" % (i % a.users)),
                                             a.logins, a.clients)
            result["directory_logins_per_second_again"] = round(rate, 1)
            result["directory_login_failures_again"] = failed
            server.cli("domain", "add", "local.test")
            for i in range(a.clients):
                server.cli("account", "add", "l%02d@local.test" % i, "--password-stdin", input="local-pw-%02d\n" % i)
            rate, failed = logins_per_second(port, lambda i: ("l%02d@local.test" % (i % a.clients), "local-pw-%02d" % (i % a.clients)),
                                             min(a.logins, 1000), a.clients)
            result["local_argon2_logins_per_second"] = round(rate, 1)
            result["local_login_failures"] = failed
        finally:
            server.stop()
            server.cleanup()
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
