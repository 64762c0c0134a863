"""Bounds that hold whatever a client does, each with the exact input and a
check that the server keeps serving others: command line length (RFC 5321
4.5.3.1.4), commands per session and per second, session lifetime, a
deadline per command line and per DATA transfer (slowloris), the global
connection cap with its reserve for the HTTP listener, per-IP limits per
listener, and the RAM budget for messages in DATA (measured as RSS).
Tests that count connections per client IP use their own 127.0.0.x."""

import os
import socket
import time
import unittest

from posta_harness import stop_servers as tearDownModule  # noqa: F401
from smtp_helpers import API, RawSmtp, SmtpTestCase, message_bytes, unique

# RSS is the point of one test: under AddressSanitizer, freed memory waits in
# a quarantine (up to 256 MB) and counts as resident, so every short-lived
# allocation would look like growth. This module's server runs without it.
if "quarantine_size_mb" not in os.environ.get("ASAN_OPTIONS", ""):
    os.environ["ASAN_OPTIONS"] = (os.environ.get("ASAN_OPTIONS", "") + ":quarantine_size_mb=0").lstrip(":")

DOMAIN = "bounds.test"
ANN = "ann@" + DOMAIN
SENDER = "sender@remote.test"


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS for %d" % pid)


def unread_bytes(port):
    """Bytes queued on established loopback TCP connections to or from `port`
    (send and receive queues, /proc/net/tcp): zero once the server has read
    everything its clients sent."""
    total = 0
    with open("/proc/net/tcp") as f:
        next(f)
        for line in f:
            fields = line.split()
            local, remote, state, queues = fields[1], fields[2], fields[3], fields[4]
            if state != "01":
                continue
            if int(local.split(":")[1], 16) != port and int(remote.split(":")[1], 16) != port:
                continue
            tx, rx = queues.split(":")
            total += int(tx, 16) + int(rx, 16)
    return total


