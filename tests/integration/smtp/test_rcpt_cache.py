"""The RCPT cache (smtp.recipient_cache_seconds) as a sending server sees it:
a recipient looked up recently is answered without asking the database, and
every identity change made through the CLI is seen at RCPT at once, however
long the cache would keep the old answer."""

import time
import unittest

from posta_harness import stop_servers as tearDownModule  # noqa: F401
from smtp_helpers import SmtpTestCase

DOMAIN = "cache.test"
ANN, BOB, CAROL = ("%s@%s" % (n, DOMAIN) for n in ("ann", "bob", "carol"))


class RcptCacheTests(SmtpTestCase):
    domains = (DOMAIN,)
    accounts = (ANN, BOB)

    def setUp(self):
        self.setting("smtp.recipient_cache_seconds", 3600)

    def rcpt(self, address):
        c = self.raw()
        c.ehlo()
        self.assertReply(c.cmd("MAIL FROM:<sender@remote.test>"), 250)
        reply = c.cmd("RCPT TO:<%s>" % address)
        c.close()
        return reply

    def eventually(self, address, code, enhanced):
        """RCPT answers `code` within a few seconds (the change reaches the
        cache by a database notification)."""
        deadline = time.monotonic() + 10
        while True:
            reply = self.rcpt(address)
            if reply.code == code or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        self.assertReply(reply, code, enhanced, "RCPT TO:<%s> still answered from the cache" % address)

    def test_identity_changes_are_seen_at_once(self):
        self.assertReply(self.rcpt(ANN), 250, "2.1.5")
        self.cli_ok("account", "disable", ANN)
        self.eventually(ANN, 550, "5.2.1")
        self.cli_ok("account", "enable", ANN)
        self.eventually(ANN, 250, "2.1.5")

        self.assertReply(self.rcpt(CAROL), 550, "5.1.1")
        self.make_account(CAROL)
        self.eventually(CAROL, 250, "2.1.5")
        self.cli_ok("account", "rm", CAROL)
        self.eventually(CAROL, 550, "5.1.1")

    def test_a_recent_recipient_is_answered_without_the_database(self):
        self.setting("db.statement_timeout_ms", 500)
        self.assertReply(self.rcpt(BOB), 250, "2.1.5")
        self.freeze()
        self.assertReply(self.rcpt(BOB), 250, "2.1.5", "a cached recipient needs no database")
        self.assertReply(self.rcpt("nobody-yet@" + DOMAIN), 451, "4.3.0", "an uncached one waits for it")


if __name__ == "__main__":
    unittest.main()
