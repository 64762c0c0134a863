"""Database faults under SMTP load (issue 6), with the real embedded
PostgreSQL: the cluster is frozen (SIGSTOP of the postmaster and its
backends) and thawed, restarted (pg_ctl restart -m immediate, a crash and
WAL recovery), and its connections are terminated (pg_terminate_backend).
Throughout, every client gets a 250 or a 4xx within a bounded time, never a
5xx or silence; the sessions recover (the same sessions get 250 again);
every message acknowledged with 250 is stored exactly once and no message is
stored twice. db.statement_timeout_ms is small so the bounds are short."""

import os
import pwd
import subprocess
import threading
import time
import unittest

from posta_harness import stop_servers as tearDownModule  # noqa: F401
from smtp_helpers import RawSmtp, SmtpTestCase, unique

DOMAIN = "faults.test"
ANN = "ann@" + DOMAIN
SENDER = "load@remote.test"
CLIENTS = 3
REPLY_TIMEOUT = 60   # seconds: far above the server's bound (3 transaction bounds ≈ 14 s here)
PHASE_TIMEOUT = 120  # seconds for a phase's condition to come true


class LoadClient(threading.Thread):
    """One SMTP session sending messages in a loop until stopped. Every reply is
    recorded; a 5xx, a malformed reply or a timeout is a failure."""

    def __init__(self, port, index):
        super().__init__(daemon=True)
        self.port, self.index = port, index
        self.stop_event = threading.Event()
        self.lock = threading.Lock()
        self.outcomes = []   # (monotonic time, stage, code, marker)
        self.failures = []

    def record(self, stage, code, marker=None):
        with self.lock:
            self.outcomes.append((time.monotonic(), stage, code, marker))

    def seen_since(self, since, predicate):
        with self.lock:
            return any(t >= since and predicate(stage, code) for t, stage, code, _ in self.outcomes)

    def acknowledged(self):
        with self.lock:
            return [m for _, stage, code, m in self.outcomes if stage == "data" and code == 250]

    def attempted(self):
        with self.lock:
            return [m for _, stage, _, m in self.outcomes if stage == "data"]

    def expect(self, reply, stage, marker=None):
        self.record(stage, reply.code, marker)
        if not (200 <= reply.code < 500):
            self.failures.append("client %d: %s answered %r" % (self.index, stage, reply))
            return False
        return reply.code < 400

    def run(self):
        try:
            c = RawSmtp(self.port, timeout=REPLY_TIMEOUT)
            c.cmd("EHLO load%d.test" % self.index)
            while not self.stop_event.is_set():
                self.one_message(c)
            c.cmd("QUIT")
            c.close()
        except Exception as e:  # a timeout or a closed connection: the session did not survive
            self.failures.append("client %d: %r" % (self.index, e))

    def one_message(self, c):
        if not self.expect(c.cmd("MAIL FROM:<%s>" % SENDER), "mail"):
            c.cmd("RSET")
            return
        if not self.expect(c.cmd("RCPT TO:<%s>" % ANN), "rcpt"):
            c.cmd("RSET")
            return
        marker = unique("load%d" % self.index)
        go = c.cmd("DATA")
        if go.code != 354:
            self.expect(go, "data-start")
            c.cmd("RSET")
            return
        body = ("From: <%s>\r\nTo: <%s>\r\nSubject: %s\r\n\r\n%s\r\n.\r\n" % (SENDER, ANN, marker, marker)).encode()
        c.send(body)
        self.expect(c.read_reply(), "data", marker)


