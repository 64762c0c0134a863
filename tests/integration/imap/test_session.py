"""The IMAP session as clients see it: greeting and CAPABILITY before and
after TLS and login, LOGINDISABLED in plaintext (and the loopback
exception), STARTTLS and IMAPS, LOGIN and AUTHENTICATE PLAIN (SASL-IR) and
SCRAM-SHA-256, ID, ENABLE, NAMESPACE, the bounds (line length, literal
size, sessions per account), BAD for bad syntax with the session going on,
10,000 pipelined commands, and BYE at shutdown."""

import base64
import hashlib
import hmac
import imaplib
import os
import unittest
import zlib

from posta_harness import stop_servers  # noqa: F401
from imap_helpers import PASSWORD, ImapTestCase, RawImap, unique

DOMAIN = "imap-session.test"


def scram_client(user, password, challenge_fn):
    """A SCRAM-SHA-256 exchange (RFC 5802) driven by imaplib's authenticate callback."""
    nonce = base64.b64encode(os.urandom(18)).decode()
    first_bare = "n=%s,r=%s" % (user, nonce)
    state = {"step": 0}

    def step(server_data):
        if state["step"] == 0:
            state["step"] = 1
            return ("n,," + first_bare).encode()
        if state["step"] == 1:
            state["step"] = 2
            server_first = server_data.decode()
            attrs = dict(a.split("=", 1) for a in server_first.split(","))
            salt = base64.b64decode(attrs["s"])
            salted = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, int(attrs["i"]))
            client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
            stored = hashlib.sha256(client_key).digest()
            final_bare = "c=biws,r=" + attrs["r"]
            auth_msg = ",".join([first_bare, server_first, final_bare]).encode()
            sig = hmac.new(stored, auth_msg, hashlib.sha256).digest()
            proof = bytes(a ^ b for a, b in zip(client_key, sig))
            return (final_bare + ",p=" + base64.b64encode(proof).decode()).encode()
        return b""

    return step


