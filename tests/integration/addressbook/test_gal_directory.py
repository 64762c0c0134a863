"""The global address list follows the directory (issue 14): users synced
from a real slapd appear in the GAL with their directory attributes and
photo, a change made with ldapmodify shows in the card after the next sync,
and a disabled (removed) user leaves the list — read over CardDAV by curl."""

import base64
import os
import subprocess
import sys
import unittest
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "smtp"))

from directory_fixtures import Slapd  # noqa: E402
from smtp_helpers import SmtpTestCase  # noqa: E402

DAV = "{DAV:}"
CARD = "{urn:ietf:params:xml:ns:carddav}"
# The card carries whatever bytes the directory holds (a JPEG's magic first).
PHOTO = b"\xff\xd8\xff\xe0posta-test-photo"


class GalFromDirectoryTest(SmtpTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.slapd = Slapd()
        cls.slapd.start()
        cls.slapd.add_user("gina", "gina-pw-1", "gina@dir.test", cn="Gina Lind", givenName="Gina", sn="Lind",
                           title="Buyer", telephoneNumber="+46 8 100", jpegPhoto=PHOTO)
        cls.slapd.add_user("hugo", "hugo-pw-2", "hugo@dir.test", cn="Hugo Berg", sn="Berg", title="Driver")
        cls.cli_ok_class("directory", "add", "corp", "--profile", "openldap", "--uri", cls.slapd.uri,
                         "--ca-file", cls.slapd.ca_file, "--bind-dn", cls.slapd.service_dn, "--password-stdin",
                         "--base", cls.slapd.people_dn, "--managed-domain", "dir.test", "--interval", "0",
                         input=cls.slapd.service_password + "\n")

    @classmethod
    def tearDownClass(cls):
        cls.slapd.stop()
        super().tearDownClass()

    @classmethod
    def cli_ok_class(cls, *args, input=None):
        rc, out, err = cls.server.cli(*args, input=input)
        if rc != 0:
            raise AssertionError("posta %s: %s %s" % (" ".join(args), out, err))
        return out

    def sync(self):
        self.cli_ok("directory", "sync", "corp")

    def gal_cards(self, user="gina@dir.test", password="gina-pw-1"):
        """The GAL as Gina reads it (she logs in by directory bind)."""
        url = "https://127.0.0.1:%d/dav/addressbooks/%s/gal/" % (self.server.port("https"), user)
        body = ('<c:addressbook-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:carddav"><d:prop>'
                '<c:address-data/></d:prop></c:addressbook-query>')
        p = subprocess.run(["curl", "-sk", "-u", "%s:%s" % (user, password), "-X", "REPORT", "-H", "Depth: 1",
                            "--data-binary", body, url], capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        doc = ET.fromstring(p.stdout)
        return {r.find(DAV + "href").text.rsplit("/", 1)[1]: r.find(".//%saddress-data" % CARD).text
                for r in doc.findall(DAV + "response")}

    def card_of(self, cards, address):
        found = [c for c in cards.values() if "EMAIL;TYPE=internet,work,pref:%s" % address in c]
        self.assertEqual(len(found), 1, cards)
        return found[0]

    def test_01_synced_users_with_their_attributes(self):
        self.sync()
        cards = self.gal_cards()
        gina = self.card_of(cards, "gina@dir.test")
        self.assertIn("FN:Gina Lind", gina)
        self.assertIn("N:Lind;Gina;;;", gina)
        self.assertIn("TITLE:Buyer", gina)
        self.assertIn("TEL;TYPE=work,voice:+46 8 100", gina)
        self.assertIn("PHOTO;ENCODING=b;TYPE=JPEG:" + base64.b64encode(PHOTO).decode(), gina.replace("\r\n ", ""))
        self.assertIn("TITLE:Driver", self.card_of(cards, "hugo@dir.test"))

    def test_02_a_directory_change_shows_in_the_card(self):
        self.slapd.modify("dn: %s\nchangetype: modify\nreplace: title\ntitle: Head of Purchasing\n-\n"
                          "replace: telephoneNumber\ntelephoneNumber: +46 8 200\n" % self.slapd.user_dn("gina"))
        self.sync()
        gina = self.card_of(self.gal_cards(), "gina@dir.test")
        self.assertIn("TITLE:Head of Purchasing", gina)
        self.assertIn("+46 8 200", gina)
        self.assertNotIn("+46 8 100", gina)

    def test_03_a_removed_user_leaves_the_list(self):
        self.slapd.delete(self.slapd.user_dn("hugo"))
        self.sync()
        cards = self.gal_cards()
        self.assertFalse(any("hugo@dir.test" in c for c in cards.values()), cards)


if __name__ == "__main__":
    unittest.main()