class DatabaseFaultTests(SmtpTestCase):
    domains = (DOMAIN,)
    accounts = (ANN,)

    def setUp(self):
        self.setting("db.statement_timeout_ms", 500)
        self.clients = []

    def tearDown(self):
        self.stop_load()
        self.thaw()

    # --- the cluster -------------------------------------------------------

    def pg_ctl(self, *args):
        pg = os.path.join(self.server.data_dir, "pg")
        with open(os.path.join(pg, "postmaster.opts")) as f:
            binary = f.read().split()[0]
        log = os.path.join(self.server.data_dir, "pg-restart.log")
        open(log, "a").close()
        cmd = [os.path.join(os.path.dirname(binary), "pg_ctl"), "-D", pg, "-l", log, "-w", "-t", "60"] + list(args)
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")
            os.chown(log, user.pw_uid, user.pw_gid)
            cmd = ["runuser", "-u", "postgres", "--"] + cmd
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        self.assertEqual(p.returncode, 0, "pg_ctl %s: %s %s" % (" ".join(args), p.stdout, p.stderr))

    # --- the load ----------------------------------------------------------

    def start_load(self):
        self.clients = [LoadClient(self.server.port("smtp"), i) for i in range(CLIENTS)]
        for c in self.clients:
            c.start()
        self.wait_until(lambda: all(c.acknowledged() for c in self.clients), "every client got a first 250")

    def stop_load(self):
        for c in self.clients:
            c.stop_event.set()
        for c in self.clients:
            c.join(REPLY_TIMEOUT + 10)
            self.assertFalse(c.is_alive(), "client %d never finished" % c.index)

    def wait_until(self, condition, what):
        deadline = time.monotonic() + PHASE_TIMEOUT
        while not condition():
            failures = [f for c in self.clients for f in c.failures]
            self.assertEqual(failures, [], "while waiting until " + what)
            if time.monotonic() > deadline:
                self.fail("not within %d s: %s" % (PHASE_TIMEOUT, what))
            time.sleep(0.1)

    def every_client_saw(self, since, predicate, what):
        self.wait_until(lambda: all(c.seen_since(since, predicate) for c in self.clients), what)

    def recovered_since(self, since, what):
        self.every_client_saw(since, lambda stage, code: stage == "data" and code == 250,
                              "every session got a 250 again after " + what)

    def stored_counts(self):
        """Subject (the marker) -> number of copies in ANN's INBOX."""
        rows = self.sql("SELECT s.structure::jsonb->>'s', count(*) FROM messages m "
                        "JOIN mailboxes b ON b.id = m.mailbox_id JOIN accounts a ON a.id = b.account_id "
                        "JOIN blob_structures s ON s.hash = m.blob_hash "
                        "WHERE a.address = '%s' GROUP BY 1" % ANN)
        return {r[0]: int(r[1]) for r in rows}

    def assertNothingLostNothingTwice(self):
        self.stop_load()
        failures = [f for c in self.clients for f in c.failures]
        self.assertEqual(failures, [])
        counts = self.stored_counts()
        acked = [m for c in self.clients for m in c.acknowledged()]
        attempted = [m for c in self.clients for m in c.attempted()]
        self.assertGreater(len(acked), 0)
        lost = [m for m in acked if counts.get(m, 0) != 1]
        self.assertEqual(lost, [], "acknowledged messages not stored exactly once")
        twice = [m for m in attempted if counts.get(m, 0) > 1]
        self.assertEqual(twice, [], "messages stored twice")

    # --- the faults ----------------------------------------------------------

    def test_frozen_database_gets_4xx_and_the_sessions_recover(self):
        self.start_load()
        frozen_at = time.monotonic()
        self.freeze()
        self.every_client_saw(frozen_at, lambda stage, code: 400 <= code < 500,
                              "every client got a 4xx from the frozen database")
        thawed_at = time.monotonic()
        self.thaw()
        self.recovered_since(thawed_at, "the thaw")
        self.assertNothingLostNothingTwice()

    def test_restarted_database_under_load(self):
        self.start_load()
        self.pg_ctl("-m", "immediate", "restart")
        restarted_at = time.monotonic()
        self.recovered_since(restarted_at, "the restart")
        self.assertNothingLostNothingTwice()

    def test_terminated_connections_under_load(self):
        self.start_load()
        for _ in range(5):
            done_at = time.monotonic()
            self.sql("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                     "WHERE datname = 'posta' AND pid <> pg_backend_pid()")
            self.recovered_since(done_at, "terminated connections")
        self.assertNothingLostNothingTwice()


if __name__ == "__main__":
    unittest.main()
