"""Directory sources end to end against a real Active Directory (issue 12):
a private Samba AD DC (harness SambaAD, one per module) holds the people of
corp.test in OU=Staff; `posta directory add --profile ad/sync` makes their
accounts; they log in by a bind as themselves over IMAP, SMTP submission and
XMPP with their AD password; AD's answers (data 52e wrong password, data 533
disabled) become the right refusals; proxyAddresses, thumbnailPhoto, a new
mail address, a deleted user, StartTLS and a wrong service password behave
as README.md ("Accounts from a directory") says. Every pass after the first
is incremental (DirSync from the stored cookies): tests 11-20 make one
change each and check that the next pass reads only that change and that
Posta shows it.

The tests run in order (their names are numbered): each one builds on what
the previous ones synced. Samba starts once (setUpClass): provisioning is
cached by the fixture, a start costs about a second.
"""

import asyncio
import base64
import imaplib
import json
import os
import smtplib
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "xmpp"))
sys.path.insert(0, os.path.join(HERE, "..", "imap"))

from directory_fixtures import SambaAD  # noqa: E402
from imap_helpers import ImapTestCase  # noqa: E402
from xmpp_helpers import Client, XmppTestCase, tls_context  # noqa: E402

BASE = "DC=corp,DC=test"
STAFF = "OU=Staff," + BASE
PARTNERS = "OU=Partners," + BASE
SERVICE = "posta-svc"
SERVICE_PW = "Svc-Posta-pw-1"
FRANK_PW = "Frank-pw-6"
GRACE_PW = "Grace-pw-7"
HEIDI_PW = "Heidi-pw-8"
IVAN_PW = "Ivan-pw-9!"
PAT_PW = "Pat-Partner-3"
JUDY_PW = "Judy-pw-10"
CONTRACTORS = "OU=Contractors," + BASE
PHOTO = open(os.path.join(HERE, "data", "thumb.bin"), "rb").read()


def attribute(ldif, name):
    """The first value of `name` in ldapsearch output (None when absent)."""
    for line in ldif.splitlines():
        if line.lower().startswith(name.lower() + ": "):
            return line.split(": ", 1)[1]
    return None


