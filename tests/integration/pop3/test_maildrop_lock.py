"""The POP3 maildrop lock (RFC 1939 4, RFC 2449 8.1.1 [IN-USE]) as clients
see it: while one POP3 session holds an account's maildrop, a second POP3
login to it (on this node or on another node sharing the database) gets
-ERR [IN-USE], IMAP sessions are not blocked, and the lock is free again as
soon as the session ends however it ends: QUIT, a dropped connection, a
flood of commands cut short, or a crashed server whose lease lapses."""

import imaplib
import os
import poplib
import time
import unittest

from posta_harness import PostaServer, process_alive, stop_servers
from pop3_helpers import (PASSWORD, Pop3TestCase, RawPop3, sql_literal, tls_context, unique,
                          wait_until_server_closed)

DOMAIN = "lock.test"
IN_USE = "-ERR [IN-USE] Maildrop is locked by another POP3 session"

tearDownModule = stop_servers


class LockTestCase(Pop3TestCase):
    """Helpers; each class below has a domain of its own."""

    def account_with(self, count):
        address = unique("l").lower() + "@" + self.domains[0]
        self.make_account(address)
        for i in range(count):
            self.deliver(address, subject="message %d" % (i + 1))
        return address

    def logged_in_raw(self, address, listener="pop3s", **kw):
        c = self.raw(listener=listener, **kw)
        if listener == "pop3":
            c.stls()
        self.assertTrue(c.login(address, PASSWORD).startswith("+OK Logged in"))
        return c


class MaildropLockTests(LockTestCase):
    domains = (DOMAIN,)

    def leases(self, address):
        return self.sql("SELECT l.node, l.client_ip FROM pop3_maildrop_locks l JOIN accounts a ON a.id = l.account_id "
                        "WHERE a.address = %s" % sql_literal(address))

    def imap_exists(self, address):
        m = imaplib.IMAP4_SSL("127.0.0.1", self.server.port("imaps"), ssl_context=tls_context(), timeout=30)
        try:
            m.login(address, PASSWORD)
            typ, data = m.select("INBOX")
            self.assertEqual(typ, "OK")
            return int(data[0])
        finally:
            m.logout()

    def test_second_login_is_in_use_until_quit(self):
        address = self.account_with(2)
        first = self.pop(address)
        self.assertEqual(len(self.leases(address)), 1)
        second = self.raw(listener="pop3s")
        self.assertEqual(second.login(address, PASSWORD), IN_USE)
        # poplib reports it as the PASS response.
        with self.assertRaises(poplib.error_proto) as e:
            self.pop(address)
        self.assertEqual(e.exception.args[0], IN_USE.encode())
        # IMAP reads the same INBOX meanwhile; other accounts log in as usual.
        self.assertEqual(self.imap_exists(address), 2)
        other = self.account_with(1)
        self.assertEqual(self.pop(other).stat()[0], 1)
        first.dele(1)
        self.assertEqual(first.quit(), b"+OK Bye")
        # The lock went before QUIT's +OK: the waiting client gets in at once,
        # on the same connection (still in AUTHORIZATION after [IN-USE]).
        self.assertTrue(second.login(address, PASSWORD).startswith("+OK Logged in, 1 messages"))
        self.assertEqual(second.cmd("QUIT"), "+OK Bye")
        self.assertTrue(second.closed_by_server())
        self.assertEqual(self.leases(address), [])

    def test_dropped_session_releases_the_lock(self):
        address = self.account_with(1)
        c = self.logged_in_raw(address, listener="pop3")
        self.assertEqual(c.cmd("DELE 1"), "+OK Message 1 deleted")
        port = c.local_port()
        c.close()  # no QUIT
        wait_until_server_closed(self.server.port("pop3"), port)
        self.assertEqual(self.leases(address), [])
        p = self.pop(address)
        self.assertEqual(p.stat()[0], 1)  # nothing was deleted
        p.quit()

    def test_the_lease_of_another_node_is_honoured_until_it_lapses(self):
        """A lease row of another node (as a node that crashed leaves it): the
        login is refused while it is valid and succeeds once it has lapsed."""
        address = self.account_with(1)
        self.sql("INSERT INTO pop3_maildrop_locks (account_id, node, session, expires_at) "
                 "SELECT id, 'other.node/x', 1, now() + interval '1 hour' FROM accounts WHERE address = %s"
                 % sql_literal(address))
        self.assertEqual(self.raw(listener="pop3s").login(address, PASSWORD), IN_USE)
        self.sql("UPDATE pop3_maildrop_locks SET expires_at = now() - interval '1 second' WHERE node = 'other.node/x'")
        c = self.logged_in_raw(address)
        self.assertEqual([r[1] for r in self.leases(address)], ["127.0.0.1"])
        self.assertNotEqual(self.leases(address)[0][0], "other.node/x")
        self.assertEqual(c.cmd("QUIT"), "+OK Bye")

    def test_live_leases_are_extended(self):
        """The node extends the lease of a live session: a lease about to lapse
        is pushed back by the next refresh (every 30 s), so a session that
        stays logged in keeps its lock."""
        address = self.account_with(1)
        c = self.logged_in_raw(address)
        self.sql("UPDATE pop3_maildrop_locks l SET expires_at = now() + interval '50 seconds' FROM accounts a "
                 "WHERE a.id = l.account_id AND a.address = %s" % sql_literal(address))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            left = float(self.scalar("SELECT extract(epoch FROM l.expires_at - now()) FROM pop3_maildrop_locks l "
                                     "JOIN accounts a ON a.id = l.account_id WHERE a.address = %s"
                                     % sql_literal(address)))
            if left > 60:
                break
            time.sleep(0.5)
        self.assertGreater(left, 60)
        self.assertEqual(self.raw(listener="pop3s").login(address, PASSWORD), IN_USE)
        self.assertEqual(c.cmd("QUIT"), "+OK Bye")


