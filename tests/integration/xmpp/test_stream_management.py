"""XEP-0198 stream management: slixmpp (plugin xep_0198) loses its TCP
connection while messages are sent to it, resumes, and gets every message
exactly once; a raw client resumes with an older 'h' and gets again exactly
what it had not acknowledged, under the same full JID, while another
account or a cleanly closed stream cannot resume; when the resumption time
runs out, unacknowledged messages go to another available resource (and
only then does the unavailable presence come) or to offline storage.
XEP-0352: presence for an inactive client is held, the latest per sender,
and flushed when it becomes active; messages are not held."""

import asyncio
import re
import unittest

from posta_harness import stop_servers
from xmpp_helpers import PASSWORD, Client, XmppTestCase, raw_authenticated, raw_login

DOMAIN = "sm.test"
CSI_DOMAIN = "csi.test"
SM = "urn:xmpp:sm:3"

tearDownModule = stop_servers


class StreamManagementTests(XmppTestCase):
    domains = (DOMAIN,)

    def sm_login(self, jid):
        c = Client(jid, PASSWORD, "SCRAM-SHA-256")
        c.register_plugin("xep_0198")
        c.resumed = asyncio.Event()
        c.sm_on = asyncio.Event()
        c.add_event_handler("session_resumed", lambda _: c.resumed.set())
        c.add_event_handler("sm_enabled", lambda _: c.sm_on.set())
        self.clients.append(c)
        c.connect(("127.0.0.1", self.server.port("xmpp")), force_starttls=True)
        self.assertEqual(self.run_async(asyncio.shield(c.outcome)), "started")
        self.run_async(c.sm_on.wait())
        return c

    def raw_sm(self, address, resource):
        """A raw session with resumable stream management enabled: (client, full JID, SM-ID)."""
        raw, jid = raw_login(self.server.port("xmpp"), DOMAIN, address.split("@")[0], resource=resource)
        self.addCleanup(raw.close)
        raw.send("<enable xmlns='%s' resume='true'/>" % SM)
        enabled = raw.take(rb"<enabled [^>]*/>").group(0)
        self.assertIn(b"resume='true'", enabled)
        return raw, jid, re.search(rb"id='([^']+)'", enabled).group(1).decode()

    def resume(self, address, previd, h):
        raw, features = raw_authenticated(self.server.port("xmpp"), DOMAIN, address.split("@")[0])
        self.addCleanup(raw.close)
        self.assertIn(b"<sm xmlns='urn:xmpp:sm:3'/>", features)
        raw.send("<resume xmlns='%s' previd='%s' h='%d'/>" % (SM, previd, h))
        return raw, raw.take(rb"<resumed [^>]*/>|<failed .*?</failed>").group(0)

    def waiting_for_resumption(self, full_jid):
        found = self.wait_journal(lambda e: e.get("text") == "waiting for resumption"
                                  and e["fields"].get("user") == full_jid, service="xmpp")
        self.assertTrue(found, "the server saw %s drop" % full_jid)

    def redelivered(self, full_jid):
        found = self.wait_journal(lambda e: e.get("text") == "unacknowledged stanzas redelivered"
                                  and e["fields"].get("user") == full_jid, service="xmpp", timeout=20)
        self.assertTrue(found, "%s ended" % full_jid)
        return found[0]["fields"]

    def test_slixmpp_resumes_a_dropped_connection_without_losing_a_message(self):
        alice, bob = self.account(DOMAIN), self.account(DOMAIN)
        a = self.raw_session(alice, "desk")
        b = self.sm_login(bob)
        bob_jid = str(b.boundjid)
        got = []
        for n in range(1, 4):
            a.send("<message to='%s' type='chat' id='m%d'><body>m%d</body></message>" % (bob_jid, n, n))
        for _ in range(3):
            got.append(self.next_message(b)["body"])
        b.abort()  # no </stream:stream>: the TCP connection just ends
        self.waiting_for_resumption(bob_jid)
        for n in range(4, 7):
            a.send("<message to='%s' type='chat' id='m%d'><body>m%d</body></message>" % (bob_jid, n, n))
        a.send("<iq type='get' id='sync'><ping xmlns='urn:xmpp:ping'/></iq>")
        self.assertNotIn(b"type='error'", a.take(rb"<iq[^>]*id='sync'[^>]*>").group(0))
        b.connect(("127.0.0.1", self.server.port("xmpp")), force_starttls=True)
        self.run_async(b.resumed.wait())
        self.assertEqual(str(b.boundjid), bob_jid)
        while len(got) < 6:
            got.append(self.next_message(b)["body"])
        # Nothing twice: a ping round trip later nothing else has come.
        self.run_async(b["xep_0199"].ping(jid=DOMAIN, timeout=10))
        self.assertTrue(b.messages.empty())
        self.assertEqual(got, ["m1", "m2", "m3", "m4", "m5", "m6"])

    def test_resume_sends_again_what_was_not_acknowledged(self):
        alice, bob, eve = self.account(DOMAIN), self.account(DOMAIN), self.account(DOMAIN)
        a = self.raw_session(alice, "desk")
        b, bob_jid, previd = self.raw_sm(bob, "phone")
        a.send("<message to='%s' type='chat' id='r1'><body>first</body></message>" % bob_jid)
        a.send("<message to='%s' type='chat' id='r2'><body>second</body></message>" % bob_jid)
        b.take(rb"<message[^>]*id='r1'.*?</message>")
        b.take(rb"<message[^>]*id='r2'.*?</message>")
        b.take(rb"<r xmlns='urn:xmpp:sm:3'/>")  # the server asks for an ack
        b.send("<a xmlns='%s' h='1'/>" % SM)  # only the first one arrived, says the client
        b.close()
        self.waiting_for_resumption(bob_jid)
        # SECURITY: another account, or no such id: item-not-found.
        _, failed = self.resume(eve, previd, 0)
        self.assertIn(b"<item-not-found", failed)
        _, failed = self.resume(bob, "no-such-id", 0)
        self.assertIn(b"<item-not-found", failed)
        n, resumed = self.resume(bob, previd, 1)
        self.assertIn(b"previd='%s'" % previd.encode(), resumed)
        self.assertIn(b"h='0'", resumed)  # bob had sent no stanza since enabling
        again = n.take(rb"<message[^>]*id='r2'.*?</message>").group(0)
        self.assertIn(b"second", again)
        n.send("<iq type='get' id='p1'><ping xmlns='urn:xmpp:ping'/></iq>")
        pong = n.take(rb"<iq[^>]*id='p1'[^>]*>").group(0)
        self.assertIn(b"to='%s'" % bob_jid.encode(), pong)  # the same full JID
        self.assertNotIn(b"id='r1'", n.buf)
        # The session goes on: a new message arrives on the new stream.
        a.send("<message to='%s' type='chat' id='r3'><body>third</body></message>" % bob_jid)
        n.take(rb"<message[^>]*id='r3'.*?</message>")

    def test_an_ack_past_what_was_sent_ends_the_stream(self):
        alice, bob = self.account(DOMAIN), self.account(DOMAIN)
        a = self.raw_session(alice, "desk")
        b, bob_jid, _ = self.raw_sm(bob, "phone")
        a.send("<message to='%s' type='chat' id='h1'><body>one</body></message>" % bob_jid)
        b.take(rb"<message[^>]*id='h1'.*?</message>")
        b.send("<a xmlns='%s' h='5'/>" % SM)  # one stanza was sent
        closed = b.until_closed()
        # XEP-0198 5 (1.6): undefined-condition with handled-count-too-high.
        self.assertIn(b"<undefined-condition xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>", closed)
        self.assertIn(b"<handled-count-too-high xmlns='urn:xmpp:sm:3' h='5' send-count='1'/>", closed)
        self.assertIn(b"</stream:stream>", closed)

    def test_a_resume_past_what_was_sent_ends_the_stream(self):
        alice, bob = self.account(DOMAIN), self.account(DOMAIN)
        a = self.raw_session(alice, "desk")
        b, bob_jid, previd = self.raw_sm(bob, "phone")
        for n in (1, 2):
            a.send("<message to='%s' type='chat' id='k%d'><body>k</body></message>" % (bob_jid, n))
            b.take(rb"<message[^>]*id='k%d'.*?</message>" % n)
        b.close()
        self.waiting_for_resumption(bob_jid)
        raw, _ = raw_authenticated(self.server.port("xmpp"), DOMAIN, bob.split("@")[0])
        self.addCleanup(raw.close)
        raw.send("<resume xmlns='%s' previd='%s' h='7'/>" % (SM, previd))
        closed = raw.until_closed()
        self.assertIn(b"<undefined-condition xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>", closed)
        self.assertIn(b"<handled-count-too-high xmlns='urn:xmpp:sm:3' h='7' send-count='2'/>", closed)

    def test_a_quiet_stream_with_unacknowledged_stanzas_is_asked_again(self):
        self.setting("xmpp.sm_ack_request_seconds", 1)
        alice, bob = self.account(DOMAIN), self.account(DOMAIN)
        a = self.raw_session(alice, "desk")
        b, bob_jid, _ = self.raw_sm(bob, "phone")
        a.send("<message to='%s' type='chat' id='q1'><body>q</body></message>" % bob_jid)
        b.take(rb"<message[^>]*id='q1'.*?</message>")
        b.take(rb"<r xmlns='urn:xmpp:sm:3'/>")
        # A second message while that request is outstanding comes without
        # one; the client's late answer acknowledges only the first.
        a.send("<message to='%s' type='chat' id='q2'><body>q</body></message>" % bob_jid)
        b.take(rb"<message[^>]*id='q2'.*?</message>")
        b.send("<a xmlns='%s' h='1'/>" % SM)
        # The stream goes quiet with q2 unacknowledged: the server asks.
        b.take(rb"<r xmlns='urn:xmpp:sm:3'/>")
        b.send("<a xmlns='%s' h='2'/>" % SM)
        b.send("<iq type='get' id='p'><ping xmlns='urn:xmpp:ping'/></iq>")
        self.assertNotIn(b"type='error'", b.take(rb"<iq[^>]*id='p'[^>]*>").group(0))  # h='2' was not too high

    def test_a_clean_close_ends_the_session_at_once(self):
        bob = self.account(DOMAIN)
        b, bob_jid, previd = self.raw_sm(bob, "phone")
        b.send("</stream:stream>")
        b.until_closed()
        self.redelivered(bob_jid)
        _, failed = self.resume(bob, previd, 0)
        self.assertIn(b"<item-not-found", failed)

    def test_a_timed_out_session_keeps_its_messages_offline(self):
        self.setting("xmpp.resume_timeout_seconds", 1)
        alice, bob = self.account(DOMAIN), self.account(DOMAIN)
        a = self.raw_session(alice, "desk")
        b, bob_jid, _ = self.raw_sm(bob, "phone")
        a.send("<message to='%s' type='chat' id='u1'><body>never acknowledged</body></message>" % bob_jid)
        b.take(rb"<message[^>]*id='u1'.*?</message>")  # written, and read, but never acknowledged
        b.close()
        self.assertEqual(self.redelivered(bob_jid)["count"], "1")
        again = self.raw_session(bob, "again")
        again.send("<presence/>")
        kept = again.take(rb"<message[^>]*id='u1'.*?</message>").group(0)
        self.assertIn(b"never acknowledged", kept)
        self.assertIn(b"<delay xmlns='urn:xmpp:delay'", kept)

    def test_a_timed_out_session_hands_its_messages_to_another_resource(self):
        self.setting("xmpp.resume_timeout_seconds", 1)
        alice, bob = self.account(DOMAIN), self.account(DOMAIN)
        a = self.raw_session(alice, "desk")
        desk = self.raw_session(bob, "desk")
        desk.send("<presence/>")
        phone, phone_jid, _ = self.raw_sm(bob, "phone")
        phone.send("<presence/>")
        desk.take(rb"<presence[^>]*from='%s'" % re.escape(phone_jid.encode()))
        a.send("<message to='%s' type='chat' id='h1'><body>for the phone</body></message>" % phone_jid)
        phone.take(rb"<message[^>]*id='h1'.*?</message>")
        phone.close()
        self.waiting_for_resumption(phone_jid)
        # Still resumable: no unavailable presence yet (XEP-0198 5).
        desk.send("<iq type='get' id='d1'><ping xmlns='urn:xmpp:ping'/></iq>")
        before = desk.take(rb"<iq[^>]*id='d1'[^>]*>").string
        self.assertNotIn(b"type='unavailable'", before)
        self.redelivered(phone_jid)
        desk.take(rb"<message[^>]*id='h1'.*?for the phone.*?</message>")
        gone = desk.take(rb"<presence[^>]*type='unavailable'[^>]*>").group(0)
        self.assertIn(phone_jid.encode(), gone)