class BoundsTests(SmtpTestCase):
    domains = (DOMAIN,)
    accounts = (ANN,)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # A session that lives under smtp.max_session_minutes = 1 while the
        # other tests run (the setting is read when a session starts); the
        # last test checks how it ended.
        cls.set_setting("smtp.max_session_minutes", 1)
        cls.old_session = RawSmtp(cls.server.port("smtp"), source="127.0.4.1", timeout=15)
        cls.old_session.cmd("EHLO old.client.test")
        cls.set_setting("smtp.max_session_minutes", 60)

    @classmethod
    def tearDownClass(cls):
        cls.old_session.close()
        super().tearDownClass()

    @classmethod
    def set_setting(cls, key, value):
        status, body = cls.server.api("PUT", API + "/settings/" + key, json={"value": value})
        if status != 200:
            raise AssertionError("PUT %s -> %s %r" % (key, status, body))

    def session(self, source=None, listener="smtp"):
        c = self.raw(listener, source=source)
        self.assertReply(c.greeting, 220)
        c.ehlo()
        return c

    def send_ok(self, c, marker):
        self.assertReply(c.cmd("MAIL FROM:<%s>" % SENDER), 250)
        self.assertReply(c.cmd("RCPT TO:<%s>" % ANN), 250)
        _, done = c.data(message_bytes(SENDER, [ANN], marker))
        self.assertReply(done, 250, "2.0.0")

    def assertEndsWith421(self, c, enhanced, wait=30):
        """The server says 421 (with `enhanced`) and closes within `wait` s."""
        c.sock.settimeout(wait)
        r = c.read_reply()
        self.assertReply(r, 421, enhanced)
        self.assertTrue(c.closed_by_server(wait), "connection still open after %r" % r)
        return r

    # --- command line length -----------------------------------------------------

    def test_noop_of_5000_bytes_is_500_5_5_2_and_the_session_goes_on(self):
        c = self.session()
        self.assertReply(c.cmd(b"NOOP " + b"x" * 4995), 500, "5.5.2")
        self.assertReply(c.cmd(b"NOOP " + b"x" * 505), 250, "2.0.0")  # 510 octets: the limit
        self.assertReply(c.cmd(b"NOOP " + b"x" * 506), 500, "5.5.2")
        self.assertStillServes(c)
        self.send_ok(c, unique("after-long-noop"))

    def test_auth_line_may_be_long(self):
        """AUTH has 12,288 octets (RFC 4954 4): a long initial response is read
        as AUTH (refused as a bad response, not as a long line)."""
        c = self.session()
        r = c.cmd(b"AUTH PLAIN " + b"A" * 6000)
        self.assertNotEqual((r.code, r.enhanced), (500, "5.5.2"), r)
        self.assertStillServes(c)

    # --- per-session budgets -------------------------------------------------------

    def test_noop_loop_ends_with_421(self):
        self.setting("smtp.max_commands_per_session", 20)
        c = self.session()  # EHLO is command 1
        answered = 1
        for _ in range(100):
            r = c.cmd("NOOP")
            if r.code != 250:
                break
            answered += 1
        self.assertEqual(answered, 20)
        self.assertReply(r, 421, "4.7.0")
        self.assertTrue(c.closed_by_server(10))
        self.send_ok(self.session(), unique("after-noop-loop"))  # a new session is fine

    def test_rset_loop_ends_with_421(self):
        self.setting("smtp.max_commands_per_session", 20)
        c = self.session()
        replies = [c.cmd("RSET").code for _ in range(19)]  # with EHLO: 20 commands
        self.assertEqual(replies, [250] * 19)
        c.send(b"RSET\r\n")
        self.assertEndsWith421(c, "4.7.0")

    def test_commands_per_second(self):
        self.setting("smtp.max_commands_per_second", 5)  # bursts of 25
        c = self.session()
        c.send(b"NOOP\r\n" * 100)  # pipelined: all at once
        codes = []
        c.sock.settimeout(30)
        while True:
            r = c.read_reply()
            codes.append(r.code)
            if r.code != 250:
                break
        self.assertReply(r, 421, "4.7.0")
        self.assertLess(len(codes), 100)
        self.assertTrue(c.closed_by_server(10))
        self.send_ok(self.session(), unique("after-fast"))

    def test_zz_session_lifetime(self):
        """The session opened in setUpClass, idle since, ends after its one
        minute of life with 421 4.4.2, long before its 300 s command timeout.
        (Named to run last, so that the minute passes during the others.)"""
        c = self.old_session
        self.assertReply(c.greeting, 220)
        c.sock.settimeout(120)
        r = c.read_reply()
        self.assertReply(r, 421, "4.4.2")
        self.assertIn("too long", r.text)
        self.assertTrue(c.closed_by_server(10))

    # --- deadlines (slowloris) -------------------------------------------------------

    def trickle_until_closed(self, c, piece, every=0.5, limit=60):
        """Sends `piece` every `every` s until the server answers or closes;
        returns the reply (None when it closed without one)."""
        c.sock.settimeout(every)
        start = time.monotonic()
        while time.monotonic() - start < limit:
            try:
                c.sock.sendall(piece)
            except OSError:
                break
            try:
                chunk = c.sock.recv(65536)
            except (socket.timeout, TimeoutError):
                continue
            except OSError:
                break
            if not chunk:
                break
            c.buf += chunk
            if c.buf.endswith(b"\r\n"):
                break
        self.assertLess(time.monotonic() - start, limit, "the trickling client was never dropped")
        c.sock.settimeout(10)
        return c.read_reply() if c.buf else None

    def test_slowloris_command_line_is_dropped_while_others_get_through(self):
        normal = self.session()  # before the setting: its own timeout stays 300 s
        self.setting("smtp.command_timeout_seconds", 3)
        slow = self.session()
        slow.send(b"NOOP")
        r = self.trickle_until_closed(slow, b"x")  # one byte every 0.5 s, never a line end
        self.assertIsNotNone(r)
        self.assertReply(r, 421, "4.4.2")
        self.assertTrue(slow.closed_by_server(10))
        self.send_ok(normal, unique("beside-slowloris"))

    def test_slowloris_data_is_dropped_and_nothing_stored(self):
        normal = self.session()  # before the settings: its own timeout stays 300 s
        self.setting("smtp.command_timeout_seconds", 3)
        self.setting("smtp.min_data_rate_bytes_per_second", 1000)
        marker = unique("slow-data")
        slow = self.session()
        self.assertReply(slow.cmd("MAIL FROM:<%s>" % SENDER), 250)
        self.assertReply(slow.cmd("RCPT TO:<%s>" % ANN), 250)
        self.assertReply(slow.cmd("DATA"), 354)
        slow.send(b"Subject: " + marker.encode() + b"\r\n\r\n")
        r = self.trickle_until_closed(slow, b"0123456789")  # 20 bytes/s, under 1000
        self.assertIsNotNone(r)
        self.assertReply(r, 421, "4.4.2")
        self.send_ok(normal, unique("beside-slow-data"))
        self.assertEqual(self.full_messages(ANN, marker), [])

    def test_fast_data_past_the_base_time_is_fine(self):
        """The deadline grows with the bytes: a 3 s base does not cut a
        message that keeps the minimum rate for longer than 3 s."""
        self.setting("smtp.command_timeout_seconds", 3)
        self.setting("smtp.min_data_rate_bytes_per_second", 1000)
        marker = unique("steady-data")
        c = self.session()
        self.assertReply(c.cmd("MAIL FROM:<%s>" % SENDER), 250)
        self.assertReply(c.cmd("RCPT TO:<%s>" % ANN), 250)
        self.assertReply(c.cmd("DATA"), 354)
        c.send(b"Subject: " + marker.encode() + b"\r\n\r\n")
        for _ in range(10):  # 5 s at 10 kB/s, ten times the minimum
            c.send(b"y" * 4998 + b"\r\n")
            time.sleep(0.5)
        c.send(b".\r\n")
        self.assertReply(c.read_reply(), 250, "2.0.0")
        self.assertEqual(len(self.full_messages(ANN, marker)), 1)

    # --- connections -------------------------------------------------------------

    def test_global_cap_refuses_mail_but_http_still_answers(self):
        self.setting("net.max_connections", 30)  # a tenth (3) is kept for HTTP
        held, refused = [], None
        for i in range(40):
            source = "127.0.1.%d" % (10 + i // 3)  # 3 per address: under the per-IP limit
            c = RawSmtp(self.server.port("smtp"), source=source, timeout=15)
            self.addCleanup(c.close)
            if c.greeting.code != 220:
                refused = c.greeting
                break
            held.append(c)
        self.assertIsNotNone(refused, "no connection was refused")
        self.assertReply(refused, 421, "4.7.0")
        # 27 for mail; a session of an earlier test may still be closing.
        self.assertLessEqual(len(held), 27)
        self.assertGreaterEqual(len(held), 25)
        other = RawSmtp(self.server.port("submission"), source="127.0.1.99", timeout=15)
        self.addCleanup(other.close)
        self.assertReply(other.greeting, 421, "4.7.0")  # the cap is for all mail listeners
        status, body = self.server.api("GET", API + "/settings/net.max_connections")
        self.assertEqual(status, 200, body)
        for c in held:
            c.close()
        # Freed slots are taken again.
        deadline = time.monotonic() + 15
        while True:
            c = RawSmtp(self.server.port("smtp"), source="127.0.1.98", timeout=15)
            self.addCleanup(c.close)
            if c.greeting.code == 220 or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        self.assertReply(c.greeting, 220)

    def test_per_ip_limit_is_per_listener(self):
        """Ten MX connections from one address do not lock it out of submission."""
        source = "127.0.2.7"
        held = [self.session(source=source) for _ in range(10)]
        eleventh = self.raw("smtp", source=source)
        self.assertReply(eleventh.greeting, 421, "4.7.0")
        sub = self.raw("submission", source=source)
        self.assertReply(sub.greeting, 220)
        self.assertReply(sub.cmd("EHLO client.test"), 250)
        self.assertEqual(len(held), 10)

    # --- RAM for messages in DATA ------------------------------------------------------

    def test_message_memory_budget_bounds_rss(self):
        """24 sessions each in the middle of a 2 MB message: with a 4 MB
        budget the rest goes to disk only, and the server's RSS grows by less
        than 30 MB (measured: about 13 MB; about 50 MB without the budget,
        which keeps every message whole). The last message still arrives intact (read back from its
        blob file)."""
        self.setting("smtp.message_memory_mb", 4)
        marker = unique("big")
        sessions = []
        for i in range(24):
            c = self.session(source="127.0.3.%d" % (1 + i // 8))
            self.assertReply(c.cmd("MAIL FROM:<%s>" % SENDER), 250)
            self.assertReply(c.cmd("RCPT TO:<%s>" % ANN), 250)
            self.assertReply(c.cmd("DATA"), 354)
            sessions.append(c)
        pid = self.server.proc.pid
        before = rss_kib(pid)
        line = b"z" * 998 + b"\r\n"
        body = b"Subject: " + marker.encode() + b"\r\n\r\n" + line * 2048  # 2 MiB
        for c in sessions:
            c.send(body)
        deadline = time.monotonic() + 120
        while unread_bytes(self.server.port("smtp")) and time.monotonic() < deadline:
            time.sleep(0.1)
        self.assertEqual(unread_bytes(self.server.port("smtp")), 0, "the server did not read the messages")
        grown_mib = (rss_kib(pid) - before) / 1024
        self.assertLess(grown_mib, 30, "RSS grew by %.1f MiB" % grown_mib)
        last = sessions.pop()
        last.send(b".\r\n")
        self.assertReply(last.read_reply(), 250, "2.0.0")
        stored = self.full_messages(ANN, marker)
        self.assertEqual(len(stored), 1)
        self.assertIn(line * 2048, stored[0])
        for c in sessions:
            c.close()


if __name__ == "__main__":
    unittest.main()
