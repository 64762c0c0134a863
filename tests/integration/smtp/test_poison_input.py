"""Poison input (issue 6): bytes a client can send never become a database
error. Decoded ENVID/ORCPT must be printable US-ASCII (RFC 3461: 501 5.5.4);
and a seeded property test feeds arbitrary bytes into every SMTP field that
is stored (envelope addresses with and without SMTPUTF8, ENVID, ORCPT, the
HELO name, AUTH names, header contents): every reply is a 2xx/3xx or a 5xx,
never a 4xx, each accepted message is stored exactly once, and the server
logs no failed statement."""

import base64
import os
import random
import re
import unittest

from posta_harness import stop_servers as tearDownModule  # noqa: F401
from smtp_helpers import API, SmtpTestCase, message_bytes, sql_literal, unique

DOMAIN = "poison.test"
ANN = "ann@" + DOMAIN
FWD = "fwd@" + DOMAIN  # forwards to a remote address: ENVID/ORCPT reach the queue
SENDER = "x@remote.test"
SEED = int(os.environ.get("POSTA_POISON_SEED", "20261201"))
CASES = int(os.environ.get("POSTA_POISON_CASES", "80"))

# A failed statement is logged by the database layer as "database: database [SQLSTATE] …".
STATEMENT_FAILURE = re.compile(r"database: database \[(?!23)[0-9A-Z]{5}\]")


def xtext(raw):
    """RFC 3461 xtext of any bytes (what a client may put after ENVID= or ORCPT=rfc822;)."""
    out = ""
    for b in raw:
        out += chr(b) if 33 <= b <= 126 and b not in (ord("+"), ord("=")) else "+%02X" % b
    return out


