"""Graceful shutdown and the autologout timer as POP3 clients see them: on
SIGTERM an idle session hears -ERR [SYS/TEMP] and is closed without its
UPDATE state, so what it had marked with DELE is still there after the
restart; a session idle for pop3.idle_timeout_minutes is closed the same way
(RFC 1939 3). Either way its maildrop lock is released: the next login is
not refused with [IN-USE]."""

import unittest

from posta_harness import stop_servers
from pop3_helpers import PASSWORD, Pop3TestCase, unique

DOMAIN = "shutdown.test"

tearDownModule = stop_servers


class ShutdownTests(Pop3TestCase):
    domains = (DOMAIN,)

    def test_idle_sessions_hear_goodbye_and_delete_nothing(self):
        address = unique("s").lower() + "@" + DOMAIN
        self.make_account(address)
        self.deliver(address, subject="one")
        self.deliver(address, subject="two")
        marked = self.raw(listener="pop3s")
        self.assertTrue(marked.login(address, PASSWORD).startswith("+OK Logged in"))
        self.assertEqual(marked.cmd("DELE 1"), "+OK Message 1 deleted")
        waiting = self.raw()  # not logged in yet
        self.assertEqual(self.server.stop(), 0)
        self.assertEqual(marked.status(), "-ERR [SYS/TEMP] Server shutting down, closing connection")
        self.assertTrue(marked.closed_by_server())
        self.assertEqual(waiting.status(), "-ERR [SYS/TEMP] Server shutting down, closing connection")
        self.assertTrue(waiting.closed_by_server())
        self.server.start()
        self.assertEqual(len(self.inbox(address)), 2)
        p = self.pop(address)
        self.assertEqual(p.stat()[0], 2)
        p.quit()

    def test_idle_session_is_logged_out_and_deletes_nothing(self):
        address = unique("i").lower() + "@" + DOMAIN
        self.make_account(address)
        self.deliver(address, subject="stays")
        self.setting("pop3.idle_timeout_minutes", 1)  # the smallest the setting takes
        c = self.raw(listener="pop3s", timeout=150)
        self.assertTrue(c.login(address, PASSWORD).startswith("+OK Logged in"))
        self.assertEqual(c.cmd("DELE 1"), "+OK Message 1 deleted")
        # The server speaks first, when the timer runs out.
        self.assertEqual(c.status(), "-ERR Idle for too long, closing connection")
        self.assertTrue(c.closed_by_server())
        self.assertEqual(len(self.inbox(address)), 1)
        # Its maildrop lock went with it (RFC 1939 4): the next login is not [IN-USE].
        p = self.pop(address)
        self.assertEqual(p.stat()[0], 1)
        p.quit()


if __name__ == "__main__":
    unittest.main()
