"""Logins as users make them, through smtplib on the submission port: a login
without @ takes auth.default_domain; repeated failures lock the account for
the guessing client network for auth.lockout_seconds (even against the right
password) but not for the account's owner elsewhere; only many failures from
many networks lock the account everywhere; the counts live in PostgreSQL
(they survive a settings change); a disabled account cannot log in; AUTH is
not offered on the MX port unless smtp.auth_on_mx."""

import smtplib
import unittest

from posta_harness import stop_servers  # noqa: F401
from smtp_helpers import PASSWORD, SmtpTestCase, sql_literal, tls_context, unique

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

    def test_repeated_failures_lock_the_account_for_that_network_only(self):
        address = unique("lock").lower() + "@" + DOMAIN
        self.make_account(address)
        self.setting("auth.max_failures_per_account", 3)
        self.setting("auth.max_failures_per_ip", 1000)
        for _ in range(3):
            self.assertEqual(self.login(address, "wrong", source="127.0.0.21"), 535)
        # Locked from the guessing network: even the right password is refused...
        self.assertEqual(self.login(address, PASSWORD, source="127.0.0.21"), 535)
        # ...but the attacker cannot lock the user out from everywhere.
        self.assertEqual(self.login(address, PASSWORD, source="127.0.0.22"), 235)
        # Another account is not affected, even from the guessing network.
        other = unique("free").lower() + "@" + DOMAIN
        self.make_account(other)
        self.assertEqual(self.login(other, PASSWORD, source="127.0.0.21"), 235)

    def test_many_networks_reach_the_slower_account_limit(self):
        address = unique("glob").lower() + "@" + DOMAIN
        self.make_account(address)
        self.setting("auth.max_failures_per_account", 3)
        self.setting("auth.max_failures_per_account_total", 6)
        self.setting("auth.max_failures_per_ip", 1000)
        for i in range(6):
            self.assertEqual(self.login(address, "wrong", source="127.0.1.%d" % (i + 1)), 535)
        # Six networks, one guess each (under the per-network limit): the account
        # is now locked everywhere.
        self.assertEqual(self.login(address, PASSWORD, source="127.0.1.99"), 535)

    def test_throttle_state_is_in_the_database_and_survives_settings_changes(self):
        address = unique("db").lower() + "@" + DOMAIN
        self.make_account(address)
        self.setting("auth.max_failures_per_account", 2)
        self.setting("auth.max_failures_per_ip", 1000)
        for _ in range(2):
            self.assertEqual(self.login(address, "wrong", source="127.0.0.41"), 535)
        rows = self.sql("SELECT scope FROM login_throttle WHERE key = %s AND locked_until > now()"
                        % sql_literal(address + "|127.0.0.41"))
        self.assertEqual(rows, [["account_net"]])
        # A settings change (it used to rebuild the in-memory throttle) forgets nothing.
        self.setting("auth.failure_window_seconds", 600)
        self.setting("auth.max_failures_per_account", 2)
        self.assertEqual(self.login(address, PASSWORD, source="127.0.0.41"), 535)
        self.assertEqual(self.login(address, PASSWORD, source="127.0.0.42"), 235)

    def test_auth_is_not_offered_on_the_mx_port_unless_enabled(self):
        address = unique("mx").lower() + "@" + DOMAIN
        self.make_account(address)
        with smtplib.SMTP("127.0.0.1", self.server.port("smtp"), timeout=15) as s:
            s.starttls(context=tls_context())
            s.ehlo()
            self.assertFalse(s.has_extn("auth"), s.esmtp_features)
            code, _ = s.docmd("AUTH", "PLAIN")
            self.assertEqual(code, 503)
            self.assertEqual(s.noop()[0], 250)
        self.setting("smtp.auth_on_mx", True)
        with smtplib.SMTP("127.0.0.1", self.server.port("smtp"), timeout=15) as s:
            s.starttls(context=tls_context())
            s.ehlo()
            self.assertTrue(s.has_extn("auth"), s.esmtp_features)
            self.assertEqual(s.login(address, PASSWORD)[0], 235)

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
