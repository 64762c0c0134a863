"""Posta delivering to another Posta: two servers with databases of their
own, the second one the MX of partner.test (through dnsmasq). Mail an
employee of the first submits reaches the partner's mailbox, read over IMAP,
with STARTTLS on the way and the first server's 250 naming the partner's
queue id; UTF-8 headers travel raw to a server with SMTPUTF8; a recipient
the partner does not know comes back to the sender with the partner's reply."""

import imaplib
import re
import unittest

from outbound_case import ANN, OutboundTestCase
from posta_harness import PostaServer
from posta_harness import stop_servers as tearDownModule  # noqa: F401
from smtp_helpers import API, PASSWORD, sql_literal, tls_context, unique

PARTNER = "partner.test"
BOB = "bob@" + PARTNER


class Partner:
    """The receiving Posta, stopped with the other peers."""

    def __init__(self):
        self.server = PostaServer(hostname="mx.partner.test")
        self.server.start()
        for path, body in (("/domains", {"name": PARTNER}),
                           ("/accounts", {"address": BOB, "password": PASSWORD, "quota_bytes": 0, "enabled": True})):
            status, answer = self.server.api("POST", API + path, json=body)
            if status not in (200, 201):
                raise AssertionError("partner %s: %s %r" % (path, status, answer))

    @property
    def smtp_port(self):
        return self.server.port("smtp")

    def stop(self):
        self.server.stop()
        self.server.cleanup()


class PostaToPostaTests(OutboundTestCase):
    @classmethod
    def start_peers(cls):
        cls.partner = Partner()
        cls.peers.append(cls.partner)
        cls.port = cls.partner.smtp_port
        return ["mx-host=%s,mx.%s,10" % (PARTNER, PARTNER), "host-record=mx.%s,127.0.0.1" % PARTNER]

    def bob_reads(self, marker):
        """The message with `marker` in bob's INBOX on the partner, over IMAP (waits for it)."""
        def fetch():
            with imaplib.IMAP4_SSL("127.0.0.1", self.partner.server.port("imaps"), ssl_context=tls_context(),
                                   timeout=30) as c:
                c.login(BOB, PASSWORD)
                c.select("INBOX", readonly=True)
                _, found = c.uid("SEARCH", "SUBJECT", '"%s"' % marker)
                uids = found[0].split()
                if not uids:
                    return None
                _, data = c.uid("FETCH", uids[-1], "(BODY.PEEK[])")
                return data[0][1]
        return self.wait_until(fetch, what="the message in bob's INBOX on the partner")

    def test_mail_reaches_the_partners_mailbox_over_starttls(self):
        subject = unique("partner")
        queue_id = self.submit([BOB], subject)
        message = self.bob_reads(subject)
        self.assertIn(b"Subject: " + subject.encode(), message)
        self.assertIn(b"Hello from the test.", message)
        # The partner's Received field, the first: from the first server, over TLS.
        first = re.search(rb"^Received: (.*?)\r\n(?![ \t])", message, re.S | re.M)
        self.assertTrue(first, message[:300])
        self.assertIn(b"by mx.partner.test", first.group(1))
        self.assertIn(b"with ESMTPS", first.group(1))
        self.wait_until(lambda: self.sql("SELECT 1 FROM queue_attempts WHERE message_id = %s AND outcome = 'delivered'"
                                         % sql_literal(queue_id)), what="the delivered attempt")
        reply, host = self.sql("SELECT reply, host FROM queue_attempts WHERE message_id = %s" % sql_literal(queue_id))[0]
        self.assertIn("mx.partner.test", host)
        self.assertRegex(reply, r"^250 2\.0\.0 Ok: queued as \S{16,}$")

    def test_utf8_headers_travel_raw_to_a_server_with_smtputf8(self):
        subject = unique("utf8")
        self.submit_utf8(BOB, subject, "Grüße aus Köln")
        message = self.bob_reads(subject)
        self.assertIn(("Subject: %s Grüße aus Köln" % subject).encode("utf-8"), message)

    def test_an_unknown_recipient_at_the_partner_comes_back_with_its_reply(self):
        subject = unique("unknown")
        self.submit(["nobody-here@" + PARTNER], subject)
        report = self.wait_until(lambda: [m for m in self.full_messages(ANN, subject) if b"multipart/report" in m],
                                 what="a report in ann's INBOX")[0]
        self.assertIn(b"Action: failed", report)
        self.assertIn(b"Status: 5.1.1", report)
        self.assertIn(b"Diagnostic-Code: smtp; 550 5.1.1", report)
        self.assertIn(b"Remote-MTA: dns; mx.partner.test", report)


if __name__ == "__main__":
    unittest.main()
