"""DKIM signing of outbound mail, as an administrator sets it up: a new
domain comes with a key, `posta domain show` and the API print the TXT
record, the record is published (here in dnsmasq), and mail the queue runner
delivers to a real receiver (aiosmtpd) verifies with python3-dkim, which
asks the same dnsmasq for the key. After a rotation the new selector signs.
Mail nobody vouched for (forwarded from outside) is not signed, and the
private keys are not readable in the database."""

import re
import smtplib
import unittest

import dkim
import dns.message
import dns.query
import dns.rdatatype

from outbound_case import LOCAL, OutboundTestCase
from outbound_peers import Dnsmasq, Sink, free_port, loopback_addresses, put_settings
from posta_harness import quote, stop_servers as tearDownModule  # noqa: F401
from smtp_helpers import API, message_bytes, unique


def txt_record_option(name, value):
    """A dnsmasq txt-record= line: a DKIM value is longer than one DNS
    character-string (255 octets), so it goes as several (RFC 6376 3.6.2.2)."""
    pieces = [value[i:i + 255] for i in range(0, len(value), 255)]
    return "txt-record=%s,%s" % (name, ",".join('"%s"' % p for p in pieces))


class OutboundDkimTests(OutboundTestCase):
    @classmethod
    def start_peers(cls):
        cls.live, = loopback_addresses(1)
        cls.port = free_port(cls.live)
        cls.sink = Sink(cls.live, cls.port)
        cls.peers.append(cls.sink)
        record = cls.dkim_of(LOCAL)
        cls.published = {record["record_name"]: record["record_value"]}  # record name -> TXT value
        return cls.zone()

    # --- DNS -------------------------------------------------------------

    @classmethod
    def zone(cls):
        return (["mx-host=live.example.test,mx.live.example.test,10", "host-record=mx.live.example.test,%s" % cls.live]
                + [txt_record_option(n, v) for n, v in sorted(cls.published.items())])

    @classmethod
    def dkim_of(cls, domain):
        status, body = cls.server.api("GET", API + "/domains/" + quote(domain))
        assert status == 200, (status, body)
        return body["dkim"]

    @classmethod
    def publish(cls, record):
        """Adds the domain's TXT record to the zone: dnsmasq restarted with it
        (on a new port, which dns.servers then names)."""
        cls.published[record["record_name"]] = record["record_value"]
        cls.dns.stop()
        cls.peers.remove(cls.dns)
        cls.dns = Dnsmasq(cls.zone())
        cls.peers.append(cls.dns)
        put_settings(cls.server, (("dns.servers", [cls.dns.server]),))

    def dnsfunc(self, name, timeout=5):
        """python3-dkim's key look-up, answered by the test zone."""
        qname = name.decode() if isinstance(name, bytes) else name
        reply = dns.query.udp(dns.message.make_query(qname, dns.rdatatype.TXT), "127.0.0.1", timeout=timeout,
                              port=self.dns.port)
        for rrset in reply.answer:
            if rrset.rdtype == dns.rdatatype.TXT:
                return b"".join(list(rrset)[0].strings)
        return None

    def assertVerifies(self, message):
        self.assertTrue(dkim.verify(message, dnsfunc=self.dnsfunc), message[:1500])

    # --- mail ------------------------------------------------------------

    def received(self, subject):
        got = self.sink.wait_for(subject)
        self.assertEqual(len(got), 1, self.server.logs(80))
        return got[0][1]

    @staticmethod
    def signature_tags(message):
        header = message.split(b"\r\n\r\n", 1)[0].decode()
        fields = re.findall(r"^DKIM-Signature:([^\r\n]*(?:\r\n[ \t][^\r\n]*)*)", header, re.M)
        tags = []
        for f in fields:
            compact = re.sub(r"\s+", "", f)
            tags.append(dict(t.split("=", 1) for t in compact.split(";") if "=" in t))
        return tags

    # --- the record --------------------------------------------------------

    def test_the_api_and_posta_domain_show_print_the_record_to_publish(self):
        record = self.dkim_of(LOCAL)
        self.assertRegex(record["selector"], r"^posta\d{6}(-\d+)?$")
        self.assertEqual(record["record_name"], record["selector"] + "._domainkey." + LOCAL)
        self.assertEqual(record["record_type"], "TXT")
        self.assertTrue(record["record_value"].startswith("v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA"),
                        record["record_value"])
        shown = self.cli_ok("domain", "show", LOCAL)
        lines = dict(line.split(":", 1) for line in shown.splitlines() if ":" in line)
        lines = {k.strip(): v.strip() for k, v in lines.items()}
        self.assertEqual(lines.get("Dkim selector"), record["selector"], shown)
        self.assertEqual(lines.get("Dkim record"), record["record_name"], shown)
        self.assertEqual(lines.get("Dkim txt"), record["record_value"], shown)
        as_json = self.cli_json("domain", "show", LOCAL)
        self.assertEqual(as_json["dkim"], record)

    def test_private_keys_are_sealed_in_the_database(self):
        rows = self.sql("SELECT encode(k.private_key, 'hex'), k.public_key FROM dkim_keys k "
                        "JOIN domains d ON d.id = k.domain_id WHERE d.name = '%s'" % LOCAL)
        self.assertTrue(rows)
        for sealed_hex, public in rows:
            sealed = bytes.fromhex(sealed_hex)
            self.assertNotIn(b"PRIVATE KEY", sealed)
            self.assertNotIn(b"MIIE", sealed)  # how every base64 PKCS#8 RSA-2048 key begins
            self.assertGreater(len(sealed), 1600)  # a whole PEM key, plus nonce and tag
            self.assertTrue(public.startswith("MIIB"))

    # --- signing -----------------------------------------------------------

    def test_delivered_mail_verifies_with_the_published_key(self):
        subject = unique("signed")
        self.submit(["bob@live.example.test"], subject)
        message = self.received(subject)
        self.assertTrue(message.startswith(b"DKIM-Signature: "), message[:300])
        tags = self.signature_tags(message)
        self.assertEqual(len(tags), 1, tags)
        self.assertEqual(tags[0]["d"], LOCAL)
        self.assertEqual(tags[0]["s"], self.dkim_of(LOCAL)["selector"])
        self.assertEqual(tags[0]["c"], "relaxed/relaxed")
        self.assertEqual(tags[0]["a"], "rsa-sha256")
        self.assertVerifies(message)

    def test_after_rotation_the_new_selector_signs(self):
        before = self.dkim_of(LOCAL)
        rotated = self.assertApi(200, "POST", API + "/domains/%s/dkim/rotate" % LOCAL)
        after = rotated["dkim"]
        self.assertNotEqual(after["selector"], before["selector"])
        self.assertNotEqual(after["record_value"], before["record_value"])
        self.assertEqual(self.dkim_of(LOCAL), after)
        self.assertTrue(self.wait_journal(lambda e: e["text"].startswith("DKIM key rotated")
                                          and e["fields"].get("selector") == after["selector"], service="dkim"))
        # The old key stays (retired): mail signed with it may be in flight.
        self.assertEqual(self.scalar("SELECT count(*) FROM dkim_keys k JOIN domains d ON d.id = k.domain_id "
                                     "WHERE d.name = '%s' AND k.selector = '%s' AND k.retired_at IS NOT NULL"
                                     % (LOCAL, before["selector"])), "1")
        # The CLI rotates as well.
        shown = self.cli_ok("domain", "dkim-rotate", LOCAL)
        latest = self.dkim_of(LOCAL)
        self.assertNotIn(latest["selector"], (before["selector"], after["selector"]))
        self.assertIn(latest["record_value"], shown)
        self.publish(latest)
        subject = unique("rotated")
        self.submit(["carl@live.example.test"], subject)
        message = self.received(subject)
        self.assertEqual(self.signature_tags(message)[0]["s"], latest["selector"])
        self.assertVerifies(message)

    def test_a_domain_without_a_key_sends_unsigned_until_it_gets_one(self):
        domain = "plain.test"
        self.setting("dkim.sign", False)
        self.make_domain(domain)
        self.make_account("dora@" + domain)
        self.assertIsNone(self.dkim_of(domain))
        subject = unique("off")
        self.submit(["dan@live.example.test"], subject, sender="dora@" + domain)
        self.assertNotIn(b"DKIM-Signature", self.received(subject))
        self.server.api("PUT", API + "/settings/dkim.sign", json={"value": True})
        # Signing on, still no key (a domain from before DKIM): unsigned, delivered.
        subject = unique("nokey")
        self.submit(["dan@live.example.test"], subject, sender="dora@" + domain)
        self.assertNotIn(b"DKIM-Signature", self.received(subject))
        # Rotation gives it its first key.
        record = self.assertApi(200, "POST", API + "/domains/%s/dkim/rotate" % domain)["dkim"]
        self.assertIsNotNone(record)
        self.publish(record)
        subject = unique("firstkey")
        self.submit(["dan@live.example.test"], subject, sender="dora@" + domain)
        message = self.received(subject)
        self.assertEqual(self.signature_tags(message)[0]["d"], domain)
        self.assertVerifies(message)

    def test_with_signing_off_nothing_is_signed(self):
        self.setting("dkim.sign", False)
        subject = unique("unsigned")
        self.submit(["erin@live.example.test"], subject)
        self.assertNotIn(b"DKIM-Signature", self.received(subject))

    def test_a_key_that_does_not_open_leaves_the_mail_unsigned_not_lost(self):
        domain = "broken.test"
        self.make_domain(domain)
        self.make_account("bea@" + domain)
        # Damaged at rest (or sealed under another server secret): it cannot open.
        self.sql("UPDATE dkim_keys SET private_key = decode('01' || repeat('00', 40), 'hex') "
                 "WHERE domain_id = (SELECT id FROM domains WHERE name = '%s')" % domain)
        subject = unique("broken")
        self.submit(["gus@live.example.test"], subject, sender="bea@" + domain)
        self.assertNotIn(b"DKIM-Signature", self.received(subject))
        self.assertTrue(self.wait_journal(lambda e: e["text"].startswith("DKIM signing failed"), service="queue"))

    def test_utf8_headers_rewritten_for_the_next_server_are_not_signed(self):
        # The sink offers no SMTPUTF8: RFC 2047 words replace the signed bytes.
        subject = unique("utf8")
        self.submit_utf8("hal@live.example.test", subject, "Gr\u00fc\u00dfe")
        message = self.received(subject)
        self.assertIn(b"=?utf-8?", message.lower())
        self.assertNotIn(b"DKIM-Signature", message)

    def test_mail_forwarded_from_outside_is_not_signed(self):
        # SECURITY: anyone may send to an alias that forwards out, with any
        # From; our key must not vouch for it.
        alias = "fwd-%s@%s" % (unique("a").lower(), LOCAL)
        self.make_alias(alias, ["fred@live.example.test"])
        subject = unique("forwarded")
        data = message_bytes("ceo@" + LOCAL, [alias], subject)
        with smtplib.SMTP("127.0.0.1", self.server.port("smtp"), timeout=30) as s:
            s.sendmail("ceo@" + LOCAL, [alias], data)
        message = self.received(subject)
        self.assertNotIn(b"DKIM-Signature", message)


if __name__ == "__main__":
    unittest.main()
