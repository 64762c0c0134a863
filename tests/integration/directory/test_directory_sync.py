"""Directory sources end to end (issue 12): a real slapd holds the people of
corp.test; `posta directory add/sync` makes their accounts, logins go to the
directory by bind (IMAP and SMTP AUTH through imaplib and smtplib), renames
and disabled users follow, local addresses are never overwritten, and a
directory that is down neither locks out users who logged in before nor
turns a login into a permanent refusal.

The tests of the class run in order (their names are numbered): each one
builds on what the previous ones synced.
"""

import imaplib
import os
import smtplib
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "imap"))
sys.path.insert(0, os.path.join(HERE, "..", "xmpp"))

from directory_fixtures import Slapd  # noqa: E402
from imap_helpers import ImapTestCase, tls_context  # noqa: E402
from xmpp_helpers import RawXmpp  # noqa: E402

ALICE_PW = "alice-pw-1"
BOB_PW = "bob-pw-2"


class DirectorySyncTest(ImapTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.slapd = Slapd()
        cls.slapd.start()

    @classmethod
    def tearDownClass(cls):
        cls.slapd.stop()
        super().tearDownClass()

    def add_source(self, *extra):
        return self.cli_ok("directory", "add", "corp", "--profile", "openldap", "--uri", self.slapd.uri,
                           "--ca-file", self.slapd.ca_file, "--bind-dn", self.slapd.service_dn, "--password-stdin",
                           "--base", self.slapd.people_dn, "--managed-domain", "corp.test", "--interval", "0", *extra,
                           input=self.slapd.service_password + "\n")

    def sync(self, *extra):
        return self.cli_ok("directory", "sync", "corp", *extra)

    def synced_accounts(self):
        listed = self.cli_json("account", "list", "--domain", "corp.test")["accounts"]
        return {a["address"]: a for a in listed}

    def imap_login(self, user, password):
        c = imaplib.IMAP4("127.0.0.1", self.server.port("imap"), timeout=30)
        self.addCleanup(self._close, c)
        c.starttls(ssl_context=tls_context())
        return c.login(user, password)

    def imap_refusal(self, user, password):
        with self.assertRaises(imaplib.IMAP4.error) as caught:
            self.imap_login(user, password)
        return str(caught.exception)

    def xmpp_sasl_plain(self, user, password):
        """SASL PLAIN after STARTTLS on the c2s port: the server's <success/> or <failure/> element."""
        import base64
        raw = RawXmpp(self.server.port("xmpp"))
        self.addCleanup(raw.close)
        domain = user.split("@")[1]
        raw.open(domain)
        raw.starttls(domain)
        token = base64.b64encode(b"\0" + user.encode() + b"\0" + password.encode()).decode()
        raw.send("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>%s</auth>" % token)
        return raw.read_until(rb"<success[^>]*/>|</success>|</failure>").decode()

    def test_01_add_shows_no_password(self):
        out = self.add_source()
        self.assertIn("corp", out)
        self.assertNotIn(self.slapd.service_password, out)
        shown = self.cli_json("directory", "show", "corp")
        self.assertTrue(shown["bind_password_set"])
        self.assertNotIn(self.slapd.service_password, str(shown))
        self.assertEqual(shown["managed_domains"], ["corp.test"])
        # SECURITY: the password is sealed, not stored in clear.
        stored = self.scalar("SELECT encode(bind_password, 'escape') FROM directory_sources WHERE name = 'corp'")
        self.assertNotIn(self.slapd.service_password, stored)
        self.assertIn("corp", self.cli_ok("directory", "list"))

    def test_02_dry_run_changes_nothing(self):
        out = self.sync("--dry-run")
        self.assertIn("would create alice@corp.test", out)
        self.assertIn("would create bob@corp.test", out)
        self.assertIn("dry run:", out)
        self.assertEqual(self.scalar("SELECT count(*) FROM accounts WHERE source = 'directory'"), "0")

    def test_03_sync_creates_accounts_from_the_directory(self):
        out = self.sync()
        self.assertIn("created alice@corp.test", out)
        accounts = self.synced_accounts()
        self.assertEqual(set(accounts), {"alice@corp.test", "bob@corp.test", "carol@corp.test", "dave@corp.test"})
        self.assertEqual(accounts["alice@corp.test"]["display_name"], "Alice Archer")
        self.assertEqual(accounts["alice@corp.test"]["source"], "directory")
        self.assertFalse(accounts["dave@corp.test"]["enabled"])  # userAccountControl 514
        # mailAlternateAddress became an alias that delivers to alice.
        self.assertEqual(self.cli_json("alias", "show", "a.archer@corp.test")["targets"], ["alice@corp.test"])
        attrs = self.scalar("SELECT directory_attributes->>'title' FROM accounts WHERE address = 'alice@corp.test'")
        self.assertEqual(attrs, "Engineer")
        self.assertEqual(self.scalar("SELECT count(*) FROM directory_photos p JOIN accounts a ON a.id = p.account_id "
                                     "WHERE a.address = 'alice@corp.test'"), "1")
        # A second pass finds nothing to change; it asks only for changes
        # since the first (RFC 4533 cookie), which the source shows.
        again = self.sync()
        self.assertIn("0 created, 0 updated, 0 disabled", again)
        self.assertTrue(self.cli_json("directory", "sync", "corp")["incremental"])
        self.assertTrue(self.cli_json("directory", "show", "corp")["sync"]["cookies"])

    def test_04_login_by_directory_bind(self):
        self.assertEqual(self.imap_login("alice@corp.test", ALICE_PW)[0], "OK")
        self.assertIn("AUTHENTICATIONFAILED", self.imap_refusal("alice@corp.test", "wrong-password"))
        # SECURITY: an empty password never becomes an anonymous bind.
        self.assertIn("AUTHENTICATIONFAILED", self.imap_refusal("bob@corp.test", ""))
        # Disabled in the directory: refused even with the right password.
        self.assertNotIn("OK", self.imap_refusal("dave@corp.test", "dave-pw-4"))
        with smtplib.SMTP("127.0.0.1", self.server.port("submission"), timeout=30) as s:
            s.starttls(context=tls_context())
            self.assertEqual(s.login("alice@corp.test", ALICE_PW)[0], 235)
        # The same identity and password on XMPP.
        self.assertIn("<success", self.xmpp_sasl_plain("alice@corp.test", ALICE_PW))
        self.assertIn("not-authorized", self.xmpp_sasl_plain("alice@corp.test", "wrong-password"))
        # SECURITY: a filter-like login name matches nobody.
        self.assertIn("AUTHENTICATIONFAILED", self.imap_refusal('"*)(uid=*"', ALICE_PW))
        self.assertIn("AUTHENTICATIONFAILED", self.imap_refusal('"alice*@corp.test"', ALICE_PW))
        # No password of a directory account is stored.
        self.assertEqual(self.scalar("SELECT count(*) FROM accounts WHERE source = 'directory' "
                                     "AND password_hash IS NOT NULL"), "0")

    def test_05_changes_in_the_directory_follow(self):
        self.deliver("bob@corp.test", subject="before the rename")
        bob_id = self.scalar("SELECT id FROM accounts WHERE address = 'bob@corp.test'")
        self.slapd.modify("dn: %s\nchangetype: modify\nreplace: title\ntitle: Principal Engineer\n"
                          % self.slapd.user_dn("alice"))
        self.slapd.modify("dn: %s\nchangetype: modify\nreplace: mail\nmail: robert@corp.test\n"
                          % self.slapd.user_dn("bob"))
        report = self.cli_json("directory", "sync", "corp")
        self.assertTrue(report["incremental"])
        self.assertEqual(report["entries"], 2)  # only the two changed entries travelled
        out = "".join("updated %s%s: %s\n" % (u["address"], " (was %s)" % u["was"] if u["was"] != u["address"] else "",
                                              ", ".join(u["changed"])) for u in report["updated"])
        self.assertIn("updated robert@corp.test (was bob@corp.test)", out)
        self.assertIn("updated alice@corp.test: details", out)
        accounts = self.synced_accounts()
        self.assertIn("robert@corp.test", accounts)
        self.assertNotIn("bob@corp.test", accounts)
        # The same account, with its mail.
        self.assertEqual(self.scalar("SELECT id FROM accounts WHERE address = 'robert@corp.test'"), bob_id)
        self.assertEqual(len(self.inbox("robert@corp.test")), 1)
        self.assertEqual(self.scalar("SELECT directory_attributes->>'title' FROM accounts "
                                     "WHERE address = 'alice@corp.test'"), "Principal Engineer")

    def test_05b_groups_with_an_address_are_lists(self):
        self.cli_ok("directory", "set", "corp", "--base", self.slapd.people_dn, "--base", self.slapd.groups_dn)
        self.slapd.add("dn: cn=team,%s\nobjectClass: groupOfNames\nobjectClass: extensibleObject\ncn: team\n"
                       "mail: team@corp.test\nmember: cn=all,%s\n" % (self.slapd.groups_dn, self.slapd.groups_dn))
        out = self.sync()
        # "all" nests "staff" (alice, bob now robert, carol) and adds dave.
        self.assertIn("created group team@corp.test (4 members)", out)
        members = self.cli_json("group", "show", "team@corp.test")["members"]
        self.assertEqual(sorted(members), ["alice@corp.test", "carol@corp.test", "dave@corp.test",
                                           "robert@corp.test"])
        self.deliver("team@corp.test", subject="to the team")
        self.assertTrue(any(m for m in self.inbox("alice@corp.test")))
        self.slapd.modify("dn: cn=staff,%s\nchangetype: modify\ndelete: member\nmember: %s\n"
                          % (self.slapd.groups_dn, self.slapd.user_dn("carol")))
        self.assertIn("updated group team@corp.test: members", self.sync())
        self.assertNotIn("carol@corp.test", self.cli_json("group", "show", "team@corp.test")["members"])
        self.assertIn("0 created, 0 updated", self.sync())  # and nothing more to do

    def wait_for(self, query, expected):
        deadline = time.monotonic() + 60  # a bound, not a measurement (bench/ measures)
        while self.scalar(query) != expected and time.monotonic() < deadline:
            time.sleep(0.1)
        self.assertEqual(self.scalar(query), expected, query)

    def listening_noted(self):
        return len([e for e in self.journal("directory") if "listening for changes" in e.get("text", "")])

    def test_05c1_persist_mode_applies_changes_as_the_server_sends_them(self):
        # An hour between passes: after the service's own first pass, only
        # the persistent search (RFC 4533 refreshAndPersist) can explain a
        # change showing up.
        self.cli_ok("directory", "set", "corp", "--interval", "3600")
        try:
            self.wait_journal(lambda e: "listening for changes" in e.get("text", ""), service="directory", timeout=60)
            self.slapd.modify("dn: %s\nchangetype: modify\nreplace: title\ntitle: Staff Engineer\n"
                              % self.slapd.user_dn("alice"))
            self.wait_for("SELECT directory_attributes->>'title' FROM accounts WHERE address = 'alice@corp.test'",
                          "Staff Engineer")
            frank = "SELECT count(*) FROM accounts WHERE address = 'frank@corp.test' AND enabled"
            self.slapd.add_user("frank", "frank-pw-6", "frank@corp.test", cn="Frank Fisher")
            self.wait_for(frank, "1")
            self.slapd.delete(self.slapd.user_dn("frank"))
            self.wait_for(frank, "0")  # disabled, not deleted
            self.assertEqual(self.scalar("SELECT count(*) FROM accounts WHERE address = 'frank@corp.test'"), "1")
            # New settings restart the watch (its first pass is a full one);
            # once it listens again, changes still arrive.
            noted = self.listening_noted()
            self.cli_ok("directory", "set", "corp", "--interval", "3599")
            deadline = time.monotonic() + 60
            while self.listening_noted() == noted and time.monotonic() < deadline:
                time.sleep(0.2)
            self.assertGreater(self.listening_noted(), noted)
            self.slapd.modify("dn: %s\nchangetype: modify\nreplace: title\ntitle: Senior Engineer\n"
                              % self.slapd.user_dn("alice"))
            self.wait_for("SELECT directory_attributes->>'title' FROM accounts WHERE address = 'alice@corp.test'",
                          "Senior Engineer")
        finally:
            self.cli_ok("directory", "set", "corp", "--interval", "0")

    def test_05c_the_directory_service_follows_changes_by_itself(self):
        self.cli_ok("directory", "set", "corp", "--interval", "1")
        try:
            # The settings changed: the service makes one full pass by itself
            # (a `posta directory sync` now could meet it running), then only
            # changes.
            self.slapd.modify("dn: %s\nchangetype: modify\nreplace: title\ntitle: Chief Engineer\n"
                              % self.slapd.user_dn("alice"))
            query = "SELECT directory_attributes->>'title' FROM accounts WHERE address = 'alice@corp.test'"
            deadline = time.monotonic() + 60  # a bound, not a measurement (bench/ measures)
            while self.scalar(query) != "Chief Engineer" and time.monotonic() < deadline:
                time.sleep(0.2)
            self.assertEqual(self.scalar(query), "Chief Engineer")
        finally:
            self.cli_ok("directory", "set", "corp", "--interval", "0")

    def test_05d_signatures_from_directory_attributes(self):
        self.cli_ok("settings", "set", "signature.html", "<p><b>[cn]</b>, [title]<br>[telephoneNumber]</p>")
        self.cli_ok("settings", "set", "signature.text", "[cn] | [title] | [ou]")
        html = self.cli_ok("account", "signature", "alice@corp.test")
        self.assertEqual(html.strip(), "<p><b>Alice Archer</b>, Chief Engineer<br>+1 555 0100</p>")
        self.assertEqual(self.cli_ok("account", "signature", "alice@corp.test", "--text").strip(),
                         "Alice Archer | Chief Engineer | Research")
        # Unknown variables and remote images are refused when saved.
        self.assertIn("bogus", self.cli_fails("settings", "set", "signature.html", "[bogus]"))
        self.cli_fails("settings", "set", "signature.html", '<img src="http://tracker.example/p.png">')
        self.assertIn("Alice Archer", self.cli_ok("account", "signature", "alice@corp.test"))

    def test_06_local_addresses_are_not_overwritten(self):
        self.make_account("erin@corp.test", password="local-Secret-1")
        self.slapd.add_user("erin", "erin-directory-pw", "erin@corp.test")
        out = self.sync()
        self.assertIn("conflict uid=erin", out)
        self.assertEqual(self.synced_accounts()["erin@corp.test"]["source"], "local")
        self.assertEqual(self.imap_login("erin@corp.test", "local-Secret-1")[0], "OK")
        self.assertTrue(any("conflicts" in e.get("text", "") for e in self.journal("directory")))

    def test_07_directory_down_keeps_earlier_logins_working(self):
        self._stop_slapd()
        try:
            # alice logged in before: her cached verifier answers.
            self.assertEqual(self.imap_login("alice@corp.test", ALICE_PW)[0], "OK")
            # robert never did: a temporary failure, not a wrong password.
            refusal = self.imap_refusal("robert@corp.test", BOB_PW)
            self.assertIn("UNAVAILABLE", refusal)
            # The sync fails and changes nothing.
            rc, out, err = self.server.cli("directory", "sync", "corp")
            self.assertNotEqual(rc, 0)
            self.assertEqual(self.cli_json("directory", "show", "corp")["sync"]["status"], "failed")
            self.assertTrue(self.synced_accounts()["alice@corp.test"]["enabled"])
        finally:
            self._start_slapd()

    def test_08_a_wrong_base_dn_stops_instead_of_disabling_everyone(self):
        self.cli_ok("directory", "set", "corp", "--base", "ou=services," + self.slapd.base_dn)
        out = self.sync()
        self.assertIn("stopped:", out)
        self.assertTrue(self.synced_accounts()["alice@corp.test"]["enabled"])
        self.cli_ok("directory", "set", "corp", "--base", self.slapd.people_dn, "--base", self.slapd.groups_dn)

    def test_09_removed_user_is_disabled_not_deleted(self):
        self.slapd.delete(self.slapd.user_dn("carol"))
        out = self.sync()
        self.assertIn("disabled (gone from the directory) carol@corp.test", out)
        carol = self.synced_accounts()["carol@corp.test"]
        self.assertFalse(carol["enabled"])
        self.assertNotIn("OK", self.imap_refusal("carol@corp.test", "carol-pw-3"))

    def test_10_remove_source_keeps_accounts_disabled(self):
        self.cli_ok("directory", "rm", "corp")
        accounts = self.synced_accounts()
        self.assertIn("alice@corp.test", accounts)
        self.assertFalse(accounts["alice@corp.test"]["enabled"])
        self.assertIn("no sources", self.cli_ok("directory", "list"))

    def _stop_slapd(self):
        proc = self.slapd.proc
        proc.terminate()
        proc.wait(timeout=30)

    def _start_slapd(self):
        urls = [self.slapd.uri + "/", self.slapd.ldaps_uri + "/"]
        self.slapd._launch(urls, 30)


if __name__ == "__main__":
    unittest.main()
