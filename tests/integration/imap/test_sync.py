"""Several sessions on one mailbox: IDLE is told of an SMTP delivery, a
second session sees the first one's flag changes and expunges at the points
RFC 3501 allows (never during FETCH by sequence number), STORE UNCHANGEDSINCE
answers [MODIFIED], and a CONDSTORE/QRESYNC client resynchronises after
changes made while it was away."""

import re
import select
import unittest

from posta_harness import stop_servers  # noqa: F401
from imap_helpers import ImapTestCase, RawImap, PASSWORD, unique

DOMAIN = "imap-sync.test"


def msg(subject):
    return ("From: a@x.test\r\nTo: b@x.test\r\nSubject: %s\r\n\r\nbody\r\n" % subject).encode()


class SyncTests(ImapTestCase):
    domains = (DOMAIN,)

    def account(self):
        address = unique("s").lower() + "@" + DOMAIN
        self.make_account(address)
        return address

    def raw(self, address, select="INBOX", enable=None):
        r = RawImap(self.server.port("imaps"), implicit_tls=True)
        self.addCleanup(r.close)
        r.cmd("l", 'LOGIN "%s" "%s"' % (address, PASSWORD))
        if enable:
            r.cmd("e", "ENABLE " + enable)
        if select:
            r.cmd("s", "SELECT " + select)
        return r

    def wait_line(self, raw, pattern, timeout=10):
        """Reads untagged lines until one matches `pattern` (the test fails on
        timeout; no fixed sleeps)."""
        raw.sock.settimeout(timeout)
        while True:
            line = raw.line()
            if re.search(pattern, line):
                return line

    def test_idle_hears_an_smtp_delivery(self):
        address = self.account()
        r = self.raw(address)
        r.send("i IDLE\r\n")
        self.assertTrue(r.line().startswith("+"))
        self.deliver(address, "hello idle")
        self.assertEqual(self.wait_line(r, r"EXISTS"), "* 1 EXISTS")
        r.send("DONE\r\n")
        self.assertTrue(r.until_tagged("i")[-1].startswith("i OK"))

    def test_idle_hears_flag_changes_and_expunges_of_another_session(self):
        address = self.account()
        c = self.imaps(address)
        for i in range(3):
            c.append("INBOX", None, None, msg("m%d" % i))
        r = self.raw(address)
        c.select("INBOX")
        r.send("i IDLE\r\n")
        self.assertTrue(r.line().startswith("+"))
        c.store("2", "+FLAGS", "\\Flagged")
        # r selected first: the messages are \Recent there (RFC 3501 2.3.2).
        self.assertIn("FLAGS (\\Flagged \\Recent)", self.wait_line(r, r"^\* 2 FETCH"))
        c.store("1", "+FLAGS", "\\Deleted")
        c.expunge()
        self.assertEqual(self.wait_line(r, r"EXPUNGE"), "* 1 EXPUNGE")
        r.send("DONE\r\n")
        r.until_tagged("i")

    def test_expunge_is_not_announced_during_fetch_by_sequence_number(self):
        address = self.account()
        c = self.imaps(address)
        for i in range(3):
            c.append("INBOX", None, None, msg("n%d" % i))
        r = self.raw(address)
        c.select("INBOX")
        c.store("1", "+FLAGS", "\\Deleted")
        c.expunge()
        # FETCH by number: message 3 is still number 3 for this client.
        lines = r.cmd("f", "FETCH 3 (UID)")
        self.assertNotIn("EXPUNGE", "\n".join(lines))
        self.assertIn("* 3 FETCH (UID 3)", lines)
        # NOOP may tell it; afterwards UID 3 is number 2.
        lines = r.cmd("n", "NOOP")
        self.assertIn("* 1 EXPUNGE", lines)
        lines = r.cmd("g", "FETCH 2 (UID)")
        self.assertIn("* 2 FETCH (UID 3)", lines)

    def test_noop_shows_new_messages_and_flag_changes(self):
        address = self.account()
        c = self.imaps(address)
        c.append("INBOX", None, None, msg("first"))
        r = self.raw(address, enable="CONDSTORE")
        c.select("INBOX")
        c.store("1", "+FLAGS", "\\Seen")
        c.append("INBOX", None, None, msg("second"))
        lines = r.cmd("n", "NOOP")
        text = "\n".join(lines)
        self.assertIn("* 2 EXISTS", text)
        self.assertRegex(text, r"\* 1 FETCH \(UID 1 FLAGS \(\\Seen \\Recent\) MODSEQ \(\d+\)\)")

    def test_unchangedsince_gives_modified(self):
        address = self.account()
        c = self.imaps(address)
        c.append("INBOX", None, None, msg("x"))
        c.append("INBOX", None, None, msg("y"))
        r = self.raw(address, enable="CONDSTORE")
        lines = r.cmd("f", "FETCH 1:2 (MODSEQ)")
        modseq = max(int(m) for m in re.findall(r"MODSEQ \((\d+)\)", "\n".join(lines)))
        c.select("INBOX")
        c.store("1", "+FLAGS", "\\Answered")  # message 1 changes after the client read its MODSEQ
        lines = r.cmd("t", "STORE 1:2 (UNCHANGEDSINCE %d) +FLAGS (\\Flagged)" % modseq)
        self.assertRegex(lines[-1], r"^t OK \[MODIFIED 1\]")
        self.assertIn("\\Flagged", c.fetch("2", "(FLAGS)")[1][0].decode())
        self.assertNotIn("\\Flagged", c.fetch("1", "(FLAGS)")[1][0].decode())

    def test_qresync_after_changes_made_while_away(self):
        address = self.account()
        c = self.imaps(address)
        for i in range(4):
            c.append("INBOX", None, None, msg("q%d" % i))
        r = self.raw(address, select=None, enable="QRESYNC")
        lines = r.cmd("s", "SELECT INBOX")
        uidvalidity = re.search(r"UIDVALIDITY (\d+)", "\n".join(lines)).group(1)
        modseq = re.search(r"HIGHESTMODSEQ (\d+)", "\n".join(lines)).group(1)
        r.cmd("o", "LOGOUT")
        # While the client is away: a flag change, an expunge, a new message.
        c.select("INBOX")
        c.store("2", "+FLAGS", "\\Seen")
        c.store("3", "+FLAGS", "\\Deleted")
        c.expunge()
        c.append("INBOX", None, None, msg("new"))
        back = self.raw(address, select=None, enable="QRESYNC")
        lines = back.cmd("s", "SELECT INBOX (QRESYNC (%s %s 1:4))" % (uidvalidity, modseq))
        text = "\n".join(lines)
        self.assertIn("* VANISHED (EARLIER) 3", text)
        self.assertRegex(text, r"\* 2 FETCH \(UID 2 FLAGS \(\\Seen\) MODSEQ \(\d+\)\)")
        self.assertRegex(text, r"\* \d FETCH \(UID 5 FLAGS \(\) MODSEQ")
        self.assertIn("* 4 EXISTS", text)
        # Selecting again ends the first mailbox's responses (RFC 7162 3.2.11).
        self.assertIn("* OK [CLOSED]", back.cmd("x", "EXAMINE INBOX")[0])
        back.cmd("y", "SELECT INBOX")
        # CONDSTORE: UID FETCH CHANGEDSINCE VANISHED tells the same.
        lines = back.cmd("f", "UID FETCH 1:* (FLAGS) (CHANGEDSINCE %s VANISHED)" % modseq)
        text = "\n".join(lines)
        self.assertIn("* VANISHED (EARLIER) 3", text)
        self.assertIn("UID 2", text)
        self.assertNotIn("UID 1 ", text)

    def test_two_sessions_see_each_others_changes_and_the_server_stays_up(self):
        address = self.account()
        a = self.imaps(address)
        b = self.imaps(address)
        a.append("INBOX", None, None, msg("shared"))
        a.select("INBOX")
        b.select("INBOX")
        a.store("1", "+FLAGS", "$Shared")
        b.noop()
        self.assertIn(b"$Shared", b.fetch("1", "(FLAGS)")[1][0])
        b.store("1", "+FLAGS", "\\Deleted")
        b.expunge()
        typ, data = a.noop()
        self.assertEqual(a.untagged_responses.get("EXPUNGE", [b"1"])[0], b"1")


if __name__ == "__main__":
    unittest.main()
