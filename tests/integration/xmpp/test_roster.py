"""XMPP rosters (RFC 6121 section 2) stored in PostgreSQL: get, set and
remove with a push to every resource that asked for the roster (2.1.6),
roster versioning (2.6), the refusals of 2.3.3 and 2.5.3, and slixmpp's
roster against the server's."""

import asyncio
import unittest

from posta_harness import stop_servers
from xmpp_helpers import XmppTestCase

DOMAIN = "roster.test"

tearDownModule = stop_servers

QUERY = "<query xmlns='jabber:iq:roster'%s>%s</query>"


def iq(kind, id_, payload):
    return "<iq type='%s' id='%s'>%s</iq>" % (kind, id_, payload)


class RosterTests(XmppTestCase):
    domains = (DOMAIN,)

    def reply(self, client, id_):
        return client.take(rb"<iq[^>]*id='%s'[^>]*?(/>|>.*?</iq>)" % id_.encode()).group(0)

    def get(self, client, id_, ver=None):
        client.send(iq("get", id_, QUERY % ("" if ver is None else " ver='%s'" % ver, "")))
        return self.reply(client, id_)

    def push(self, client):
        m = client.take(rb"<iq type='set' id='([^']+)'[^>]*>(.*?)</iq>")
        client.send("<iq type='result' id='%s'/>" % m.group(1).decode())  # 2.1.6: the client acknowledges
        return m.group(2)

    def test_set_and_remove_are_pushed_to_every_interested_resource(self):
        alice, bob = self.account(DOMAIN), self.account(DOMAIN)
        desk, phone, quiet = self.raw_session(alice, "desk"), self.raw_session(alice, "phone"), self.raw_session(alice, "quiet")
        self.assertIn(b"<query xmlns='jabber:iq:roster'/>", self.get(desk, "g1"))  # a new account: empty
        self.get(phone, "g2")
        desk.send(iq("set", "s1", QUERY % ("", "<item jid='%s' name='Bob &amp; co'><group>Work</group>"
                                               "<group>Friends</group></item>" % bob)))
        result = self.reply(desk, "s1")
        self.assertIn(b"type='result'", result)
        for client in (desk, phone):
            pushed = self.push(client)
            self.assertIn(("<item jid='%s' name='Bob &amp; co' subscription='none'><group>Work</group>"
                           "<group>Friends</group></item>" % bob).encode(), pushed)
            self.assertIn(b"ver='1'", pushed)
        roster = self.get(phone, "g3")
        self.assertIn(("<item jid='%s' name='Bob &amp; co' subscription='none'>" % bob).encode(), roster)
        # An update replaces name and groups.
        phone.send(iq("set", "s2", QUERY % ("", "<item jid='%s'><group>Work</group></item>" % bob)))
        self.assertIn(b"type='result'", self.reply(phone, "s2"))
        self.assertIn(("<item jid='%s' subscription='none'><group>Work</group></item>" % bob).encode(),
                      self.push(desk))
        self.push(phone)
        desk.send(iq("set", "r1", QUERY % ("", "<item jid='%s' subscription='remove'/>" % bob)))
        self.assertIn(b"type='result'", self.reply(desk, "r1"))
        for client in (desk, phone):
            self.assertIn(("<item jid='%s' subscription='remove'/>" % bob).encode(), self.push(client))
        self.assertIn(b"<query xmlns='jabber:iq:roster'/>", self.get(desk, "g4"))
        # A resource that never asked for the roster was sent no push.
        quiet.send(iq("get", "v1", "<query xmlns='jabber:iq:version'/>"))
        self.assertNotIn(b"jabber:iq:roster", self.reply(quiet, "v1"))

    def test_roster_versioning(self):
        alice, bob, carol = self.account(DOMAIN), self.account(DOMAIN), self.account(DOMAIN)
        desk = self.raw_session(alice, "desk")
        self.assertIn(b"<query xmlns='jabber:iq:roster' ver='0'/>", self.get(desk, "g1", ver=""))
        desk.send(iq("set", "s1", QUERY % ("", "<item jid='%s'/>" % bob)))
        self.reply(desk, "s1")
        self.assertIn(b"ver='1'", self.push(desk))
        desk.send(iq("set", "s2", QUERY % ("", "<item jid='%s'/>" % carol)))
        self.reply(desk, "s2")
        self.assertIn(b"ver='2'", self.push(desk))
        # A 'subscription' other than "remove" is ignored (2.1.2.5).
        desk.send(iq("set", "s3", QUERY % ("", "<item jid='%s' subscription='both' name='C'/>" % carol)))
        self.reply(desk, "s3")
        self.assertIn(("<item jid='%s' name='C' subscription='none'/>" % carol).encode(), self.push(desk))
        # The current version: an empty result (2.6.3).
        current = self.get(desk, "g2", ver="3")
        self.assertRegex(current, rb"<iq type='result' id='g2'[^>]*/>")
        # An older or unknown version: the whole roster with the current version.
        for n, ver in enumerate(("1", "bogus")):
            whole = self.get(desk, "g%d" % (3 + n), ver=ver)
            self.assertIn(b"ver='3'", whole)
            self.assertIn(bob.encode(), whole)
            self.assertIn(carol.encode(), whole)
        # The version survives a new session.
        again = self.raw_session(alice, "phone")
        self.assertRegex(self.get(again, "g5", ver="3"), rb"<iq type='result' id='g5'[^>]*/>")

    def test_refusals(self):
        alice, bob = self.account(DOMAIN), self.account(DOMAIN)
        desk = self.raw_session(alice, "desk")
        cases = [
            ("two", "<item jid='%s'/><item jid='x@%s'/>" % (bob, DOMAIN), b"<bad-request"),
            ("nojid", "<item name='x'/>", b"<bad-request"),
            ("dup", "<item jid='%s'><group>A</group><group>A</group></item>" % bob, b"<not-acceptable"),
            ("jid", "<item jid='@@'/>", b"<jid-malformed"),
            ("gone", "<item jid='%s' subscription='remove'/>" % bob, b"<item-not-found"),
        ]
        for id_, item, condition in cases:
            desk.send(iq("set", id_, QUERY % ("", item)))
            reply = self.reply(desk, id_)
            self.assertIn(b"type='error'", reply, id_)
            self.assertIn(condition, reply, id_)
        # None of them changed the roster.
        self.assertIn(b"<query xmlns='jabber:iq:roster'/>", self.get(desk, "g1"))

    def test_slixmpp_roster(self):
        alice, bob = self.account(DOMAIN), self.account(DOMAIN)
        a = self.login(alice)
        self.run_async(a.get_roster())
        self.assertEqual(list(a.client_roster), [])
        self.run_async(a.update_roster(bob, name="Bob", groups=["Team"]))

        async def until_listed():
            while bob not in a.client_roster:
                await asyncio.sleep(0.05)
        self.run_async(until_listed(), timeout=10)
        item = a.client_roster[bob]
        self.assertEqual(item["name"], "Bob")
        self.assertEqual(item["groups"], ["Team"])
        self.assertEqual(item["subscription"], "none")
        # A second login sees the stored roster.
        a2 = self.login(alice + "/second")
        self.run_async(a2.get_roster())
        self.assertEqual(a2.client_roster[bob]["name"], "Bob")
        a.del_roster_item(bob)

        async def until_gone():
            while bob in a2.client_roster:
                await asyncio.sleep(0.05)
        self.run_async(until_gone(), timeout=10)


if __name__ == "__main__":
    unittest.main()
