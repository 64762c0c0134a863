"""Presence subscriptions between local accounts (RFC 6121 section 3) and
presence broadcast (section 4): two slixmpp users subscribe to each other
and both rosters end in 'both'; each sees the other's presence and its
unavailable presence on disconnect; a request made while the contact was
away is delivered at its next login; directed presence."""

import re
import unittest

from posta_harness import stop_servers
from xmpp_helpers import XmppTestCase, raw_login

DOMAIN = "presence.test"

tearDownModule = stop_servers


class PresenceTests(XmppTestCase):
    domains = (DOMAIN,)

    def test_two_users_subscribe_to_each_other_and_see_presence(self):
        alice, bob, a, b = self.subscribed_pair(DOMAIN)
        # Presence now flows both ways.
        b.send_presence(pstatus="here")
        self.next_presence(a, bob, "available", "here")
        a.send_presence(pstatus="also")
        self.next_presence(b, alice, "available", "also")
        # A disconnect without goodbye is an unavailable presence to the contact.
        b.abort()
        self.next_presence(a, bob, "unavailable")
        # A new session of bob gets alice's presence at once (the probe).
        b2 = self.login(bob + "/again")
        self.watch(b2)
        b2.send_presence()
        self.next_presence(b2, alice, "available")
        self.next_presence(a, bob, "available")
        # Removing a contact ends both directions on the contact's side too (2.5.2).
        a.del_roster_item(bob)
        self.wait_for(lambda: bob not in a.client_roster)
        self.run_async(b2.get_roster())
        self.wait_for(lambda: b2.client_roster[alice]["subscription"] == "none")
        self.next_presence(b2, alice, "unavailable")

    def test_a_request_waits_for_the_contact_and_both_rosters_follow(self):
        alice, bob = self.account(DOMAIN), self.account(DOMAIN)
        ra, _ = raw_login(self.server.port("xmpp"), DOMAIN, alice.split("@")[0], resource="desk")
        self.addCleanup(ra.close)
        ra.send("<iq type='get' id='r1'><query xmlns='jabber:iq:roster'/></iq>")
        ra.take(rb"id='r1'")
        ra.send("<presence/>")
        ra.send("<presence to='%s' type='subscribe'/>" % bob)
        push = ra.take(rb"<iq[^>]*><query[^>]*>[^<]*<item[^>]*ask='subscribe'/>").group(0)
        self.assertIn(("<item jid='%s' subscription='none' ask='subscribe'/>" % bob).encode(), push)
        # bob was away: the request is delivered at his available presence, every time.
        for resource in ("one", "two"):
            rb_, _ = raw_login(self.server.port("xmpp"), DOMAIN, bob.split("@")[0], resource=resource)
            self.addCleanup(rb_.close)
            rb_.send("<iq type='get' id='r2'><query xmlns='jabber:iq:roster'/></iq>")
            roster = rb_.take(rb"id='r2'.*?(/>|</iq>)").group(0)
            self.assertNotIn(alice.encode(), roster)  # a mere request is no roster item (3.1.3)
            rb_.send("<presence/>")
            got = rb_.take(rb"<presence[^>]*type='subscribe'/>").group(0)
            self.assertIn(("<presence from='%s' to='%s' type='subscribe'/>" % (alice, bob)).encode(), got)
        rb_.send("<presence to='%s' type='subscribed'/>" % alice)
        mine = rb_.take(rb"<item[^>]*subscription='from'/>").group(0)
        self.assertIn(("<item jid='%s' subscription='from'/>" % alice).encode(), mine)
        theirs = ra.take(rb"<item[^>]*subscription='to'/>").group(0)
        self.assertIn(("<item jid='%s' subscription='to'/>" % bob).encode(), theirs)
        answer = ra.take(rb"<presence[^>]*type='subscribed'/>").group(0)
        self.assertIn(("<presence from='%s' to='%s' type='subscribed'/>" % (bob, alice)).encode(), answer)
        # The subscription carries bob's presence to alice, not alice's to bob.
        rb_.send("<presence><status>busy</status></presence>")
        self.assertIn(b"<status>busy</status>", ra.take(rb"<presence[^>]*>.*?</presence>").group(0))
        # Revoked (3.2): both rosters back to none; alice is told bob went.
        rb_.send("<presence to='%s' type='unsubscribed'/>" % alice)
        self.assertIn(("<item jid='%s' subscription='none'/>" % alice).encode(),
                      rb_.take(rb"<item[^>]*subscription='none'/>").group(0))
        self.assertIn(("<item jid='%s' subscription='none'/>" % bob).encode(),
                      ra.take(rb"<item[^>]*subscription='none'/>").group(0))
        ra.take(rb"<presence from='%s' to='%s' type='unsubscribed'/>" % (bob.encode(), alice.encode()))

    def test_directed_presence_and_its_end(self):
        alice, bob = self.account(DOMAIN), self.account(DOMAIN)
        ra, _ = raw_login(self.server.port("xmpp"), DOMAIN, alice.split("@")[0], resource="desk")
        rb_, bob_jid = raw_login(self.server.port("xmpp"), DOMAIN, bob.split("@")[0], resource="desk")
        self.addCleanup(rb_.close)
        rb_.send("<presence/>")
        ra.send("<presence/>")
        ra.send("<presence to='%s'><status>psst</status></presence>" % bob_jid)
        rb_.take(rb"<status>psst</status>")
        ra.close()  # the session ends: bob, who had its directed presence, hears it
        ended = rb_.take(rb"<presence[^>]*type='unavailable'/>").group(0)
        self.assertRegex(ended, rb"<presence from='%s/desk' type='unavailable'/>" % re.escape(alice.encode()))


if __name__ == "__main__":
    unittest.main()
