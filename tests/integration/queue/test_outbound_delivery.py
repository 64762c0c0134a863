"""Outbound delivery by the queue runner, against real peers: a dnsmasq zone
with MX, A and null-MX records and aiosmtpd receivers on loopback. Mail an
employee submits to remote recipients reaches the MX (the second when the
first is down), a 451 is retried, a 550 or a null MX returns a report to the
sender's INBOX with the remote text, a recipient past queue.max_time_hours
expires, and a relay host takes everything with AUTH inside verified TLS."""

import os
import smtplib
import subprocess
import time
import unittest

from outbound_case import ANN, LOCAL, OutboundTestCase
from outbound_peers import Sink, free_port, loopback_addresses
from posta_harness import stop_servers as tearDownModule  # noqa: F401
from smtp_helpers import API, PASSWORD, message_bytes, sql_literal, unique


class OutboundDeliveryTests(OutboundTestCase):
    @classmethod
    def start_peers(cls):
        live, dead, deferring = loopback_addresses(3)
        cls.port = free_port(live)
        cls.sink = Sink(live, cls.port, "--pipelining", "--reject", "nobody", "550 5.1.1 nobody: no such user here",
                        "--defer-once", "later")
        cls.slow = Sink(deferring, cls.port, "--reject", "", "451 4.2.1 mailbox busy, come back tomorrow")
        cls.peers += [cls.sink, cls.slow]
        cls.dead_address = dead
        return [
            "mx-host=live.example.test,mx.live.example.test,10",
            "host-record=mx.live.example.test,%s" % live,
            "mx-host=failover.example.test,mx1.failover.example.test,10",
            "mx-host=failover.example.test,mx2.failover.example.test,20",
            "host-record=mx1.failover.example.test,%s" % dead,
            "host-record=mx2.failover.example.test,%s" % live,
            "mx-host=nullmx.example.test,.,0",
            "mx-host=slow.example.test,mx.slow.example.test,10",
            "host-record=mx.slow.example.test,%s" % deferring,
            "host-record=implicit.example.test,%s" % live,
            "mx-host=down.example.test,mx.down.example.test,10",
            "host-record=mx.down.example.test,%s" % dead,
        ]

    # --- helpers ---------------------------------------------------------

    def queue_rows(self, recipient):
        return self.sql("SELECT id, attempts, last_code, last_reply, leased_by FROM queue WHERE recipient = %s"
                        % sql_literal(recipient))

    def attempts(self, recipient):
        return self.sql("SELECT outcome, code, reply, host FROM queue_attempts WHERE recipient = %s ORDER BY id"
                        % sql_literal(recipient))

    def reports_in_inbox(self, marker):
        """Delivery reports in ANN's INBOX about the message with `marker`."""
        return [m for m in self.full_messages(ANN, marker) if b"multipart/report" in m]

    def make_due(self, recipient):
        # What `posta queue flush` does for one row: due now, and the runners told.
        self.sql("UPDATE queue SET next_attempt_at = now() WHERE recipient = %s; NOTIFY posta_queue"
                 % sql_literal(recipient))

    # --- delivery --------------------------------------------------------

    def test_delivers_to_the_mx_with_one_transaction_per_domain(self):
        subject = unique("live")
        rcpts = ["bob@live.example.test", "carol@live.example.test"]
        self.submit(rcpts, subject, mail_options=["RET=HDRS", "ENVID=env-" + subject],
                    rcpt_options=["NOTIFY=FAILURE"])
        got = self.sink.wait_for(subject)
        self.assertEqual(len(got), 1, "one transaction for both recipients")
        meta, body = got[0]
        self.assertEqual(sorted(meta["rcpt_tos"]), rcpts)
        self.assertEqual(meta["mail_from"], ANN)
        # The sink offers no DSN extension: RFC 3461 4.1 forbids passing the
        # parameters on to it (with DSN offered they go, see the client tests).
        self.assertNotIn("ENVID", " ".join(meta["mail_options"]))
        self.assertIn(b"Subject: " + subject.encode(), body)
        for r in rcpts:
            self.wait_until(lambda: not self.queue_rows(r), what="queue row of %s gone" % r)
            outcome, code, reply, host = self.attempts(r)[-1]
            self.assertEqual((outcome, code), ("delivered", "250"))
            self.assertIn("mx.live.example.test", host)

    def test_notify_success_to_a_server_without_dsn_reports_relayed(self):
        subject = unique("relayed")
        rcpt = "kim@live.example.test"
        self.submit([rcpt], subject, rcpt_options=["NOTIFY=SUCCESS,FAILURE"])
        self.assertEqual(len(self.sink.wait_for(subject)), 1)
        report = self.wait_until(lambda: self.reports_in_inbox(subject), what="a relayed report")[0]
        self.assertIn(b"Subject: Successful Mail Delivery Report", report)
        self.assertIn(b"Action: relayed", report)
        self.assertIn(b"Status: 2.0.0", report)

    def test_utf8_headers_are_encoded_for_a_server_without_smtputf8(self):
        subject = unique("utf8")
        self.submit_utf8("lou@live.example.test", subject, "Grüße aus Köln")
        meta, body = self.sink.wait_for(subject)[0]
        self.assertIn("BODY=8BITMIME", " ".join(meta["mail_options"]))
        header = body.split(b"\r\n\r\n", 1)[0]
        self.assertTrue(all(b < 128 for b in header), header)  # the sink offers no SMTPUTF8
        self.assertIn(b"=?utf-8?", header.lower())

    def test_fails_over_to_the_second_mx(self):
        subject = unique("failover")
        self.submit(["dave@failover.example.test"], subject)
        got = self.sink.wait_for(subject, timeout=90)
        self.assertEqual(len(got), 1, self.server.logs(60))
        self.wait_until(lambda: not self.queue_rows("dave@failover.example.test"), what="row gone")
        self.assertIn("mx2.failover.example.test", self.attempts("dave@failover.example.test")[-1][3])

    def test_a_domain_without_mx_is_its_own_mx(self):
        subject = unique("implicit")
        self.submit(["erin@implicit.example.test"], subject)
        self.assertEqual(len(self.sink.wait_for(subject)), 1)

    def test_a_451_is_retried_and_then_delivered(self):
        subject = unique("retry")
        rcpt = "later-%s@live.example.test" % subject
        self.submit([rcpt], subject)
        rows = self.wait_until(lambda: [r for r in self.queue_rows(rcpt) if r[1] == "1" and r[4] is None],
                               what="a deferred row")
        _, attempts, code, reply, _ = rows[0]
        self.assertEqual(code, "451")
        self.assertIn("try again later", reply)
        self.assertEqual(self.sink.wait_for(subject, timeout=1), [])
        due_in = float(self.scalar("SELECT extract(epoch FROM next_attempt_at - now()) FROM queue WHERE recipient = %s"
                                   % sql_literal(rcpt)))
        self.assertGreater(due_in, 60, "the first retry waits queue.min_time_minutes")
        self.make_due(rcpt)
        self.assertEqual(len(self.sink.wait_for(subject)), 1)
        self.wait_until(lambda: not self.queue_rows(rcpt), what="row gone")
        self.assertEqual([a[0] for a in self.attempts(rcpt)], ["deferred", "delivered"])

    # --- failures and reports --------------------------------------------

    def test_a_550_returns_a_report_with_the_remote_text(self):
        subject = unique("refused")
        rcpt = "nobody-%s@live.example.test" % subject
        self.submit([rcpt], subject)
        reports = self.wait_until(lambda: self.reports_in_inbox(subject), what="a report in the INBOX")
        report = reports[0]
        self.assertIn(b"Final-Recipient: rfc822; " + rcpt.encode(), report)
        self.assertIn(b"Status: 5.1.1", report)
        self.assertIn(b"no such user here", report)
        self.assertIn(b"Action: failed", report)
        self.wait_until(lambda: not self.queue_rows(rcpt), what="row gone")
        self.assertEqual(self.attempts(rcpt)[-1][:2], ["bounced", "550"])
        self.assertEqual(self.sink.wait_for(subject, timeout=1), [])

    def test_a_null_mx_bounces_at_once(self):
        subject = unique("nullmx")
        self.submit(["frank@nullmx.example.test"], subject)
        report = self.wait_until(lambda: self.reports_in_inbox(subject), what="a report")[0]
        self.assertIn(b"Status: 5.1.10", report)
        self.assertIn(b"null MX", report)

    def test_an_unknown_domain_bounces(self):
        subject = unique("nxdomain")
        self.submit(["gina@nonesuch.example.test"], subject)
        report = self.wait_until(lambda: self.reports_in_inbox(subject), what="a report")[0]
        self.assertIn(b"does not exist", report)

    def test_expiry_after_max_queue_time_returns_the_last_reply(self):
        subject = unique("expire")
        rcpt = "henry@slow.example.test"
        self.submit([rcpt], subject)
        self.wait_until(lambda: [r for r in self.queue_rows(rcpt) if r[2] == "451" and r[4] is None],
                        what="a deferral by the busy server")
        self.assertEqual(self.reports_in_inbox(subject), [])
        # Queued long ago: the next failure is past queue.max_time_hours.
        self.sql("UPDATE queue SET created_at = now() - interval '121 hours' WHERE recipient = %s"
                 % sql_literal(rcpt))
        self.make_due(rcpt)
        report = self.wait_until(lambda: self.reports_in_inbox(subject), what="an expiry report")[0]
        self.assertIn(b"mailbox busy, come back tomorrow", report)
        self.assertIn(b"Status: 4.2.1", report)
        self.assertIn(b"Action: failed", report)
        self.wait_until(lambda: not self.queue_rows(rcpt), what="row gone")
        self.assertEqual(self.attempts(rcpt)[-1][0], "expired")

    def test_a_message_deferred_for_hours_earns_one_delay_report(self):
        subject, quiet_subject = unique("delay"), unique("quiet")
        rcpt, quiet = "jack@slow.example.test", "kate@slow.example.test"
        self.submit([rcpt], subject)
        self.submit([quiet], quiet_subject, rcpt_options=["NOTIFY=FAILURE"])
        for r in (rcpt, quiet):
            self.wait_until(lambda: [x for x in self.queue_rows(r) if x[2] == "451" and x[4] is None],
                            what="a deferral by the busy server")
        self.assertEqual(self.reports_in_inbox(subject), [])
        # Queued past queue.delay_warning_hours (4) but not past the maximum.
        self.sql("UPDATE queue SET created_at = now() - interval '5 hours' WHERE recipient IN (%s, %s)"
                 % (sql_literal(rcpt), sql_literal(quiet)))
        for r in (rcpt, quiet):
            self.make_due(r)
        report = self.wait_until(lambda: self.reports_in_inbox(subject), what="a delay report")[0]
        self.assertIn(b"Subject: Delayed Mail (still being retried)", report)
        self.assertIn(b"Action: delayed", report)
        self.assertIn(b"Status: 4.2.1", report)
        self.assertIn(b"Will-Retry-Until: ", report)
        self.assertIn(b"mailbox busy, come back tomorrow", report)
        self.wait_until(lambda: self.sql("SELECT delay_notice_sent FROM queue WHERE recipient = %s AND attempts >= 2"
                                         % sql_literal(quiet)), what="the second attempt of the NOTIFY=FAILURE one")
        self.assertEqual(self.reports_in_inbox(quiet_subject), [], "NOTIFY=FAILURE asks for no delay report")
        # The next deferral sends none: one warning per recipient.
        self.wait_until(lambda: self.sql("SELECT 1 FROM queue WHERE recipient = %s AND attempts >= 2 "
                                         "AND delay_notice_sent AND leased_by IS NULL" % sql_literal(rcpt)),
                        what="the delay noted")
        self.make_due(rcpt)
        self.wait_until(lambda: self.sql("SELECT 1 FROM queue WHERE recipient = %s AND attempts >= 3 "
                                         "AND leased_by IS NULL" % sql_literal(rcpt)), what="a third attempt")
        self.assertEqual(len(self.reports_in_inbox(subject)), 1)
        self.sql("DELETE FROM queue WHERE recipient IN (%s, %s)" % (sql_literal(rcpt), sql_literal(quiet)))

    def test_a_dead_destination_backs_off_without_holding_up_others(self):
        subject = unique("dead")
        # The rows would go to the relay host of the next class's tests.
        self.addCleanup(self.sql, "DELETE FROM queue WHERE domain = 'down.example.test'")
        # Twenty messages, one after the other, and 3,000 more queued at once
        # (rows sharing the first one's body): without a backoff each would
        # cost a connection attempt (and a journal entry) of its own, and the
        # live message below would wait behind them.
        with smtplib.SMTP("127.0.0.1", self.server.port("submission"), timeout=30) as c:
            c.login(ANN, PASSWORD)
            for i in range(20):
                rcpt = "p%d-%s@down.example.test" % (i, subject)
                c.sendmail(ANN, [rcpt], message_bytes(ANN, [rcpt], "%s %d" % (subject, i)))
        self.sql("WITH b AS (SELECT blob_hash AS h FROM queue WHERE recipient = %s), "
                 "added AS (INSERT INTO queue(blob_hash, sender, recipient, delivery_id) "
                 "  SELECT b.h, %s, 'bulk' || i || '-' || %s || '@down.example.test', 'bulk-' || %s || '-' || i "
                 "  FROM b, generate_series(1, 3000) i RETURNING blob_hash) "
                 "UPDATE blobs SET refcount = refcount + (SELECT count(*) FROM added) WHERE hash = (SELECT h FROM b); "
                 "NOTIFY posta_queue"
                 % (sql_literal("p0-%s@down.example.test" % subject), sql_literal(ANN), sql_literal(subject),
                    sql_literal(subject)))
        live_subject = unique("alive")
        self.submit(["ivy@live.example.test"], live_subject)
        self.assertEqual(len(self.sink.wait_for(live_subject)), 1)
        self.wait_until(lambda: self.wait_journal(lambda e: "backing off" in e["text"] and "down.example.test" in str(e),
                                                  service="queue", timeout=1), what="the backoff in the journal")
        time.sleep(2)
        entries = [e for e in self.journal("queue") if "backing off" in e["text"] and "down.example.test" in str(e)]
        self.assertEqual(len(entries), 1, "one connection failure for all 3,020 recipients: %r" % entries)
        rows = self.sql("SELECT attempts, coalesce(last_code, 0) FROM queue WHERE domain = 'down.example.test'")
        self.assertEqual(len(rows), 3020)
        self.assertTrue(all(int(a) <= 1 for a, _ in rows), rows)

    # --- settings --------------------------------------------------------

    def test_relay_password_is_never_shown(self):
        status, body = self.server.api("PUT", API + "/settings/relay.smarthost_password", json={"value": "s3cret-relay"})
        self.assertEqual(status, 200, body)
        self.addCleanup(self.server.api, "PUT", API + "/settings/relay.smarthost_password", json={"value": ""})
        self.assertNotIn("s3cret-relay", str(body))
        status, body = self.server.api("GET", API + "/settings/relay.smarthost_password")
        self.assertEqual(status, 200)
        self.assertEqual(body["value"], "(set)")
        rc, out, err = self.server.cli("settings", "list")
        self.assertNotIn("s3cret-relay", out + err)

    def test_bad_smarthost_values_are_refused(self):
        for value in ("relay.test:0", "[not-an-ip]:25", "two words:25"):
            status, body = self.server.api("PUT", API + "/settings/relay.smarthost", json={"value": value})
            self.assertEqual(status, 400, (value, body))
        status, body = self.server.api("PUT", API + "/settings/relay.smarthost_tls", json={"value": "maybe"})
        self.assertEqual(status, 400, body)


