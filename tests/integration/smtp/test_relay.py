"""No open relay: an unauthenticated client of the smtp port cannot get mail
to a foreign domain accepted, whatever the address trick; trusted networks
(empty by default, not even loopback) and authenticated sessions can, and
their remote recipients land in the durable queue."""

import smtplib
import unittest

from posta_harness import stop_servers as tearDownModule  # noqa: F401
from smtp_helpers import API, PASSWORD, SmtpTestCase, message_bytes, sql_literal, tls_context, unique

DOMAIN = "example.test"
ANN = "ann@" + DOMAIN
SENDER = "sender@remote.test"

# Recipients that are, or try to smuggle, a foreign destination, and what
# they must get: "relay" 554 5.7.1; "syntax" 501; "local" any refusal of a
# local-domain address (550 no such user, 553, 554 or 501).
FOREIGN = [
    ("user@foreign.test", "relay"),
    ("user@FOREIGN.TEST", "relay"),
    ("User@Sub.Foreign.Test", "relay"),
    ("postmaster@foreign.test", "relay"),
    ("user@%s.foreign.test" % DOMAIN, "relay"),
    ("user@[127.0.0.1]", "relay"),
    ("user@[IPv6:::1]", "relay"),
    ("ann@[127.0.0.1]", "relay"),
    ("@a.test,@b.test:user@foreign.test", "relay"),
    ("@%s:user@foreign.test" % DOMAIN, "relay"),
    ("user@foreign.test@" + DOMAIN, "syntax"),
    ("user@foreign.test.", "local"),
    ("user%foreign.test@" + DOMAIN, "local"),
    ("user%foreign.test@" + DOMAIN.upper(), "local"),
    ('"user@foreign.test"@' + DOMAIN, "local"),
    ('"user%foreign.test"@' + DOMAIN, "local"),
    ('"user@foreign.test"', "local"),
    ("foreign.test!user@" + DOMAIN, "local"),
    ("user@foreign.test,user2@foreign.test", "local"),
]


