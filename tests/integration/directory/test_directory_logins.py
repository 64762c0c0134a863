"""Directory logins whose password must be changed first (issue 12
"Authentication"), against a real Active Directory: a private Samba AD DC
(harness SambaAD) where a user's pwdLastSet is 0 ("must change password at
next logon": AD answers the right password with data 773, a wrong one with
52e). Posta tells that user so in each protocol's words: IMAP NO [EXPIRED]
(RFC 5530), SMTP 535 5.7.8 with a text naming the expired password, POP3
-ERR [AUTH] likewise (RFC 3206), XMPP <credentials-expired/> (RFC 6120
6.5.3); a wrong password still gets the ordinary refusal. Expired-password
answers are not counted by failed-login throttling: a mail client retrying
the old password does not lock its user out once the password is changed.

The tests run in order (numbered) on one DC and one Posta (setUpClass).
"""

import asyncio
import imaplib
import poplib
import smtplib
import sys
import os
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "xmpp"))
sys.path.insert(0, os.path.join(HERE, "..", "imap"))

from directory_fixtures import SambaAD  # noqa: E402
from imap_helpers import ImapTestCase  # noqa: E402
from xmpp_helpers import Client, XmppTestCase, tls_context  # noqa: E402

STAFF = "OU=Staff,DC=corp,DC=test"
SERVICE, SERVICE_PW = "posta-svc", "Svc-Posta-pw-1"
ERIN_PW = "Erin-pw-5x"      # must change at next logon
FAY_PW = "Fay-pw-6y"        # must change too: the throttling test's user
GUS_PW = "Gus-pw-7z"        # an ordinary user
# Failures of one account from one network before it is locked out.
ACCOUNT_LIMIT = 3


class SaslClient(Client):
    """slixmpp, also recording the condition of every SASL <failure/>."""

    def __init__(self, jid, password):
        super().__init__(jid, password, "PLAIN")
        self.conditions = []
        self.add_event_handler("failed_auth", lambda f: self.conditions.append(f["condition"]))


