"""XMPP c2s as a real client (slixmpp) sees it: STARTTLS and direct TLS
(XEP-0368), SCRAM-SHA-256, SCRAM-SHA-1 and PLAIN, a wrong password, no
plaintext authentication before TLS, resource binding and its conflict
(the newer session wins), messages by full and bare JID, XEP-0199 ping,
disco#info and software version from the server."""

import asyncio
import unittest

from posta_harness import stop_servers
from xmpp_helpers import PASSWORD, RawXmpp, XmppTestCase, header, raw_login

DOMAIN = "chat.test"
S_DOMAIN = "session." + DOMAIN

tearDownModule = stop_servers


class LoginTests(XmppTestCase):
    domains = (DOMAIN,)

    def test_scram_sha256_over_starttls_and_a_message_each_way(self):
        alice, bob = self.account(DOMAIN), self.account(DOMAIN)
        a = self.login(alice)
        b = self.login(bob)
        self.assertTrue(str(a.boundjid).startswith(alice + "/"), a.boundjid)
        a.send_presence()
        b.send_presence()
        self.run_async(asyncio.sleep(0.3))
        a.send_message(mto=bob, mbody="hello bob", mtype="chat")
        m = self.next_message(b)
        self.assertEqual(m["body"], "hello bob")
        self.assertEqual(str(m["from"]), str(a.boundjid))  # stamped with the full JID
        b.send_message(mto=m["from"], mbody="hello alice", mtype="chat")
        self.assertEqual(self.next_message(a)["body"], "hello alice")

    def test_plain_inside_tls_and_scram_sha1_over_direct_tls(self):
        alice, bob = self.account(DOMAIN), self.account(DOMAIN)
        a = self.login(alice, mechanism="PLAIN")
        b = self.login(bob + "/desk", mechanism="SCRAM-SHA-1", direct_tls=True)
        self.assertEqual(str(b.boundjid), bob + "/desk")
        a.send_message(mto=bob + "/desk", mbody="to the desk")  # a full JID: no presence needed
        self.assertEqual(self.next_message(b)["body"], "to the desk")

    def test_a_wrong_password_fails(self):
        alice = self.account(DOMAIN)
        _, outcome = self.connect(alice, password="not-" + PASSWORD)
        self.assertIn(outcome, ("auth failed", "disconnected"))
        self.login(alice)  # the account itself is fine

    def test_no_plaintext_authentication_before_tls(self):
        alice = self.account(DOMAIN)
        raw = RawXmpp(self.server.port("xmpp"))
        features = raw.open(DOMAIN)
        self.assertIn(b"<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls>", features)
        self.assertNotIn(b"<mechanism>", features)
        raw.send("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>%s</auth>"
                 % __import__("base64").b64encode(b"\0" + alice.split("@")[0].encode() + b"\0" + PASSWORD.encode()).decode())
        self.assertIn(b"<encryption-required/>", raw.read_until(rb"</failure>"))
        # After STARTTLS the same stream offers PLAIN and SCRAM.
        features = raw.starttls(DOMAIN)
        self.assertIn(b"<mechanism>SCRAM-SHA-256</mechanism>", features)
        self.assertIn(b"<mechanism>PLAIN</mechanism>", features)
        raw.close()

    def test_an_unknown_host_is_refused(self):
        raw = RawXmpp(self.server.port("xmpp"))
        raw.send(b"<?xml version='1.0'?><stream:stream to='nowhere.test' xmlns='jabber:client' "
                 b"xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>")
        out = raw.until_closed()
        self.assertIn(b"<host-unknown xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>", out)
        self.assertIn(b"</stream:stream>", out)


class SessionTests(XmppTestCase):
    domains = ("session." + DOMAIN,)

    def test_ping_disco_and_version(self):
        a = self.login(self.account(S_DOMAIN))
        rtt = self.run_async(a["xep_0199"].ping(timeout=10))
        self.assertGreaterEqual(rtt, 0)
        info = self.run_async(a["xep_0030"].get_info(jid=S_DOMAIN, timeout=10))
        features = info["disco_info"]["features"]
        self.assertIn("urn:xmpp:ping", features)
        self.assertIn("http://jabber.org/protocol/disco#info", features)
        version = self.run_async(a["xep_0092"].get_version(S_DOMAIN, timeout=10))
        self.assertEqual(version["software_version"]["name"], "Posta")
        self.assertRegex(version["software_version"]["version"], r"^\d+\.\d+")

    def test_an_iq_between_two_clients(self):
        a = self.login(self.account(S_DOMAIN))
        b = self.login(self.account(S_DOMAIN))
        # slixmpp answers a ping to its full JID itself: the result is routed back.
        self.assertGreaterEqual(self.run_async(b["xep_0199"].ping(jid=a.boundjid, timeout=10)), 0)

    def test_the_newer_session_wins_a_resource_conflict(self):
        alice, bob = self.account(S_DOMAIN), self.account(S_DOMAIN)
        first = self.login(alice + "/phone")
        second = self.login(alice + "/phone")
        self.run_async(first.gone.wait(), 10)
        self.assertEqual(first.stream_errors, ["conflict"])
        b = self.login(bob)
        b.send_message(mto=alice + "/phone", mbody="who gets this")
        self.assertEqual(self.next_message(second)["body"], "who gets this")

    def test_a_generated_resource_and_an_unknown_account(self):
        alice = self.account(S_DOMAIN)
        a = self.login(alice)
        self.assertTrue(a.boundjid.resource)
        # An offline account keeps the message (test_offline.py); no account refuses it.
        a.send_message(mto="nobody-" + alice, mbody="nobody home", mtype="chat")
        m = self.next_message(a)  # the error comes back as a message
        self.assertEqual(m["type"], "error")
        self.assertEqual(m["error"]["condition"], "service-unavailable")

    def test_an_unknown_iq_is_service_unavailable(self):
        a = self.login(self.account(S_DOMAIN))
        iq = a.make_iq_get(queryxmlns="urn:example:nothing", ito=S_DOMAIN)
        with self.assertRaises(Exception) as caught:
            self.run_async(iq.send(timeout=10))
        self.assertEqual(caught.exception.iq["error"]["condition"], "service-unavailable")