class RelayTests(SmtpTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.make_domain(DOMAIN)
        cls.make_account(ANN)

    def queued(self, marker_or_rcpt):
        return self.sql("SELECT recipient, sender, blob_hash FROM queue WHERE recipient ILIKE %s"
                        % sql_literal("%" + marker_or_rcpt + "%"))

    def session(self, source=None):
        c = self.raw("smtp", source=source)
        c.ehlo()
        return c

    def test_trusted_networks_empty_by_default(self):
        status, body = self.api("GET", API + "/settings/smtp.trusted_networks")
        self.assertEqual(status, 200, body)
        self.assertEqual(body["value"], [])
        rc, out, err = self.server.cli("--json", "settings", "get", "smtp.trusted_networks")
        self.assertEqual(rc, 0, err)

    def test_unauthenticated_relay_refused_with_every_trick(self):
        before = self.scalar("SELECT count(*) FROM queue")
        for rcpt, expected in FOREIGN:
            with self.subTest(rcpt=rcpt):
                c = self.session()  # each in its own session: refusals count towards an error budget
                self.assertReply(c.cmd("MAIL FROM:<%s>" % SENDER), 250)
                r = c.cmd("RCPT TO:<%s>" % rcpt)
                self.assertGreaterEqual(r.code, 500, "relay accepted for %s: %r" % (rcpt, r))
                if expected == "relay":
                    self.assertReply(r, 554, "5.7.1", rcpt)
                elif expected == "syntax":
                    self.assertReply(r, 501, None, rcpt)
                else:
                    self.assertIn(r.code, (501, 550, 553, 554), r)
                self.assertIn(c.cmd("DATA").code, (503, 554))
                self.assertReply(c.cmd("RSET"), 250)
                c.close()
        self.assertEqual(self.scalar("SELECT count(*) FROM queue"), before)

    def test_relay_refused_in_a_pipelined_transaction_with_a_local_recipient(self):
        c = self.session()
        marker = unique("mixed")
        c.send("MAIL FROM:<%s>\r\nRCPT TO:<%s>\r\nRCPT TO:<%s@foreign.test>\r\nDATA\r\n" % (SENDER, ANN, marker))
        codes = [c.read_reply() for _ in range(4)]
        self.assertEqual([r.code for r in codes], [250, 250, 554, 354])
        c.send(message_bytes(SENDER, [ANN], marker) + b".\r\n")
        self.assertReply(c.read_reply(), 250)
        self.assertEqual(len(self.full_messages(ANN, marker)), 1)
        self.assertEqual(self.queued(marker), [])

    def test_local_recipient_in_upper_case_is_local(self):
        c = self.session()
        marker = unique("upper")
        self.assertReply(c.cmd("MAIL FROM:<%s>" % SENDER), 250)
        self.assertReply(c.cmd("RCPT TO:<ANN@EXAMPLE.TEST>"), 250)
        _, done = c.data(message_bytes(SENDER, [ANN], marker))
        self.assertReply(done, 250)
        self.assertEqual(len(self.full_messages(ANN, marker)), 1)

    def test_trusted_network_may_relay(self):
        marker = unique("trusted")
        rcpt = "%s@foreign.test" % marker
        self.setting("smtp.trusted_networks", ["127.0.0.1/32"])
        c = self.session()
        self.assertReply(c.cmd("MAIL FROM:<%s>" % SENDER), 250)
        self.assertReply(c.cmd("RCPT TO:<%s>" % rcpt), 250)
        _, done = c.data(message_bytes(SENDER, [rcpt], marker))
        self.assertReply(done, 250, "2.0.0")
        rows = self.queued(marker)
        self.assertEqual(len(rows), 1, rows)
        self.assertEqual(rows[0][:2], [rcpt, SENDER])
        self.assertIn(marker.encode(), self.blob(rows[0][2]))
        # Another loopback address is not in the /32.
        other = self.session(source="127.0.0.2")
        self.assertReply(other.cmd("MAIL FROM:<%s>" % SENDER), 250)
        self.assertReply(other.cmd("RCPT TO:<x-%s>" % rcpt), 554, "5.7.1")
        # Trust goes away with the setting, live.
        self.server.api("PUT", API + "/settings/smtp.trusted_networks", json={"value": []})
        c = self.session()
        self.assertReply(c.cmd("MAIL FROM:<%s>" % SENDER), 250)
        self.assertReply(c.cmd("RCPT TO:<%s>" % rcpt), 554, "5.7.1")

    def test_authenticated_submission_is_queued(self):
        marker = unique("submit")
        rcpt = "%s@foreign.test" % marker
        c = smtplib.SMTP("127.0.0.1", self.server.port("submission"), local_hostname="client.test", timeout=30)
        self.addCleanup(c.close)
        c.starttls(context=tls_context())
        c.login(ANN, PASSWORD)
        self.assertEqual(c.sendmail(ANN, [rcpt, ANN], message_bytes(ANN, [rcpt, ANN], marker)), {})
        c.quit()
        rows = self.queued(marker)
        self.assertEqual(len(rows), 1, rows)
        self.assertEqual(rows[0][:2], [rcpt, ANN])
        self.assertEqual(len(self.full_messages(ANN, marker)), 1)
        # The queued copy and the local copy share one blob.
        self.assertEqual(rows[0][2], self.inbox(ANN)[-1]["hash"])

    def test_authenticated_session_on_the_smtp_port_may_relay_but_failed_auth_may_not(self):
        marker = unique("mxauth")
        rcpt = "%s@foreign.test" % marker
        self.setting("smtp.auth_on_mx", True)  # AUTH on the MX port is off by default
        c = self.session()
        c.starttls()
        c.ehlo()
        self.assertReply(c.auth_plain(ANN, "not-the-password"), 535, "5.7.8")
        self.assertReply(c.cmd("MAIL FROM:<%s>" % ANN), 250)
        self.assertReply(c.cmd("RCPT TO:<%s>" % rcpt), 554, "5.7.1")
        self.assertReply(c.cmd("RSET"), 250)
        self.assertReply(c.auth_plain(ANN, PASSWORD), 235)
        self.assertReply(c.cmd("MAIL FROM:<%s>" % ANN), 250)
        self.assertReply(c.cmd("RCPT TO:<%s>" % rcpt), 250)
        _, done = c.data(message_bytes(ANN, [rcpt], marker))
        self.assertReply(done, 250)
        self.assertEqual(len(self.queued(marker)), 1)


if __name__ == "__main__":
    unittest.main()
