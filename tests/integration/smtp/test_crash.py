"""Durable acceptance under SIGKILL: while smtplib threads send messages, the
server is killed. After the restart every message that got its 250 is in
each recipient's INBOX exactly once, no message whose end of data was never
sent is visible, nothing is duplicated, and the store is consistent (UIDs,
quota usage, blob reference counts and files)."""

import hashlib
import os
import random
import smtplib
import threading
import time
import unittest
import uuid

from posta_harness import stop_servers as tearDownModule  # noqa: F401
from smtp_helpers import SmtpTestCase, sql_literal

DOMAIN = "crash.test"
ACCOUNTS = ["c%d@%s" % (i, DOMAIN) for i in range(4)]
THREADS = 4
PER_THREAD = 400  # the generator's bound; the kill comes long before


def process_alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


class Sent:
    """One message of the load and how far it got."""

    def __init__(self, marker, recipients):
        self.marker, self.recipients = marker, recipients
        self.state = "new"  # new -> body (DATA started) -> dot (end of data sent) -> acked


def load(port, thread_no, log, stop, killing):
    try:
        c = smtplib.SMTP("127.0.0.1", port, local_hostname="load.test", timeout=30)
        c.ehlo()
    except (OSError, smtplib.SMTPException):
        return
    for i in range(PER_THREAD):
        if stop.is_set():
            break
        marker = "crash-%d-%d-%s" % (thread_no, i, uuid.uuid4().hex)
        rcpts = [ACCOUNTS[(thread_no + i) % len(ACCOUNTS)]]
        if i % 3 == 0:
            rcpts.append(ACCOUNTS[(thread_no + i + 1) % len(ACCOUNTS)])
        sent = Sent(marker, rcpts)
        log.append(sent)
        head = ("From: <load@remote.test>\r\nTo: %s\r\nSubject: %s\r\nMessage-ID: <%s@load.test>\r\n\r\n"
                % (", ".join(rcpts), marker, marker))
        try:
            if c.mail("load@remote.test")[0] != 250:
                break
            if any(c.rcpt(r)[0] != 250 for r in rcpts):
                break
            c.putcmd("data")
            if c.getreply()[0] != 354:
                break
            sent.state = "body"
            c.send(head.encode())
            c.send(("%s\r\n" % ("payload %s " % marker) * 40).encode())
            time.sleep(random.random() * 0.05)  # so that the kill may find a message half sent
            # Once the kill has begun, a write may still "succeed" into a dead
            # socket: the end of data then counts as never sent.
            if killing.is_set():
                break
            sent.state = "dot"
            c.send(b"last line\r\n.\r\n")
            code, _ = c.getreply()
            if code != 250:
                break
            sent.state = "acked"
        except (OSError, smtplib.SMTPException):
            break
    try:
        c.close()
    except OSError:
        pass


