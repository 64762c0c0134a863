"""POP3 as Python's poplib and a raw client see it, over STLS (pop3) and
implicit TLS (pop3s): every RFC 1939 command, CAPA (RFC 2449) before and
after STLS, UIDL stable across sessions, TOP, DELE/RSET and QUIT's expunge
(recorded for QRESYNC and announced with NOTIFY posta_mailbox, so IMAP
sessions see it at once), a dropped session
deleting nothing, AUTH PLAIN (RFC 5034), the plaintext rule, throttled and
disabled logins, pipelining, over-long lines and garbage."""

import base64
import imaplib
import os
import poplib
import subprocess
import time
import unittest

from posta_harness import stop_servers  # noqa: F401
from pop3_helpers import (PASSWORD, Pop3TestCase, RawPop3, sql_literal, tls_context, unique,
                          wait_until_server_closed)

DOMAIN = "pop.test"
PLAINTEXT_REFUSED = "-ERR [AUTH] Plaintext authentication disallowed on non-secure connections; use STLS"

tearDownModule = stop_servers


def plain_token(user, password, authzid=""):
    return base64.b64encode(("%s\0%s\0%s" % (authzid, user, password)).encode()).decode()


def header_of(message):
    return message.split(b"\r\n\r\n", 1)[0] + b"\r\n\r\n"


