"""SMTP policy, changed live: recipient validation (unknown, catch-all,
over quota, disabled), allow and deny lists, per-IP message rate and
connection limits, the banner name, and sender ownership on submission.
Tests that limit by client IP connect from their own loopback address
(127.0.0.x) so that they do not disturb each other."""

import smtplib
import time
import unittest

from posta_harness import stop_servers as tearDownModule  # noqa: F401
from smtp_helpers import API, PASSWORD, SmtpTestCase, message_bytes, tls_context, unique

DOMAIN = "pol.test"
CATCH_DOMAIN = "catch.test"
ANN, BOB = "ann@" + DOMAIN, "bob@" + DOMAIN
FULL = "full@" + DOMAIN
OFF = "off@" + DOMAIN
SENDER = "sender@remote.test"


class PolicyTests(SmtpTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.make_domain(DOMAIN)
        cls.make_domain(CATCH_DOMAIN)
        for a in (ANN, BOB, "sink@" + CATCH_DOMAIN, "known@" + CATCH_DOMAIN):
            cls.make_account(a)
        cls.make_account(FULL, quota=100000)
        cls.make_account(OFF, enabled=False)
        cls.make_alias("ann.alias@" + DOMAIN, [ANN])
        cls.make_alias("bob.alias@" + DOMAIN, [BOB])

    def session(self, source=None, listener="smtp"):
        c = self.raw(listener, source=source)
        self.assertReply(c.greeting, 220)
        c.ehlo()
        return c

    def deliver(self, c, rcpts, marker, sender=SENDER):
        """A transaction whose recipients must all be accepted."""
        self.assertReply(c.cmd("MAIL FROM:<%s>" % sender), 250)
        for r in rcpts:
            self.assertReply(c.cmd("RCPT TO:<%s>" % r), 250)
        _, done = c.data(message_bytes(sender, rcpts, marker))
        self.assertReply(done, 250, "2.0.0")

    # --- recipients ------------------------------------------------------------

    def test_unknown_local_recipient(self):
        c = self.session()
        self.assertReply(c.cmd("MAIL FROM:<%s>" % SENDER), 250)
        r = c.cmd("RCPT TO:<nobody@%s>" % DOMAIN)
        self.assertReply(r, 550, "5.1.1")
        self.assertReply(c.cmd("DATA"), 554)  # no valid recipient
        self.assertReply(c.cmd("RSET"), 250)
        self.deliver(c, [ANN], unique("afterunknown"))

    def test_catch_all_receives_unknown_recipients(self):
        c = self.session()
        self.assertReply(c.cmd("MAIL FROM:<%s>" % SENDER), 250)
        self.assertReply(c.cmd("RCPT TO:<whoever@%s>" % CATCH_DOMAIN), 550, "5.1.1")
        # Set by the administrator's command; refused for an address that does
        # not exist or belongs to another domain.
        rc, _, err = self.server.cli("domain", "set", CATCH_DOMAIN, "--catch-all", "nobody@" + CATCH_DOMAIN)
        self.assertNotEqual(rc, 0)
        self.assertIn("nobody@" + CATCH_DOMAIN, err)
        rc, _, err = self.server.cli("domain", "set", CATCH_DOMAIN, "--catch-all", ANN)
        self.assertNotEqual(rc, 0)
        rc, out, err = self.server.cli("--json", "domain", "set", CATCH_DOMAIN, "--catch-all", "sink@" + CATCH_DOMAIN)
        self.assertEqual(rc, 0, err)
        self.assertIn('"catch_all":"sink@%s"' % CATCH_DOMAIN, out.replace(" ", ""))
        self.addCleanup(self.server.cli, "domain", "set", CATCH_DOMAIN, "--catch-all", "")
        marker = unique("catch")
        c = self.session()
        self.deliver(c, ["whoever@" + CATCH_DOMAIN, "known@" + CATCH_DOMAIN], marker)
        self.assertEqual(len(self.full_messages("sink@" + CATCH_DOMAIN, marker)), 1)
        self.assertEqual(len(self.full_messages("known@" + CATCH_DOMAIN, marker)), 1)
        # Other domains are not affected.
        self.assertReply(c.cmd("MAIL FROM:<%s>" % SENDER), 250)
        self.assertReply(c.cmd("RCPT TO:<whoever@%s>" % DOMAIN), 550, "5.1.1")

    def test_over_quota_recipient_refused_while_others_proceed(self):
        marker = unique("fill")
        c = self.session()
        self.deliver(c, [FULL], marker)
        used = self.used_bytes(FULL)
        self.assertGreater(used, 0)
        status, body = self.api("PATCH", API + "/accounts/" + FULL, json={"quota_bytes": used})
        self.assertEqual(status, 200, body)
        self.addCleanup(self.api, "PATCH", API + "/accounts/" + FULL, json={"quota_bytes": 100000})
        marker = unique("quota")
        self.assertReply(c.cmd("MAIL FROM:<%s>" % SENDER), 250)
        self.assertReply(c.cmd("RCPT TO:<%s>" % ANN), 250)
        self.assertReply(c.cmd("RCPT TO:<%s>" % FULL), 452, "4.2.2")
        self.assertReply(c.cmd("RCPT TO:<%s>" % BOB), 250)
        _, done = c.data(message_bytes(SENDER, [ANN, BOB], marker))
        self.assertReply(done, 250, "2.0.0")
        self.assertEqual(len(self.full_messages(ANN, marker)), 1)
        self.assertEqual(len(self.full_messages(BOB, marker)), 1)
        self.assertEqual(self.full_messages(FULL, marker), [])
        self.assertEqual(self.used_bytes(FULL), used)

    def test_disabled_account(self):
        c = self.session()
        self.assertReply(c.cmd("MAIL FROM:<%s>" % SENDER), 250)
        self.assertReply(c.cmd("RCPT TO:<%s>" % OFF), 550, "5.2.1")
        self.assertReply(c.cmd("RCPT TO:<%s>" % ANN), 250)

    # --- allow and deny lists ----------------------------------------------------

    def test_deny_list_by_ip_sender_and_domain(self):
        self.setting("smtp.deny_list", ["127.0.0.2", "spam@remote.test", "@junk.test"])
        c = self.session(source="127.0.0.2")
        self.assertReply(c.cmd("MAIL FROM:<%s>" % SENDER), 554, "5.7.1")
        self.assertStillServes(c)
        c = self.session(source="127.0.0.3")
        for sender in ("spam@remote.test", "SPAM@Remote.Test", "anyone@junk.test"):
            with self.subTest(sender=sender):
                self.assertReply(c.cmd("MAIL FROM:<%s>" % sender), 554, "5.7.1")
        self.deliver(c, [ANN], unique("notdenied"))

    def test_allow_list_overrides_deny_list(self):
        self.setting("smtp.deny_list", ["127.0.0.0/24", "@remote.test"])
        self.setting("smtp.allow_list", ["good@remote.test", "127.0.0.9"])
        c = self.session(source="127.0.0.8")
        self.assertReply(c.cmd("MAIL FROM:<other@remote.test>"), 554, "5.7.1")
        marker = unique("allowed")
        self.deliver(c, [ANN], marker, sender="good@remote.test")
        self.assertEqual(len(self.full_messages(ANN, marker)), 1)
        c = self.session(source="127.0.0.9")
        self.deliver(c, [ANN], unique("allowedip"), sender="other@remote.test")

    def test_messages_per_ip_per_minute(self):
        self.setting("smtp.max_messages_per_ip_per_minute", 2)
        c = self.session(source="127.0.0.4")
        self.deliver(c, [ANN], unique("rate1"))
        self.deliver(c, [ANN], unique("rate2"))
        r = c.cmd("MAIL FROM:<%s>" % SENDER)
        self.assertIn(r.code, (421, 451), r)
        self.assertTrue(r.enhanced.startswith("4.7."), r)
        # Another client address is not limited by this one's count.
        self.deliver(self.session(source="127.0.0.5"), [ANN], unique("rate-other"))

    def test_connections_per_ip(self):
        self.setting("smtp.max_connections_per_ip", 2)
        first = self.session(source="127.0.0.6")
        second = self.session(source="127.0.0.6")
        extra = self.raw("smtp", source="127.0.0.6")
        self.assertReply(extra.greeting, 421)
        self.assertTrue(extra.greeting.enhanced.startswith("4."), extra.greeting)
        self.assertTrue(extra.closed_by_server())
        # Other addresses still get in, and the two open sessions still work.
        self.session(source="127.0.0.7")
        self.assertStillServes(first)
        self.assertStillServes(second)
        # A freed slot can be used again.
        first.cmd("QUIT")
        first.close()
        deadline = time.monotonic() + 5
        while True:
            again = self.raw("smtp", source="127.0.0.6")
            if again.greeting.code == 220 or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        self.assertReply(again.greeting, 220)

    def test_banner_name(self):
        c = self.session()
        self.assertTrue(c.greeting.lines[0].startswith("posta.itest"), c.greeting)
        self.setting("smtp.banner_name", "mx1.banner.test")
        c = self.raw("smtp")
        self.assertReply(c.greeting, 220)
        self.assertTrue(c.greeting.lines[0].startswith("mx1.banner.test"), c.greeting)
        self.assertEqual(c.ehlo().lines[0].split()[0], "mx1.banner.test")
        marker = unique("banner")
        self.deliver(c, [ANN], marker)
        self.assertIn(b"by mx1.banner.test", self.full_messages(ANN, marker)[0])

    # --- submission sender ownership ------------------------------------------------

    def submission(self, user=ANN):
        c = smtplib.SMTP("127.0.0.1", self.server.port("submission"), local_hostname="client.test", timeout=30)
        self.addCleanup(c.close)
        c.starttls(context=tls_context())
        c.login(user, PASSWORD)
        return c

    def test_submission_envelope_sender_must_be_owned(self):
        c = self.submission()
        for sender in (BOB, "bob.alias@" + DOMAIN, "ann@remote.test", "stranger@" + DOMAIN):
            with self.subTest(sender=sender):
                code, msg = c.docmd("MAIL", "FROM:<%s>" % sender)
                self.assertEqual((code, msg[:5]), (553, b"5.7.1"), msg)
        code, msg = c.docmd("MAIL", "FROM:<%s>" % ANN.upper())
        self.assertEqual(code, 250, msg)

    def test_submission_from_header_must_be_owned(self):
        c = self.submission()
        marker = unique("forged")
        with self.assertRaises(smtplib.SMTPDataError) as cm:
            c.sendmail(ANN, [BOB], message_bytes(BOB, [BOB], marker))
        self.assertEqual(cm.exception.smtp_code, 553)
        self.assertTrue(cm.exception.smtp_error.startswith(b"5.7.1"), cm.exception.smtp_error)
        self.assertEqual(self.full_messages(BOB, marker), [])
        # The session goes on.
        marker = unique("honest")
        self.assertEqual(c.sendmail(ANN, [BOB], message_bytes(ANN, [BOB], marker)), {})
        self.assertEqual(len(self.full_messages(BOB, marker)), 1)

    def test_submission_may_use_an_owned_alias(self):
        c = self.submission()
        marker = unique("alias")
        alias = "ann.alias@" + DOMAIN
        self.assertEqual(c.sendmail(alias, [BOB], message_bytes(alias, [BOB], marker)), {})
        stored = self.full_messages(BOB, marker)
        self.assertEqual(len(stored), 1)
        self.assertTrue(stored[0].startswith(("Return-Path: <%s>\r\n" % alias).encode()), stored[0][:100])

    def test_plaintext_auth_on_loopback_only_when_allowed(self):
        c = self.session(listener="submission")
        self.assertFalse(any(l.startswith("AUTH") for l in c.ehlo().lines))
        self.assertReply(c.auth_plain(ANN, PASSWORD), 538, "5.7.11")
        self.setting("smtp.allow_plaintext_auth_on_loopback", True)
        c = self.session(listener="submission")
        self.assertTrue(any(l.startswith("AUTH") for l in c.ehlo().lines))
        self.assertReply(c.auth_plain(ANN, PASSWORD), 235, "2.7.0")
        marker = unique("plainauth")
        self.deliver(c, [BOB], marker, sender=ANN)
        self.assertIn(("authenticated as %s" % ANN).encode(), self.full_messages(BOB, marker)[0])

    def test_submissions_implicit_tls(self):
        c = self.raw("submissions")
        self.assertReply(c.greeting, 220)
        ehlo = c.ehlo()
        self.assertNotIn("STARTTLS", ehlo.lines)
        self.assertTrue(any(l.startswith("AUTH ") and "PLAIN" in l.split() for l in ehlo.lines), ehlo)
        self.assertReply(c.cmd("MAIL FROM:<%s>" % ANN), 530, "5.7.0")
        self.assertReply(c.auth_plain(ANN, PASSWORD), 235, "2.7.0")
        marker = unique("smtps")
        self.deliver(c, [BOB], marker, sender=ANN)
        text = self.full_messages(BOB, marker)[0]
        self.assertIn(b"ESMTPSA", text)
        self.assertIn(("authenticated as %s" % ANN).encode(), text)


if __name__ == "__main__":
    unittest.main()
