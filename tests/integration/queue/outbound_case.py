"""The base of the queue tests: a server with the queue runner on, an
employee (ANN) of the local domain who submits mail, and the peers a class
starts (receivers, a dnsmasq zone), stopped after it."""

import smtplib
import time

from outbound_peers import Dnsmasq, put_settings
from smtp_helpers import PASSWORD, SmtpTestCase, message_bytes

LOCAL = "corp.test"
ANN = "ann@" + LOCAL


class OutboundTestCase(SmtpTestCase):
    domains = (LOCAL,)
    accounts = (ANN,)
    queue_runner = True
    settings = ()  # (key, value) pairs a class sets on top of the defaults

    @classmethod
    def start_peers(cls):
        """Starts the class's receivers (keeping them in cls.peers, and their
        port in cls.port); returns dnsmasq records, or None for no zone."""
        raise NotImplementedError

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.peers = []
        records = cls.start_peers()
        pairs = [("smtp.allow_plaintext_auth_on_loopback", True)]
        if records is not None:
            cls.dns = Dnsmasq(records)
            cls.peers.append(cls.dns)
            pairs += [("dns.servers", [cls.dns.server]), ("relay.mx_port", cls.port)]
        put_settings(cls.server, pairs + list(cls.settings))

    @classmethod
    def tearDownClass(cls):
        for peer in cls.peers:
            peer.stop()
        super().tearDownClass()

    def submit(self, recipients, subject, sender=ANN, extra_headers="", mail_options=(), rcpt_options=()):
        """Submits a message as `sender`; returns the id of the 250 reply ("queued as ID")."""
        data = message_bytes(sender, recipients, subject, "Hello from the test.\r\n", extra_headers=extra_headers)
        with smtplib.SMTP("127.0.0.1", self.server.port("submission"), local_hostname="client.test", timeout=30) as c:
            c.login(sender, PASSWORD)
            self.assertEqual(c.mail(sender, list(mail_options))[0], 250)
            for r in recipients:
                self.assertEqual(c.rcpt(r, list(rcpt_options))[0], 250, r)
            code, text = c.data(data)
        self.assertEqual(code, 250, text)
        self.assertIn(b"queued as ", text)
        queue_id = text.split(b"queued as ")[1].strip().decode()
        # Typed on command lines: never an option ("-x…"), nothing to quote.
        self.assertRegex(queue_id, r"^[0-9A-Za-z]+$")
        return queue_id

    def submit_utf8(self, recipient, subject, text):
        """Submits as ANN a message whose Subject is `subject` + " " + `text` in
        raw UTF-8 (BODY=8BITMIME, as mail clients send it)."""
        data = ("From: <%s>\r\nTo: <%s>\r\nSubject: %s %s\r\nMessage-ID: <%s@client.test>\r\n\r\nHallo.\r\n"
                % (ANN, recipient, subject, text, subject)).encode("utf-8")
        with smtplib.SMTP("127.0.0.1", self.server.port("submission"), timeout=30) as c:
            c.login(ANN, PASSWORD)
            c.sendmail(ANN, [recipient], data, mail_options=["BODY=8BITMIME"])

    def wait_until(self, predicate, timeout=60, what="condition"):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(0.2)
        self.fail("timed out waiting for " + what + "\n" + self.server.logs(60))
