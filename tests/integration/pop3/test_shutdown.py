"""Graceful shutdown and restarts as POP3 clients see them: on SIGTERM an
idle session hears -ERR [SYS/TEMP] and is closed without its UPDATE state,
so what it had marked with DELE is still there after the restart."""

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


if __name__ == "__main__":
    unittest.main()