class DirectoryLoginTest(XmppTestCase, ImapTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ad = SambaAD()
        cls.ad.start()
        try:
            cls._populate()
        except BaseException:
            cls.ad.stop()
            raise
        for key, value in (("auth.max_failures_per_ip", "1000"),
                           ("auth.max_failures_per_account", str(ACCOUNT_LIMIT))):
            rc, out, err = cls.server.cli("settings", "set", key, value)
            if rc != 0:
                raise AssertionError("posta settings set %s: %s %s" % (key, out, err))

    @classmethod
    def tearDownClass(cls):
        cls.ad.stop()
        super().tearDownClass()

    @classmethod
    def _populate(cls):
        ad = cls.ad
        ad.samba_tool("ou", "create", STAFF)
        ad.create_user(SERVICE, SERVICE_PW)
        for name, pw in (("erin", ERIN_PW), ("fay", FAY_PW), ("gus", GUS_PW)):
            ad.samba_tool("user", "create", name, pw, "--userou=OU=Staff", "--mail-address=%s@corp.test" % name)
        for name in ("erin", "fay"):
            cls.must_change(name)

    @classmethod
    def must_change(cls, name):
        """pwdLastSet 0: AD's "user must change password at next logon"."""
        cls.ad.modify("dn: %s\nchangetype: modify\nreplace: pwdLastSet\npwdLastSet: 0\n" % cls.ad.dn_of(name))

    # --- helpers ---------------------------------------------------------

    def imap_answer(self, user, password):
        """'OK' or the text of the NO (imaplib's exception)."""
        try:
            self.imap(user, password)
            return "OK"
        except imaplib.IMAP4.error as e:
            return str(e)

    def submission_answer(self, user, password):
        with smtplib.SMTP("127.0.0.1", self.server.port("submission"), timeout=30) as s:
            s.starttls(context=tls_context())
            try:
                return s.login(user, password)
            except smtplib.SMTPAuthenticationError as e:
                return e.smtp_code, e.smtp_error.decode()

    def pop3_answer(self, user, password):
        p = poplib.POP3("127.0.0.1", self.server.port("pop3"), timeout=30)
        try:
            p.stls(context=tls_context())
            p.user(user)
            return p.pass_(password).decode()
        except poplib.error_proto as e:
            return e.args[0].decode()
        finally:
            p.close()

    def xmpp_answer(self, jid, password):
        """(outcome, SASL failure conditions) of slixmpp with PLAIN after STARTTLS."""
        c = SaslClient(jid, password)
        self.clients.append(c)
        c.connect(("127.0.0.1", self.server.port("xmpp")), force_starttls=True)
        outcome = self.run_async(asyncio.shield(c.outcome))
        return outcome, c.conditions

    # --- the tests -------------------------------------------------------

    def test_01_sync(self):
        self.cli_ok("directory", "add", "corp", "--profile", "ad", "--uri", self.ad.ldaps_uri, "--ca-file",
                    self.ad.ca_file, "--bind-dn", SERVICE + "@corp.test", "--password-stdin", "--base", STAFF,
                    "--managed-domain", "corp.test", "--interval", "0", input=SERVICE_PW + "\n")
        out = self.cli_ok("directory", "sync", "corp")
        for who in ("erin", "fay", "gus"):
            self.assertIn("created %s@corp.test" % who, out)
        self.assertEqual(self.imap_answer("gus@corp.test", GUS_PW), "OK")

    def test_02_expired_password_is_named_in_each_protocol(self):
        answer = self.imap_answer("erin@corp.test", ERIN_PW)
        self.assertIn("[EXPIRED]", answer)
        self.assertIn("expired", answer.split("]", 1)[1].lower())
        code, text = self.submission_answer("erin@corp.test", ERIN_PW)
        self.assertEqual(code, 535)
        self.assertTrue(text.startswith("5.7.8 "), text)
        self.assertIn("expired", text.lower())
        pop = self.pop3_answer("erin@corp.test", ERIN_PW)
        self.assertTrue(pop.startswith("-ERR [AUTH] "), pop)
        self.assertIn("expired", pop.lower())
        outcome, conditions = self.xmpp_answer("erin@corp.test", ERIN_PW)
        self.assertEqual(outcome, "auth failed")
        self.assertEqual(conditions, ["credentials-expired"])
        # The journal says why, for the administrator.
        refused = self.wait_journal(lambda e: e.get("text") == "directory login refused"
                                    and e.get("fields", {}).get("account") == "erin@corp.test",
                                    service="directory")
        self.assertEqual(refused[0]["fields"]["reason"], "password must be changed")

    def test_03_a_wrong_password_is_still_just_wrong(self):
        answer = self.imap_answer("erin@corp.test", "Not-erins-1")
        self.assertIn("[AUTHENTICATIONFAILED]", answer)
        self.assertNotIn("xpired", answer)
        code, text = self.submission_answer("erin@corp.test", "Not-erins-1")
        self.assertEqual(code, 535)
        self.assertNotIn("xpired", text)
        outcome, conditions = self.xmpp_answer("erin@corp.test", "Not-erins-1")
        self.assertEqual((outcome, conditions), ("auth failed", ["not-authorized"]))

    def test_04_expired_answers_do_not_lock_the_user_out(self):
        # A client retrying the old password more often than the limit ...
        for _ in range(ACCOUNT_LIMIT + 2):
            self.assertIn("[EXPIRED]", self.imap_answer("fay@corp.test", FAY_PW))
        # ... then the user sets a new one: it logs in at once.
        self.ad.samba_tool("user", "setpassword", "fay", "--newpassword=Fay-new-pw-8")
        self.assertEqual(self.imap_answer("fay@corp.test", "Fay-new-pw-8"), "OK")
        # Wrong passwords still count: past the limit even the right one is refused.
        for _ in range(ACCOUNT_LIMIT):
            self.assertIn("[AUTHENTICATIONFAILED]", self.imap_answer("fay@corp.test", "Not-fays-1"))
        self.assertIn("[AUTHENTICATIONFAILED]", self.imap_answer("fay@corp.test", "Fay-new-pw-8"))

    def test_05_a_changed_source_applies_to_the_next_login(self):
        # gus logged in (test_01): his connection is pooled and his verifier cached.
        self.cli_ok("directory", "set", "corp", "--uri", "ldaps://127.0.0.1:1")  # nothing listens there
        # The next login goes to the new URI, not to a pooled connection to
        # the old one: unreachable, so the cached verifier decides.
        self.assertEqual(self.imap_answer("gus@corp.test", GUS_PW), "OK")
        self.wait_journal(lambda e: e.get("text", "").startswith("directory unreachable")
                          and e.get("fields", {}).get("account") == "gus@corp.test", service="directory")
        self.assertIn("[UNAVAILABLE]", self.imap_answer("gus@corp.test", "Not-gus-1"))
        # A disabled source logs nobody in.
        self.cli_ok("directory", "set", "corp", "--uri", self.ad.ldaps_uri, "--enabled", "off")
        self.assertIn("[AUTHENTICATIONFAILED]", self.imap_answer("gus@corp.test", GUS_PW))
        self.cli_ok("directory", "set", "corp", "--enabled", "on")
        self.assertEqual(self.imap_answer("gus@corp.test", GUS_PW), "OK")
        self.assertIn("[AUTHENTICATIONFAILED]", self.imap_answer("gus@corp.test", "Not-gus-1"))


if __name__ == "__main__":
    unittest.main()
