"""Graceful shutdown on SIGTERM: the listeners stop accepting, an idle SMTP
session hears 421 4.3.2, a session in the middle of DATA finishes with 250
and its message is stored, and the process exits with status 0."""

import signal
import socket
import unittest

from posta_harness import stop_servers as tearDownModule  # noqa: F401
from smtp_helpers import SmtpTestCase, message_bytes, unique

DOMAIN = "shutdown.test"
ANN = "ann@" + DOMAIN
SENDER = "sender@remote.test"


class ShutdownTests(SmtpTestCase):
    domains = (DOMAIN,)
    accounts = (ANN,)

    def session(self):
        c = self.raw("smtp")
        self.assertReply(c.greeting, 220)
        c.ehlo()
        return c

    def test_sigterm_lets_data_finish_and_says_421_to_idle_sessions(self):
        marker = unique("in-flight")
        busy = self.session()
        self.assertReply(busy.cmd("MAIL FROM:<%s>" % SENDER), 250)
        self.assertReply(busy.cmd("RCPT TO:<%s>" % ANN), 250)
        self.assertReply(busy.cmd("DATA"), 354)
        text = message_bytes(SENDER, [ANN], marker, body="first half\r\n" * 100 + "second half\r\n" * 100)
        half = len(text) // 2
        busy.send(text[:half])
        idle = self.session()

        self.server.proc.send_signal(signal.SIGTERM)
        # The idle session is told at once (RFC 3463 4.3.2: not accepting messages).
        idle.sock.settimeout(30)
        self.assertReply(idle.read_reply(), 421, "4.3.2")
        self.assertTrue(idle.closed_by_server(10))
        # By then the listeners are closed.
        with self.assertRaises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", self.server.port("smtp")), timeout=5).close()

        # The message in flight is finished, stored and acknowledged; then goodbye.
        busy.sock.settimeout(30)
        busy.send(text[half:] + b".\r\n")
        self.assertReply(busy.read_reply(), 250, "2.0.0")
        self.assertReply(busy.read_reply(), 421, "4.3.2")
        self.assertEqual(self.server.proc.wait(timeout=60), 0, self.server.logs())
        self.server.stop()  # already exited: closes the log, reaps nothing

        self.server.start()
        stored = self.full_messages(ANN, marker)
        self.assertEqual(len(stored), 1)
        self.assertIn(b"second half\r\n" * 100, stored[0])


if __name__ == "__main__":
    unittest.main()
