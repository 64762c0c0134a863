"""XMPP administration and identity-driven sessions (issue 11): `posta xmpp
sessions` and `posta xmpp kick` through the admin API; a disabled account's
session ends and its contact sees it go; a deleted account leaves its
contacts' rosters with a push; shared roster groups of a domain, on and off,
with roster versions that follow; and the per-account and per-session
bounds (resources, roster items, stanza rate)."""

import asyncio
import re
import unittest

from posta_harness import stop_servers
from xmpp_helpers import XmppTestCase, raw_authenticated, raw_bind, unique

DOMAIN = "admin.test"
SHARED = "shared.test"
API = "/api/v1"

tearDownModule = stop_servers

QUERY = "<query xmlns='jabber:iq:roster'%s>%s</query>"


class AdminTests(XmppTestCase):
    domains = (DOMAIN, SHARED)

    # --- helpers ---------------------------------------------------------

    def sessions(self, account=None):
        args = ["xmpp", "sessions"] + (["--account", account] if account else [])
        return self.cli_json(*args)["sessions"]

    def wait_gone(self, client):
        self.run_async(client.gone.wait(), 15)

    def raw_get(self, raw, id_, ver):
        raw.send("<iq type='get' id='%s'>%s</iq>" % (id_, QUERY % (" ver='%s'" % ver, "")))
        return raw.take(rb"<iq[^>]*id='%s'[^>]*?(/>|>.*?</iq>)" % id_.encode()).group(0)

    # --- administration --------------------------------------------------

    def test_sessions_are_listed_then_kicked(self):
        alice, bob = self.account(DOMAIN), self.account(DOMAIN)
        desk, phone = self.login(alice + "/desk"), self.login(alice + "/phone")
        other = self.login(bob + "/only")
        listed = self.sessions(alice)
        self.assertEqual(sorted(s["jid"] for s in listed), [alice + "/desk", alice + "/phone"])
        for s in listed:
            self.assertEqual(s["account"], alice)
            self.assertEqual(s["client_ip"], "127.0.0.1")
            self.assertIs(s["tls"], True)
            self.assertRegex(s["since"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        # The client named itself over XEP-0092 once the loop let slixmpp answer.
        def named():
            self.run_async(asyncio.sleep(0.1))
            return all("slixmpp" in s["client"].lower() for s in self.sessions(alice))
        for _ in range(100):
            if named():
                break
        self.assertTrue(named(), self.sessions(alice))
        self.assertIn(bob + "/only", [s["jid"] for s in self.sessions()])
        table = self.cli_ok("xmpp", "sessions", "--account", alice)
        self.assertIn("JID", table)
        self.assertIn(alice + "/desk", table)
        # A full JID ends that session only, with a stream error.
        self.cli_ok("xmpp", "kick", alice + "/desk")
        self.wait_gone(desk)
        self.assertIn("policy-violation", desk.stream_errors)
        self.assertEqual([s["jid"] for s in self.sessions(alice)], [alice + "/phone"])
        # A bare JID ends every session of the account; others stay.
        self.cli_ok("xmpp", "kick", alice)
        self.wait_gone(phone)
        self.assertEqual(self.sessions(alice), [])
        self.assertEqual([s["jid"] for s in self.sessions(bob)], [bob + "/only"])
        self.assertFalse(other.gone.is_set())
        self.cli_fails("xmpp", "kick", alice, rc=1)  # nobody left to kick: 404
        # Behind the admin token like the rest of the API.
        self.assertApi(401, "GET", API + "/xmpp/sessions", token=None)
        self.assertApi(401, "DELETE", API + "/xmpp/sessions/" + bob, token="wrong")
        self.assertApi(400, "GET", API + "/xmpp/sessions?account=not%20a%20jid@@x")

    def test_disabling_an_account_ends_its_session_and_its_contact_sees_it_go(self):
        alice, bob, a, b = self.subscribed_pair(DOMAIN)
        self.cli_ok("account", "disable", bob)
        self.wait_gone(b)
        self.assertIn("not-authorized", b.stream_errors)
        self.next_presence(a, bob, "unavailable")
        self.assertEqual(self.sessions(bob), [])
        _, outcome = self.connect(bob)
        self.assertEqual(outcome, "auth failed")
        self.assertFalse(a.gone.is_set())

    def test_deleting_an_account_removes_it_from_its_contacts_rosters_with_a_push(self):
        alice, bob, a, b = self.subscribed_pair(DOMAIN)
        raw = self.raw_session(alice, "raw")
        before = re.search(rb"ver='([^']*)'", self.raw_get(raw, "g1", "")).group(1).decode()
        status, body = self.server.api("DELETE", API + "/accounts/" + bob)
        self.assertIn(status, (200, 204), body)
        self.wait_gone(b)
        pushed = raw.take(rb"<iq type='set' id='[^']+'[^>]*>.*?</iq>").group(0)
        self.assertIn(("<item jid='%s' subscription='remove'/>" % bob).encode(), pushed)
        # slixmpp drops the item at the push; COMPAT(slixmpp): a presence it
        # handles later lists the JID again locally, without any subscription.
        self.wait_for(lambda: bob not in a.client_roster or a.client_roster[bob]["subscription"] == "none")
        self.next_presence(a, bob, "unavailable")
        # The version moved: the old one gets the whole (now empty) roster.
        reply = self.raw_get(raw, "g2", before)
        self.assertNotIn(bob.encode(), reply)
        self.assertIn(b"<query", reply)
        self.assertNotIn(("ver='%s'" % before).encode(), reply)

    # --- shared roster ---------------------------------------------------

    def test_shared_roster_on_and_off(self):
        x, y = self.account(SHARED), self.account(SHARED)
        raw = self.raw_session(x, "raw")
        empty = self.raw_get(raw, "v0", "")
        ver0 = re.search(rb"ver='([^']*)'", empty).group(1).decode()
        self.assertNotIn(y.encode(), empty)
        self.cli_ok("domain", "set", SHARED, "--shared-roster", "on")
        self.addCleanup(self.server.api, "PATCH", API + "/domains/" + SHARED, json={"shared_roster": False})
        self.assertIs(self.cli_json("domain", "show", SHARED)["shared_roster"], True)
        # The raw session asked for the roster: it is pushed y at once.
        pushed = raw.take(rb"<iq type='set' id='[^']+'[^>]*>.*?</iq>").group(0)
        self.assertIn(("<item jid='%s' subscription='both'><group>%s</group></item>" % (y, SHARED)).encode(), pushed)
        # Its old version is stale now: the whole roster, y in it, a new version.
        full = self.raw_get(raw, "v1", ver0)
        self.assertIn(("jid='%s'" % y).encode(), full)
        ver1 = re.search(rb"ver='([^']*)'", full).group(1).decode()
        self.assertNotEqual(ver1, ver0)
        self.assertNotIn(b"<query", self.raw_get(raw, "v2", ver1))  # current: an empty result
        # Presence flows as with a mutual subscription, without any request.
        cx, cy = self.login(x), self.login(y)
        for c in (cx, cy):
            self.watch(c)
            self.run_async(c.get_roster())
        self.assertEqual(cx.client_roster[y]["subscription"], "both")
        self.assertEqual(list(cx.client_roster[y]["groups"]), [SHARED])
        cx.send_presence()
        cy.send_presence()
        self.next_presence(cx, y, "available")
        self.next_presence(cy, x, "available")
        # An account created later joins every roster; a deleted one leaves.
        z = self.account(SHARED)
        self.wait_for(lambda: z in cx.client_roster and cx.client_roster[z]["subscription"] == "both")
        status, body = self.server.api("DELETE", API + "/accounts/" + z)
        self.assertIn(status, (200, 204), body)
        self.wait_for(lambda: z not in cx.client_roster)
        # Off: the items go (pushed) and so does the presence.
        self.cli_ok("domain", "set", SHARED, "--shared-roster", "off")
        self.wait_for(lambda: y not in cx.client_roster)
        self.next_presence(cx, y, "unavailable")
        self.assertIs(self.cli_json("domain", "show", SHARED)["shared_roster"], False)

    # --- bounds ----------------------------------------------------------

    def test_resources_per_account_are_bounded(self):
        self.setting("xmpp.max_resources_per_account", 2)
        alice = self.account(DOMAIN)
        self.raw_session(alice, "one")
        self.raw_session(alice, "two")
        third, reply = raw_bind(self.server.port("xmpp"), DOMAIN, alice.split("@")[0], resource="three")
        self.addCleanup(third.close)
        self.assertIn(b"type='error'", reply)
        self.assertIn(b"<resource-constraint", reply)
        # The same resource again is a replacement, not one more (RFC 6120 7.7.2.2).
        again, reply = raw_bind(self.server.port("xmpp"), DOMAIN, alice.split("@")[0], resource="two")
        self.addCleanup(again.close)
        self.assertIn(("<jid>%s/two</jid>" % alice).encode(), reply)

    def test_roster_items_are_bounded(self):
        self.setting("xmpp.max_roster_items", 2)
        alice = self.account(DOMAIN)
        raw = self.raw_session(alice, "desk")
        contacts = ["%s@remote.test" % unique("c").lower() for _ in range(3)]
        for i, c in enumerate(contacts):
            raw.send("<iq type='set' id='s%d'>%s</iq>" % (i, QUERY % ("", "<item jid='%s'/>" % c)))
        replies = [raw.take(rb"<iq[^>]*id='s%d'[^>]*?(/>|>.*?</iq>)" % i).group(0) for i in range(3)]
        self.assertIn(b"type='result'", replies[0])
        self.assertIn(b"type='result'", replies[1])
        self.assertIn(b"type='error'", replies[2])
        self.assertIn(b"<policy-violation", replies[2])
        # Changing an item already there is no new item.
        raw.send("<iq type='set' id='u'>%s</iq>" % (QUERY % ("", "<item jid='%s' name='n'/>" % contacts[0])))
        self.assertIn(b"type='result'", raw.take(rb"<iq[^>]*id='u'[^>]*?(/>|>.*?</iq>)").group(0))

    def test_resource_bound_holds_for_concurrent_binds(self):
        self.setting("xmpp.max_resources_per_account", 3)
        alice = self.account(DOMAIN)
        streams = []
        for _ in range(8):  # authenticated first, then all bind at once
            raw, _ = raw_authenticated(self.server.port("xmpp"), DOMAIN, alice.split("@")[0])
            self.addCleanup(raw.close)
            streams.append(raw)
        for i, raw in enumerate(streams):
            raw.send("<iq type='set' id='b'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>"
                     "<resource>r%d</resource></bind></iq>" % i)
        replies = [raw.read_until(rb"</iq>|<iq[^>]*/>") for raw in streams]
        self.assertEqual(sum(b"<jid>" in r for r in replies), 3)
        self.assertEqual(sum(b"<resource-constraint" in r for r in replies), 5)
        self.assertEqual(len(self.sessions(alice)), 3)

    def test_roster_bound_holds_for_concurrent_sets(self):
        bound, resources, each = 12, 4, 6
        self.setting("xmpp.max_roster_items", bound)
        alice = self.account(DOMAIN)
        streams = [self.raw_session(alice, "r%d" % i) for i in range(resources)]
        for r, raw in enumerate(streams):  # every set adds a new contact, from four streams at once
            raw.send("".join("<iq type='set' id='s%d'>%s</iq>"
                             % (i, QUERY % ("", "<item jid='c%d-%d@remote.test'/>" % (r, i))) for i in range(each)))
        results = refused = 0
        for raw in streams:
            for i in range(each):
                reply = raw.take(rb"<iq[^>]*id='s%d'[^>]*?(/>|>.*?</iq>)" % i).group(0)
                results += b"type='result'" in reply
                refused += b"<policy-violation" in reply
        self.assertEqual((results, refused), (bound, resources * each - bound))
        streams[0].send("<iq type='get' id='g'>%s</iq>" % (QUERY % ("", "")))
        roster = streams[0].take(rb"<iq[^>]*id='g'.*?</iq>").group(0)
        self.assertEqual(roster.count(b"<item "), bound)
        # A removal makes room for exactly one more.
        streams[0].send("<iq type='set' id='rm'>%s</iq>"
                        % (QUERY % ("", "<item jid='%s' subscription='remove'/>"
                                    % re.search(rb"<item jid='([^']+)'", roster).group(1).decode())))
        streams[0].take(rb"<iq[^>]*id='rm'[^>]*?(/>|>.*?</iq>)")
        for n in ("x", "y"):
            streams[0].send("<iq type='set' id='%s'>%s</iq>" % (n, QUERY % ("", "<item jid='%s@remote.test'/>" % n)))
        self.assertIn(b"type='result'", streams[0].take(rb"<iq[^>]*id='x'[^>]*?(/>|>.*?</iq>)").group(0))
        self.assertIn(b"<policy-violation", streams[0].take(rb"<iq[^>]*id='y'[^>]*?(/>|>.*?</iq>)").group(0))

    def test_a_fast_sender_is_slowed_down_not_cut(self):
        self.setting("xmpp.max_stanzas_per_second", 20)  # a burst of 100
        alice = self.account(DOMAIN)
        raw = self.raw_session(alice, "fast")
        count = 300
        raw.send("".join("<iq type='get' id='p%d'><ping xmlns='urn:xmpp:ping'/></iq>" % i for i in range(count)))
        for i in range(count):
            raw.take(rb"<iq type='result' id='p%d'" % i, timeout=60)
        self.assertEqual([s["jid"] for s in self.sessions(alice)], [alice + "/fast"])


if __name__ == "__main__":
    unittest.main()
