"""gloox as a client (gloox::Client with TLS required): it negotiates
STARTTLS (TLS 1.2 through GnuTLS) and SCRAM-SHA-1, binds its resource and
exchanges a message with a slixmpp client; a wrong password fails; with
XEP-0280 carbons enabled (gloox::Carbons) it sees copies of what its
account's other resource receives and sends."""

import asyncio
import os
import subprocess
import unittest

from posta_harness import stop_servers
from xmpp_helpers import PASSWORD, XmppTestCase, raw_login

DOMAIN = "gloox.test"
CLIENT = os.environ.get("POSTA_GLOOX_CLIENT", "")

tearDownModule = stop_servers


@unittest.skipUnless(CLIENT, "POSTA_GLOOX_CLIENT names the gloox test client (set by ctest)")
class GlooxTests(XmppTestCase):
    domains = (DOMAIN,)

    def gloox(self, jid, password, peer, mode="chat"):
        # gloox leaves its GnuTLS credentials to the process's end: LeakSanitizer
        # would turn every exit status into 1.
        env = dict(os.environ, ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "") + ":detect_leaks=0")
        return subprocess.Popen([CLIENT, jid, password, str(self.server.port("xmpp")), peer, mode],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)

    async def wait_exit(self, p):
        while p.poll() is None:
            await asyncio.sleep(0.1)

    def test_a_message_each_way_with_slixmpp(self):
        alice, bob = self.account(DOMAIN), self.account(DOMAIN)
        b = self.login(bob)
        b.send_presence()
        self.run_async(asyncio.sleep(0.3))
        p = self.gloox(alice + "/gloox", PASSWORD, bob)
        m = self.next_message(b, timeout=30)
        self.assertEqual(m["body"], "hello from gloox")
        self.assertEqual(str(m["from"]), alice + "/gloox")
        b.send_message(mto=m["from"], mbody="hello gloox", mtype="chat")
        self.run_async(self.wait_exit(p))  # slixmpp sends only while its loop runs
        out, _ = p.communicate(timeout=30)
        self.assertEqual(p.returncode, 0, out)
        self.assertIn("message 'hello gloox' from %s/" % bob, out)
        login = self.wait_journal(lambda e: e.get("text") == "login" and e["fields"].get("user") == alice,
                                  service="xmpp")
        self.assertEqual(login[0]["fields"]["mechanism"], "SCRAM-SHA-1")

    def test_carbons_on_a_second_resource(self):
        alice, bob = self.account(DOMAIN), self.account(DOMAIN)
        desk, desk_jid = raw_login(self.server.port("xmpp"), DOMAIN, alice.split("@")[0], resource="desk")
        self.addCleanup(desk.close)
        b, bob_jid = raw_login(self.server.port("xmpp"), DOMAIN, bob.split("@")[0], resource="phone")
        self.addCleanup(b.close)
        b.send("<presence/>")  # available, so that messages to bob's bare JID reach this resource
        # XEP-0280 2: the server says it can.
        desk.send("<iq type='get' id='d' to='%s'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>"
                  % DOMAIN)
        self.assertIn(b"<feature var='urn:xmpp:carbons:2'/>", desk.take(rb"<iq[^>]*id='d'.*?</iq>").group(0))
        p = self.gloox(alice + "/gloox", PASSWORD, bob, mode="carbons")
        self.addCleanup(p.kill)
        for line in p.stdout:
            if line.startswith("carbons "):
                self.assertEqual(line.strip(), "carbons on")
                break
        # A message to the other resource's full JID, and one that resource sends.
        b.send("<message to='%s' type='chat' id='c1'><body>to your desk</body></message>" % desk_jid)
        desk.take(rb"<message[^>]*id='c1'.*?</message>")
        # <private/> (XEP-0280 6.2) is never copied: were it, gloox would print it before c2.
        desk.send("<message to='%s' type='chat' id='c3'><body>secret</body>"
                  "<private xmlns='urn:xmpp:carbons:2'/></message>" % bob)
        desk.send("<message to='%s' type='chat' id='c2'><body>from my desk</body></message>" % bob)
        out, _ = p.communicate(timeout=30)
        self.assertEqual(p.returncode, 0, out)
        self.assertIn("carbon received 'to your desk' from %s to %s (copy from %s)" % (bob_jid, desk_jid, alice), out)
        self.assertIn("carbon sent 'from my desk' from %s to %s (copy from %s)" % (desk_jid, bob, alice), out)
        self.assertNotIn("secret", out)
        b.take(rb"<message[^>]*id='c3'.*?</message>")  # the private one reached bob all the same

    def test_a_wrong_password(self):
        alice = self.account(DOMAIN)
        p = self.gloox(alice + "/gloox", "wrong-" + PASSWORD, alice)
        out, _ = p.communicate(timeout=30)
        self.assertEqual(p.returncode, 2, out)


if __name__ == "__main__":
    unittest.main()