class SessionTests(ImapTestCase):
    domains = (DOMAIN,)

    def account(self):
        address = unique("u").lower() + "@" + DOMAIN
        self.make_account(address)
        return address

    def test_plaintext_greeting_offers_starttls_and_disables_login(self):
        raw = RawImap(self.server.port("imap"))
        self.addCleanup(raw.close)
        self.assertTrue(raw.greeting.startswith("* OK [CAPABILITY IMAP4rev1"), raw.greeting)
        self.assertIn("STARTTLS", raw.greeting)
        self.assertIn("LOGINDISABLED", raw.greeting)
        self.assertNotIn("AUTH=PLAIN", raw.greeting)
        lines = raw.cmd("a1", 'LOGIN "%s" "%s"' % (self.account(), PASSWORD))
        self.assertTrue(lines[-1].startswith("a1 NO [PRIVACYREQUIRED]"), lines)
        lines = raw.cmd("a2", "AUTHENTICATE PLAIN " + base64.b64encode(b"\0x\0y").decode())
        self.assertTrue(lines[-1].startswith("a2 NO [PRIVACYREQUIRED]"), lines)

    def test_loopback_plaintext_login_when_allowed(self):
        address = self.account()
        self.setting("imap.allow_plaintext_auth_on_loopback", True)
        c = self.imap(starttls=False)
        self.assertIn("AUTH=PLAIN", c.capabilities)
        self.assertNotIn("LOGINDISABLED", c.capabilities)
        self.assertEqual(c.login(address, PASSWORD)[0], "OK")

    def test_starttls_then_login_and_capabilities_after_login(self):
        address = self.account()
        c = self.imap()
        self.assertIn("AUTH=PLAIN", c.capabilities)
        self.assertNotIn("STARTTLS", c.capabilities)
        self.assertNotIn("LOGINDISABLED", c.capabilities)
        typ, data = c.login(address, PASSWORD)
        self.assertEqual(typ, "OK")
        typ, caps = c.capability()
        self.assertIn(b"IDLE", caps[0])
        self.assertIn(b"NAMESPACE", caps[0])
        self.assertRegex(caps[0].decode(), r"APPENDLIMIT=\d+")

    def test_login_without_domain_and_wrong_password(self):
        address = self.account()
        c = self.imaps()
        with self.assertRaises(imaplib.IMAP4.error) as e:
            c.login(address, "wrong")
        self.assertIn("AUTHENTICATIONFAILED", str(e.exception))
        # The session goes on: the right password works now.
        self.assertEqual(c.login(address, PASSWORD)[0], "OK")

    def test_disabled_account_cannot_log_in(self):
        address = unique("off").lower() + "@" + DOMAIN
        self.make_account(address, enabled=False)
        c = self.imaps()
        with self.assertRaises(imaplib.IMAP4.error):
            c.login(address, PASSWORD)

    def test_authenticate_plain_with_initial_response(self):
        address = self.account()
        raw = RawImap(self.server.port("imaps"), implicit_tls=True)
        self.addCleanup(raw.close)
        ir = base64.b64encode(b"\0" + address.encode() + b"\0" + PASSWORD.encode()).decode()
        lines = raw.cmd("a1", "AUTHENTICATE PLAIN " + ir)
        self.assertTrue(lines[-1].startswith("a1 OK"), lines)
        lines = raw.cmd("a2", "NAMESPACE")
        self.assertEqual(lines[0], '* NAMESPACE (("" "/")) NIL NIL')

    def test_authenticate_plain_with_a_challenge(self):
        address = self.account()
        c = self.imaps()
        typ, _ = c.authenticate("PLAIN", lambda _: b"\0" + address.encode() + b"\0" + PASSWORD.encode())
        self.assertEqual(typ, "OK")

    def test_authenticate_scram_sha_256(self):
        address = self.account()
        c = self.imaps()
        self.assertIn("AUTH=SCRAM-SHA-256", c.capabilities)
        typ, _ = c.authenticate("SCRAM-SHA-256", scram_client(address, PASSWORD, None))
        self.assertEqual(typ, "OK")
        with self.assertRaises(imaplib.IMAP4.error):
            self.imaps().authenticate("SCRAM-SHA-256", scram_client(address, "wrong", None))

    def test_id_enable_namespace(self):
        raw = RawImap(self.server.port("imaps"), implicit_tls=True)
        self.addCleanup(raw.close)
        lines = raw.cmd("a1", 'ID ("name" "test")')
        self.assertTrue(lines[0].startswith('* ID ("name" "Posta"'), lines)
        raw.cmd("a2", 'LOGIN "%s" "%s"' % (self.account(), PASSWORD))
        lines = raw.cmd("a3", "ENABLE CONDSTORE UTF8=ACCEPT X-UNKNOWN")
        self.assertEqual(lines[0], "* ENABLED CONDSTORE UTF8=ACCEPT")
        self.assertTrue(lines[-1].startswith("a3 OK"))
        lines = raw.cmd("a4", "ENABLE QRESYNC")
        self.assertEqual(lines[0], "* ENABLED QRESYNC")

    def test_commands_before_login_and_bad_syntax(self):
        raw = RawImap(self.server.port("imaps"), implicit_tls=True)
        self.addCleanup(raw.close)
        self.assertTrue(raw.cmd("a1", "SELECT INBOX")[-1].startswith("a1 BAD"))
        self.assertTrue(raw.cmd("a2", "FROBNICATE")[-1].startswith("a2 BAD"))
        self.assertTrue(raw.cmd("a3", "LOGIN (unbalanced")[-1].startswith("a3 BAD"))
        raw.send("\r\n")
        self.assertTrue(raw.line().startswith("* BAD"))
        self.assertTrue(raw.cmd("a4", "NOOP")[-1].startswith("a4 OK"))
        raw.cmd("a5", 'LOGIN "%s" "%s"' % (self.account(), PASSWORD))
        for bad in ("FETCH 1:* (FLAGS", "UID FETCH 0:x FLAGS", "SEARCH CHARSET", "STORE 1 +FLAGS ((\\Seen)",
                    "LIST \"\" \"*\" extra)"):
            lines = raw.cmd("b", bad)
            self.assertTrue(lines[-1].startswith("b BAD"), (bad, lines))
        self.assertTrue(raw.cmd("a6", "NOOP")[-1].startswith("a6 OK"))

    def test_line_too_long_is_refused_and_the_session_goes_on(self):
        self.setting("imap.max_line_kb", 1)
        raw = RawImap(self.server.port("imaps"), implicit_tls=True)
        self.addCleanup(raw.close)
        lines = raw.cmd("a1", "NOOP " + "x" * 5000)
        self.assertTrue(lines[-1].startswith("a1 BAD"), lines)
        self.assertTrue(raw.cmd("a2", "NOOP")[-1].startswith("a2 OK"))

    def test_literal_above_the_limit_is_refused_before_it_is_sent(self):
        raw = RawImap(self.server.port("imaps"), implicit_tls=True)
        self.addCleanup(raw.close)
        # A LOGIN literal may be no longer than a line: refused, no "+" asked for.
        raw.send("a1 LOGIN {100000000}\r\n")
        self.assertTrue(raw.line().startswith("a1 BAD [TOOBIG]"))
        raw.cmd("a2", 'LOGIN "%s" "%s"' % (self.account(), PASSWORD))
        # APPEND beyond APPENDLIMIT: NO [TOOBIG] at once.
        raw.send("a3 APPEND INBOX {%d}\r\n" % (60 * 1024 * 1024))
        self.assertTrue(raw.line().startswith("a3 NO [TOOBIG]"))
        self.assertTrue(raw.cmd("a4", "NOOP")[-1].startswith("a4 OK"))

    def test_ten_thousand_pipelined_commands(self):
        raw = RawImap(self.server.port("imaps"), implicit_tls=True)
        self.addCleanup(raw.close)
        raw.send("".join("p%d NOOP\r\n" % i for i in range(10000)))
        for i in range(10000):
            line = raw.line()
            self.assertEqual(line, "p%d OK NOOP completed" % i)
        # Another client is answered meanwhile and afterwards.
        other = RawImap(self.server.port("imaps"), implicit_tls=True)
        self.addCleanup(other.close)
        self.assertTrue(other.cmd("x", "CAPABILITY")[-1].startswith("x OK"))

    def test_pipelined_bytes_after_starttls_are_refused(self):
        raw = RawImap(self.server.port("imap"))
        self.addCleanup(raw.close)
        raw.send("s1 STARTTLS\r\ns2 LOGIN a b\r\n")
        self.assertTrue(raw.line().startswith("s1 BAD"))
        self.assertTrue(raw.closed())

    def test_sessions_per_account_are_bounded(self):
        address = self.account()
        self.setting("imap.max_sessions_per_account", 2)
        self.imaps(address)
        self.imaps(address)
        with self.assertRaises(imaplib.IMAP4.error) as e:
            self.imaps(address)
        self.assertIn("LIMIT", str(e.exception))
        # Another account is not affected.
        self.imaps(self.account())

    def test_connections_per_ip_are_bounded(self):
        self.setting("net.max_connections_per_ip", 2)
        first = RawImap(self.server.port("imap"), source="127.0.0.5")
        second = RawImap(self.server.port("imap"), source="127.0.0.5")
        self.addCleanup(first.close)
        self.addCleanup(second.close)
        third = RawImap(self.server.port("imap"), source="127.0.0.5")
        self.addCleanup(third.close)
        self.assertTrue(third.greeting.startswith("* BYE"), third.greeting)
        self.assertTrue(third.closed())
        # Another address is served, and so are the first two.
        other = RawImap(self.server.port("imap"), source="127.0.0.6")
        self.addCleanup(other.close)
        self.assertTrue(other.greeting.startswith("* OK"))
        self.assertTrue(first.cmd("n", "NOOP")[-1].startswith("n OK"))

    def test_compress_deflate(self):
        address = self.account()
        raw = RawImap(self.server.port("imaps"), implicit_tls=True)
        self.addCleanup(raw.close)
        self.assertNotIn("COMPRESS", raw.greeting)  # offered once logged in
        lines = raw.cmd("a", 'LOGIN "%s" "%s"' % (address, PASSWORD))
        self.assertIn("COMPRESS=DEFLATE", lines[-1])
        self.assertTrue(raw.cmd("c", "COMPRESS DEFLATE")[-1].startswith("c OK"))
        out = zlib.compressobj(6, zlib.DEFLATED, -15)
        inflate = zlib.decompressobj(-15)
        # A burst of pipelined commands, compressed, in one sync-flushed piece.
        commands = "".join("n%d NOOP\r\n" % i for i in range(200)) + "x CAPABILITY\r\n"
        raw.send(out.compress(commands.encode()) + out.flush(zlib.Z_SYNC_FLUSH))
        text = inflate.decompress(raw.buf)
        raw.buf = b""
        while b"x OK" not in text:
            chunk = raw.sock.recv(65536)
            self.assertTrue(chunk, "connection closed")
            text += inflate.decompress(chunk)
        lines = text.decode().split("\r\n")
        self.assertEqual(lines[0], "n0 OK NOOP completed")
        self.assertIn("n199 OK NOOP completed", lines)
        self.assertNotIn("COMPRESS=DEFLATE", [l for l in lines if l.startswith("* CAPABILITY")][0])
        # Garbage instead of DEFLATE data ends the session, and nothing else.
        raw.send(b"\xff\xff\xff\xff garbage")
        self.assertTrue(raw.closed())
        self.assertEqual(self.imaps(address).noop()[0], "OK")

    def test_logout(self):
        raw = RawImap(self.server.port("imaps"), implicit_tls=True)
        self.addCleanup(raw.close)
        lines = raw.cmd("a1", "LOGOUT")
        self.assertTrue(lines[0].startswith("* BYE"), lines)
        self.assertTrue(lines[1].startswith("a1 OK"), lines)
        self.assertTrue(raw.closed())


class ShutdownTests(ImapTestCase):
    def test_idle_session_hears_bye_at_shutdown(self):
        raw = RawImap(self.server.port("imaps"), implicit_tls=True)
        self.addCleanup(raw.close)
        self.assertTrue(raw.cmd("a1", "NOOP")[-1].startswith("a1 OK"))
        self.server.stop()
        self.assertTrue(raw.line().startswith("* BYE"))
        self.server.start()


if __name__ == "__main__":
    unittest.main()
