"""XEP-0160 offline messages: a chat or normal message to an account with
no available resource is kept and delivered, with a XEP-0203 delay, at the
account's next available presence, once; a headline is not kept; past
xmpp.max_offline_messages the sender gets service-unavailable, and the
bound is exact however many senders store at once."""

import unittest

from posta_harness import stop_servers
from xmpp_helpers import XmppTestCase

DOMAIN = "offline.test"

tearDownModule = stop_servers


class OfflineTests(XmppTestCase):
    domains = (DOMAIN,)

    def test_kept_until_the_next_available_presence(self):
        alice, bob = self.account(DOMAIN), self.account(DOMAIN)
        a = self.raw_session(alice, "desk")
        a.send("<message to='%s' type='chat' id='m1'><body>while you were out</body></message>" % bob)
        a.send("<message to='%s' id='m2'><body>normal too</body></message>" % bob)
        a.send("<message to='%s' type='headline' id='m3'><body>news</body></message>" % bob)
        a.send("<iq type='get' id='sync'><ping xmlns='urn:xmpp:ping'/></iq>")
        before = a.take(rb"id='sync'").string
        self.assertNotIn(b"type='error'", before)  # kept, not refused
        b = self.raw_session(bob, "phone")
        b.send("<iq type='get' id='p0'><ping xmlns='urn:xmpp:ping'/></iq>")
        b.take(rb"id='p0'")
        self.assertNotIn(b"while you were out", b.buf)  # bound, but not available yet
        b.send("<presence/>")
        first = b.take(rb"<message[^>]*id='m1'.*?</message>").group(0)
        self.assertIn(b"<body>while you were out</body>", first)
        self.assertRegex(first, rb"<delay xmlns='urn:xmpp:delay' from='%s' stamp='\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ'/>"
                         % DOMAIN.encode())
        self.assertIn(b"normal too", b.take(rb"<message[^>]*id='m2'.*?</message>").group(0))
        b.send("<iq type='get' id='p1'><ping xmlns='urn:xmpp:ping'/></iq>")
        rest = b.take(rb"id='p1'").string
        self.assertNotIn(b"news", rest)
        # Delivered once: the next login gets nothing.
        b2 = self.raw_session(bob, "again")
        b2.send("<presence/>")
        b2.send("<iq type='get' id='p2'><ping xmlns='urn:xmpp:ping'/></iq>")
        self.assertNotIn(b"<message", b2.take(rb"id='p2'").string)

    def test_bounded_per_account(self):
        self.setting("xmpp.max_offline_messages", 2)
        alice, bob = self.account(DOMAIN), self.account(DOMAIN)
        a = self.raw_session(alice, "desk")
        for n in range(3):
            a.send("<message to='%s' type='chat' id='n%d'><body>%d</body></message>" % (bob, n, n))
        refused = a.take(rb"<message[^>]*type='error'.*?</message>").group(0)
        self.assertIn(b"id='n2'", refused)
        self.assertIn(b"<service-unavailable", refused)

    def test_the_bound_holds_exactly_under_concurrent_senders(self):
        bound, senders, each = 25, 6, 10
        self.setting("xmpp.max_offline_messages", bound)
        bob = self.account(DOMAIN)
        clients = [self.raw_session(self.account(DOMAIN), "s") for _ in range(senders)]
        batch = "".join("<message to='%s' type='chat' id='c%d'><body>c</body></message>" % (bob, n)
                        for n in range(each))
        for c in clients:  # all at once: each session stores while the others do
            c.send(batch + "<iq type='get' id='sync'><ping xmlns='urn:xmpp:ping'/></iq>")
        refused = sum(c.read_until(rb"<iq[^>]*id='sync'").count(b"<service-unavailable") for c in clients)
        self.assertEqual(refused, senders * each - bound)
        b = self.raw_session(bob, "phone")
        b.send("<presence/><iq type='get' id='p'><ping xmlns='urn:xmpp:ping'/></iq>")
        self.assertEqual(b.read_until(rb"<iq[^>]*id='p'").count(b"<body>c</body>"), bound)
        b.send("</stream:stream>")
        b.until_closed()
        # Delivered messages no longer count: as many are kept again.
        again = self.raw_session(self.account(DOMAIN), "s")
        again.send(batch * 3 + "<iq type='get' id='sync'><ping xmlns='urn:xmpp:ping'/></iq>")
        self.assertEqual(again.read_until(rb"<iq[^>]*id='sync'").count(b"<service-unavailable"), 3 * each - bound)


if __name__ == "__main__":
    unittest.main()