class PoplibTests(Pop3TestCase):
    domains = (DOMAIN,)

    def account(self, **kw):
        address = unique("u").lower() + "@" + DOMAIN
        self.make_account(address, **kw)
        return address

    def mailbox_with(self, count, body="Hello.\r\n"):
        address = self.account()
        for i in range(count):
            self.deliver(address, subject="message %d" % (i + 1), body=body)
        return address

    def retrieved(self, p, n):
        resp, lines, _ = p.retr(n)
        return resp, b"\r\n".join(lines) + b"\r\n"

    # --- RFC 1939 commands --------------------------------------------

    def check_commands(self, implicit_tls):
        body = "First line.\r\n.A line starting with a dot\r\n.\r\n..\r\nLast line.\r\n"
        address = self.mailbox_with(3, body=body)
        stored = self.stored(address)
        p = self.pop(address, implicit_tls=implicit_tls)
        self.assertEqual(p.stat(), (3, sum(len(m) for m in stored)))
        resp, listing, _ = p.list()
        self.assertEqual(listing, [b"%d %d" % (i + 1, len(m)) for i, m in enumerate(stored)])
        self.assertEqual(p.list(2), b"+OK 2 %d" % len(stored[1]))
        for n in (1, 2, 3):
            resp, text = self.retrieved(p, n)
            self.assertEqual(resp, b"+OK %d octets" % len(stored[n - 1]))
            self.assertEqual(text, stored[n - 1])  # byte for byte, the dot lines unstuffed
        _, top0, _ = p.top(1, 0)
        self.assertEqual(b"\r\n".join(top0) + b"\r\n", header_of(stored[0]))
        _, top2, _ = p.top(1, 2)
        self.assertEqual(b"\r\n".join(top2) + b"\r\n", header_of(stored[0]) + b"First line.\r\n.A line starting with a dot\r\n")
        self.assertTrue(p.noop().startswith(b"+OK"))
        self.assertEqual(p.dele(2), b"+OK Message 2 deleted")
        with self.assertRaises(poplib.error_proto) as e:
            p.retr(2)
        self.assertEqual(e.exception.args[0], b"-ERR Message 2 already deleted")
        with self.assertRaises(poplib.error_proto) as e:
            p.retr(4)
        self.assertEqual(e.exception.args[0], b"-ERR No such message")
        self.assertEqual(p.stat(), (2, len(stored[0]) + len(stored[2])))
        self.assertEqual(p.rset(), b"+OK 3 %d" % sum(len(m) for m in stored))
        self.assertEqual(p.stat()[0], 3)
        uids = [m["uid"] for m in self.inbox(address)]
        p.dele(2)
        self.assertEqual(p.quit(), b"+OK Bye")
        # QUIT committed before its +OK: the message is gone for everyone now.
        self.assertEqual([m["uid"] for m in self.inbox(address)], [uids[0], uids[2]])
        self.assertEqual(self.stored(address), [stored[0], stored[2]])

    def test_every_command_over_stls(self):
        self.check_commands(implicit_tls=False)

    def test_every_command_over_pop3s(self):
        self.check_commands(implicit_tls=True)

    def test_capabilities_before_and_after_tls(self):
        plain = self.raw()
        self.assertTrue(plain.greeting.startswith(b"+OK"))
        self.assertEqual(plain.cmd("CAPA"), "+OK Capability list follows")
        before = plain.body()
        self.assertEqual(before, [b"TOP", b"UIDL", b"RESP-CODES", b"AUTH-RESP-CODE", b"PIPELINING", b"STLS",
                                  b"IMPLEMENTATION Posta"])
        plain.stls()
        plain.cmd("CAPA")
        self.assertEqual(plain.body(), [b"TOP", b"UIDL", b"RESP-CODES", b"AUTH-RESP-CODE", b"PIPELINING", b"USER",
                                        b"SASL PLAIN", b"IMPLEMENTATION Posta"])
        address = self.account()
        self.assertTrue(plain.login(address, PASSWORD).startswith("+OK Logged in"))
        plain.cmd("CAPA")
        self.assertEqual(plain.body(), [b"TOP", b"UIDL", b"RESP-CODES", b"AUTH-RESP-CODE", b"PIPELINING",
                                        b"IMPLEMENTATION Posta"])
        # poplib's view over POP3S: no STLS there.
        p = poplib.POP3_SSL("127.0.0.1", self.server.port("pop3s"), context=__import__("pop3_helpers").tls_context())
        caps = p.capa()
        self.assertIn("SASL", caps)
        self.assertEqual(caps["SASL"], ["PLAIN"])
        self.assertNotIn("STLS", caps)
        self.assertIn("USER", caps)
        p.quit()

    # --- UIDL ---------------------------------------------------------

    def uidl_map(self, p):
        _, lines, _ = p.uidl()
        return dict(line.split(b" ", 1) for line in lines)

    def test_uidl_is_stable_across_sessions(self):
        address = self.mailbox_with(3)
        p = self.pop(address)
        first = self.uidl_map(p)
        self.assertEqual(len(set(first.values())), 3)
        for uid in first.values():
            self.assertTrue(0 < len(uid) <= 70 and all(0x21 <= c <= 0x7E for c in uid), uid)
        self.assertEqual(p.uidl(2), b"+OK 2 " + first[b"2"])
        p.quit()
        p = self.pop(address, implicit_tls=True)
        self.assertEqual(self.uidl_map(p), first)
        p.dele(1)
        p.quit()
        self.deliver(address, subject="newer")
        p = self.pop(address)
        now = self.uidl_map(p)
        # Renumbered from 1, but each message keeps its unique-id.
        self.assertEqual(now[b"1"], first[b"2"])
        self.assertEqual(now[b"2"], first[b"3"])
        self.assertNotIn(now[b"3"], first.values())
        p.quit()

    # --- deletion -----------------------------------------------------

    def test_dropped_session_deletes_nothing(self):
        address = self.mailbox_with(2)
        c = self.raw()
        c.stls()
        self.assertTrue(c.login(address, PASSWORD).startswith("+OK"))
        self.assertEqual(c.cmd("DELE 1"), "+OK Message 1 deleted")
        self.assertEqual(c.cmd("DELE 2"), "+OK Message 2 deleted")
        port = c.local_port()
        c.close()  # no QUIT: RFC 1939 6, no UPDATE state
        wait_until_server_closed(self.server.port("pop3"), port)
        self.assertEqual(len(self.inbox(address)), 2)
        p = self.pop(address)
        self.assertEqual(p.stat()[0], 2)
        p.quit()

    def test_quit_expunge_is_announced_to_imap_sessions(self):
        address = self.mailbox_with(2)
        mailbox = self.scalar("SELECT b.id FROM mailboxes b JOIN accounts a ON a.id = b.account_id "
                              "WHERE a.address = %s AND b.name = 'INBOX'" % sql_literal(address))
        before = int(self.scalar("SELECT highestmodseq FROM mailboxes WHERE id = %s" % mailbox))
        listener = subprocess.Popen(["psql", "-X", "-q", "-A", "-t", "-h", os.path.join(self.server.data_dir, "pg"), "-U",
                                     "postgres", "-d", "posta"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                    stderr=subprocess.STDOUT, text=True)
        self.addCleanup(listener.kill)
        listener.stdin.write("LISTEN posta_mailbox;\nSELECT 'listening';\n")
        listener.stdin.flush()
        self.assertIn("listening", listener.stdout.readline())
        p = self.pop(address)
        p.dele(1)
        gone = self.inbox(address)[0]["uid"]
        self.assertEqual(p.quit(), b"+OK Bye")
        # The expunge is recorded for QRESYNC (VANISHED) with the MODSEQ it took.
        after = int(self.scalar("SELECT highestmodseq FROM mailboxes WHERE id = %s" % mailbox))
        self.assertEqual(self.sql("SELECT modseq, uids FROM mailbox_expunges WHERE mailbox_id = %s" % mailbox),
                         [[str(after), "{%d}" % gone]])
        # psql prints notifications that arrived once it runs its next command.
        out, _ = listener.communicate("SELECT 'done';\n", timeout=30)
        self.assertIn('Asynchronous notification "posta_mailbox" with payload "%s"' % mailbox, out)
        self.assertGreater(int(self.scalar("SELECT highestmodseq FROM mailboxes WHERE id = %s" % mailbox)), before)

    def test_message_expunged_by_another_session(self):
        address = self.mailbox_with(2)
        a = self.pop(address)
        # An IMAP session (not blocked by the POP3 maildrop lock) expunges message 1.
        m = imaplib.IMAP4_SSL("127.0.0.1", self.server.port("imaps"), ssl_context=tls_context(), timeout=30)
        m.login(address, PASSWORD)
        m.select("INBOX")
        m.store("1", "+FLAGS", "\\Deleted")
        self.assertEqual(m.expunge()[0], "OK")
        m.logout()
        # a keeps its snapshot: numbering and listing as at login.
        self.assertEqual(a.stat()[0], 2)
        with self.assertRaises(poplib.error_proto) as e:
            a.retr(1)
        self.assertEqual(e.exception.args[0], b"-ERR Message was removed by another session")
        self.assertEqual(self.retrieved(a, 2)[1], self.stored(address)[0])
        a.dele(1)
        self.assertEqual(a.quit(), b"+OK Bye")
        self.assertEqual(len(self.inbox(address)), 1)

    def test_large_message_is_streamed_whole(self):
        address = self.account()
        line = "." + "x" * 70 + "\r\n"
        body = line * 40000  # about 2.9 MB: a file blob, read in ranges
        self.deliver(address, subject="large", body=body)
        stored = self.stored(address)
        self.assertGreater(len(stored[0]), 2 * 1024 * 1024)
        p = self.pop(address)
        resp, text = self.retrieved(p, 1)
        self.assertEqual(resp, b"+OK %d octets" % len(stored[0]))
        self.assertEqual(text, stored[0])
        _, top, _ = p.top(1, 3)
        self.assertEqual(b"\r\n".join(top) + b"\r\n", header_of(stored[0]) + line.encode() * 3)
        p.quit()

    # --- authentication -------------------------------------------------

    def test_auth_plain_with_initial_response_and_continuation(self):
        address = self.mailbox_with(1)
        c = self.raw()
        c.stls()
        self.assertEqual(c.cmd("AUTH PLAIN " + plain_token(address, "wrong")), "-ERR [AUTH] Authentication failed")
        self.assertEqual(c.cmd("AUTH PLAIN " + plain_token(address, PASSWORD, authzid="other@" + DOMAIN)),
                         "-ERR [AUTH] Authentication failed")
        self.assertTrue(c.cmd("AUTH PLAIN " + plain_token(address, PASSWORD)).startswith("+OK Logged in, 1 messages"))
        c.cmd("QUIT")
        c = self.raw(listener="pop3s")
        self.assertEqual(c.cmd("AUTH PLAIN"), "+ ")
        self.assertEqual(c.cmd("*"), "-ERR Authentication cancelled")
        self.assertEqual(c.cmd("AUTH PLAIN"), "+ ")
        self.assertTrue(c.cmd(plain_token(address, PASSWORD)).startswith("+OK Logged in"))
        self.assertTrue(c.cmd("STAT").startswith("+OK 1 "))

    def test_plaintext_refused_outside_tls_and_allowed_on_loopback_by_setting(self):
        address = self.mailbox_with(1)
        c = self.raw()
        self.assertEqual(c.cmd("USER " + address), PLAINTEXT_REFUSED)
        self.assertEqual(c.cmd("AUTH PLAIN " + plain_token(address, PASSWORD)), PLAINTEXT_REFUSED)
        self.assertEqual(c.cmd("PASS " + PASSWORD), "-ERR USER first")
        self.assertEqual(c.cmd("STAT"), "-ERR Not authenticated yet")
        self.setting("pop3.allow_plaintext_auth_on_loopback", True)
        c = self.raw()  # the setting applies to new sessions
        c.cmd("CAPA")
        self.assertIn(b"USER", c.body())
        self.assertTrue(c.login(address, PASSWORD).startswith("+OK Logged in"))
        self.assertEqual(c.cmd("QUIT"), "+OK Bye")  # frees the maildrop lock for the next login
        c = self.raw()
        self.assertTrue(c.cmd("AUTH PLAIN " + plain_token(address, PASSWORD)).startswith("+OK Logged in"))
        self.assertEqual(c.cmd("QUIT"), "+OK Bye")
        p = poplib.POP3("127.0.0.1", self.server.port("pop3"), timeout=30)
        p.user(address)
        p.pass_(PASSWORD)
        self.assertEqual(p.stat()[0], 1)
        p.quit()

    def login_reply(self, address, password, source):
        c = RawPop3(self.server.port("pop3"), source=source)
        try:
            c.stls()
            return c.login(address, password)
        finally:
            c.close()

    def test_wrong_passwords_are_throttled(self):
        address = self.account()
        self.setting("auth.max_failures_per_account", 3)
        self.setting("auth.max_failures_per_ip", 1000)
        for _ in range(3):
            self.assertEqual(self.login_reply(address, "wrong", "127.0.0.41"), "-ERR [AUTH] Authentication failed")
        # Locked for that network: the right password is refused the same way.
        self.assertEqual(self.login_reply(address, PASSWORD, "127.0.0.41"), "-ERR [AUTH] Authentication failed")
        self.assertTrue(self.login_reply(address, PASSWORD, "127.0.0.42").startswith("+OK Logged in"))

    def test_login_failures_close_the_connection(self):
        address = self.account()
        c = self.raw(source="127.0.0.43")
        c.stls()
        self.assertEqual(c.login(address, "wrong1"), "-ERR [AUTH] Authentication failed")
        self.assertEqual(c.login(address, "wrong2"), "-ERR [AUTH] Authentication failed")
        self.assertEqual(c.login(address, "wrong3"), "-ERR [AUTH] Authentication failed, closing connection")
        self.assertTrue(c.closed_by_server())

    def test_login_without_domain_uses_the_default_domain(self):
        address = self.account()
        self.setting("auth.default_domain", DOMAIN)
        c = self.raw()
        c.stls()
        self.assertTrue(c.login(address.split("@")[0], PASSWORD).startswith("+OK Logged in"))

    def test_disabled_account_is_refused(self):
        address = self.account(enabled=False)
        c = self.raw(listener="pop3s")
        self.assertEqual(c.login(address, PASSWORD), "-ERR [AUTH] Authentication failed")
        self.assertEqual(c.cmd("AUTH PLAIN " + plain_token(address, PASSWORD)), "-ERR [AUTH] Authentication failed")

    # --- bad input --------------------------------------------------------

    def test_a_thousand_pipelined_commands(self):
        address = self.mailbox_with(2)
        c = self.raw(listener="pop3s")
        self.assertTrue(c.login(address, PASSWORD).startswith("+OK"))
        commands = ["STAT", "LIST 1", "UIDL 2", "NOOP", "TOP 1 0"] * 200
        c.send("".join(line + "\r\n" for line in commands))
        for line in commands:
            status = c.status()
            self.assertTrue(status.startswith("+OK"), "%s -> %s" % (line, status))
            if line.startswith("TOP"):
                self.assertTrue(c.body())
        self.assertEqual(c.cmd("QUIT"), "+OK Bye")
        self.assertTrue(c.closed_by_server())

    def test_over_long_lines(self):
        address = self.mailbox_with(1)
        c = self.raw()
        # SECURITY: RFC 2449 4, 255 octets per command line.
        self.assertEqual(c.cmd("CAPA " + "x" * 300), "-ERR Line too long")
        # Past the reader's bound: skipped without being buffered.
        self.assertEqual(c.cmd("USER " + "y" * 100000), "-ERR Line too long")
        c.stls()
        self.assertTrue(c.login(address, PASSWORD).startswith("+OK Logged in"))
        self.assertTrue(c.cmd("STAT").startswith("+OK 1 "))

    def test_garbage_is_answered_then_the_connection_closed(self):
        address = self.mailbox_with(1)
        c = self.raw()
        self.assertEqual(c.cmd(b"\x00\xff\xfe\x80 binary"), "-ERR Invalid characters in command")
        self.assertEqual(c.cmd("HELO example.org"), "-ERR Unknown command")
        self.assertEqual(c.cmd("RETR"), "-ERR Missing argument")
        self.assertEqual(c.cmd("RETR 1"), "-ERR Not authenticated yet")
        self.assertEqual(c.cmd("APOP user 1234"), "-ERR Unknown command")
        c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        for _ in range(3):
            self.assertTrue(c.status().startswith("-ERR"))
        self.assertEqual(c.cmd("CAPA"), "+OK Capability list follows")  # still served
        c.body()
        # SECURITY: after 20 errors in all the session ends.
        replies = [c.cmd("junk %d" % i) for i in range(12)]
        self.assertEqual(replies[-1], "-ERR Too many errors, closing connection")
        self.assertTrue(c.closed_by_server())
        self.assertStillServes(address)

    def test_connections_per_ip_are_bounded(self):
        self.setting("net.max_connections_per_ip", 2)
        held = [self.raw(source="127.0.0.51") for _ in range(2)]
        refused = RawPop3(self.server.port("pop3"), source="127.0.0.51")
        self.addCleanup(refused.close)
        self.assertEqual(refused.greeting, b"-ERR [SYS/TEMP] Too many connections from your address\r\n")
        self.assertTrue(refused.closed_by_server())
        self.assertTrue(self.raw(source="127.0.0.52").greeting.startswith(b"+OK"))
        for c in held:
            self.assertEqual(c.cmd("QUIT"), "+OK Bye")


if __name__ == "__main__":
    unittest.main()
