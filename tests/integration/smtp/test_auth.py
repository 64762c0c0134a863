"""Logins as users make them, through smtplib on the submission port: a login
without @ takes auth.default_domain, repeated failures lock the account for
auth.lockout_seconds (even against the right password), a disabled account
cannot log in, and a locked-out client does not slow down the others."""

import smtplib
import unittest

from posta_harness import stop_servers  # noqa: F401
from smtp_helpers import PASSWORD, SmtpTestCase, tls_context, unique

DOMAIN = "auth.test"


class AuthTests(SmtpTestCase):
    domains = (DOMAIN,)

    def login(self, user, password, source="127.0.0.1"):
        """The SMTP reply code of AUTH PLAIN after STARTTLS (235 on success)."""
        with smtplib.SMTP("127.0.0.1", self.server.port("submission"), timeout=15,
                          source_address=(source, 0)) as s:
            s.starttls(context=tls_context())
            try:
                code, _ = s.login(user, password)
                return code
            except smtplib.SMTPAuthenticationError as e:
                return e.smtp_code

    def test_login_without_domain_uses_the_default_domain(self):
        local = unique("dd").lower()
        self.make_account(local + "@" + DOMAIN)
        self.assertEqual(self.login(local, PASSWORD), 535)  # no default domain yet
        self.setting("auth.default_domain", DOMAIN)
        self.assertEqual(self.login(local, PASSWORD), 235)
        self.assertEqual(self.login(local.upper(), PASSWORD), 235)

    def test_repeated_failures_lock_the_account(self):
        address = unique("lock").lower() + "@" + DOMAIN
        self.make_account(address)
        self.setting("auth.max_failures_per_account", 3)
        self.setting("auth.max_failures_per_ip", 1000)
        for _ in range(3):
            self.assertEqual(self.login(address, "wrong", source="127.0.0.21"), 535)
        # Locked: even the right password is refused, from any address.
        self.assertEqual(self.login(address, PASSWORD, source="127.0.0.22"), 535)
        # Another account is not affected.
        other = unique("free").lower() + "@" + DOMAIN
        self.make_account(other)
        self.assertEqual(self.login(other, PASSWORD, source="127.0.0.21"), 235)

    def test_repeated_failures_from_one_ip_lock_that_ip(self):
        address = unique("ipl").lower() + "@" + DOMAIN
        self.make_account(address)
        self.setting("auth.max_failures_per_ip", 4)
        self.setting("auth.max_failures_per_account", 1000)
        for i in range(4):
            self.assertEqual(self.login(unique("guess").lower() + "@" + DOMAIN, "x", source="127.0.0.31"), 535)
        self.assertEqual(self.login(address, PASSWORD, source="127.0.0.31"), 535)
        self.assertEqual(self.login(address, PASSWORD, source="127.0.0.32"), 235)

    def test_disabled_account_cannot_log_in(self):
        address = unique("off").lower() + "@" + DOMAIN
        self.make_account(address, enabled=False)
        self.assertEqual(self.login(address, PASSWORD), 535)
        rc, _, err = self.server.cli("account", "enable", address)
        self.assertEqual(rc, 0, err)
        self.assertEqual(self.login(address, PASSWORD), 235)


if __name__ == "__main__":
    unittest.main()
