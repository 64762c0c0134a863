"""SMTP with Python's smtplib as the client: EHLO capabilities, STARTTLS and
AUTH on submission, SMTPUTF8, several recipients with aliases and groups, and
what the delivery leaves in the mailbox store (Return-Path/Delivered-To,
Received with TLS and the user, one copy per account, UID/MODSEQ, quota)."""

import smtplib
import unittest

from posta_harness import stop_servers as tearDownModule  # noqa: F401
from smtp_helpers import PASSWORD, SmtpTestCase, message_bytes, sql_literal, tls_context, unique

DOMAIN = "lib.test"
ANN, BOB, CAT, DAN = ("%s@%s" % (n, DOMAIN) for n in ("ann", "bob", "cat", "dan"))
CORE_CAPS = ("pipelining", "size", "8bitmime", "smtputf8", "enhancedstatuscodes", "chunking", "dsn")


class SmtplibTests(SmtpTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.make_domain(DOMAIN)
        for a in (ANN, BOB, CAT, DAN):
            cls.make_account(a)
        cls.make_alias("team@" + DOMAIN, [ANN, CAT])
        cls.make_group("crew@" + DOMAIN, [BOB, DAN])

    def mx(self):
        c = smtplib.SMTP("127.0.0.1", self.server.port("smtp"), local_hostname="client.test", timeout=30)
        self.addCleanup(c.close)
        return c

    def submission(self, user=ANN, password=PASSWORD):
        c = smtplib.SMTP("127.0.0.1", self.server.port("submission"), local_hostname="client.test", timeout=30)
        self.addCleanup(c.close)
        c.ehlo()
        c.starttls(context=tls_context())
        c.ehlo()
        if user:
            c.login(user, password)
        return c

    # --- capabilities ------------------------------------------------------

    def test_ehlo_capabilities_on_the_smtp_port(self):
        c = self.mx()
        code, _ = c.ehlo()
        self.assertEqual(code, 250)
        for cap in CORE_CAPS + ("starttls",):
            self.assertTrue(c.has_extn(cap), "%s missing in %r" % (cap, c.esmtp_features))
        self.assertEqual(c.esmtp_features["size"], str(25 * 1024 * 1024))  # the default 25 MB
        # No AUTH offered in cleartext.
        self.assertFalse(c.has_extn("auth"), c.esmtp_features)
        c.starttls(context=tls_context())
        c.ehlo()
        self.assertFalse(c.has_extn("starttls"), "STARTTLS offered again inside TLS")
        # AUTH is not offered on the MX port unless smtp.auth_on_mx enables it.
        self.assertFalse(c.has_extn("auth"), c.esmtp_features)
        c.quit()
        self.setting("smtp.auth_on_mx", True)
        c = self.mx()
        c.ehlo()
        c.starttls(context=tls_context())
        c.ehlo()
        self.assertIn("PLAIN", c.esmtp_features.get("auth", "").split())

    def test_size_follows_the_setting(self):
        self.setting("smtp.max_message_size_mb", 7)
        c = self.mx()
        c.ehlo()
        self.assertEqual(c.esmtp_features["size"], str(7 * 1024 * 1024))
        c.quit()
        # 0: as large as the store can parse (just under 2 GiB), advertised as such.
        self.setting("smtp.max_message_size_mb", 0)
        c = self.mx()
        c.ehlo()
        self.assertEqual(int(c.esmtp_features["size"]), 2 ** 31 - 2 ** 20)
        c.quit()
        # The setting cannot promise more than that.
        status, body = self.server.api("PUT", "/api/v1/settings/smtp.max_message_size_mb", json={"value": 4096})
        self.assertEqual(status, 400, body)

    def test_submission_offers_auth_only_after_starttls(self):
        c = smtplib.SMTP("127.0.0.1", self.server.port("submission"), local_hostname="client.test", timeout=30)
        self.addCleanup(c.close)
        c.ehlo()
        self.assertTrue(c.has_extn("starttls"))
        self.assertFalse(c.has_extn("auth"), c.esmtp_features)
        code, msg = c.docmd("AUTH", "PLAIN AGFubkBsaWIudGVzdABwdw==")
        self.assertIn(code, (530, 538), msg)
        code, msg = c.docmd("MAIL", "FROM:<%s>" % ANN)
        self.assertEqual(code, 530, msg)
        c.starttls(context=tls_context())
        c.ehlo()
        for cap in CORE_CAPS:
            self.assertTrue(c.has_extn(cap), "%s missing in %r" % (cap, c.esmtp_features))
        self.assertEqual(sorted(c.esmtp_features["auth"].split()), ["LOGIN", "PLAIN", "SCRAM-SHA-256"])
        self.assertFalse(c.has_extn("starttls"))
        # Still no mail without AUTH.
        code, msg = c.docmd("MAIL", "FROM:<%s>" % ANN)
        self.assertEqual(code, 530, msg)

    # --- AUTH ----------------------------------------------------------------

    def test_auth_plain_and_login(self):
        for mech in ("PLAIN", "LOGIN"):
            with self.subTest(mech=mech):
                c = self.submission(user=None)
                c.user, c.password = BOB, PASSWORD
                code, msg = c.auth(mech, getattr(c, "auth_" + mech.lower()),
                                   initial_response_ok=(mech == "PLAIN"))
                self.assertEqual(code, 235, msg)
                self.assertTrue(msg.startswith(b"2.7.0"), msg)
                c.quit()
        c = self.submission(user=None)
        with self.assertRaises(smtplib.SMTPAuthenticationError) as cm:
            c.login(BOB, "wrong-password")
        self.assertEqual(cm.exception.smtp_code, 535)
        self.assertTrue(cm.exception.smtp_error.startswith(b"5.7.8"), cm.exception.smtp_error)
        # The session is still usable: a right password afterwards works.
        c.login(BOB, PASSWORD)

    # --- delivery --------------------------------------------------------------

    def test_submission_delivers_with_received_return_path_and_delivered_to(self):
        c = self.submission(user=ANN)
        version, cipher = c.sock.version(), c.sock.cipher()[0]
        subject = unique("received")
        refused = c.sendmail(ANN, [BOB], message_bytes(ANN, [BOB], subject))
        self.assertEqual(refused, {})
        c.quit()
        stored = self.full_messages(BOB, subject)
        self.assertEqual(len(stored), 1)
        text = stored[0]
        head = text.split(b"\r\n\r\n", 1)[0]
        self.assertTrue(text.startswith(("Return-Path: <%s>\r\nDelivered-To: %s\r\nReceived: " % (ANN, BOB)).encode()),
                        text[:300])
        received = head.split(b"Received: ", 1)[1].split(b"\r\nFrom:", 1)[0].decode()
        self.assertIn(version.replace("TLSv", "TLS"), received.replace("TLSv", "TLS"))
        self.assertIn(cipher, received)
        self.assertIn(ANN, received)
        self.assertIn("client.test", received)
        self.assertIn("127.0.0.1", received)
        # Line endings are CRLF all through, and the body came through unchanged.
        self.assertNotIn(b"\n", text.replace(b"\r\n", b""))
        self.assertTrue(text.endswith(b"\r\n\r\nHello.\r\n"), text[-60:])

    def test_smtputf8_sender(self):
        sender = "pelé@exemple.test"
        subject = unique("utf8")
        c = self.mx()
        c.ehlo()
        self.assertTrue(c.has_extn("smtputf8"))
        body = message_bytes(sender, [CAT], subject, body="Grüße.\r\n")
        refused = c.sendmail(sender, [CAT], body, mail_options=["SMTPUTF8", "BODY=8BITMIME"])
        self.assertEqual(refused, {})
        c.quit()
        stored = self.full_messages(CAT, subject)
        self.assertEqual(len(stored), 1)
        self.assertTrue(stored[0].startswith(("Return-Path: <%s>\r\nDelivered-To: %s\r\n" % (sender, CAT))
                                             .encode()), stored[0][:200])
        self.assertIn("Grüße.".encode(), stored[0])
        self.assertIn(b"UTF8SMTP", stored[0].split(b"\r\n\r\n", 1)[0])

    def test_smtputf8_recipient_in_an_idn_domain(self):
        # The domain is stored as its A-label; a UTF-8 address names it by its U-label.
        self.make_domain("bücher.test")
        self.make_account("eva@xn--bcher-kva.test")
        subject = unique("idn")
        c = self.mx()
        c.ehlo()
        c.command_encoding = "utf-8"
        code, msg = c.docmd("MAIL", "FROM:<müller@exemple.test> SMTPUTF8")
        self.assertEqual(code, 250, msg)
        code, msg = c.docmd("RCPT", "TO:<eva@bücher.test>")
        self.assertEqual(code, 250, msg)
        code, msg = c.data(message_bytes("müller@exemple.test", ["eva@bücher.test"], subject))
        self.assertEqual(code, 250, msg)
        # Without SMTPUTF8 the UTF-8 address is refused (RFC 6531 3.4).
        code, _ = c.docmd("MAIL", "FROM:<x@exemple.test>")
        self.assertEqual(code, 250)
        code, msg = c.docmd("RCPT", "TO:<eva@bücher.test>")
        self.assertEqual((code, msg[:5]), (553, b"5.6.7"), msg)
        c.quit()
        self.assertEqual(len(self.full_messages("eva@xn--bcher-kva.test", subject)), 1)

    def test_several_recipients_aliases_groups_and_duplicates(self):
        before = {a: len(self.inbox(a)) for a in (ANN, BOB, CAT, DAN)}
        subject = unique("multi")
        # ann directly and through team@; bob directly and through crew@; ANN also in upper case.
        recipients = [ANN, "team@" + DOMAIN, BOB, "crew@" + DOMAIN, ANN.upper()]
        c = self.mx()
        refused = c.sendmail("sender@remote.test", recipients, message_bytes("sender@remote.test", recipients, subject))
        self.assertEqual(refused, {})
        c.quit()
        hashes = set()
        for account in (ANN, BOB, CAT, DAN):
            with self.subTest(account=account):
                copies = self.full_messages(account, subject)
                self.assertEqual(len(copies), 1, "%s got %d copies" % (account, len(copies)))
                self.assertEqual(len(self.inbox(account)), before[account] + 1)
                self.assertIn(("Delivered-To: %s\r\n" % account).encode(), copies[0].split(b"Received:", 1)[0])
                hashes.update(m["hash"] for m in self.inbox(account) if subject.encode() in self.blob(m["hash"]))
        # One blob serves every copy.
        self.assertEqual(len(hashes), 1)
        digest = hashes.pop()
        self.assertEqual(self.scalar("SELECT refcount FROM blobs WHERE hash = %s" % sql_literal(digest)), "4")
        self.assertIsNotNone(self.scalar("SELECT structure FROM blob_structures WHERE hash = %s" % sql_literal(digest)))

    def test_uid_modseq_and_quota_usage(self):
        account = "counter@" + DOMAIN
        self.make_account(account, quota=10 * 1024 * 1024)
        self.assertEqual(self.used_bytes(account), 0)
        c = self.mx()
        for i in range(3):
            c.sendmail("sender@remote.test", [account],
                       message_bytes("sender@remote.test", [account], unique("seq%d" % i), body="x" * (100 * i) + "\r\n"))
        c.quit()
        rows = self.inbox(account)
        self.assertEqual([m["uid"] for m in rows], [1, 2, 3])
        modseqs = [m["modseq"] for m in rows]
        self.assertEqual(modseqs, sorted(set(modseqs)), "MODSEQ must strictly increase")
        for m in rows:
            self.assertEqual(m["size"], len(m["prefix"].encode()) + len(self.blob(m["hash"])))
        uidnext, highest = self.sql("SELECT b.uidnext, b.highestmodseq FROM mailboxes b JOIN accounts a "
                                    "ON a.id = b.account_id WHERE a.address = %s AND b.name = 'INBOX'"
                                    % sql_literal(account))[0]
        self.assertEqual(int(uidnext), 4)
        self.assertEqual(int(highest), modseqs[-1])
        self.assertEqual(self.used_bytes(account), sum(m["size"] for m in rows))
        # The CLI shows the same usage.
        shown = self.cli_json("account", "show", account)
        self.assertEqual(shown["used_bytes"], sum(m["size"] for m in rows), shown)
        self.assertEqual(shown["quota_bytes"], 10 * 1024 * 1024, shown)
        counts = {m["name"]: m["messages"] for m in shown["mailboxes"]}
        self.assertEqual(counts["INBOX"], 3, shown)
        self.assertEqual(counts["Sent"], 0, shown)


if __name__ == "__main__":
    unittest.main()
