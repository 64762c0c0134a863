"""CardDAV (issue 14) with real clients: vdirsyncer (Debian's package)
syncing a personal book both ways with a local folder — cards made on each
side, edits, deletions, a conflict, and a second sync that changes nothing —
and curl for discovery, each WebDAV method and its error answers (wrong
ETag 412, oversize card 413, bad XML 400, no TLS 403, another user's book
403, Depth infinity 403, UID conflict 409, sync-collection tokens)."""

import hashlib
import os
import shutil
import ssl
import subprocess
import sys
import tempfile
import textwrap
import unittest
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "smtp"))

from smtp_helpers import PASSWORD, SmtpTestCase  # noqa: E402

DAV = "{DAV:}"
CARD = "{urn:ietf:params:xml:ns:carddav}"
ALICE = "alice@book.test"
BOB = "bob@book.test"


def vcard(uid, name, email, version="3.0", extra=""):
    return ("BEGIN:VCARD\r\nVERSION:%s\r\nUID:%s\r\nFN:%s\r\nN:%s;;;;\r\nEMAIL;TYPE=work:%s\r\n%sEND:VCARD\r\n"
            % (version, uid, name, name, email, extra))


class CardDavTestCase(SmtpTestCase):
    """The classes of this module share one server: each makes the domains and
    accounts it names in `people` unless an earlier class made them."""
    people = {"book.test": (ALICE, BOB)}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for domain, accounts in cls.people.items():
            if cls.server.api("GET", "/api/v1/domains/" + domain)[0] == 404:
                cls.make_domain(domain)
            for address in accounts:
                if cls.server.api("GET", "/api/v1/accounts/" + address)[0] == 404:
                    cls.make_account(address)
        cls.base = "https://127.0.0.1:%d" % cls.server.port("https")
        pem = ssl.get_server_certificate(("127.0.0.1", cls.server.port("https")))
        cls.fingerprint = hashlib.sha256(ssl.PEM_cert_to_DER_cert(pem)).hexdigest().upper()

    def curl(self, method, path, body=None, user=ALICE, password=PASSWORD, headers=(), base=None):
        """(status, headers dict, body) of one request made by curl."""
        cmd = ["curl", "-sk", "-o", "-", "-D", "/dev/stderr", "-X", method, (base or self.base) + path]
        if user:
            cmd += ["-u", "%s:%s" % (user, password)]
        if method == "PUT" and not any(h.lower().startswith("content-type") for h in headers):
            headers = list(headers) + ["Content-Type: text/vcard; charset=utf-8"]
        for h in headers:
            cmd += ["-H", h]
        if body is not None:
            cmd += ["--data-binary", "@-"]
        p = subprocess.run(cmd, input=body.encode() if isinstance(body, str) else body, capture_output=True,
                           timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        head = p.stderr.decode("latin-1").split("\r\n")
        status = int(head[0].split()[1])
        fields = {}
        for line in head[1:]:
            if ":" in line:
                k, v = line.split(":", 1)
                fields[k.strip().lower()] = v.strip()
        return status, fields, p.stdout.decode()

    def propfind(self, path, props, depth="0", user=ALICE):
        body = '<d:propfind xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:carddav"><d:prop>%s</d:prop></d:propfind>' % props
        status, _, text = self.curl("PROPFIND", path, body, user=user, headers=["Depth: " + depth,
                                                                                 "Content-Type: application/xml"])
        return status, (ET.fromstring(text) if status == 207 else text)


class TestDiscoveryAndMethods(CardDavTestCase):
    def test_01_discovery_from_well_known_to_the_books(self):
        status, fields, _ = self.curl("PROPFIND", "/.well-known/carddav", "", headers=["Depth: 0"])
        self.assertEqual(status, 301)
        self.assertEqual(fields["location"], "/dav/")
        status, doc = self.propfind("/dav/", "<d:current-user-principal/>")
        self.assertEqual(status, 207)
        principal = doc.find(".//%scurrent-user-principal/%shref" % (DAV, DAV)).text
        self.assertEqual(principal, "/dav/principals/%s/" % ALICE)
        status, doc = self.propfind(principal, "<c:addressbook-home-set/>")
        home = doc.find(".//%saddressbook-home-set/%shref" % (CARD, DAV)).text
        self.assertEqual(home, "/dav/addressbooks/%s/" % ALICE)
        status, doc = self.propfind(home, "<d:resourcetype/><d:displayname/>", depth="1")
        books = {r.find(DAV + "href").text: r for r in doc.findall(DAV + "response")}
        self.assertIn(home + "personal/", books)
        self.assertIn(home + "collected/", books)
        self.assertIsNotNone(books[home + "personal/"].find(".//%sresourcetype/%saddressbook" % (DAV, CARD)))
        self.assertEqual(books[home + "collected/"].find(".//%sdisplayname" % DAV).text, "Collected addresses")

    def test_02_put_get_etags_and_preconditions(self):
        path = "/dav/addressbooks/%s/personal/ada.vcf" % ALICE
        card = vcard("ada-1", "Ada Lovelace", "ada@example.org")
        status, fields, _ = self.curl("PUT", path, card, headers=["Content-Type: text/vcard", "If-None-Match: *"])
        self.assertEqual(status, 201)
        etag = fields["etag"]
        status, fields, body = self.curl("GET", path)
        self.assertEqual((status, fields["etag"], body), (200, etag, card))  # byte for byte
        # Creating again with If-None-Match: * fails; a wrong If-Match fails; the right one succeeds.
        self.assertEqual(self.curl("PUT", path, card, headers=["If-None-Match: *"])[0], 412)
        changed = vcard("ada-1", "Ada King", "ada@example.org")
        self.assertEqual(self.curl("PUT", path, changed, headers=['If-Match: "0000"'])[0], 412)
        status, fields, _ = self.curl("PUT", path, changed, headers=["If-Match: " + etag])
        self.assertEqual(status, 204)
        self.assertNotEqual(fields["etag"], etag)
        self.assertEqual(self.curl("GET", path)[2], changed)
        # Another resource with the same UID conflicts (RFC 6352 6.3.2.1).
        status, _, body = self.curl("PUT", "/dav/addressbooks/%s/personal/copy.vcf" % ALICE, changed)
        self.assertEqual(status, 409)
        self.assertIn("no-uid-conflict", body)
        self.assertEqual(self.curl("DELETE", path, headers=['If-Match: "0000"'])[0], 412)
        self.assertEqual(self.curl("DELETE", path)[0], 204)
        self.assertEqual(self.curl("GET", path)[0], 404)

    def test_03_bad_input_is_refused_with_the_right_answer(self):
        book = "/dav/addressbooks/%s/personal/" % ALICE
        big = vcard("big", "Big", "big@example.org", extra="NOTE:%s\r\n" % ("x" * (1100 * 1024)))
        status, _, body = self.curl("PUT", book + "big.vcf", big)
        self.assertEqual(status, 413)
        self.assertEqual(self.curl("PUT", book + "bad.vcf", "BEGIN:VCARD\r\nFN:x\r\nEND:VCARD\r\n")[0], 403)
        self.assertEqual(self.curl("GET", book + "bad.vcf")[0], 404)  # nothing stored
        status, _, body = self.curl("PUT", book + "json.vcf", vcard("j", "J", "j@example.org"),
                                    headers=["Content-Type: application/json"])
        self.assertEqual(status, 403)
        self.assertIn("supported-address-data", body)
        self.assertEqual(self.curl("PROPFIND", book, "<d:propfind xmlns:d='DAV:'><d:prop>", headers=["Depth: 0"])[0],
                         400)
        doctype = '<!DOCTYPE x [<!ENTITY a "aaaa">]><d:propfind xmlns:d="DAV:"><d:allprop/></d:propfind>'
        self.assertEqual(self.curl("PROPFIND", book, doctype, headers=["Depth: 0"])[0], 400)
        status, _, body = self.curl("PROPFIND", book, "", headers=["Depth: infinity"])
        self.assertEqual(status, 403)
        self.assertIn("propfind-finite-depth", body)
        self.assertEqual(self.curl("PROPFIND", "/dav/addressbooks/%s/personal/" % BOB, "", headers=["Depth: 0"])[0],
                         403)
        self.assertEqual(self.curl("PROPFIND", book, "", password="wrong", headers=["Depth: 0"])[0], 401)
        self.assertEqual(self.curl("PROPFIND", book, "", user=None, headers=["Depth: 0"])[0], 401)
        plain = "http://" + self.server.addresses["http"]
        status, _, body = self.curl("PROPFIND", book, "", headers=["Depth: 0"], base=plain)
        self.assertEqual(status, 403)
        self.assertIn("https", body)

    def test_04_new_books_properties_and_sync_collection(self):
        home = "/dav/addressbooks/%s/" % ALICE
        mkcol = ('<d:mkcol xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:carddav"><d:set><d:prop><d:resourcetype>'
                 '<d:collection/><c:addressbook/></d:resourcetype><d:displayname>Team</d:displayname></d:prop>'
                 '</d:set></d:mkcol>')
        self.assertEqual(self.curl("MKCOL", home + "team/", mkcol)[0], 201)
        self.assertEqual(self.curl("MKCOL", home + "team/", mkcol)[0], 405)
        patch = ('<d:propertyupdate xmlns:d="DAV:"><d:set><d:prop><d:displayname>Team A</d:displayname></d:prop>'
                 '</d:set></d:propertyupdate>')
        self.assertEqual(self.curl("PROPPATCH", home + "team/", patch)[0], 207)
        status, doc = self.propfind(home + "team/", "<d:displayname/><d:sync-token/>")
        self.assertEqual(doc.find(".//%sdisplayname" % DAV).text, "Team A")
        token0 = doc.find(".//%ssync-token" % DAV).text
        for i in range(3):
            self.curl("PUT", home + "team/%d.vcf" % i, vcard("t-%d" % i, "Member %d" % i, "m%d@example.org" % i))
        self.curl("DELETE", home + "team/0.vcf")
        report = ('<d:sync-collection xmlns:d="DAV:"><d:sync-token>%s</d:sync-token><d:sync-level>1</d:sync-level>'
                  '<d:prop><d:getetag/></d:prop></d:sync-collection>')
        status, _, text = self.curl("REPORT", home + "team/", report % token0)
        self.assertEqual(status, 207)
        doc = ET.fromstring(text)
        seen = {r.find(DAV + "href").text: r for r in doc.findall(DAV + "response")}
        self.assertEqual(set(seen), {home + "team/%d.vcf" % i for i in range(3)})
        self.assertIn("404", seen[home + "team/0.vcf"].find(DAV + "status").text)
        token1 = doc.find(DAV + "sync-token").text
        status, _, text = self.curl("REPORT", home + "team/", report % token1)
        doc = ET.fromstring(text)
        self.assertEqual(doc.findall(DAV + "response"), [])  # nothing changed since
        self.assertEqual(doc.find(DAV + "sync-token").text, token1)
        status, _, text = self.curl("REPORT", home + "team/", report % "urn:x-posta:sync:999999:1")
        self.assertEqual(status, 403)
        self.assertIn("valid-sync-token", text)
        query = ('<c:addressbook-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:carddav"><d:prop><d:getetag/>'
                 '<c:address-data/></d:prop><c:filter><c:prop-filter name="FN"><c:text-match match-type="contains">'
                 'MEMBER 2</c:text-match></c:prop-filter></c:filter></c:addressbook-query>')
        status, _, text = self.curl("REPORT", home + "team/", query)
        doc = ET.fromstring(text)
        hrefs = [r.find(DAV + "href").text for r in doc.findall(DAV + "response")]
        self.assertEqual(hrefs, [home + "team/2.vcf"])
        self.assertIn("FN:Member 2", doc.find(".//%saddress-data" % CARD).text)
        # vdirsyncer asks for a whole book in one multiget: more than a thousand hrefs are answered.
        hrefs = "".join("<d:href>%steam/%d.vcf</d:href>" % (home, i) for i in range(1500))
        status, _, text = self.curl("REPORT", home + "team/",
                                    '<c:addressbook-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:carddav">'
                                    '<d:prop><d:getetag/></d:prop>%s</c:addressbook-multiget>' % hrefs)
        self.assertEqual(status, 207)
        doc = ET.fromstring(text)
        self.assertEqual(len(doc.findall(DAV + "response")), 1500)
        self.assertEqual(len(doc.findall(".//%sgetetag" % DAV)), 2)  # 1.vcf and 2.vcf exist
        self.assertEqual(self.curl("DELETE", home + "personal/")[0], 403)
        self.assertEqual(self.curl("DELETE", home + "team/")[0], 204)
        self.assertEqual(self.propfind(home + "team/", "<d:displayname/>")[0], 404)


class TestGlobalAddressList(CardDavTestCase):
    people = {"gal.test": ("carol@gal.test", "dave@gal.test", "erin@gal.test"), "other.test": ("frank@other.test",)}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sql("UPDATE accounts SET display_name = 'Dave Directory', directory_attributes = "
                "'{\"title\": \"Engineer\", \"phone\": \"+1 555 0100\", \"department\": \"R&D\"}' "
                "WHERE address = 'dave@gal.test'")
        cls.make_alias("d.directory@gal.test", ["dave@gal.test"])
        cls.make_group("team@gal.test", ["carol@gal.test", "dave@gal.test"])

    def gal(self, user="carol@gal.test"):
        status, _, text = self.curl("REPORT", "/dav/addressbooks/%s/gal/" % user,
                                    '<d:sync-collection xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:carddav">'
                                    '<d:sync-token/><d:sync-level>1</d:sync-level><d:prop><d:getetag/>'
                                    '<c:address-data/></d:prop></d:sync-collection>', user=user)
        self.assertEqual(status, 207, text)
        doc = ET.fromstring(text)
        cards = [r.find(".//%saddress-data" % CARD).text for r in doc.findall(DAV + "response")]
        return cards, doc.find(DAV + "sync-token").text

    def test_01_the_domain_in_one_read_only_book(self):
        cards, token = self.gal()
        text = "\n".join(cards)
        self.assertIn("FN:Dave Directory", text)
        self.assertIn("TITLE:Engineer", text)
        self.assertIn("+1 555 0100", text)
        self.assertIn("ORG:;R&D", text)
        self.assertIn("d.directory@gal.test", text)  # the alias
        self.assertIn("IMPP:xmpp:erin@gal.test", text)
        self.assertIn("X-ADDRESSBOOKSERVER-MEMBER:mailto:dave@gal.test", text)  # the group
        self.assertNotIn("frank@other.test", text)  # another domain
        status, _, body = self.curl("PUT", "/dav/addressbooks/carol@gal.test/gal/x.vcf",
                                    vcard("x", "X", "x@example.org"), user="carol@gal.test")
        self.assertEqual(status, 403)
        self.assertIn("need-privileges", body)
        # Changes show at once: hidden and disabled accounts leave, the token moves.
        self.sql("UPDATE accounts SET hide_from_address_book = true WHERE address = 'erin@gal.test'")
        self.addCleanup(self.sql, "UPDATE accounts SET hide_from_address_book = false WHERE address = 'erin@gal.test'")
        cards2, token2 = self.gal()
        self.assertNotIn("erin@gal.test", "\n".join(cards2))
        self.assertNotEqual(token, token2)
        status, _, body = self.curl("REPORT", "/dav/addressbooks/carol@gal.test/gal/",
                                    '<d:sync-collection xmlns:d="DAV:"><d:sync-token>%s</d:sync-token>'
                                    '<d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>'
                                    % token, user="carol@gal.test")
        self.assertEqual(status, 403)
        self.assertIn("valid-sync-token", body)

    def test_02_organisation_scope(self):
        self.setting("addressbook.gal_scope", "organisation")
        cards, _ = self.gal()
        self.assertIn("frank@other.test", "\n".join(cards))
        status, _ = self.server.api("PUT", "/api/v1/settings/addressbook.gal_scope", json={"value": "everyone"})
        self.assertEqual(status, 400)

    def test_03_khard_reads_the_gal_through_vdirsyncer(self):
        root = tempfile.mkdtemp(prefix="posta-khard-")
        self.addCleanup(shutil.rmtree, root, True)
        local = os.path.join(root, "gal")
        os.makedirs(local)
        config = os.path.join(root, "vdirsyncer.conf")
        with open(config, "w") as f:
            f.write(textwrap.dedent("""\
                [general]
                status_path = "%s/status/"
                [pair gal]
                a = "local"
                b = "remote"
                collections = null
                [storage local]
                type = "filesystem"
                path = "%s"
                fileext = ".vcf"
                [storage remote]
                type = "carddav"
                url = "%s/dav/addressbooks/carol@gal.test/gal/"
                username = "carol@gal.test"
                password = "%s"
                verify_fingerprint = "%s"
                read_only = true
                """ % (root, local, self.base, PASSWORD, self.fingerprint)))
        for verb in ("discover", "sync"):
            p = subprocess.run(["vdirsyncer", "-c", config, verb], capture_output=True, text=True, timeout=120,
                               env=dict(os.environ, HOME=root))
            self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        khard_conf = os.path.join(root, "khard.conf")
        with open(khard_conf, "w") as f:
            f.write("[addressbooks]\n[[gal]]\npath = %s\n[general]\ndefault_action = list\n" % local)
        p = subprocess.run(["khard", "-c", khard_conf, "email", "--parsable", "dave"], capture_output=True,
                           text=True, timeout=60, env=dict(os.environ, HOME=root))
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("dave@gal.test\tDave Directory", p.stdout)


class TestVdirsyncer(CardDavTestCase):
    """Two-way sync of the personal book with a local vdir folder."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="posta-vdirsyncer-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.local = os.path.join(self.dir, "contacts")
        os.makedirs(self.local)
        self.config = os.path.join(self.dir, "config")
        with open(self.config, "w") as f:
            f.write(textwrap.dedent("""\
                [general]
                status_path = "%s/status/"

                [pair contacts]
                a = "local"
                b = "remote"
                collections = null
                conflict_resolution = "a wins"

                [storage local]
                type = "filesystem"
                path = "%s"
                fileext = ".vcf"

                [storage remote]
                type = "carddav"
                url = "%s/dav/addressbooks/%s/personal/"
                username = "%s"
                password = "%s"
                verify_fingerprint = "%s"
                """ % (self.dir, self.local, self.base, ALICE, ALICE, PASSWORD, self.fingerprint)))

    def vdirsyncer(self, *args):
        p = subprocess.run(["vdirsyncer", "-c", self.config, "-v", "INFO"] + list(args), capture_output=True,
                           text=True, timeout=120, env=dict(os.environ, HOME=self.dir))
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        return p.stdout + p.stderr

    def local_cards(self):
        out = {}
        for name in os.listdir(self.local):
            with open(os.path.join(self.local, name), newline="") as f:
                out[name] = f.read()
        return out

    def server_cards(self):
        status, doc = self.propfind("/dav/addressbooks/%s/personal/" % ALICE, "<d:getetag/>", depth="1")
        self.assertEqual(status, 207)
        out = {}
        for r in doc.findall(DAV + "response"):
            href = r.find(DAV + "href").text
            if href.endswith("/"):
                continue
            out[href.rsplit("/", 1)[1]] = self.curl("GET", href)[2]
        return out

    def test_two_way_sync(self):
        # Clean slate on the server's side.
        for name in self.server_cards():
            self.curl("DELETE", "/dav/addressbooks/%s/personal/%s" % (ALICE, name))
        self.vdirsyncer("discover")
        with open(os.path.join(self.local, "local-1.vcf"), "w", newline="") as f:
            f.write(vcard("local-1", "Local One", "one@example.org"))
        self.curl("PUT", "/dav/addressbooks/%s/personal/remote-1.vcf" % ALICE,
                  vcard("remote-1", "Remote One", "r1@example.org", version="4.0"))
        self.vdirsyncer("sync")
        on_server = self.server_cards()
        self.assertTrue(any("Local One" in c for c in on_server.values()), on_server)
        self.assertTrue(any("Remote One" in c for c in self.local_cards().values()))

        # An edit on each side, a deletion on the server, and a conflict that "a wins" settles.
        local_name = next(n for n, c in self.local_cards().items() if "Local One" in c)
        with open(os.path.join(self.local, local_name), "w", newline="") as f:
            f.write(vcard("local-1", "Local One Edited", "one@example.org"))
        remote_name = next(n for n, c in on_server.items() if "Remote One" in c)
        self.curl("DELETE", "/dav/addressbooks/%s/personal/%s" % (ALICE, remote_name))
        self.curl("PUT", "/dav/addressbooks/%s/personal/remote-2.vcf" % ALICE,
                  vcard("remote-2", "Remote Two", "r2@example.org"))
        self.vdirsyncer("sync")
        on_server = self.server_cards()
        self.assertTrue(any("Local One Edited" in c for c in on_server.values()), on_server)
        self.assertFalse(any("Remote One" in c for c in on_server.values()))
        local = self.local_cards()
        self.assertFalse(any("Remote One" in c for c in local.values()), local)
        self.assertTrue(any("Remote Two" in c for c in local.values()))

        server_name = next(n for n, c in on_server.items() if "Local One Edited" in c)
        with open(os.path.join(self.local, local_name), "w", newline="") as f:
            f.write(vcard("local-1", "Conflict Local", "one@example.org"))
        self.curl("PUT", "/dav/addressbooks/%s/personal/%s" % (ALICE, server_name),
                  vcard("local-1", "Conflict Server", "one@example.org"))
        self.vdirsyncer("sync")
        self.assertIn("Conflict Local", self.server_cards()[server_name])

        # Nothing changed: the next sync copies, updates and deletes nothing.
        quiet = self.vdirsyncer("sync")
        for word in ("Copying", "Updating", "Deleting"):
            self.assertNotIn(word, quiet)


if __name__ == "__main__":
    unittest.main()