class PoisonInputTests(SmtpTestCase):
    domains = (DOMAIN,)
    accounts = (ANN,)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.make_alias(FWD, ["someone@elsewhere.test"])

    def session(self, helo="client.test"):
        c = self.raw("smtp")
        self.assertReply(c.greeting, 220)
        c.ehlo(helo)
        return c

    def log_text(self):
        with open(self.server.log_path, errors="replace") as f:
            return f.read()

    def assertNoStatementFailed(self, since):
        failed = STATEMENT_FAILURE.findall(self.log_text()[since:])
        self.assertEqual(failed, [], "the database rejected a statement built from client bytes")

    # --- ENVID / ORCPT (RFC 3461 4.2, 4.4) -------------------------------

    def test_envid_with_non_ascii_bytes_is_refused_not_deferred(self):
        before = len(self.log_text())
        for envid in ("abc+FF", "abc+00", "a+0Db", "+C3+A9"):
            c = self.session()
            self.assertReply(c.cmd("MAIL FROM:<%s> ENVID=%s" % (SENDER, envid)), 501, "5.5.4", envid)
            self.assertStillServes(c)
        # The same message with a printable ENVID is accepted and queued with it.
        c = self.session()
        self.assertReply(c.cmd("MAIL FROM:<%s> ENVID=abc+20def" % SENDER), 250, "2.1.0")
        self.assertReply(c.cmd("RCPT TO:<%s>" % FWD), 250)
        marker = unique("envid")
        _, done = c.data(message_bytes(SENDER, [FWD], marker))
        self.assertReply(done, 250, "2.0.0")
        self.assertEqual(self.scalar("SELECT count(*) FROM queue WHERE envid = 'abc def'"), "1")
        self.assertNoStatementFailed(before)

    def test_orcpt_with_non_ascii_bytes_is_refused(self):
        c = self.session()
        self.assertReply(c.cmd("MAIL FROM:<%s>" % SENDER), 250)
        for orcpt in ("rfc822;a+00@b", "rfc822;a+FF@b", "rfc822;a+0A@b"):
            self.assertReply(c.cmd("RCPT TO:<%s> ORCPT=%s" % (FWD, orcpt)), 501, "5.5.4", orcpt)
        self.assertReply(c.cmd("RCPT TO:<%s> ORCPT=rfc822;Ann+20Other@x.test" % FWD), 250)
        self.assertStillServes(c)

    # --- the property test ------------------------------------------------

    def random_bytes(self, rng, n_max=12):
        """Any bytes but CR and LF (which would end the command line)."""
        n = rng.randint(1, n_max)
        return bytes(rng.choice([b for b in range(256) if b not in (10, 13)]) for _ in range(n))

    def poison(self, rng):
        """Arbitrary bytes, or well-formed UTF-8 (which must then be stored)."""
        if rng.random() < 0.3:
            return "".join(rng.choice("aé€\U0001F4EB") for _ in range(rng.randint(1, 4))).encode()
        return self.random_bytes(rng)

    def check_reply(self, reply, what, case):
        self.assertFalse(400 <= reply.code < 500, "case %d (seed %d): %s got a temporary failure %r"
                         % (case, SEED, what, reply))
        return reply

    def run_case(self, rng, case):
        """One transaction with poison in some of its fields. Returns (marker, final reply or None)."""
        fields = {f for f in ("helo", "auth", "mail", "envid", "rcpt", "orcpt", "header") if rng.random() < 0.35}
        c = self.raw("smtp")
        self.check_reply(c.greeting, "greeting", case)
        helo = b"client.test"
        if "helo" in fields:
            helo = self.poison(rng).replace(b" ", b"")
        r = self.check_reply(c.cmd(b"EHLO " + helo), "EHLO", case)
        if r.code != 250:
            self.check_reply(c.cmd(b"HELO client.test"), "HELO", case)
        if "auth" in fields:
            token = base64.b64encode(b"\0" + self.poison(rng).replace(b"\0", b"") + b"\0pw").decode()
            self.check_reply(c.cmd("AUTH PLAIN " + token), "AUTH", case)
            c.cmd("RSET")
        utf8 = rng.random() < 0.5
        local = self.poison(rng) if "mail" in fields else b"x"
        mail = b"MAIL FROM:<" + local + b"@remote.test>" + (b" SMTPUTF8" if utf8 else b"")
        if "envid" in fields:
            mail += b" ENVID=" + xtext(self.poison(rng)).encode()
        if self.check_reply(c.cmd(mail), "MAIL", case).code != 250:
            self.check_reply(c.cmd(b"MAIL FROM:<" + SENDER.encode() + b">"), "plain MAIL", case)
        to = rng.choice([ANN, FWD])
        rcpt = b"RCPT TO:<" + (self.poison(rng) + b"@" + DOMAIN.encode() if "rcpt" in fields else to.encode()) + b">"
        if "orcpt" in fields:
            rcpt += b" ORCPT=rfc822;" + xtext(self.poison(rng)).encode()
        accepted = self.check_reply(c.cmd(rcpt), "RCPT", case).code == 250
        if not accepted:
            accepted = self.check_reply(c.cmd("RCPT TO:<%s>" % to), "plain RCPT", case).code == 250
        marker = unique("poison%d" % case)
        headers = b"From: " + (self.poison(rng) if "header" in fields else b"x") + b" <x@remote.test>\r\n"
        headers += b"Subject: " + (self.poison(rng) if "header" in fields else b"s") + b"\r\n"
        body = headers + b"X-Marker: " + marker.encode() + b"\r\n\r\n" + marker.encode() + b"\r\n"
        go, done = c.data(body)
        self.check_reply(go, "DATA", case)
        if done is not None:
            self.check_reply(done, "end of data", case)
        c.close()
        return marker, to, done

    def test_arbitrary_bytes_in_stored_fields_end_in_250_or_5xx(self):
        self.setting("smtp.allow_plaintext_auth_on_loopback", True)
        self.setting("auth.max_failures_per_ip", 100000)
        self.setting("auth.max_failures_per_account", 100000)
        before = len(self.log_text())
        rng = random.Random(SEED)
        accepted = 0
        for case in range(CASES):
            marker, to, done = self.run_case(rng, case)
            if done is None or done.code != 250:
                continue
            accepted += 1
            if to == ANN:
                self.assertEqual(len(self.full_messages(ANN, marker)), 1, "case %d: stored once" % case)
        self.assertGreater(accepted, CASES // 4, "the generator should let many messages through")
        self.assertNoStatementFailed(before)
        self.assertNotIn("journal: cannot write", self.log_text()[before:])


if __name__ == "__main__":
    unittest.main()
