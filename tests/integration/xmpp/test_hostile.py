"""Hostile c2s input (RFC 6120 4.9.3, 11, 13.12): malformed XML, a DOCTYPE,
a billion-laughs payload, a 10 MB stanza, 10,000 nested elements, invalid
UTF-8, a stanza before authentication, a spoofed 'from' and a client that
never reads. Each stream ends with its stream error (after a header of the
server's own when it had sent none) and the server goes on serving others."""

import socket
import ssl
import unittest

from posta_harness import stop_servers
from xmpp_helpers import RawXmpp, XmppTestCase, header, raw_login

DOMAIN = "hostile.test"
STREAMS = b" xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>"

tearDownModule = stop_servers


def laughs():
    lines = ["<?xml version='1.0'?><!DOCTYPE lolz [<!ENTITY lol 'lol'>"]
    for i in range(1, 10):
        prev = "lol" if i == 1 else "lol%d" % (i - 1)
        lines.append("<!ENTITY lol%d '%s'>" % (i, ("&%s;" % prev) * 10))
    lines.append("]><lolz>&lol9;</lolz>")
    return "".join(lines).encode()


class HostileInputTests(XmppTestCase):
    domains = (DOMAIN,)

    def ends_with(self, condition, payload, opened=True):
        """Sends `payload` (after a stream header when `opened`) and returns what came back."""
        raw = RawXmpp(self.server.port("xmpp"))
        self.addCleanup(raw.close)
        if opened:
            raw.open(DOMAIN)
        try:
            raw.send(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server may stop reading a 10 MB stanza early and close
        out = raw.until_closed()
        self.assertIn(b"<stream:error><" + condition.encode() + STREAMS, out)
        self.assertTrue(out.endswith(b"</stream:stream>"), out[-200:])
        if not opened:
            self.assertIn(b"<stream:stream ", out)  # the server's header comes first
        self.assert_still_serving()
        return out

    def assert_still_serving(self):
        other = RawXmpp(self.server.port("xmpp"))
        self.assertIn(b"<starttls", other.open(DOMAIN))
        other.close()

    def test_malformed_xml(self):
        self.ends_with("not-well-formed", b"<message><body>x</message>")

    def test_a_doctype(self):
        self.ends_with("restricted-xml", b"<?xml version='1.0'?><!DOCTYPE stream>" + header(DOMAIN), opened=False)

    def test_a_billion_laughs(self):
        self.ends_with("restricted-xml", laughs(), opened=False)

    def test_a_10_mb_stanza(self):
        self.ends_with("policy-violation", b"<message><body>" + b"a" * (10 * 1024 * 1024) + b"</body></message>")

    def test_10000_nested_elements(self):
        self.ends_with("policy-violation", b"<message>" + b"<a>" * 10000)

    def test_invalid_utf8(self):
        self.ends_with("not-well-formed", b"<message><body>\xff\xfe</body></message>")

    def test_a_stanza_before_authentication(self):
        self.ends_with("not-authorized", b"<message to='a@hostile.test'><body>hi</body></message>")

    def test_a_spoofed_from(self):
        alice, bob = self.account(DOMAIN), self.account(DOMAIN)
        raw, jid = raw_login(self.server.port("xmpp"), DOMAIN, alice.split("@")[0])
        self.addCleanup(raw.close)
        self.assertEqual(jid, alice + "/raw")
        # The account's own bare JID is accepted and stamped as the full JID.
        b, _ = raw_login(self.server.port("xmpp"), DOMAIN, bob.split("@")[0])
        self.addCleanup(b.close)
        b.send("<presence/>")
        raw.send("<message from='%s' to='%s/raw'><body>mine</body></message>" % (alice, bob))
        got = b.read_until(rb"</message>")
        self.assertIn(("from='%s'" % jid).encode(), got)
        raw.send("<message from='%s/raw' to='%s/raw'><body>forged</body></message>" % (bob, bob))
        out = raw.until_closed()
        self.assertIn(b"<stream:error><invalid-from" + STREAMS, out)
        self.assert_still_serving()

    def test_a_client_that_never_reads_is_disconnected(self):
        slow, fast = self.account(DOMAIN), self.account(DOMAIN)
        sleeper, sleeper_jid = raw_login(self.server.port("xmpp"), DOMAIN, slow.split("@")[0])
        self.addCleanup(sleeper.close)
        sender, _ = raw_login(self.server.port("xmpp"), DOMAIN, fast.split("@")[0])
        self.addCleanup(sender.close)
        body = b"z" * (200 * 1024)
        stanza = b"<message to='" + sleeper_jid.encode() + b"'><body>" + body + b"</body></message>"
        found = []
        for _ in range(40):
            for _ in range(25):
                sender.send(stanza)
            found = self.wait_journal(lambda e: e.get("fields", {}).get("condition") == "policy-violation"
                                      and e.get("fields", {}).get("user") == sleeper_jid, service="xmpp", timeout=1)
            if found:
                break
        self.assertTrue(found, "the client that never reads was not disconnected")
        # The sender is still served.
        sender.send("<iq type='get' id='p1'><ping xmlns='urn:xmpp:ping'/></iq>")
        self.assertIn(b"id='p1'", sender.read_until(rb"id='p1'"))
        self.assert_still_serving()


if __name__ == "__main__":
    unittest.main()
