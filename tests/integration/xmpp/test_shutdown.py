"""A server that stops says goodbye on every c2s stream (STYLE.md
"Sessions"): a bound session and one still negotiating each get a
system-shutdown stream error (RFC 6120 4.9.3.22) before the close. A
server killed with SIGKILL ends, when it starts again, the presence its
sessions never ended: the user's XEP-0012 last activity is then the
restart, not an older logout."""

import re
import time
import unittest

from posta_harness import process_alive, stop_servers
from xmpp_helpers import RawXmpp, XmppTestCase, raw_login

DOMAIN = "bye.test"

tearDownModule = stop_servers


class ShutdownTests(XmppTestCase):
    domains = (DOMAIN,)

    def test_every_stream_hears_system_shutdown(self):
        alice = self.account(DOMAIN)
        bound, _ = raw_login(self.server.port("xmpp"), DOMAIN, alice.split("@")[0])
        negotiating = RawXmpp(self.server.port("xmpp"))
        negotiating.open(DOMAIN)
        self.assertEqual(self.server.stop(), 0)  # a clean exit: no sanitizer report either
        for raw in (bound, negotiating):
            out = raw.until_closed()
            self.assertIn(b"<system-shutdown xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>", out)
            self.assertTrue(out.endswith(b"</stream:stream>"), out)
            raw.close()

    def last_activity(self, raw, jid):
        raw.send("<iq type='get' id='last' to='%s'><query xmlns='jabber:iq:last'/></iq>" % jid)
        return raw.take(rb"<iq[^>]*id='last'[^>]*?(/>|>.*?</iq>)").group(0)

    def test_a_crash_ends_the_presence_its_sessions_had(self):
        alice = self.account(DOMAIN)
        a = self.raw_session(alice, "desk")
        a.send("<presence/><presence type='unavailable'><status>earlier</status></presence><presence/>")
        # Available again: nobody has a last activity for an online user.
        self.assertRegex(self.last_activity(a, alice), rb"seconds='0'")
        postmaster = self.server.postmaster_pid()
        self.server.kill9()  # no unavailable presence, no last activity recorded
        while postmaster and process_alive(postmaster):
            time.sleep(0.1)
        self.server.start()
        found = self.wait_journal(lambda e: e.get("text") == "presence of an earlier run ended", service="xmpp")
        self.assertTrue(found, "the restart ended the killed session's presence")
        again = self.raw_session(alice, "phone")  # bound, not available
        reply = self.last_activity(again, alice)
        self.assertIn(b"type='result'", reply)
        # The crash's, not the logout before it ("earlier").
        self.assertNotIn(b"earlier", reply)
        self.assertIsNotNone(re.search(rb"seconds='\d+'", reply))


if __name__ == "__main__":
    unittest.main()
