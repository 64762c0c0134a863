"""XEP-0191 blocking command with slixmpp's xep_0191: the blocklist and its
pushes to the resources that retrieved it; a blocked contact's message is
not delivered (the contact gets service-unavailable) and the blocker's
message to it is refused with not-acceptable and <blocked/>; the contact
sees the blocker go unavailable and come back on unblock; the list
survives a reconnect and a server restart; a subscription request waiting
from a JID blocked since is not delivered until it is unblocked."""

import asyncio
import unittest

from posta_harness import stop_servers
from xmpp_helpers import XmppTestCase

DOMAIN = "blocking.test"
BLOCKED_NS = "urn:xmpp:blocking:errors"

tearDownModule = stop_servers


class BlockingTests(XmppTestCase):
    domains = (DOMAIN,)

    def user(self, jid):
        c = self.login(jid)
        c.register_plugin("xep_0191")
        c.presences = asyncio.Queue()
        for event in ("presence_available", "presence_unavailable"):
            c.add_event_handler(event, lambda p, c=c: c.presences.put_nowait(p))
        c.pushes = asyncio.Queue()
        for event in ("blocked", "unblocked"):
            c.add_event_handler(event, lambda iq, c=c, e=event: c.pushes.put_nowait((e, iq)))
        return c

    def blocked(self, client):
        iq = self.run_async(client.plugin["xep_0191"].get_blocked())
        return {str(j) for j in iq["blocklist"]["items"]}

    def next_push(self, client, kind):
        async def find():
            while True:
                got, iq = await client.pushes.get()
                if got == kind:
                    return iq
        return self.run_async(find(), 10)

    def next_presence(self, client, sender, kind):
        async def find():
            while True:
                p = await client.presences.get()
                if p["from"].bare == sender and p["type"] == kind:
                    return p
        return self.run_async(find(), 10)

    def wait_for(self, predicate, timeout=10):
        async def poll():
            while not predicate():
                await asyncio.sleep(0.05)
        self.run_async(poll(), timeout)

    def befriend(self, a, b, alice, bob):
        for c in (a, b):
            self.run_async(c.get_roster())
            c.send_presence()
        a.send_presence_subscription(pto=bob)  # slixmpp accepts and subscribes back by itself
        self.wait_for(lambda: bob in a.client_roster and a.client_roster[bob]["subscription"] == "both")
        self.wait_for(lambda: alice in b.client_roster and b.client_roster[alice]["subscription"] == "both")
        self.next_presence(b, alice, "available")

    def assert_refused(self, client, to, condition, blocked_child):
        """`client` sends a chat message to `to`; returns once its error came back."""
        client.send_message(mto=to, mbody="are you there?", mtype="chat")
        m = self.next_message(client)
        self.assertEqual(m["type"], "error", m)
        self.assertEqual(m["error"]["condition"], condition, m)
        child = m.xml.find("{jabber:client}error/{%s}blocked" % BLOCKED_NS)
        self.assertEqual(child is not None, blocked_child, m)

    def test_block_enforcement_presence_and_unblock(self):
        alice, bob, carol = self.account(DOMAIN), self.account(DOMAIN), self.account(DOMAIN)
        a, b, c = self.user(alice), self.user(bob), self.user(carol)
        self.befriend(a, b, alice, bob)
        self.assertEqual(self.blocked(a), set())
        self.run_async(a.plugin["xep_0191"].block(bob))
        # XEP-0191 3.3: bob saw alice's presence, so he sees her go.
        self.next_presence(b, alice, "unavailable")
        self.assertEqual(self.blocked(a), {bob})
        # 3.4: bob's message does not reach alice; bob is told service-unavailable.
        self.assert_refused(b, alice, "service-unavailable", False)
        # 3.5: alice's message to bob is refused with <blocked/>.
        self.assert_refused(a, bob, "not-acceptable", True)
        # What alice receives next is carol's message, not bob's.
        c.send_message(mto=alice, mbody="from carol", mtype="chat")
        self.assertEqual(self.next_message(a)["body"], "from carol")
        # Unblock: messages flow again and bob sees alice's presence once more.
        self.run_async(a.plugin["xep_0191"].unblock(bob))
        self.next_presence(b, alice, "available")
        b.send_message(mto=alice, mbody="hello again", mtype="chat")
        self.assertEqual(self.next_message(a)["body"], "hello again")
        self.assertEqual(self.blocked(a), set())

    def test_a_pending_request_from_a_jid_blocked_since_is_not_delivered(self):
        alice, bob, carol = self.account(DOMAIN), self.account(DOMAIN), self.account(DOMAIN)
        a, c = self.raw_session(alice, "a"), self.raw_session(carol, "c")
        for sender in (a, c):  # bob is away: both requests wait (RFC 6121 3.1.3)
            sender.send("<presence to='%s' type='subscribe'/>" % bob)
            sender.send("<iq type='get' id='s'><ping xmlns='urn:xmpp:ping'/></iq>")
            sender.take(rb"<iq[^>]*id='s'[^>]*>")
        b = self.raw_session(bob, "desk")
        b.send("<iq type='set' id='blk'><block xmlns='urn:xmpp:blocking'><item jid='%s'/></block></iq>" % alice)
        b.take(rb"<iq[^>]*id='blk'[^>]*>")
        # XEP-0191 3.3: neither on the next available presence …
        b.send("<presence/>")
        b.take(rb"<presence[^>]*from='%s'[^>]*type='subscribe'" % carol.encode())
        b.send("<iq type='get' id='p1'><ping xmlns='urn:xmpp:ping'/></iq>")
        seen = b.read_until(rb"<iq[^>]*id='p1'[^>]*>")
        self.assertNotIn(b"from='%s'" % alice.encode(), seen)
        # … nor live: a request sent again is dropped without a word (3.4).
        a.send("<presence to='%s' type='subscribe' id='again'/>" % bob)
        a.send("<iq type='get' id='s2'><ping xmlns='urn:xmpp:ping'/></iq>")
        self.assertNotIn(b"id='again'", a.read_until(rb"<iq[^>]*id='s2'[^>]*>"))
        # … nor to a second resource that comes online.
        phone = self.raw_session(bob, "phone")
        phone.send("<presence/>")
        phone.take(rb"<presence[^>]*from='%s'[^>]*type='subscribe'" % carol.encode())
        phone.send("<iq type='get' id='p2'><ping xmlns='urn:xmpp:ping'/></iq>")
        self.assertNotIn(b"from='%s'" % alice.encode(), phone.read_until(rb"<iq[^>]*id='p2'[^>]*>"))
        self.assertNotIn(b"from='%s'" % alice.encode(), b.buf)
        # Unblocked, the request that still waits comes again.
        b.send("<iq type='set' id='ub'><unblock xmlns='urn:xmpp:blocking'><item jid='%s'/></unblock></iq>" % alice)
        b.take(rb"<iq[^>]*id='ub'[^>]*>")
        last = self.raw_session(bob, "laptop")
        last.send("<presence/>")
        last.take(rb"<presence[^>]*from='%s'[^>]*type='subscribe'" % alice.encode())

    def test_pushes_go_to_resources_that_retrieved_the_list(self):
        alice, bob, carol = self.account(DOMAIN), self.account(DOMAIN), self.account(DOMAIN)
        desk, phone = self.user(alice + "/desk"), self.user(alice + "/phone")
        tablet = self.user(alice + "/tablet")  # never asks for the list
        self.blocked(desk)
        self.blocked(phone)
        self.run_async(desk.plugin["xep_0191"].block([bob, carol]))
        iq = self.next_push(phone, "blocked")
        self.assertEqual({str(j) for j in iq["block"]["items"]}, {bob, carol})
        # The pushes went out together; a round trip of the tablet comes after any of them.
        self.run_async(tablet.plugin["xep_0199"].ping(jid=DOMAIN))
        self.assertTrue(tablet.pushes.empty())
        # Unblock all (an empty <unblock/>, 3.5), sent as slixmpp would not: raw.
        empty = phone.make_iq_set()
        empty.enable("unblock")
        self.run_async(empty.send())
        iq = self.next_push(desk, "unblocked")
        self.assertEqual(len(iq["unblock"]["items"]), 0)
        self.assertEqual(self.blocked(desk), set())

    def test_the_list_survives_reconnect_and_restart(self):
        alice, bob = self.account(DOMAIN), self.account(DOMAIN)
        a = self.user(alice)
        self.run_async(a.plugin["xep_0191"].block(bob))
        a.disconnect()
        self.run_async(a.gone.wait())
        a = self.user(alice)
        self.assertEqual(self.blocked(a), {bob})
        # Durable: read back from PostgreSQL by a server that starts afresh.
        for old in self.clients:
            if old.transport:
                old.abort()
        self.server.restart()
        a, b = self.user(alice), self.user(bob)
        self.assertEqual(self.blocked(a), {bob})
        self.assert_refused(b, alice, "service-unavailable", False)

    def test_bounds_and_bad_requests(self):
        self.setting("xmpp.max_blocklist_items", 2)
        alice = self.account(DOMAIN)
        a = self.user(alice)
        self.run_async(a.plugin["xep_0191"].block(["x@" + DOMAIN, "y@" + DOMAIN]))
        with self.assertRaises(Exception) as refused:
            self.run_async(a.plugin["xep_0191"].block("z@" + DOMAIN))
        self.assertEqual(refused.exception.iq["error"]["condition"], "not-acceptable")
        self.assertEqual(self.blocked(a), {"x@" + DOMAIN, "y@" + DOMAIN})
        # 3.3: a <block/> without items is a bad request.
        empty = a.make_iq_set()
        empty.enable("block")
        with self.assertRaises(Exception) as bad:
            self.run_async(empty.send())
        self.assertEqual(bad.exception.iq["error"]["condition"], "bad-request")


if __name__ == "__main__":
    unittest.main()