class SecondNodeTests(LockTestCase):
    """A second posta node on the same PostgreSQL (the first node's cluster)."""

    domains = ("node2.test",)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        url = "host=%s user=postgres dbname=posta" % os.path.join(cls.server.data_dir, "pg")
        cls.node2 = PostaServer(hostname="node2.itest", extra_toml='[database]\nurl = "%s"\n' % url)
        try:
            cls.node2.start()
        except BaseException:
            cls.node2.dump_logs()
            cls.node2.cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.node2.cleanup()
        super().tearDownClass()

    def test_a_session_on_one_node_locks_the_maildrop_on_the_other(self):
        address = self.account_with(1)
        here = self.logged_in_raw(address)
        there = RawPop3(self.node2.port("pop3s"), implicit_tls=True)
        self.addCleanup(there.close)
        self.assertEqual(there.login(address, PASSWORD), IN_USE)
        self.assertEqual(here.cmd("QUIT"), "+OK Bye")
        self.assertTrue(there.login(address, PASSWORD).startswith("+OK Logged in, 1 messages"))
        self.assertEqual(self.raw(listener="pop3s").login(address, PASSWORD), IN_USE)
        self.assertEqual(there.cmd("QUIT"), "+OK Bye")


class CrashTests(LockTestCase):
    """Kills the module's server and starts it again (the other classes
    find it running)."""

    domains = ("crash-lock.test",)

    def test_lease_of_a_crashed_server_lapses(self):
        address = self.account_with(1)
        self.logged_in_raw(address)
        postmaster = self.server.postmaster_pid()
        self.server.kill9()  # no goodbye, no release: the lease stays behind
        deadline = time.monotonic() + 60
        while postmaster and process_alive(postmaster) and time.monotonic() < deadline:
            time.sleep(0.1)
        self.server.start()
        # The restarted node is a new holder: it does not extend the old lease.
        self.assertEqual(self.raw(listener="pop3s").login(address, PASSWORD), IN_USE)
        # Two minutes later (time moved on by SQL) the lease has lapsed.
        self.sql("UPDATE pop3_maildrop_locks SET expires_at = expires_at - interval '2 minutes'")
        p = self.pop(address, implicit_tls=True)
        self.assertEqual(p.stat()[0], 1)
        p.quit()


if __name__ == "__main__":
    unittest.main()
