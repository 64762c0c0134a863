"""Byte-exact SMTP over raw sockets: BDAT (RFC 3030), pipelined bursts (RFC
2920) and bad input: overlong lines, bare LF, NUL, oversize messages, 1000
recipients, unknown and out-of-order commands, a client vanishing mid-DATA,
VRFY/EXPN. After each, the session (or a new one) still answers properly."""

import socket
import unittest

from posta_harness import stop_servers as tearDownModule  # noqa: F401
from smtp_helpers import SmtpTestCase, message_bytes, tls_context, unique, wait_until_server_closed

DOMAIN = "raw.test"
ANN = "ann@" + DOMAIN
BOB = "bob@" + DOMAIN
SENDER = "sender@remote.test"


class RawInputTests(SmtpTestCase):
    domains = (DOMAIN,)
    accounts = (ANN, BOB)

    def session(self, source=None):
        c = self.raw("smtp", source=source)
        self.assertReply(c.greeting, 220)
        c.ehlo()
        return c

    def envelope(self, c, rcpts=(ANN,), sender=SENDER):
        self.assertReply(c.cmd("MAIL FROM:<%s>" % sender), 250, "2.1.0")
        for r in rcpts:
            self.assertReply(c.cmd("RCPT TO:<%s>" % r), 250, "2.1.5")

    def stored(self, marker, account=ANN):
        return self.full_messages(account, marker)

    def body_of(self, full):
        """What follows the server's own header lines (Return-Path, Delivered-To, Received)."""
        received = full.index(b"Received: ")
        rest = full[received:]
        # The Received header is folded: continuation lines start with a tab.
        lines = rest.split(b"\r\n")
        i = 1
        while lines[i].startswith(b"\t"):
            i += 1
        return b"\r\n".join(lines[i:])

    def send_ok(self, c, marker, account=ANN):
        """A whole good transaction on an existing session."""
        self.envelope(c, (account,))
        _, done = c.data(message_bytes(SENDER, [account], marker))
        self.assertReply(done, 250, "2.0.0")
        self.assertEqual(len(self.stored(marker, account)), 1)

    # --- BDAT ----------------------------------------------------------------

    def test_bdat_chunks(self):
        c = self.session()
        marker = unique("bdat")
        msg = message_bytes(SENDER, [ANN], marker, body="line one\r\nline two\r\n")
        parts = [msg[:20], msg[20:57], msg[57:]]
        self.envelope(c)
        for part in parts[:-1]:
            c.send(b"BDAT %d\r\n" % len(part) + part)
            self.assertReply(c.read_reply(), 250, "2.0.0")
        c.send(b"BDAT %d LAST\r\n" % len(parts[-1]) + parts[-1])
        self.assertReply(c.read_reply(), 250, "2.0.0")
        stored = self.stored(marker)
        self.assertEqual(len(stored), 1)
        self.assertEqual(self.body_of(stored[0]), msg)
        # BDAT 0 LAST ends a message whose octets all came before.
        marker = unique("bdat0")
        msg = message_bytes(SENDER, [ANN], marker)
        self.envelope(c)
        c.send(b"BDAT %d\r\n" % len(msg) + msg + b"BDAT 0 LAST\r\n")
        self.assertReply(c.read_reply(), 250)
        self.assertReply(c.read_reply(), 250, "2.0.0")
        self.assertEqual(self.body_of(self.stored(marker)[0]), msg)
        self.assertStillServes(c)

    def test_bdat_bare_lf_is_refused_and_dots_taken_verbatim(self):
        # Bare LF is refused in BDAT as in DATA (test_hostile.py); dots are content.
        c = self.session()
        marker = unique("bdatlf")
        msg = ("Subject: %s\nFrom: <%s>\n\n.leading dot stays\nbare lf\r\nend\r\n" % (marker, SENDER)).encode()
        self.envelope(c)
        c.send(b"BDAT %d LAST\r\n" % len(msg) + msg)
        self.assertReply(c.read_reply(), 554, "5.6.0")
        self.assertEqual(self.stored(marker), [])
        marker = unique("bdatdot")
        msg = ("Subject: %s\r\nFrom: <%s>\r\n\r\n.leading dot stays\r\n.\r\nend\r\n" % (marker, SENDER)).encode()
        self.envelope(c)
        c.send(b"BDAT %d LAST\r\n" % len(msg) + msg)
        self.assertReply(c.read_reply(), 250, "2.0.0")
        self.assertEqual(self.body_of(self.stored(marker)[0]), msg)

    def test_bdat_mixed_with_data_is_refused(self):
        c = self.session()
        self.envelope(c)
        c.send(b"BDAT 5\r\nHello")
        self.assertReply(c.read_reply(), 250)
        self.assertReply(c.cmd("DATA"), 503, "5.5.1")
        # The BDAT transaction can still be finished.
        marker = unique("mixed")
        rest = ("\r\nSubject: %s\r\n\r\nx\r\n" % marker).encode()
        c.send(b"BDAT %d LAST\r\n" % len(rest) + rest)
        self.assertReply(c.read_reply(), 250, "2.0.0")
        self.assertEqual(len(self.stored(marker)), 1)
        # BDAT without a transaction: its octets are skipped, then 503.
        c.send(b"BDAT 4 LAST\r\nRSET")
        self.assertReply(c.read_reply(), 503)
        self.assertStillServes(c)

    def test_bdat_before_ehlo(self):
        c = self.raw("smtp")
        c.send(b"BDAT 4\r\nNOOP")
        self.assertReply(c.read_reply(), 503)
        self.assertStillServes(c)

    def test_pipelined_bdat_transaction_in_one_write(self):
        c = self.session()
        marker = unique("pipebdat")
        msg = message_bytes(SENDER, [ANN, BOB], marker)
        c.send(b"MAIL FROM:<%s>\r\nRCPT TO:<%s>\r\nRCPT TO:<nobody@%s>\r\nRCPT TO:<%s>\r\nBDAT %d LAST\r\n%sQUIT\r\n"
               % (SENDER.encode(), ANN.encode(), DOMAIN.encode(), BOB.encode(), len(msg), msg))
        codes = [c.read_reply().code for _ in range(6)]
        self.assertEqual(codes, [250, 250, 550, 250, 250, 221])
        self.assertEqual(len(self.stored(marker, ANN)), 1)
        self.assertEqual(len(self.stored(marker, BOB)), 1)

    # --- pipelining --------------------------------------------------------------

    def test_pipelined_burst(self):
        c = self.session()
        self.assertIn("PIPELINING", c.ehlo().lines)
        marker = unique("burst")
        c.send("MAIL FROM:<%s>\r\nRCPT TO:<%s>\r\nRCPT TO:<ghost@%s>\r\nRCPT TO:<%s>\r\nDATA\r\n"
               % (SENDER, ANN, DOMAIN, BOB))
        replies = [c.read_reply() for _ in range(5)]
        self.assertEqual([r.code for r in replies], [250, 250, 550, 250, 354])
        self.assertEqual(replies[2].enhanced, "5.1.1")
        # Body, then the next transaction and NOOP, all in one write.
        marker2 = unique("burst2")
        c.send(message_bytes(SENDER, [ANN], marker) + b".\r\n"
               + ("RSET\r\nMAIL FROM:<%s>\r\nRCPT TO:<%s>\r\nDATA\r\n" % (SENDER, BOB)).encode())
        self.assertEqual([c.read_reply().code for _ in range(5)], [250, 250, 250, 250, 354])
        c.send(message_bytes(SENDER, [BOB], marker2) + b".\r\nNOOP\r\n")
        self.assertReply(c.read_reply(), 250, "2.0.0")
        self.assertReply(c.read_reply(), 250, "2.0.0")
        self.assertEqual(len(self.stored(marker, ANN)), 1)
        self.assertEqual(len(self.stored(marker, BOB)), 1)
        self.assertEqual(len(self.stored(marker2, BOB)), 1)

    # --- bad input ---------------------------------------------------------------

    def test_overlong_command_line(self):
        c = self.session()
        c.send(b"MAIL FROM:<" + b"a" * 20000 + b"@remote.test>\r\n")
        self.assertReply(c.read_reply(), 500, "5.5.2")
        c.send(b"NOOP " + b"x" * 100000 + b"\r\n")
        self.assertReply(c.read_reply(), 500, "5.5.2")
        self.assertStillServes(c)
        self.send_ok(c, unique("afterlong"))

    def test_bare_lf_in_commands(self):
        c = self.raw("smtp")
        c.send(b"EHLO client.test\n")
        self.assertReply(c.read_reply(), 250)
        c.send(b"NOOP\n")
        self.assertReply(c.read_reply(), 250)
        marker = unique("lfcmd")
        c.send(("MAIL FROM:<%s>\nRCPT TO:<%s>\n" % (SENDER, ANN)).encode())
        self.assertReply(c.read_reply(), 250)
        self.assertReply(c.read_reply(), 250)
        c.send(b"DATA\n")
        self.assertReply(c.read_reply(), 354)
        c.send(message_bytes(SENDER, [ANN], marker) + b".\r\n")
        self.assertReply(c.read_reply(), 250, "2.0.0")
        self.assertEqual(len(self.stored(marker)), 1)

    def test_bare_lf_in_data_is_refused(self):
        c = self.session()
        marker = unique("lfdata")
        self.envelope(c)
        self.assertReply(c.cmd("DATA"), 354)
        # A bare LF is not a line start: "\n.\n" does not end the data; the
        # message is refused at its end (stored, it would hide a "." line).
        c.send(("Subject: %s\nFrom: <%s>\n\nfirst\nsecond\r\nthird\n.\nstill data\r\n.\r\n" % (marker, SENDER)).encode())
        self.assertReply(c.read_reply(), 554, "5.6.0")
        self.assertEqual(self.stored(marker), [])
        self.assertStillServes(c)
        self.send_ok(c, unique("afterbare"))

    def test_dot_stuffing_is_undone(self):
        c = self.session()
        marker = unique("dots")
        msg = ("Subject: %s\r\n\r\n.hidden\r\n..two\r\n.\r\n" % marker).encode()  # sent stuffed below
        self.envelope(c)
        self.assertReply(c.cmd("DATA"), 354)
        c.send(("Subject: %s\r\n\r\n..hidden\r\n...two\r\n..\r\n.\r\n" % marker).encode())
        self.assertReply(c.read_reply(), 250)
        self.assertEqual(self.body_of(self.stored(marker)[0]), msg)

    def test_nul_bytes(self):
        c = self.session()
        c.send(b"NOOP\0\r\n")
        self.assertReply(c.read_reply(), 500, "5.5.2")
        c.send(b"MAIL FROM:<a\0b@remote.test>\r\n")
        self.assertReply(c.read_reply(), 500, "5.5.2")
        self.assertStillServes(c)
        # NUL inside the message: either stored exactly or refused, never mangled.
        marker = unique("nul")
        self.envelope(c)
        self.assertReply(c.cmd("DATA"), 354)
        body = ("Subject: %s\r\n\r\nbefore\0after\r\n" % marker).encode()
        c.send(body + b".\r\n")
        r = c.read_reply()
        self.assertIn(r.code, (250, 550, 554), r)
        stored = self.stored(marker)
        if r.code == 250:
            self.assertEqual(len(stored), 1)
            self.assertEqual(self.body_of(stored[0]), body)
        else:
            self.assertEqual(stored, [])
        self.assertStillServes(c)
        self.send_ok(c, unique("afternul"))

    def test_message_over_the_size_limit(self):
        self.setting("smtp.max_message_size_mb", 1)
        c = self.session()
        self.assertIn("SIZE 1048576", c.ehlo().lines)
        # Announced too big: refused at MAIL.
        self.assertReply(c.cmd("MAIL FROM:<%s> SIZE=2000000" % SENDER), 552, "5.3.4")
        marker = unique("big")
        blobs_before = self.blob_files()
        rows_before = self.blob_rows()
        self.envelope(c)
        self.assertReply(c.cmd("DATA"), 354)
        line = b"y" * 998 + b"\r\n"
        c.send(("Subject: %s\r\n\r\n" % marker).encode() + line * 1600 + b".\r\n")
        self.assertReply(c.read_reply(), 552, "5.3.4")
        self.assertEqual(self.stored(marker), [])
        # The same session takes the next message.
        self.assertStillServes(c)
        self.send_ok(c, unique("afterbig"))
        # And BDAT over the limit is refused too.
        self.envelope(c)
        chunk = line * 600
        c.send(b"BDAT %d\r\n" % len(chunk) + chunk)
        self.assertReply(c.read_reply(), 250)
        c.send(b"BDAT %d LAST\r\n" % len(chunk) + chunk)
        self.assertReply(c.read_reply(), 552, "5.3.4")
        self.assertReply(c.cmd("RSET"), 250)
        self.send_ok(c, unique("afterbigbdat"))
        # No blob of the refused messages is left behind (only the two accepted
        # ones are new: small, so rows with their bodies and no file).
        self.assertEqual(self.blob_rows(), rows_before + 2)
        self.assertEqual(self.blob_files() - blobs_before, set())

    def test_thousand_recipients(self):
        self.setting("smtp.max_recipients", 100)
        c = self.session()
        marker = unique("many")
        before = len(self.inbox(ANN))
        self.assertReply(c.cmd("MAIL FROM:<%s>" % SENDER), 250)
        replies = []
        for start in range(0, 1000, 100):
            c.send("".join("RCPT TO:<ann+%d@%s>\r\n" % (i, DOMAIN) for i in range(start, start + 100)))
            replies += [c.read_reply() for _ in range(100)]
        self.assertEqual([r.code for r in replies[:100]], [250] * 100)
        self.assertEqual({(r.code, r.enhanced) for r in replies[100:]}, {(452, "4.5.3")})
        _, done = c.data(message_bytes(SENDER, [ANN], marker))
        self.assertReply(done, 250, "2.0.0")
        # Every recipient is the same account: one copy.
        self.assertEqual(len(self.stored(marker)), 1)
        self.assertEqual(len(self.inbox(ANN)), before + 1)
        self.assertStillServes(c)

    def test_unknown_commands(self):
        c = self.session()
        for line in ("FOO", "MAIL", "XYZZY bar", "RCPT", "EHLO"):
            with self.subTest(line=line):
                r = c.cmd(line)
                self.assertIn(r.code, (500, 501, 502), r)
                self.assertTrue(r.enhanced.startswith("5.5."), r)
        self.assertEqual(c.cmd("FOO").code, 500)
        self.assertReply(c.cmd(""), 500)
        self.assertStillServes(c)
        self.send_ok(c, unique("afterunknown"))

    def test_too_many_errors_end_the_session(self):
        c = self.session()
        last = None
        for _ in range(40):
            last = c.cmd("BOGUS")
            if last.code == 421:
                break
        self.assertReply(last, 421)
        self.assertTrue(c.closed_by_server())
        # A new session is served.
        self.send_ok(self.session(), unique("aftererrors"))

    def test_commands_before_ehlo_and_out_of_order(self):
        c = self.raw("smtp")
        self.assertReply(c.cmd("MAIL FROM:<%s>" % SENDER), 503, "5.5.1")
        self.assertReply(c.cmd("RCPT TO:<%s>" % ANN), 503, "5.5.1")
        self.assertReply(c.cmd("DATA"), 503, "5.5.1")
        c.ehlo()
        self.assertReply(c.cmd("RCPT TO:<%s>" % ANN), 503, "5.5.1")
        self.assertReply(c.cmd("DATA"), 503, "5.5.1")
        self.assertReply(c.cmd("MAIL FROM:<%s>" % SENDER), 250)
        self.assertReply(c.cmd("MAIL FROM:<%s>" % SENDER), 503, "5.5.1")
        self.assertReply(c.cmd("DATA"), 503, "5.5.1")
        self.assertReply(c.cmd("RCPT TO:<%s>" % ANN), 250)
        self.assertReply(c.cmd("RSET"), 250)
        self.assertReply(c.cmd("DATA"), 503, "5.5.1")
        self.send_ok(c, unique("afterorder"))
        # HELO works too, and then extensions' parameters are refused.
        c2 = self.raw("smtp")
        self.assertReply(c2.cmd("HELO client.test"), 250)
        self.assertEqual(c2.cmd("MAIL FROM:<%s> BODY=8BITMIME" % SENDER).code, 555)
        self.assertReply(c2.cmd("MAIL FROM:<%s>" % SENDER), 250)

    def test_client_disconnects_mid_data(self):
        marker = unique("vanish")
        before_rows = len(self.inbox(ANN))
        before_blobs = self.blob_files()
        before_rows_of_blobs = self.blob_rows()
        c = self.session()
        self.envelope(c)
        self.assertReply(c.cmd("DATA"), 354)
        c.send(("Subject: %s\r\n\r\n" % marker).encode() + b"z" * 300000)
        gone = [c.sock.getsockname()[1]]
        c.sock.shutdown(socket.SHUT_RDWR)
        c.close()
        # Also a client that vanishes in the middle of a BDAT chunk.
        c = self.session()
        self.envelope(c)
        c.send(b"BDAT 100000 LAST\r\n" + ("Subject: %s\r\n\r\n" % marker).encode() + b"q" * 5000)
        gone.append(c.sock.getsockname()[1])
        c.close()
        # Once the server has ended both sessions, nothing of them can still be stored.
        for port in gone:
            wait_until_server_closed(self.server.port("smtp"), port)
        self.assertEqual(len(self.inbox(ANN)), before_rows)
        self.assertEqual(self.stored(marker), [])
        self.assertEqual(self.blob_files() - before_blobs, set())
        self.assertEqual(self.blob_rows(), before_rows_of_blobs)
        self.assertEqual(self.scalar("SELECT count(*) FROM queue"), "0")
        self.send_ok(self.session(), unique("aftervanish"))

    def test_vrfy_and_expn_do_not_disclose(self):
        c = self.session()
        replies = {}
        for verb in ("VRFY", "EXPN"):
            for who in (ANN, "ann", "nobody@" + DOMAIN, "nobody"):
                with self.subTest(verb=verb, who=who):
                    r = c.cmd("%s %s" % (verb, who))
                    self.assertEqual(r.code, 252, r)
                    self.assertNotIn("ann@", r.text)
                    replies.setdefault(verb, set()).add(r.raw)
        # An existing and an unknown account get the same answer.
        for verb, answers in replies.items():
            self.assertEqual(len(answers), 1, (verb, answers))
        self.assertStillServes(c)

    def test_plaintext_pipelined_after_starttls_is_discarded(self):
        # RFC 3207 / CVE-2011-0411: commands sent with STARTTLS in one packet
        # must not be executed inside the TLS session.
        c = self.session()
        c.send(b"STARTTLS\r\nMAIL FROM:<injected@remote.test>\r\n")
        self.assertReply(c.read_reply(), 220)
        self.assertEqual(c.buf, b"")
        c.sock = tls_context().wrap_socket(c.sock)
        ehlo = c.cmd("EHLO client.test")
        self.assertReply(ehlo, 250)
        self.assertGreater(len(ehlo.lines), 1, "the first reply inside TLS is not EHLO's: %r" % ehlo)
        # No transaction was started by the injected MAIL.
        self.assertReply(c.cmd("RCPT TO:<%s>" % ANN), 503, "5.5.1")
        self.send_ok(c, unique("afterinjection"))

    def test_help_noop_rset_quit(self):
        c = self.session()
        self.assertEqual(c.cmd("HELP").code, 214)
        self.assertReply(c.cmd("NOOP"), 250, "2.0.0")
        self.assertReply(c.cmd("RSET"), 250, "2.0.0")
        self.assertReply(c.cmd("QUIT"), 221, "2.0.0")
        self.assertTrue(c.closed_by_server())


if __name__ == "__main__":
    unittest.main()
