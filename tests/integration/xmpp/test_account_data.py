"""What the server keeps for an account, seen by slixmpp clients:
vCard-temp (xep_0054: FN and EMAIL from identity, NICKNAME and PHOTO set
by the user and read by another account, identity fields not settable, a
bad or oversized photo refused), private XML storage (xep_0049: a
round-trip across sessions, reserved namespaces and other users refused)
and last activity (xep_0012: the server's uptime; a contact's, forbidden
without a subscription, 0 while online, the time and status once gone);
and disco#info listing all four."""

import asyncio
import base64
import unittest

from slixmpp.xmlstream import ET

from posta_harness import stop_servers
from xmpp_helpers import PASSWORD, XmppTestCase, unique

DOMAIN = "data.test"

tearDownModule = stop_servers


def iq_error(test, awaitable):
    """The condition of the error an IQ got back."""
    with test.assertRaises(Exception) as caught:
        test.run_async(awaitable)
    return caught.exception.iq["error"]["condition"]


class AccountDataTests(XmppTestCase):
    domains = (DOMAIN,)

    def named_account(self, display_name):
        address = unique("d").lower() + "@" + DOMAIN
        self.post("/accounts", {"address": address, "password": PASSWORD, "display_name": display_name})
        return address

    def user(self, jid):
        c = self.login(jid)
        for plugin in ("xep_0054", "xep_0049", "xep_0012"):
            c.register_plugin(plugin)
        return c

    def wait_for(self, predicate, timeout=10):
        async def poll():
            while not predicate():
                await asyncio.sleep(0.05)
        self.run_async(poll(), timeout)

    # --- XEP-0054 ------------------------------------------------------

    def test_vcard_from_identity_with_the_users_photo(self):
        alice, bob = self.named_account("Alice Example"), self.account(DOMAIN)
        a, b = self.user(alice), self.user(bob)
        card = self.run_async(a.plugin["xep_0054"].get_vcard(alice))["vcard_temp"]
        self.assertEqual(card["FN"], "Alice Example")
        self.assertEqual(card["EMAIL"]["USERID"], alice)
        self.assertEqual(card.xml.findtext("{vcard-temp}JABBERID"), alice)
        photo = bytes(range(256)) * 40
        mine = a.plugin["xep_0054"].make_vcard()
        mine["FN"] = "Mallory"  # identity-owned: ignored
        mine["NICKNAME"] = "Ally"
        mine["PHOTO"]["TYPE"] = "image/png"
        mine["PHOTO"]["BINVAL"] = photo
        self.run_async(a.plugin["xep_0054"].publish_vcard(mine))
        seen = self.run_async(b.plugin["xep_0054"].get_vcard(alice))["vcard_temp"]
        self.assertEqual(seen["FN"], "Alice Example")
        self.assertEqual(seen["NICKNAME"], ["Ally"])
        self.assertEqual(seen["PHOTO"]["TYPE"], "image/png")
        self.assertEqual(seen["PHOTO"]["BINVAL"], photo)
        # Durable: a new session reads the same.
        a.abort()
        again = self.user(alice + "/again")
        self.assertEqual(self.run_async(again.plugin["xep_0054"].get_vcard(alice))["vcard_temp"]["PHOTO"]["BINVAL"],
                         photo)

    def test_vcard_refusals(self):
        self.setting("xmpp.max_vcard_photo_kb", 1)
        alice, bob = self.account(DOMAIN), self.account(DOMAIN)
        a = self.user(alice)
        big = a.plugin["xep_0054"].make_vcard()
        big["PHOTO"]["TYPE"] = "image/png"
        big["PHOTO"]["BINVAL"] = b"x" * 1025
        self.assertEqual(iq_error(self, a.plugin["xep_0054"].publish_vcard(big)), "not-acceptable")
        bad = a.make_iq_set()
        card = ET.SubElement(bad.xml, "{vcard-temp}vCard")
        binval = ET.SubElement(ET.SubElement(card, "{vcard-temp}PHOTO"), "{vcard-temp}BINVAL")
        binval.text = "not*base64"
        self.assertEqual(iq_error(self, bad.send()), "bad-request")
        # Another account's vCard is not theirs to set.
        other = a.plugin["xep_0054"].make_vcard()
        other["NICKNAME"] = "bob?"
        self.assertEqual(iq_error(self, a.plugin["xep_0054"].publish_vcard(other, jid=bob)), "forbidden")
        self.assertEqual(iq_error(self, a.plugin["xep_0054"].get_vcard("nobody@" + DOMAIN)), "service-unavailable")

    # --- XEP-0049 ------------------------------------------------------

    def private_get(self, client, name, ns):
        iq = client.make_iq_get()
        query = ET.SubElement(iq.xml, "{jabber:iq:private}query")
        ET.SubElement(query, "{%s}%s" % (ns, name))
        return iq

    def private_set(self, client, element, to=None):
        iq = client.make_iq_set(ito=to)
        ET.SubElement(iq.xml, "{jabber:iq:private}query").append(element)
        return iq

    def test_private_xml_round_trip_across_sessions(self):
        alice = self.account(DOMAIN)
        a = self.user(alice)
        prefs = ET.fromstring("<prefs xmlns='urn:example:prefs'><theme dark='yes'>night &amp; day</theme></prefs>")
        self.run_async(self.private_set(a, prefs).send())
        a.abort()
        a2 = self.user(alice + "/other")
        got = self.run_async(self.private_get(a2, "prefs", "urn:example:prefs").send())
        theme = got.xml.find("{jabber:iq:private}query/{urn:example:prefs}prefs/{urn:example:prefs}theme")
        self.assertIsNotNone(theme, got)
        self.assertEqual(theme.get("dark"), "yes")
        self.assertEqual(theme.text, "night & day")
        # Nothing stored under a namespace: the empty element comes back.
        empty = self.run_async(self.private_get(a2, "none", "urn:example:none").send())
        stored = empty.xml.find("{jabber:iq:private}query/{urn:example:none}none")
        self.assertIsNotNone(stored)
        self.assertEqual(len(stored), 0)

    def test_private_xml_refusals(self):
        self.setting("xmpp.max_private_namespaces", 2)
        alice, bob = self.account(DOMAIN), self.account(DOMAIN)
        a = self.user(alice)
        # XEP-0049 3: reserved namespaces, and another user's storage.
        for ns in ("jabber:iq:roster", "http://jabber.org/protocol/muc", "vcard-temp"):
            self.assertEqual(iq_error(self, self.private_set(a, ET.Element("{%s}x" % ns)).send()), "not-acceptable")
        self.assertEqual(iq_error(self, self.private_set(a, ET.Element("{urn:x}x"), to=bob).send()), "forbidden")
        for n in range(2):
            self.run_async(self.private_set(a, ET.Element("{urn:n%d}x" % n)).send())
        self.assertEqual(iq_error(self, self.private_set(a, ET.Element("{urn:n2}x")).send()), "not-acceptable")
        self.run_async(self.private_set(a, ET.Element("{urn:n1}y")).send())  # a replacement needs no room

    # --- XEP-0012 ------------------------------------------------------

    def test_last_activity(self):
        alice, bob, carol = self.account(DOMAIN), self.account(DOMAIN), self.account(DOMAIN)
        a, b, c = self.user(alice), self.user(bob), self.user(carol)
        up = self.run_async(a.plugin["xep_0012"].get_last_activity(DOMAIN))
        self.assertGreaterEqual(int(up["last_activity"]["seconds"]), 0)
        # Carol has no subscription to bob's presence.
        self.assertEqual(iq_error(self, c.plugin["xep_0012"].get_last_activity(bob)), "forbidden")
        for x in (a, b):
            self.run_async(x.get_roster())
            x.send_presence()
        a.send_presence_subscription(pto=bob)
        self.wait_for(lambda: bob in a.client_roster and a.client_roster[bob]["subscription"] == "both")
        online = self.run_async(a.plugin["xep_0012"].get_last_activity(bob))
        self.assertEqual(int(online["last_activity"]["seconds"]), 0)
        b.send_presence(ptype="unavailable", pstatus="gone fishing")
        self.wait_for(lambda: not a.client_roster[bob].resources)
        gone = self.run_async(a.plugin["xep_0012"].get_last_activity(bob))
        self.assertGreaterEqual(int(gone["last_activity"]["seconds"]), 0)
        self.assertEqual(gone["last_activity"]["status"], "gone fishing")
        self.assertEqual(iq_error(self, c.plugin["xep_0012"].get_last_activity(bob)), "forbidden")

    # --- XEP-0030 ------------------------------------------------------

    def test_disco_lists_the_features(self):
        a = self.user(self.account(DOMAIN))
        info = self.run_async(a.plugin["xep_0030"].get_info(jid=DOMAIN))
        features = info["disco_info"]["features"]
        for f in ("urn:xmpp:blocking", "vcard-temp", "jabber:iq:private", "jabber:iq:last"):
            self.assertIn(f, features)


if __name__ == "__main__":
    unittest.main()
