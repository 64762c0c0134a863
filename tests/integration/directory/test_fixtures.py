"""The directory fixtures themselves work: slapd and the Samba AD DC start,
their certificates verify against ca_file (and not against wrong_ca_file),
binds work over StartTLS and ldaps://, and the helpers change the directory.
The C++ tests of directory/ldap build on exactly these fixtures."""

import os
import subprocess
import unittest

from directory_fixtures import SambaAD, Slapd


def ldap_tool(fixture, argv, ca_file=None):
    env = dict(os.environ, LDAPTLS_CACERT=ca_file or fixture.ca_file, LDAPTLS_REQCERT="demand", LDAPCONF="/dev/null")
    return subprocess.run(argv, capture_output=True, text=True, env=env, timeout=60)


class SlapdFixture(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.ldap = Slapd().start()

    @classmethod
    def tearDownClass(cls):
        cls.ldap.stop()

    def whoami(self, uri, dn, password, start_tls=False, ca_file=None):
        argv = ["ldapwhoami", "-x", "-H", uri, "-D", dn, "-w", password] + (["-ZZ"] if start_tls else [])
        return ldap_tool(self.ldap, argv, ca_file)

    def test_start_tls_bind_with_ca_verification(self):
        r = self.whoami(self.ldap.uri, self.ldap.user_dn("alice"), "alice-pw-1", start_tls=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.strip(), "dn:uid=alice,ou=people,dc=corp,dc=test")

    def test_ldaps_bind_as_service(self):
        r = self.whoami(self.ldap.ldaps_uri, self.ldap.service_dn, self.ldap.service_password)
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_wrong_ca_is_refused(self):
        r = self.whoami(self.ldap.ldaps_uri, self.ldap.service_dn, self.ldap.service_password,
                        ca_file=self.ldap.wrong_ca_file)
        self.assertNotEqual(r.returncode, 0)

    def test_wrong_password(self):
        r = self.whoami(self.ldap.ldaps_uri, self.ldap.user_dn("bob"), "not-bobs")
        self.assertEqual(r.returncode, 49, r.stderr)

    def test_ad_like_schema_matches_and_memberof(self):
        out = self.ldap.search(self.ldap.base_dn, "(sAMAccountName=ALICE)", "memberOf", "proxyAddresses")
        self.assertIn("dn: uid=alice,ou=people,dc=corp,dc=test", out)
        self.assertIn("memberOf: cn=staff,ou=groups,dc=corp,dc=test", out)
        self.assertIn("proxyAddresses: SMTP:alice@corp.test", out)

    def test_add_user_modify_delete(self):
        dn = self.ldap.add_user("erin", "erin-pw-5", "erin@corp.test", title="CTO", jpegPhoto=b"\x00\xff")
        self.assertEqual(self.whoami(self.ldap.uri, dn, "erin-pw-5", start_tls=True).returncode, 0)
        self.ldap.modify("dn: %s\nchangetype: modify\nreplace: title\ntitle: CEO\n" % dn)
        self.assertIn("title: CEO", self.ldap.search(dn, "(objectClass=*)", "title", scope="base"))
        self.ldap.delete(dn)
        self.assertEqual(self.whoami(self.ldap.uri, dn, "erin-pw-5", start_tls=True).returncode, 49)


class SambaFixture(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        reason = SambaAD.unusable_reason()
        if reason:
            raise unittest.SkipTest(reason)
        cls.ad = SambaAD().start()

    @classmethod
    def tearDownClass(cls):
        cls.ad.stop()

    def base_search(self, uri, name, password, start_tls=False, ca_file=None):
        # Samba has no WhoAmI extended operation: a base search proves the bind.
        argv = ["ldapsearch", "-x", "-H", uri, "-D", name, "-w", password, "-b", self.ad.base_dn, "-s", "base", "dn"]
        return ldap_tool(self.ad, argv + (["-ZZ"] if start_tls else []), ca_file)

    def test_start_tls_and_ldaps_binds(self):
        r = self.base_search(self.ad.uri, self.ad.admin_upn, self.ad.admin_password, start_tls=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        r = self.base_search(self.ad.ldaps_uri, self.ad.admin_dn, self.ad.admin_password)
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_wrong_ca_is_refused(self):
        r = self.base_search(self.ad.ldaps_uri, self.ad.admin_upn, self.ad.admin_password,
                             ca_file=self.ad.wrong_ca_file)
        self.assertNotEqual(r.returncode, 0)

    def test_users_groups_and_refusals(self):
        dn = self.ad.create_user("grace", "Grace-pw-7", given_name="Grace", surname="Hopper",
                                 mail_address="grace@corp.test")
        r = self.base_search(self.ad.ldaps_uri, "grace@corp.test", "Grace-pw-7")
        self.assertEqual(r.returncode, 0, r.stderr)
        r = self.base_search(self.ad.ldaps_uri, "CORP\\grace", "Wrong-pw-7")
        self.assertEqual(r.returncode, 49)
        self.assertIn("data 52e", r.stderr)
        group = self.ad.add_group("engineers")
        self.ad.add_members("engineers", "grace")
        self.assertIn("memberOf: " + group, self.ad.search(dn, "(objectClass=*)", "memberOf", scope="base"))
        self.ad.modify("dn: %s\nchangetype: modify\nadd: proxyAddresses\nproxyAddresses: SMTP:grace@corp.test\n" % dn)
        self.assertIn("proxyAddresses: SMTP:grace@corp.test",
                      self.ad.search(dn, "(objectClass=*)", "proxyAddresses", scope="base"))
        self.ad.disable_user("grace")
        r = self.base_search(self.ad.ldaps_uri, "grace@corp.test", "Grace-pw-7")
        self.assertEqual(r.returncode, 49)
        self.assertIn("data 533", r.stderr)


if __name__ == "__main__":
    unittest.main()