class ActiveDirectoryTest(XmppTestCase, ImapTestCase):
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
        # The refusals below (wrong passwords, disabled users, injection
        # attempts) all come from 127.0.0.1: keep them from locking it out.
        for key, value in (("auth.max_failures_per_ip", "1000"), ("auth.max_failures_per_account", "1000")):
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
        ad.samba_tool("ou", "create", PARTNERS)
        # A plain domain user as the service account (outside the base): AD
        # lets authenticated users read the user attributes Posta needs.
        ad.create_user(SERVICE, SERVICE_PW)
        staff = "--userou=OU=Staff"
        ad.samba_tool("user", "create", "frank", FRANK_PW, staff, "--given-name=Frank", "--surname=Fischer",
                      "--job-title=Engineer", "--department=R&D", "--telephone-number=+49 30 1234",
                      "--mail-address=frank@corp.test")
        ad.samba_tool("user", "create", "grace", GRACE_PW, staff, "--given-name=Grace", "--surname=Hopper",
                      "--mail-address=grace@corp.test")
        ad.samba_tool("user", "create", "heidi", HEIDI_PW, staff, "--mail-address=heidi@corp.test")
        ad.samba_tool("user", "create", "ivan", IVAN_PW, staff, "--mail-address=ivan@corp.test")
        ad.samba_tool("user", "create", "nomail", "Nomail-pw-1", staff)
        ad.samba_tool("user", "create", "pat", PAT_PW, "--userou=OU=Partners", "--mail-address=pat@partners.test")
        # proxyAddresses: SMTP: is the primary, smtp: the others (only those in
        # a managed domain become aliases); thumbnailPhoto is binary.
        ad.modify("dn: %s\nchangetype: modify\nadd: proxyAddresses\nproxyAddresses: SMTP:grace@corp.test\n"
                  "proxyAddresses: smtp:g.hopper@corp.test\nproxyAddresses: smtp:grace@elsewhere.example\n"
                  "proxyAddresses: X400:c=US;a= ;p=Corp;o=Staff;s=Hopper;\n-\n"
                  "replace: thumbnailPhoto\nthumbnailPhoto:: %s\n"
                  % (ad.dn_of("grace"), base64.b64encode(PHOTO).decode()))

    # --- helpers ---------------------------------------------------------

    def add_source(self, name="corp", uri=None, base=STAFF, domain="corp.test", password=SERVICE_PW):
        return self.cli_ok("directory", "add", name, "--profile", "ad", "--uri", uri or self.ad.ldaps_uri,
                           "--ca-file", self.ad.ca_file, "--bind-dn", SERVICE + "@corp.test", "--password-stdin",
                           "--base", base, "--managed-domain", domain, "--interval", "0",
                           input=password + "\n")

    def sync(self, name="corp"):
        return self.cli_ok("directory", "sync", name)

    def synced_accounts(self, domain="corp.test"):
        return {a["address"]: a for a in self.cli_json("account", "list", "--domain", domain)["accounts"]}

    def account_id(self, address):
        return self.scalar("SELECT id FROM accounts WHERE address = '%s'" % address)

    def imap_refusal(self, user, password):
        with self.assertRaises(imaplib.IMAP4.error) as caught:
            self.imap(user, password)
        return str(caught.exception)

    def assertImapLogin(self, user, password):
        self.assertEqual(self.imap(user, password).state, "AUTH")

    def submission_login(self, user, password):
        """(code, text) of AUTH over submission after STARTTLS (smtplib)."""
        with smtplib.SMTP("127.0.0.1", self.server.port("submission"), timeout=30) as s:
            s.starttls(context=tls_context())
            try:
                return s.login(user, password)
            except smtplib.SMTPAuthenticationError as e:
                return e.smtp_code, e.smtp_error

    def xmpp_outcome(self, jid, password):
        """slixmpp with SASL PLAIN after STARTTLS (a directory account has
        no SCRAM secrets: its password is never stored)."""
        c = Client(jid, password, "PLAIN")
        self.clients.append(c)
        c.connect(("127.0.0.1", self.server.port("xmpp")), force_starttls=True)
        return self.run_async(asyncio.shield(c.outcome))

    def sync_report(self, name="corp"):
        return self.cli_json("directory", "sync", name)

    def assertIncremental(self, report, entries):
        """A pass that read only what changed: `entries` user entries, not
        every user of the source."""
        self.assertTrue(report["incremental"], report)
        self.assertEqual(report["entries"], entries, report)

    def store_positions(self, name, positions):
        """Sets a source's stored incremental state (as fetch.hpp's
        encode_cookies writes it: JSON, values base64)."""
        encoded = {k: base64.b64encode(v.encode()).decode() for k, v in positions.items()}
        self.sql("UPDATE directory_sync_state SET cookie = convert_to('%s', 'UTF8') WHERE source_id = "
                 "(SELECT id FROM directory_sources WHERE name = '%s')" % (json.dumps(encoded), name))

    def directory_refusals(self, account):
        return [e for e in self.journal("directory")
                if e.get("text") == "directory login refused" and e.get("fields", {}).get("account") == account]

    # --- the tests -------------------------------------------------------

    def test_01_add_ad_source(self):
        out = self.add_source()
        self.assertNotIn(SERVICE_PW, out)
        shown = self.cli_json("directory", "show", "corp")
        self.assertEqual(shown["profile"], "ad")
        self.assertEqual(shown["uris"], [self.ad.ldaps_uri])
        self.assertEqual(shown["base_dns"], [STAFF])
        self.assertTrue(shown["bind_password_set"])
        self.assertNotIn(SERVICE_PW, str(shown))

    def test_02_sync_creates_accounts_from_ad(self):
        out = self.sync()
        for who in ("frank", "grace", "heidi", "ivan"):
            self.assertIn("created %s@corp.test" % who, out)
        self.assertIn("skipped CN=nomail,%s: no mail address (mail)" % STAFF, out)
        accounts = self.synced_accounts()
        self.assertEqual(set(accounts), {"frank@corp.test", "grace@corp.test", "heidi@corp.test", "ivan@corp.test"})
        self.assertTrue(all(a["source"] == "directory" and a["enabled"] for a in accounts.values()))
        frank = self.cli_json("account", "show", "frank@corp.test")
        self.assertEqual(frank["display_name"], "Frank Fischer")
        self.assertEqual(frank["directory"]["login"], "frank")
        self.assertEqual(frank["directory"]["dn"], "CN=Frank Fischer," + STAFF)
        attrs = frank["directory_attributes"]
        self.assertEqual(attrs["title"], "Engineer")
        self.assertEqual(attrs["department"], "R&D")
        self.assertEqual(attrs["phone"], "+49 30 1234")
        self.assertEqual(attrs["given_name"], "Frank")
        self.assertEqual(attrs["surname"], "Fischer")
        self.assertEqual(attrs["upn"], "frank@corp.test")  # the bind name (see test_06c)
        # proxyAddresses smtp: in a managed domain became an alias; one in
        # another domain did not; the X400 value is not an address.
        self.assertEqual(self.cli_json("alias", "show", "g.hopper@corp.test")["targets"], ["grace@corp.test"])
        self.assertEqual(self.scalar("SELECT count(*) FROM aliases WHERE address = 'grace@elsewhere.example'"), "0")
        # The alias delivers to grace.
        self.deliver("g.hopper@corp.test", subject="through the proxy address")
        self.assertEqual(len(self.inbox("grace@corp.test")), 1)
        # thumbnailPhoto kept as it is.
        stored = self.scalar("SELECT encode(p.photo, 'base64') FROM directory_photos p "
                             "JOIN accounts a ON a.id = p.account_id WHERE a.address = 'grace@corp.test'")
        self.assertEqual(base64.b64decode(stored), PHOTO)
        self.assertEqual(self.scalar("SELECT count(*) FROM accounts WHERE source = 'directory' "
                                     "AND password_hash IS NOT NULL"), "0")
        self.assertIn("0 created, 0 updated, 0 disabled", self.sync())

    def test_03_login_by_ad_bind(self):
        self.assertImapLogin("frank@corp.test", FRANK_PW)
        self.assertEqual(self.submission_login("frank@corp.test", FRANK_PW)[0], 235)
        self.assertEqual(self.xmpp_outcome("frank@corp.test", FRANK_PW), "started")
        # AD answers data 52e: a wrong password, in each protocol's words.
        self.assertIn("AUTHENTICATIONFAILED", self.imap_refusal("frank@corp.test", "Not-franks-1"))
        self.assertEqual(self.submission_login("frank@corp.test", "Not-franks-1")[0], 535)
        self.assertEqual(self.xmpp_outcome("frank@corp.test", "Not-franks-1"), "auth failed")
        # SECURITY: an empty password is refused before any bind (AD would
        # take it as an anonymous bind).
        self.assertIn("AUTHENTICATIONFAILED", self.imap_refusal("frank@corp.test", ""))
        self.assertEqual(self.directory_refusals("frank@corp.test"), [])

    def test_04_a_login_moving_last_logon_writes_nothing(self):
        dn = self.ad.dn_of("grace")
        before = self.ad.search(dn, "(objectClass=*)", "uSNChanged", "lastLogonTimestamp", scope="base")
        self.assertIsNone(attribute(before, "lastLogonTimestamp"))  # grace never logged in
        updated_at = self.scalar("SELECT updated_at FROM accounts WHERE address = 'grace@corp.test'")
        self.assertImapLogin("grace@corp.test", GRACE_PW)
        after = self.ad.search(dn, "(objectClass=*)", "uSNChanged", "lastLogonTimestamp", scope="base")
        # AD recorded the logon: the entry changed in the directory's eyes.
        self.assertIsNotNone(attribute(after, "lastLogonTimestamp"))
        self.assertGreater(int(attribute(after, "uSNChanged")), int(attribute(before, "uSNChanged")))
        # ... but nothing Posta keeps changed: no update, no write.
        self.assertIn("0 created, 0 updated, 0 disabled", self.sync())
        self.assertEqual(self.scalar("SELECT updated_at FROM accounts WHERE address = 'grace@corp.test'"), updated_at)

    def test_05_disabled_in_ad_is_refused_at_once(self):
        # heidi logs in first, so a cached verifier of her password exists.
        self.assertImapLogin("heidi@corp.test", HEIDI_PW)
        self.ad.disable_user("heidi")
        # Before any sync: AD answers data 533 and the login is refused,
        # the cached verifier notwithstanding (AD did answer).
        self.assertIn("AUTHENTICATIONFAILED", self.imap_refusal("heidi@corp.test", HEIDI_PW))
        self.assertEqual(self.submission_login("heidi@corp.test", HEIDI_PW)[0], 535)
        self.assertEqual(self.xmpp_outcome("heidi@corp.test", HEIDI_PW), "auth failed")
        refusals = self.wait_journal(lambda e: e.get("text") == "directory login refused"
                                     and e.get("fields", {}).get("account") == "heidi@corp.test",
                                     service="directory")
        self.assertTrue(refusals)
        self.assertEqual(refusals[0]["fields"]["reason"], "account disabled")
        self.assertTrue(self.synced_accounts()["heidi@corp.test"]["enabled"])  # not synced yet
        out = self.sync()
        self.assertIn("updated heidi@corp.test: enabled", out)
        self.assertFalse(self.synced_accounts()["heidi@corp.test"]["enabled"])
        self.assertEqual(self.scalar("SELECT directory_verifier IS NULL FROM accounts "
                                     "WHERE address = 'heidi@corp.test'"), "t")

    def test_06_new_mail_address_keeps_the_account(self):
        self.deliver("frank@corp.test", subject="before the new address")
        frank_id = self.account_id("frank@corp.test")
        self.ad.modify("dn: %s\nchangetype: modify\nreplace: mail\nmail: frank.fischer@corp.test\n"
                       % self.ad.dn_of("frank"))
        out = self.sync()
        self.assertIn("updated frank.fischer@corp.test (was frank@corp.test): address", out)
        accounts = self.synced_accounts()
        self.assertIn("frank.fischer@corp.test", accounts)
        self.assertNotIn("frank@corp.test", accounts)
        self.assertEqual(self.account_id("frank.fischer@corp.test"), frank_id)
        self.assertEqual(len(self.inbox("frank.fischer@corp.test")), 1)
        self.assertImapLogin("frank.fischer@corp.test", FRANK_PW)

    def test_06b_renamed_entry_keeps_the_account(self):
        frank_id = self.account_id("frank.fischer@corp.test")
        self.ad.modify("dn: %s\nchangetype: modrdn\nnewrdn: CN=Frank Fischer-Meyer\ndeleteoldrdn: 1\n"
                       % self.ad.dn_of("frank"))
        out = self.sync()
        self.assertIn("updated frank.fischer@corp.test: dn", out)
        frank = self.cli_json("account", "show", "frank.fischer@corp.test")
        self.assertEqual(frank["id"] if "id" in frank else self.account_id("frank.fischer@corp.test"), frank_id)
        self.assertEqual(frank["directory"]["dn"], "CN=Frank Fischer-Meyer," + STAFF)
        self.assertImapLogin("frank.fischer@corp.test", FRANK_PW)

    def test_06c_renamed_entry_logs_in_before_the_next_sync(self):
        # Moved to another CN: the DN Posta has is stale until the next sync;
        # the bind goes by userPrincipalName, which AD keeps.
        self.ad.modify("dn: %s\nchangetype: modrdn\nnewrdn: CN=Frank Meyer\ndeleteoldrdn: 1\n"
                       % self.ad.dn_of("frank"))
        self.assertImapLogin("frank.fischer@corp.test", FRANK_PW)
        self.assertIn("AUTHENTICATIONFAILED", self.imap_refusal("frank.fischer@corp.test", "Not-franks-1"))
        self.assertIn("updated frank.fischer@corp.test: dn", self.sync())

    def test_07_start_tls_on_ldap_uri(self):
        # A second source on ldap:// (StartTLS before any bind: Samba
        # refuses simple binds in clear) for another OU and domain.
        self.add_source("partners", uri=self.ad.uri, base=PARTNERS, domain="partners.test")
        report = self.cli_json("directory", "sync", "partners")
        self.assertEqual(report["uri"], self.ad.uri)
        self.assertEqual(report["created"], ["pat@partners.test"])
        # Logins of its accounts bind over StartTLS too (their own pool).
        self.assertImapLogin("pat@partners.test", PAT_PW)
        self.assertIn("AUTHENTICATIONFAILED", self.imap_refusal("pat@partners.test", "Not-pats-1"))
        # Without StartTLS Samba refuses the simple bind (strong auth
        # required): the source fails clearly instead of binding in clear.
        self.cli_ok("directory", "set", "partners", "--start-tls", "off")
        line = self.cli_fails("directory", "sync", "partners")
        self.assertIn("Transport encryption required", line)
        self.cli_ok("directory", "set", "partners", "--start-tls", "on")
        self.assertIn("0 created, 0 updated, 0 disabled", self.sync("partners"))
        # The first source moved to ldap:// syncs as well.
        self.cli_ok("directory", "set", "corp", "--uri", self.ad.uri)
        report = self.cli_json("directory", "sync", "corp")
        self.assertEqual(report["uri"], self.ad.uri)
        self.assertEqual((report["created"], report["updated"], report["missing"]), ([], [], []))

    def test_08_deleted_in_ad_is_disabled_not_deleted(self):
        ivan_id = self.account_id("ivan@corp.test")
        self.ad.delete_user("ivan")
        out = self.sync()
        self.assertIn("disabled (gone from the directory) ivan@corp.test", out)
        ivan = self.cli_json("account", "show", "ivan@corp.test")
        self.assertFalse(ivan["enabled"])
        self.assertTrue(ivan["directory"]["missing_since"])
        self.assertEqual(self.account_id("ivan@corp.test"), ivan_id)
        self.assertIn("AUTHENTICATIONFAILED", self.imap_refusal("ivan@corp.test", IVAN_PW))

    def test_09_injection_in_login_names_is_refused(self):
        self.setting("auth.default_domain", "corp.test")
        errors = len([e for e in self.journal("directory") if e.get("level") == "error"])
        for login in ("*)(sAMAccountName=*", "admin*", "*", "frank)(|(objectClass=*",
                      "*)(sAMAccountName=*@corp.test", "frank*@corp.test"):
            # imaplib sends the user name as an atom: quoted, the filter
            # characters reach the server (RFC 3501 quoted string).
            self.assertIn("AUTHENTICATIONFAILED", self.imap_refusal('"%s"' % login, FRANK_PW), login)
            self.assertEqual(self.submission_login(login, FRANK_PW)[0], 535, login)
        # The same connection answers a real login afterwards.
        c = self.imap()
        with self.assertRaises(imaplib.IMAP4.error) as caught:
            c.authenticate("PLAIN", lambda _: b"\0*)(sAMAccountName=*\0" + FRANK_PW.encode())
        self.assertIn("AUTHENTICATIONFAILED", str(caught.exception))
        self.assertEqual(c.login("frank.fischer@corp.test", FRANK_PW)[0], "OK")
        self.assertEqual(len([e for e in self.journal("directory") if e.get("level") == "error"]), errors)

    def test_10_wrong_service_password_changes_nothing(self):
        before = self.synced_accounts()
        self.cli_ok("directory", "set", "corp", "--password-stdin", input="Wrong-svc-pw-9\n")
        line = self.cli_fails("directory", "sync", "corp")
        self.assertIn("refused", line)
        self.assertIn("data 52e", line)
        self.assertNotIn("Wrong-svc-pw-9", line)
        shown = self.cli_json("directory", "show", "corp")
        self.assertEqual(shown["sync"]["status"], "failed")
        self.assertIn("data 52e", shown["sync"]["message"])
        failed = self.wait_journal(lambda e: e.get("text") == "directory sync failed"
                                   and e.get("fields", {}).get("source") == "corp", service="directory")
        self.assertTrue(failed)
        self.assertEqual(failed[0]["level"], "error")
        self.assertIn("service bind", failed[0]["fields"]["error"])
        self.assertEqual(self.synced_accounts(), before)
        # Logins do not use the service account: they still work.
        self.assertImapLogin("grace@corp.test", GRACE_PW)
        self.cli_ok("directory", "set", "corp", "--password-stdin", input=SERVICE_PW + "\n")
        self.assertIn("0 created, 0 updated, 0 disabled", self.sync())


    # --- incremental passes: DirSync from the stored cookies -----------------

    def test_11_show_names_the_dirsync_position(self):
        incremental = self.cli_json("directory", "show", "corp")["sync"]["incremental"]
        self.assertEqual(incremental["kind"], "dirsync")
        self.assertRegex(incremental["positions"]["dirsync " + BASE], r"^USN \d+$")
        self.assertRegex(incremental["positions"]["dirsync groups " + BASE], r"^USN \d+$")
        text = self.cli_ok("directory", "show", "corp")
        self.assertRegex(text, r"Incremental:\s+dirsync")
        self.assertRegex(text, r"Positions:.*USN \d+")

    def test_12_a_pass_after_nothing_changed_writes_nothing(self):
        self.sync()  # what test_10's logins and password changes left
        written = "SELECT count(*), max(updated_at) FROM accounts WHERE source = 'directory'"
        before = self.scalar(written)
        report = self.sync_report()
        self.assertIncremental(report, 0)
        self.assertEqual((report["created"], report["updated"], report["missing"]), ([], [], []))
        self.assertEqual((report["groups"]["created"], report["groups"]["updated"]), ([], []))
        self.assertEqual(self.scalar(written), before)

    def test_13_a_new_user_comes_alone(self):
        self.ad.samba_tool("user", "create", "judy", JUDY_PW, "--userou=OU=Staff", "--given-name=Judy",
                           "--surname=Jones", "--mail-address=judy@corp.test")
        report = self.sync_report()
        self.assertIncremental(report, 1)
        self.assertEqual(report["created"], ["judy@corp.test"])
        self.assertTrue(self.synced_accounts()["judy@corp.test"]["enabled"])
        self.assertImapLogin("judy@corp.test", JUDY_PW)

    def test_14_a_new_title(self):
        self.ad.modify("dn: %s\nchangetype: modify\nreplace: title\ntitle: Auditor\n" % self.ad.dn_of("judy"))
        report = self.sync_report()
        self.assertIncremental(report, 1)
        self.assertEqual([(u["address"], u["changed"]) for u in report["updated"]], [("judy@corp.test", ["details"])])
        self.assertEqual(self.cli_json("account", "show", "judy@corp.test")["directory_attributes"]["title"], "Auditor")

    def test_15_a_new_group_and_its_members(self):
        self.ad.samba_tool("group", "add", "auditors", "--groupou=OU=Staff", "--mail-address=auditors@corp.test")
        self.ad.add_members("auditors", "judy", "grace")
        report = self.sync_report()
        self.assertTrue(report["incremental"], report)
        self.assertLessEqual(report["entries"], 2)  # at most the members, never everyone
        self.assertEqual(report["groups"]["created"], [{"address": "auditors@corp.test", "members": 2}])
        members = self.cli_json("group", "show", "auditors@corp.test")["members"]
        self.assertEqual(sorted(members), ["grace@corp.test", "judy@corp.test"])

    def test_16_a_renamed_member_keeps_its_account_and_lists(self):
        judy_id = self.account_id("judy@corp.test")
        self.ad.modify("dn: %s\nchangetype: modrdn\nnewrdn: CN=Judy Jones-Smith\ndeleteoldrdn: 1\n"
                       % self.ad.dn_of("judy"))
        report = self.sync_report()
        self.assertIncremental(report, 1)
        self.assertEqual([(u["address"], u["changed"]) for u in report["updated"]], [("judy@corp.test", ["dn"])])
        self.assertEqual(report["created"], [])
        self.assertEqual(self.account_id("judy@corp.test"), judy_id)
        self.assertEqual(self.cli_json("account", "show", "judy@corp.test")["directory"]["dn"],
                         "CN=Judy Jones-Smith," + STAFF)
        # The group names her by her new DN (AD changes no group for that).
        self.assertIn("judy@corp.test", self.cli_json("group", "show", "auditors@corp.test")["members"])

    def test_17_a_member_removed(self):
        self.ad.samba_tool("group", "removemembers", "auditors", "grace")
        report = self.sync_report()
        self.assertTrue(report["incremental"], report)
        self.assertLessEqual(report["entries"], 1)
        self.assertEqual([(g["address"], g["changed"]) for g in report["groups"]["updated"]],
                         [("auditors@corp.test", ["members"])])
        self.assertEqual(self.cli_json("group", "show", "auditors@corp.test")["members"], ["judy@corp.test"])

    def test_17b_a_pass_after_nothing_changed_rewrites_no_group(self):
        # The service account cannot read tombstones: each pass lists every
        # group still there, and stores them again only when one changed.
        rows = "SELECT string_agg(xmin::text, ',' ORDER BY uuid) FROM directory_groups"
        before = self.scalar(rows)
        report = self.sync_report()
        self.assertIncremental(report, 0)
        self.assertEqual((report["groups"]["created"], report["groups"]["updated"]), ([], []))
        self.assertEqual(self.scalar(rows), before)

    def test_18_disabled(self):
        self.ad.disable_user("judy")
        report = self.sync_report()
        self.assertIncremental(report, 1)
        self.assertEqual([(u["address"], u["changed"]) for u in report["updated"]], [("judy@corp.test", ["enabled"])])
        self.assertFalse(self.synced_accounts()["judy@corp.test"]["enabled"])
        self.assertIn("AUTHENTICATIONFAILED", self.imap_refusal("judy@corp.test", JUDY_PW))

    def test_19_deleted_and_mail_removed_are_gone(self):
        judy_id = self.account_id("judy@corp.test")
        self.ad.delete_user("judy")
        report = self.sync_report()
        self.assertTrue(report["incremental"], report)
        self.assertEqual(report["entries"], 0)
        self.assertEqual(report["missing"], ["judy@corp.test"])
        self.assertEqual(self.account_id("judy@corp.test"), judy_id)  # disabled, kept
        self.assertTrue(self.cli_json("account", "show", "judy@corp.test")["directory"]["missing_since"])
        # An entry without a mail address is no account any more.
        self.ad.modify("dn: %s\nchangetype: modify\ndelete: mail\n" % self.ad.dn_of("heidi"))
        report = self.sync_report()
        self.assertIncremental(report, 1)
        self.assertEqual(report["missing"], ["heidi@corp.test"])
        self.assertIn("heidi@corp.test", self.synced_accounts())

    def test_19b_a_cookie_the_dc_refuses_makes_one_full_pass(self):
        # As after a restore of the DC: the stored DirSync cookies mean
        # nothing to it (Samba: "Unable to unmarshall cookie").
        cookies = self.cli_json("directory", "show", "corp")["sync"]["cookies"]
        self.assertTrue(cookies and all(k.startswith("dirsync ") for k in cookies), cookies)
        self.store_positions("corp", {k: "not a cookie" for k in cookies})
        updated_at = self.scalar("SELECT max(updated_at) FROM accounts WHERE source = 'directory'")
        report = self.sync_report()
        self.assertFalse(report["incremental"])
        self.assertGreaterEqual(report["entries"], 4)  # everyone under the base
        self.assertEqual((report["created"], report["updated"], report["missing"]), ([], [], []))
        self.assertEqual(self.scalar("SELECT max(updated_at) FROM accounts WHERE source = 'directory'"), updated_at)
        warned = self.wait_journal(lambda e: e.get("text") == "directory incremental state unusable: a full pass",
                                   service="directory")
        self.assertIn("cookie", warned[0]["fields"]["error"])
        # The full pass left new cookies: the next pass is incremental again.
        self.assertIncremental(self.sync_report(), 0)

    def test_19c_usn_polling_where_dirsync_is_refused(self):
        # Where DirSync is refused, a first pass leaves the DC's
        # highestCommittedUSN instead, and later passes poll uSNChanged from
        # it: the state is set here as such a pass would leave it (no DC
        # here refuses DirSync).
        dse = self.ad.search("", "(objectClass=*)", "highestCommittedUSN", "dsServiceName", scope="base")
        usn = attribute(dse, "highestCommittedUSN")
        self.store_positions("corp", {"usn " + BASE: usn, "usn server": attribute(dse, "dsServiceName"),
                                      "dirsync refused": "1"})
        shown = self.cli_json("directory", "show", "corp")["sync"]["incremental"]
        self.assertEqual((shown["kind"], shown["positions"]["usn " + BASE]), ("usn", usn))
        self.ad.modify("dn: %s\nchangetype: modify\nreplace: title\ntitle: Principal Engineer\n"
                       % self.ad.dn_of("frank"))
        report = self.sync_report()
        self.assertTrue(report["incremental"], report)
        self.assertLessEqual(report["entries"], 2)  # frank (and at most a logon's USN bump)
        self.assertEqual([(u["address"], u["changed"]) for u in report["updated"]],
                         [("frank.fischer@corp.test", ["details"])])
        attrs = self.cli_json("account", "show", "frank.fischer@corp.test")["directory_attributes"]
        self.assertEqual(attrs["title"], "Principal Engineer")
        shown = self.cli_json("directory", "show", "corp")["sync"]["incremental"]
        self.assertEqual(shown["kind"], "usn")
        self.assertGreater(int(shown["positions"]["usn " + BASE]), int(usn))
        self.assertIncremental(self.sync_report(), 0)

    def test_20_an_administrator_source_reads_tombstones(self):
        # Bound as an administrator, the source reads deletions as tombstones:
        # a pass after nothing changed is a quiet one (no plan, no journal).
        self.ad.samba_tool("ou", "create", CONTRACTORS)
        for name in ("carl", "cora"):
            self.ad.samba_tool("user", "create", name, "Contract-pw-1", "--userou=OU=Contractors",
                               "--mail-address=%s@contractors.test" % name)
        self.cli_ok("directory", "add", "contractors", "--profile", "ad", "--uri", self.ad.ldaps_uri,
                    "--ca-file", self.ad.ca_file, "--bind-dn", self.ad.admin_upn, "--password-stdin",
                    "--base", CONTRACTORS, "--managed-domain", "contractors.test", "--interval", "0",
                    input=self.ad.admin_password + "\n")
        first = self.sync_report("contractors")
        self.assertFalse(first["incremental"])
        self.assertEqual(sorted(first["created"]), ["carl@contractors.test", "cora@contractors.test"])
        self.ad.delete_user("carl")
        report = self.sync_report("contractors")
        self.assertIncremental(report, 0)
        self.assertEqual(report["missing"], ["carl@contractors.test"])
        self.assertFalse(self.synced_accounts("contractors.test")["carl@contractors.test"]["enabled"])
        quiet = self.sync_report("contractors")
        self.assertIncremental(quiet, 0)
        self.assertEqual(self.cli_json("directory", "show", "contractors")["sync"]["counts"], {"entries": 0})


if __name__ == "__main__":
    unittest.main()