class ClientStateTests(XmppTestCase):
    domains = (CSI_DOMAIN,)

    def test_presence_is_held_while_inactive_and_flushed_when_active(self):
        bob, alice = self.account(CSI_DOMAIN), self.account(CSI_DOMAIN)
        phone, phone_jid = raw_login(self.server.port("xmpp"), CSI_DOMAIN, bob.split("@")[0], resource="phone")
        self.addCleanup(phone.close)
        phone.send("<presence/>")
        desk = self.raw_session(bob, "desk")
        desk.send("<presence/>")
        phone.take(rb"<presence[^>]*from='%s/desk'" % bob.encode())
        phone.send("<inactive xmlns='urn:xmpp:csi:0'/>")
        phone.send("<iq type='get' id='i1'><ping xmlns='urn:xmpp:ping'/></iq>")
        phone.take(rb"<iq[^>]*id='i1'[^>]*>")
        desk.send("<presence><show>away</show></presence>")
        desk.send("<presence><show>dnd</show></presence>")
        # A message is not held, and comes after both presences were routed.
        a = self.raw_session(alice, "a")
        a.send("<message to='%s' type='chat' id='now'><body>at once</body></message>" % phone_jid)
        desk.send("<message to='%s' type='chat' id='sync'><body>after</body></message>" % phone_jid)
        phone.take(rb"<message[^>]*id='now'.*?</message>")
        phone.take(rb"<message[^>]*id='sync'.*?</message>")
        self.assertNotIn(b"<show>", phone.buf)
        phone.send("<active xmlns='urn:xmpp:csi:0'/>")
        latest = phone.take(rb"<presence[^>]*from='%s/desk'.*?</presence>" % bob.encode()).group(0)
        self.assertIn(b"<show>dnd</show>", latest)
        phone.send("<iq type='get' id='i2'><ping xmlns='urn:xmpp:ping'/></iq>")
        rest = phone.take(rb"<iq[^>]*id='i2'[^>]*>").string
        self.assertNotIn(b"<show>away</show>", rest)


if __name__ == "__main__":
    unittest.main()
