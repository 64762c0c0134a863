"""Other people's SMTP clients against Posta: swaks (pipelining, STARTTLS,
AUTH PLAIN/LOGIN, implicit TLS on submissions) and GNU SASL's gsasl
(SCRAM-SHA-256 and PLAIN over STARTTLS on submission)."""

import base64
import hashlib
import hmac
import os
import subprocess
import unittest

from posta_harness import stop_servers as tearDownModule  # noqa: F401
from smtp_helpers import PASSWORD, SmtpTestCase, unique

DOMAIN = "cli.test"
ANN, BOB = "ann@" + DOMAIN, "bob@" + DOMAIN


def run(cmd, timeout=60):
    """(exit status, stdout + stderr); a client still waiting after `timeout`
    seconds counts as failed (status None) with what it printed so far."""
    try:
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"") + (e.stderr or b"")
        return None, "(timed out after %ds)\n%s" % (timeout, out.decode("utf-8", "replace"))
    return p.returncode, p.stdout.decode("utf-8", "replace") + p.stderr.decode("utf-8", "replace")


def scram_client_final(password, client_first_bare, server_first, gs2_header):
    """RFC 5802 client side: returns (client-final-message, expected server signature)."""
    attrs = dict(kv.split("=", 1) for kv in server_first.split(","))
    salt, iterations = base64.b64decode(attrs["s"]), int(attrs["i"])
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
    stored_key = hashlib.sha256(client_key).digest()
    without_proof = "c=%s,r=%s" % (base64.b64encode(gs2_header.encode()).decode(), attrs["r"])
    auth_message = ",".join((client_first_bare, server_first, without_proof)).encode()
    signature = hmac.new(stored_key, auth_message, hashlib.sha256).digest()
    proof = bytes(a ^ b for a, b in zip(client_key, signature))
    server_key = hmac.new(salted, b"Server Key", hashlib.sha256).digest()
    server_signature = hmac.new(server_key, auth_message, hashlib.sha256).digest()
    return (without_proof + ",p=" + base64.b64encode(proof).decode(),
            "v=" + base64.b64encode(server_signature).decode())