class CrashTests(SmtpTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.make_domain(DOMAIN)
        for a in ACCOUNTS:
            cls.make_account(a)

    def copies(self):
        """marker -> [account, …] for every stored message of the load."""
        found = {}
        for account in ACCOUNTS:
            for m in self.inbox(account):
                blob = self.blob(m["hash"])
                start = blob.find(b"Subject: crash-")
                if start < 0:
                    continue
                marker = blob[start + 9:blob.index(b"\r\n", start)].decode()
                found.setdefault(marker, []).append(account)
        return found

    def kill_and_restart(self):
        postmaster = self.server.postmaster_pid()
        self.server.kill9()
        deadline = time.monotonic() + 60
        while postmaster and process_alive(postmaster) and time.monotonic() < deadline:
            time.sleep(0.1)
        self.server.start()

    def test_acknowledged_messages_survive_sigkill_exactly_once(self):
        log, stop, killing = [], threading.Event(), threading.Event()
        threads = [threading.Thread(target=load, args=(self.server.port("smtp"), n, log, stop, killing), daemon=True)
                   for n in range(THREADS)]
        for t in threads:
            t.start()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and sum(s.state == "acked" for s in log) < 40:
            time.sleep(0.02)
        time.sleep(random.random() * 0.1)  # a random point in the senders' cycle
        killing.set()
        self.kill_and_restart_under_load(threads, stop)
        acked = [s for s in log if s.state == "acked"]
        self.assertGreater(len(acked), 0, "no message was accepted before the kill")
        found = self.copies()
        by_marker = {s.marker: s for s in log}
        # Nothing unknown or duplicated.
        self.assertEqual(set(found) - set(by_marker), set())
        for marker, accounts in found.items():
            s = by_marker[marker]
            with self.subTest(marker=marker, state=s.state):
                self.assertNotIn(s.state, ("new", "body"), "a message whose end of data was never sent is visible")
                # All recipients or none: one transaction per message.
                self.assertEqual(sorted(accounts), sorted(s.recipients))
        for s in acked:
            with self.subTest(marker=s.marker):
                self.assertEqual(sorted(found.get(s.marker, [])), sorted(s.recipients),
                                 "an acknowledged message is missing")
        in_doubt = [s for s in log if s.state == "dot"]
        if os.environ.get("POSTA_TEST_VERBOSE"):
            print({st: sum(s.state == st for s in log) for st in ("new", "body", "dot", "acked")},
                  "in-doubt stored:", sum(s.marker in found for s in in_doubt))
        self.assertLessEqual(len(in_doubt), THREADS)
        self.check_store_consistency()
        # The server goes on: a new message gets a UID after every earlier one.
        last_uid = max((m["uid"] for m in self.inbox(ACCOUNTS[0])), default=0)
        c = smtplib.SMTP("127.0.0.1", self.server.port("smtp"), local_hostname="after.test", timeout=30)
        self.addCleanup(c.close)
        self.assertEqual(c.sendmail("x@remote.test", [ACCOUNTS[0]], b"Subject: after\r\n\r\nafter the crash\r\n"), {})
        self.assertEqual(self.inbox(ACCOUNTS[0])[-1]["uid"], last_uid + 1)

    def kill_and_restart_under_load(self, threads, stop):
        self.kill_and_restart()
        stop.set()
        for t in threads:
            t.join(timeout=60)
            self.assertFalse(t.is_alive(), "a load thread hangs")

    def check_store_consistency(self):
        for account in ACCOUNTS:
            with self.subTest(account=account):
                rows = self.inbox(account)
                uids = [m["uid"] for m in rows]
                self.assertEqual(len(uids), len(set(uids)))
                uidnext, highest = map(int, self.sql(
                    "SELECT b.uidnext, b.highestmodseq FROM mailboxes b JOIN accounts a ON a.id = b.account_id "
                    "WHERE a.address = %s AND b.name = 'INBOX'" % sql_literal(account))[0])
                self.assertGreater(uidnext, max(uids, default=0))
                self.assertGreaterEqual(highest, max((m["modseq"] for m in rows), default=0))
                self.assertEqual(self.used_bytes(account), sum(m["size"] for m in rows))
        # Reference counts match the rows, and every referenced blob is whole on disk.
        bad = self.sql("SELECT b.hash, b.refcount, (SELECT count(*) FROM messages m WHERE m.blob_hash = b.hash) "
                       "+ (SELECT count(*) FROM queue q WHERE q.blob_hash = b.hash) FROM blobs b "
                       "WHERE b.refcount <> (SELECT count(*) FROM messages m WHERE m.blob_hash = b.hash) "
                       "+ (SELECT count(*) FROM queue q WHERE q.blob_hash = b.hash)")
        self.assertEqual(bad, [])
        # Every referenced body is whole, in the database or on disk.
        for (digest,) in self.sql("SELECT DISTINCT blob_hash FROM messages"):
            self.assertEqual(hashlib.sha256(self.blob(digest)).hexdigest(), digest)
        missing = self.scalar("SELECT count(*) FROM messages m LEFT JOIN blob_structures s ON s.hash = m.blob_hash "
                              "WHERE s.hash IS NULL")
        self.assertEqual(missing, "0")


if __name__ == "__main__":
    unittest.main()
