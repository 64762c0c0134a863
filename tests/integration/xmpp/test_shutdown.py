"""A server that stops says goodbye on every c2s stream (STYLE.md
"Sessions"): a bound session and one still negotiating each get a
system-shutdown stream error (RFC 6120 4.9.3.22) before the close."""

import unittest

from posta_harness import stop_servers
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


if __name__ == "__main__":
    unittest.main()