class SwaksTests(SmtpTestCase):
    domains = (DOMAIN,)
    accounts = (ANN, BOB)

    def swaks(self, listener, *args):
        return run(["swaks", "--server", "127.0.0.1:%d" % self.server.port(listener), "--helo", "swaks.client.test",
                    "--timeout", "30"] + list(args))

    def stored_once(self, account, marker, transcript):
        stored = self.full_messages(account, marker)
        self.assertEqual(len(stored), 1, "%s has %d copies of %s\n%s" % (account, len(stored), marker, transcript))
        return stored[0]

    def test_swaks_pipelining(self):
        marker = unique("swakspipe")
        rc, out = self.swaks("smtp", "--pipeline", "--from", "sender@remote.test",
                             "--to", "%s,nobody@%s,%s" % (ANN, DOMAIN, BOB), "--header", "Subject: " + marker)
        self.assertEqual(rc, 0, out)
        lines = out.splitlines()
        sent_data = lines.index(" -> DATA")
        first_reply = next(i for i, l in enumerate(lines) if l.startswith("<-  250 2.1.0"))
        self.assertLess(sent_data, first_reply, "swaks did not pipeline:\n" + out)
        self.assertIn("<** 550 5.1.1", out)
        self.assertRegex(out, r"<-  250 2\.0\.0 .*queued")
        self.stored_once(ANN, marker, out)
        self.stored_once(BOB, marker, out)

    def test_swaks_starttls_and_auth(self):
        for mech in ("PLAIN", "LOGIN"):
            with self.subTest(mech=mech):
                marker = unique("swaks" + mech)
                rc, out = self.swaks("submission", "--tls", "--auth", mech, "--auth-user", ANN,
                                     "--auth-password", PASSWORD, "--from", ANN, "--to", BOB,
                                     "--header", "Subject: " + marker, "--header", "From: <%s>" % ANN)
                self.assertEqual(rc, 0, out)
                self.assertIn("<~  235 2.7.0", out)
                text = self.stored_once(BOB, marker, out)
                self.assertIn(b"ESMTPSA", text)
                self.assertIn(("authenticated as %s" % ANN).encode(), text)

    def test_swaks_pipelining_inside_tls(self):
        marker = unique("swakstlspipe")
        rc, out = self.swaks("submission", "--tls", "--pipeline", "--auth", "PLAIN", "--auth-user", ANN,
                             "--auth-password", PASSWORD, "--from", ANN, "--to", "%s,%s" % (ANN, BOB),
                             "--header", "Subject: " + marker, "--header", "From: <%s>" % ANN)
        self.assertEqual(rc, 0, out)
        self.stored_once(ANN, marker, out)
        self.stored_once(BOB, marker, out)

    def test_swaks_tls_on_connect_to_submissions(self):
        marker = unique("swaks465")
        rc, out = self.swaks("submissions", "--tls-on-connect", "--auth", "PLAIN", "--auth-user", ANN,
                             "--auth-password", PASSWORD, "--from", ANN, "--to", BOB,
                             "--header", "Subject: " + marker, "--header", "From: <%s>" % ANN)
        self.assertEqual(rc, 0, out)
        self.assertIn("<~  220 ", out)
        self.stored_once(BOB, marker, out)

    def test_swaks_refused_without_or_with_bad_auth(self):
        marker = unique("swaksnoauth")
        rc, out = self.swaks("submission", "--tls", "--from", ANN, "--to", BOB, "--header", "Subject: " + marker)
        self.assertNotEqual(rc, 0, out)
        self.assertIn("<~* 530 5.7.0", out)
        rc, out = self.swaks("submission", "--tls", "--auth", "PLAIN", "--auth-user", ANN,
                             "--auth-password", "wrong-" + PASSWORD, "--from", ANN, "--to", BOB,
                             "--header", "Subject: " + marker)
        self.assertNotEqual(rc, 0, out)
        self.assertIn("535 5.7.8", out)
        # No plaintext AUTH on the submission port before STARTTLS.
        rc, out = self.swaks("submission", "--auth", "PLAIN", "--auth-user", ANN, "--auth-password", PASSWORD,
                             "--from", ANN, "--to", BOB, "--header", "Subject: " + marker)
        self.assertNotEqual(rc, 0, out)
        self.assertEqual(self.full_messages(BOB, marker), [])

    # --- gsasl -----------------------------------------------------------------

    def gsasl(self, *args, password=PASSWORD, user=ANN, timeout=20):
        # COMPAT(gsasl 2.2): its only channel binding is tls-unique, which TLS 1.3
        # does not have, so with channel binding on it fails before sending
        # anything; --no-cb makes it a plain SCRAM client (gs2 flag "n").
        if "--no-cb" not in args:
            args = args + ("--no-cb",)
        return run(["gsasl", "--smtp", "--connect", "127.0.0.1:%d" % self.server.port("submission"),
                    "--x509-ca-file=", "--verbose", "-a", user, "-p", password] + list(args), timeout=timeout)

    def test_gsasl_scram_sha_256(self):
        rc, out = self.gsasl("--mechanism", "SCRAM-SHA-256")
        self.assertEqual(rc, 0, out)
        self.assertIn("TLS session info", out)
        self.assertIn("235 2.7.0", out)

    def test_gsasl_scram_sha_256_wrong_password(self):
        rc, out = self.gsasl("--mechanism", "SCRAM-SHA-256", password="wrong-" + PASSWORD)
        self.assertNotEqual(rc, 0, out)
        self.assertIn("535 5.7.8", out)
        self.assertNotIn("235 ", out)
        # An unknown user fails the same way.
        rc, out = self.gsasl("--mechanism", "SCRAM-SHA-256", user="nobody@" + DOMAIN)
        self.assertNotEqual(rc, 0, out)
        self.assertIn("535 5.7.8", out)

    def scram_exchange(self, user, password, gs2_header):
        """SCRAM-SHA-256 by hand over STARTTLS; returns the final reply."""
        c = self.raw("submission")
        c.ehlo()
        c.starttls()
        c.ehlo()
        nonce = base64.b64encode(os.urandom(18)).decode()
        first_bare = "n=%s,r=%s" % (user.replace("=", "=3D").replace(",", "=2C"), nonce)
        r = c.cmd("AUTH SCRAM-SHA-256 " + base64.b64encode((gs2_header + first_bare).encode()).decode())
        self.assertReply(r, 334)
        server_first = base64.b64decode(r.lines[0]).decode()
        self.assertTrue(server_first.startswith("r=" + nonce), server_first)
        final, expected_v = scram_client_final(password, first_bare, server_first, gs2_header)
        r = c.cmd(base64.b64encode(final.encode()).decode())
        if r.code != 334:
            return r
        self.assertEqual(base64.b64decode(r.lines[0]).decode(), expected_v, "wrong server signature")
        return c.cmd("")

    def test_scram_sha_256_by_hand(self):
        # The same exchange gsasl makes, with both GS2 headers a client may send
        # when the server offers no -PLUS variant (RFC 5802 6).
        for gs2 in ("n,,", "y,,"):
            with self.subTest(gs2=gs2):
                self.assertReply(self.scram_exchange(ANN, PASSWORD, gs2), 235, "2.7.0")
        self.assertReply(self.scram_exchange(ANN, "wrong-" + PASSWORD, "n,,"), 535, "5.7.8")

    def test_scram_authzid_of_another_user_is_refused(self):
        # Issue 7: "n,a=bob@…,n=alice@…" with alice's password logged in as alice.
        # RFC 5802 5.1: an authzid other than the authenticated user is refused.
        self.assertReply(self.scram_exchange(ANN, PASSWORD, "n,a=%s," % BOB), 535, "5.7.8")
        # An authzid naming the user herself is fine, and the server keeps serving.
        self.assertReply(self.scram_exchange(ANN, PASSWORD, "n,a=%s," % ANN), 235, "2.7.0")
        self.assertReply(self.scram_exchange(ANN, PASSWORD, "n,,"), 235, "2.7.0")

    def test_gsasl_plain(self):
        rc, out = self.gsasl("--mechanism", "PLAIN")
        self.assertEqual(rc, 0, out)
        self.assertIn("235 2.7.0", out)

    def test_gsasl_forced_starttls(self):
        # `--starttls` makes gsasl send STARTTLS right after the greeting,
        # before any EHLO (RFC 3207 does not require one first).
        rc, out = self.gsasl("--mechanism", "SCRAM-SHA-256", "--starttls", timeout=10)
        self.assertEqual(rc, 0, out)
        self.assertIn("235 2.7.0", out)


if __name__ == "__main__":
    unittest.main()
