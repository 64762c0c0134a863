"""SIGKILL during outbound delivery. The receiving server writes each message
and then waits before its 250, so the kill lands while deliveries are in
the middle of their transactions. After the restart every queued message
reaches the receiver; a message reaches it twice only if the receiver had
taken it before the kill (its 250 was lost with the connection: SMTP cannot
tell, RFC 5321 6.1), and never more than twice; the queue ends empty, each
row with a 'delivered' attempt."""

import smtplib
import time
import unittest

from outbound_case import ANN, OutboundTestCase
from outbound_peers import Sink, free_port, loopback_addresses
from posta_harness import stop_servers as tearDownModule  # noqa: F401
from smtp_helpers import PASSWORD, message_bytes, unique

MESSAGES = 40


class OutboundCrashTests(OutboundTestCase):
    settings = (("queue.max_connections_per_destination", 4),)

    @classmethod
    def start_peers(cls):
        (address,) = loopback_addresses(1)
        cls.port = free_port(address)
        cls.sink = Sink(address, cls.port, "--data-delay", "1.5")
        cls.peers.append(cls.sink)
        return ["mx-host=far.example.test,mx.far.example.test,10", "host-record=mx.far.example.test,%s" % address]

    def test_sigkill_during_delivery_loses_nothing(self):
        run = unique("crash")
        subjects = ["%s-%d" % (run, i) for i in range(MESSAGES)]
        with smtplib.SMTP("127.0.0.1", self.server.port("submission"), timeout=30) as c:
            c.login(ANN, PASSWORD)
            for i, subject in enumerate(subjects):
                rcpt = "r%d@far.example.test" % i
                c.sendmail(ANN, [rcpt], message_bytes(ANN, [rcpt], subject))
        # Wait until some messages are in the receiver (so deliveries are under way), then crash.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(self.sink.messages()) < 3:
            time.sleep(0.05)
        self.assertGreaterEqual(len(self.sink.messages()), 3, self.server.logs(60))
        self.server.kill9()
        killed_at = time.time()
        taken_before_kill = {self.subject_of(body) for meta, body in self.sink.messages() if meta["time"] < killed_at}
        self.assertLess(len(taken_before_kill), MESSAGES, "the kill came after everything was delivered")
        self.server.reap_postmaster()
        self.server.start()

        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and self.scalar("SELECT count(*) FROM queue") != "0":
            time.sleep(0.2)
        self.assertEqual(self.scalar("SELECT count(*) FROM queue"), "0", self.server.logs(80))

        copies = {}
        for meta, body in self.sink.messages():
            subject = self.subject_of(body)
            if subject and subject.startswith(run):
                copies[subject] = copies.get(subject, 0) + 1
        lost = [s for s in subjects if s not in copies]
        self.assertEqual(lost, [], "messages lost by the crash")
        for subject, n in copies.items():
            self.assertLessEqual(n, 2, subject)
            if n == 2:
                self.assertIn(subject, taken_before_kill, "%s delivered twice but not in flight at the kill" % subject)
        delivered = self.scalar("SELECT count(DISTINCT queue_id) FROM queue_attempts WHERE outcome = 'delivered'")
        self.assertEqual(int(delivered), MESSAGES)

    @staticmethod
    def subject_of(body):
        for line in body.split(b"\r\n"):
            if line.startswith(b"Subject: "):
                return line[len(b"Subject: "):].decode()
            if not line:
                break
        return None


if __name__ == "__main__":
    unittest.main()