class RawStreamTests(XmppTestCase):
    domains = ("raw." + DOMAIN,)

    def test_keepalives_the_legacy_session_and_a_clean_close(self):
        domain = "raw." + DOMAIN
        alice = self.account(domain)
        raw, jid = raw_login(self.server.port("xmpp"), domain, alice.split("@")[0], resource="")
        self.assertTrue(jid.startswith(alice + "/posta-"), jid)  # a resource of the server's choice
        raw.send(" \n\t ")  # whitespace keepalives (RFC 6120 4.6.1) are not stanzas
        raw.send("<iq type='set' id='s1'><session xmlns='urn:ietf:params:xml:ns:xmpp-session'/></iq>")
        self.assertIn(b"<iq type='result' id='s1'", raw.read_until(rb"id='s1'[^>]*/>"))
        raw.send("  <iq type='get' id='p1'><ping xmlns='urn:xmpp:ping'/></iq>")
        self.assertIn(b"id='p1'", raw.read_until(rb"id='p1'[^>]*/>"))
        raw.send("</stream:stream>")
        self.assertEqual(raw.until_closed(), b"</stream:stream>")

    def test_a_silent_client_is_pinged_then_dropped(self):
        domain = "raw." + DOMAIN
        self.setting("xmpp.ping_interval_seconds", 1)
        alice, bob = self.account(domain), self.account(domain)
        __import__("time").sleep(1)  # the setting reaches the server through NOTIFY
        answering, _ = raw_login(self.server.port("xmpp"), domain, alice.split("@")[0])
        silent, jid = raw_login(self.server.port("xmpp"), domain, bob.split("@")[0])
        ping = silent.read_until(rb"<ping xmlns='urn:xmpp:ping'/></iq>", timeout=10)
        self.assertIn(("to='%s'" % jid).encode(), ping)
        for _ in range(3):  # the other one answers, and stays
            got = answering.read_until(rb"<ping xmlns='urn:xmpp:ping'/></iq>", timeout=10)
            ping_id = __import__("re").search(rb"id='([^']+)'", got).group(1).decode()
            answering.send("<iq type='result' id='%s' to='%s'/>" % (ping_id, domain))
        out = silent.until_closed(timeout=10)
        self.assertIn(b"<connection-timeout xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>", out)
        answering.send("<iq type='get' id='p9'><ping xmlns='urn:xmpp:ping'/></iq>")
        self.assertIn(b"id='p9'", answering.read_until(rb"id='p9'[^>]*/>"))
        answering.close()

    def test_a_disabled_account_cannot_log_in(self):
        domain = "raw." + DOMAIN
        address = "off-" + self.account(domain)
        self.make_account(address, enabled=False)
        raw = RawXmpp(self.server.port("xmpp"))
        raw.open(domain)
        raw.starttls(domain)
        token = __import__("base64").b64encode(b"\0" + address.encode() + b"\0" + PASSWORD.encode()).decode()
        for _ in range(2):
            raw.send("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>%s</auth>" % token)
            self.assertIn(b"<not-authorized/>", raw.read_until(rb"</failure>"))
        # RFC 6120 6.4.5: a bounded number of retries, then policy-violation.
        raw.send("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>%s</auth>" % token)
        out = raw.until_closed()
        self.assertIn(b"<not-authorized/>", out)
        self.assertIn(b"<policy-violation xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>", out)

    def test_without_required_tls_scram_is_offered_in_plaintext_but_plain_is_not(self):
        domain = "raw." + DOMAIN
        self.setting("xmpp.require_tls", False)
        features = b""
        for _ in range(50):  # the setting reaches the server through NOTIFY
            raw = RawXmpp(self.server.port("xmpp"))
            features = raw.open(domain)
            raw.close()
            if b"<mechanism>" in features:
                break
            __import__("time").sleep(0.1)
        self.assertIn(b"<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>", features)
        self.assertIn(b"<mechanism>SCRAM-SHA-256</mechanism>", features)
        self.assertNotIn(b"<mechanism>PLAIN</mechanism>", features)
        alice = self.account(domain)
        c = self.login(alice, starttls=False)
        self.assertGreaterEqual(self.run_async(c["xep_0199"].ping(timeout=10)), 0)


if __name__ == "__main__":
    unittest.main()