class SmarthostTests(OutboundTestCase):
    """Everything remote goes through relay.smarthost, with AUTH inside TLS
    whose certificate is verified against relay.tls_ca_file. (The module's
    server, its domain and account are shared with the class above.)"""

    domains = ()
    accounts = ()

    @classmethod
    def start_peers(cls):
        if cls.server.api("GET", API + "/domains/" + LOCAL)[0] == 404:
            cls.make_domain(LOCAL)
            cls.make_account(ANN)
        cls.certs = os.path.join(cls.server.root, "relay-certs")
        os.makedirs(cls.certs, exist_ok=True)
        cls.cert, cls.key = os.path.join(cls.certs, "cert.pem"), os.path.join(cls.certs, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                        "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", cls.key, "-out", cls.cert],
                       check=True, capture_output=True)
        cls.port = free_port()
        cls.relay = Sink("127.0.0.1", cls.port, "--tls", cls.cert, cls.key, "--auth", "relayuser", "relay-pw")
        cls.peers.append(cls.relay)
        cls.settings = (("relay.smarthost", "[127.0.0.1]:%d" % cls.port), ("relay.smarthost_tls", "starttls"),
                        ("relay.smarthost_user", "relayuser"), ("relay.smarthost_password", "relay-pw"),
                        ("relay.tls_ca_file", cls.cert), ("dns.servers", ["127.0.0.1:9"]))
        return None

    @classmethod
    def tearDownClass(cls):
        cls.server.api("PUT", API + "/settings/relay.smarthost", json={"value": ""})
        super().tearDownClass()

    def wait_relay(self, subject, timeout=60):
        return self.relay.wait_for(subject, timeout)

    def test_everything_goes_through_the_relay_with_auth_in_tls(self):
        subject = unique("relay")
        # Domains no DNS could resolve here: only the relay can take them.
        self.submit(["a@far.example.test", "b@elsewhere.example.org"], subject)
        got = self.wait_relay(subject)
        self.assertEqual(len(got), 1, self.server.logs(80))
        meta, _ = got[0]
        self.assertTrue(meta["tls"])
        self.assertEqual(meta["login"], "relayuser")
        self.assertEqual(sorted(meta["rcpt_tos"]), ["a@far.example.test", "b@elsewhere.example.org"])

    def test_an_unverifiable_relay_certificate_holds_the_mail(self):
        subject = unique("untrusted")
        other = os.path.join(self.certs, "other.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=other",
                        "-keyout", os.path.join(self.certs, "other.key"), "-out", other], check=True, capture_output=True)
        self.setting("relay.tls_ca_file", other)
        self.submit(["c@far.example.test"], subject)
        rows = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not rows:
            rows = self.sql("SELECT last_code, last_reply FROM queue WHERE recipient = 'c@far.example.test' "
                            "AND attempts > 0")
            time.sleep(0.2)
        self.assertTrue(rows, self.server.logs(60))
        self.assertEqual(rows[0][0][0], "4", rows)
        self.assertEqual(self.wait_relay(subject, timeout=1), [])


if __name__ == "__main__":
    unittest.main()
