"""Directory groups in XMPP rosters, renamed accounts in others' rosters, and
the [ou] / [ounotes] signature variables (issue 12), against a real slapd
and real slixmpp clients logging in with their directory passwords.

The people: alice (ou attribute "Research", in staff and admins), erin in
ou=Sales (a unit with a description), in "Project X" (displayName; cn
project-x) through the nested group subteam, with alice. The tests of the
class run in order (numbered) and build on each other.
"""

import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "xmpp"))

from directory_fixtures import Slapd, ldif_entry  # noqa: E402
from xmpp_helpers import XmppTestCase  # noqa: E402

ALICE_PW = "alice-pw-1"
ERIN_PW = "erin-pw-5"
PROJECT = "Project X"


class DirectoryXmppTest(XmppTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.slapd = Slapd()
        cls.slapd.start()
        people, groups = cls.slapd.people_dn, cls.slapd.groups_dn
        cls.sales_dn = "ou=Sales," + people
        cls.slapd.add(ldif_entry(cls.sales_dn, {"objectClass": "organizationalUnit", "ou": "Sales",
                                                "description": "Sales floor, level 2"}))
        cls.slapd.add(ldif_entry("ou=Research," + people, {"objectClass": "organizationalUnit", "ou": "Research",
                                                           "description": "Lab & prototypes"}))
        cls.erin_dn = "uid=erin," + cls.sales_dn
        cls.slapd.add(ldif_entry(cls.erin_dn, {
            "objectClass": ["inetOrgPerson", "postaTestADObject"], "uid": "erin", "cn": "Erin Eames", "sn": "Eames",
            "mail": "erin@corp.test", "userPassword": ERIN_PW}))
        cls.slapd.add(ldif_entry("cn=subteam," + groups, {"objectClass": "groupOfNames", "cn": "subteam",
                                                         "member": cls.erin_dn}))
        cls.slapd.add(ldif_entry("cn=project-x," + groups, {
            "objectClass": ["groupOfNames", "extensibleObject"], "cn": "project-x", "displayName": PROJECT,
            "member": [cls.slapd.user_dn("alice"), "cn=subteam," + groups]}))
        cls.cli_ok_cls("directory", "add", "corp", "--profile", "openldap", "--uri", cls.slapd.uri,
                       "--ca-file", cls.slapd.ca_file, "--bind-dn", cls.slapd.service_dn, "--password-stdin",
                       "--base", people, "--base", groups, "--managed-domain", "corp.test", "--interval", "0",
                       input=cls.slapd.service_password + "\n")

    @classmethod
    def tearDownClass(cls):
        cls.slapd.stop()
        super().tearDownClass()

    @classmethod
    def cli_ok_cls(cls, *args, input=None):
        rc, out, err = cls.server.cli(*args, input=input)
        if rc != 0:
            raise RuntimeError("posta %s -> rc %d: %s" % (" ".join(args), rc, err))
        return out

    def sync(self):
        return self.cli_ok("directory", "sync", "corp")

    def directory_login(self, jid, password):
        """A slixmpp client logged in by directory bind (SASL PLAIN), its roster fetched."""
        c = self.login(jid, password=password, mechanism="PLAIN")
        self.watch(c)
        self.run_async(c.get_roster())
        return c

    def groups_of(self, client, contact):
        return sorted(client.client_roster[contact]["groups"])

    @staticmethod
    def gone(client, contact):
        """The push removed `contact`. COMPAT(slixmpp): a presence handled after
        the push lists the JID again locally, without subscription or group."""
        item = client.client_roster[contact] if contact in client.client_roster else None
        return item is None or (item["subscription"] == "none" and not item["groups"])

    def test_01_members_of_a_group_see_each_other(self):
        self.sync()
        a = self.directory_login("alice@corp.test", ALICE_PW)
        e = self.directory_login("erin@corp.test", ERIN_PW)
        # Through the nested group subteam, in the group's display name,
        # with mutual subscription and nothing asked for.
        self.assertIn("erin@corp.test", a.client_roster)
        self.assertEqual(self.groups_of(a, "erin@corp.test"), [PROJECT])
        self.assertEqual(a.client_roster["erin@corp.test"]["subscription"], "both")
        self.assertEqual(a.client_roster["erin@corp.test"]["name"], "Erin Eames")
        self.assertEqual(self.groups_of(e, "alice@corp.test"), [PROJECT])
        self.assertEqual(e.client_roster["alice@corp.test"]["subscription"], "both")
        # staff (alice, bob, carol) and all (staff nested, and dave) too;
        # erin shares nothing with bob.
        self.assertEqual(self.groups_of(a, "bob@corp.test"), ["all", "staff"])
        self.assertEqual(self.groups_of(a, "dave@corp.test"), ["all"])
        self.assertNotIn("bob@corp.test", e.client_roster)
        # Presence flows as with a mutual subscription.
        a.send_presence()
        e.send_presence()
        self.next_presence(a, "erin@corp.test", "available")
        self.next_presence(e, "alice@corp.test", "available")

    def test_02_a_renamed_group_is_pushed_under_its_new_name(self):
        a = self.directory_login("alice@corp.test", ALICE_PW)
        self.slapd.modify("dn: cn=project-x,%s\nchangetype: modify\nreplace: displayName\ndisplayName: Project Y\n"
                          % self.slapd.groups_dn)
        self.sync()
        # Pushed to the online client: no new roster request.
        self.wait_for(lambda: self.groups_of(a, "erin@corp.test") == ["Project Y"])

    def test_03_a_member_removed_from_the_group_disappears(self):
        a = self.directory_login("alice@corp.test", ALICE_PW)
        e = self.directory_login("erin@corp.test", ERIN_PW)
        a.send_presence()
        e.send_presence()
        self.next_presence(a, "erin@corp.test", "available")
        # subteam (erin's way in) leaves Project X.
        self.slapd.modify("dn: cn=project-x,%s\nchangetype: modify\ndelete: member\nmember: cn=subteam,%s\n"
                          % (self.slapd.groups_dn, self.slapd.groups_dn))
        self.sync()
        self.wait_for(lambda: self.gone(a, "erin@corp.test"))
        self.wait_for(lambda: self.gone(e, "alice@corp.test"))
        self.next_presence(a, "erin@corp.test", "unavailable")
        # A fresh login agrees: the stored roster no longer has them.
        again = self.directory_login("alice@corp.test", ALICE_PW)
        self.assertNotIn("erin@corp.test", again.client_roster)
        self.assertIn("bob@corp.test", again.client_roster)

    def test_04_groups_larger_than_the_bound_are_not_shared(self):
        # SECURITY: xmpp_shared_group_max_members bounds what one group
        # adds to each member's roster. "all" has 4 members, staff 3.
        self.cli_ok("directory", "set", "corp", "--xmpp-shared-group-max-members", "3")
        try:
            self.sync()  # new settings: a full pass
            a = self.directory_login("alice@corp.test", ALICE_PW)
            self.assertNotIn("dave@corp.test", a.client_roster)  # only in "all"
            self.assertEqual(self.groups_of(a, "bob@corp.test"), ["staff"])
        finally:
            self.cli_ok("directory", "set", "corp", "--xmpp-shared-group-max-members", "500")
        self.sync()
        a = self.directory_login("alice@corp.test", ALICE_PW)
        self.assertEqual(self.groups_of(a, "dave@corp.test"), ["all"])

    def test_05_a_source_may_keep_its_groups_out_of_rosters(self):
        a = self.directory_login("alice@corp.test", ALICE_PW)
        self.cli_ok("directory", "set", "corp", "--xmpp-shared-groups", "off")
        try:
            self.assertIs(self.cli_json("directory", "show", "corp")["xmpp_shared_groups"], False)
            self.wait_for(lambda: self.gone(a, "bob@corp.test"))  # pushed at once
        finally:
            self.cli_ok("directory", "set", "corp", "--xmpp-shared-groups", "on")
        self.wait_for(lambda: not self.gone(a, "bob@corp.test"))

    def test_06_a_renamed_user_follows_in_others_rosters(self):
        a = self.directory_login("alice@corp.test", ALICE_PW)
        e = self.directory_login("erin@corp.test", ERIN_PW)
        # erin shares no group with carol: a roster item of her own.
        e.update_roster("carol@corp.test", name="Caz", groups=["Friends"])
        self.wait_for(lambda: "carol@corp.test" in e.client_roster)
        self.assertIn("carol@corp.test", a.client_roster)  # staff
        self.slapd.modify("dn: %s\nchangetype: modify\nreplace: mail\nmail: caroline@corp.test\n"
                          % self.slapd.user_dn("carol"))
        self.assertIn("caroline@corp.test", self.sync())
        # Both online clients are pushed the old JID's removal and the new one.
        self.wait_for(lambda: "caroline@corp.test" in e.client_roster and self.gone(e, "carol@corp.test"))
        self.assertEqual(e.client_roster["caroline@corp.test"]["name"], "Caz")
        self.assertEqual(self.groups_of(e, "caroline@corp.test"), ["Friends"])
        self.wait_for(lambda: "caroline@corp.test" in a.client_roster and self.gone(a, "carol@corp.test"))
        self.assertEqual(self.groups_of(a, "caroline@corp.test"), ["all", "staff"])
        # And so does the stored roster.
        again = self.directory_login("erin@corp.test", ERIN_PW)
        self.assertNotIn("carol@corp.test", again.client_roster)
        self.assertEqual(again.client_roster["caroline@corp.test"]["name"], "Caz")

    def test_07_signature_with_the_unit_and_its_description(self):
        self.cli_ok("settings", "set", "signature.text", "[cn] | [ou] | [ounotes]")
        self.cli_ok("settings", "set", "signature.html", "<p>[ou]: [ounotes]</p>")
        # erin lives in ou=Sales (no ou attribute): the DN's unit.
        self.assertEqual(self.cli_ok("account", "signature", "erin@corp.test", "--text").strip(),
                         "Erin Eames | Sales | Sales floor, level 2")
        # alice's ou attribute names Research, a unit of its own.
        self.assertEqual(self.cli_ok("account", "signature", "alice@corp.test", "--text").strip(),
                         "Alice Archer | Research | Lab & prototypes")
        self.assertEqual(self.cli_ok("account", "signature", "alice@corp.test").strip(),
                         "<p>Research: Lab &amp; prototypes</p>")
        # A unit's new description reaches the signature with the next pass that reads the user.
        self.slapd.modify("dn: %s\nchangetype: modify\nreplace: description\ndescription: Sales, level 3\n"
                          "\ndn: %s\nchangetype: modify\nreplace: title\ntitle: Seller\n"
                          % (self.sales_dn, self.erin_dn))
        self.sync()
        self.assertEqual(self.cli_ok("account", "signature", "erin@corp.test", "--text").strip(),
                         "Erin Eames | Sales | Sales, level 3")


if __name__ == "__main__":
    unittest.main()
