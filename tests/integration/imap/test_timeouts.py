"""The IMAP bounds that need time to show: the autologout after
imap.idle_timeout_minutes of silence once logged in (IDLE included) and the
fixed minute before login, and imap.max_commands_per_second slowing a
client down without disconnecting it."""

import time
import unittest

from posta_harness import stop_servers  # noqa: F401
from imap_helpers import ImapTestCase, RawImap, PASSWORD, unique

DOMAIN = "imap-timeouts.test"


class TimeoutTests(ImapTestCase):
    domains = (DOMAIN,)

    def test_autologout_before_and_after_login(self):
        address = unique("t").lower() + "@" + DOMAIN
        self.make_account(address)
        self.setting("imap.idle_timeout_minutes", 1)
        before = RawImap(self.server.port("imaps"), implicit_tls=True, timeout=150)
        self.addCleanup(before.close)
        idling = RawImap(self.server.port("imaps"), implicit_tls=True, timeout=150)
        self.addCleanup(idling.close)
        idling.cmd("l", 'LOGIN "%s" "%s"' % (address, PASSWORD))
        idling.cmd("s", "SELECT INBOX")
        idling.send("i IDLE\r\n")
        self.assertTrue(idling.line().startswith("+"))
        # Both hear BYE and are closed; nothing is sent meanwhile.
        self.assertTrue(before.line().startswith("* BYE"))
        self.assertTrue(before.closed())
        self.assertTrue(idling.line().startswith("* BYE"))
        self.assertTrue(idling.closed())

    def test_commands_per_second_slow_the_client_down(self):
        self.setting("imap.max_commands_per_second", 2)  # a burst of 10, then 2 a second
        raw = RawImap(self.server.port("imaps"), implicit_tls=True)
        self.addCleanup(raw.close)
        start = time.monotonic()
        raw.send("".join("p%d NOOP\r\n" % i for i in range(16)))
        for i in range(16):
            self.assertEqual(raw.line(), "p%d OK NOOP completed" % i)
        # Six commands beyond the burst at two a second: at least 2.5 s.
        self.assertGreaterEqual(time.monotonic() - start, 2.5)
        self.assertTrue(raw.cmd("x", "NOOP")[-1].startswith("x OK"))


if __name__ == "__main__":
    unittest.main()
