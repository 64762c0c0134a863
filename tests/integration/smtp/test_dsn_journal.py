"""DSN (RFC 3461/3464): NOTIFY, RET, ENVID and ORCPT kept with queued remote
recipients; quota at RCPT (SIZE, grace) and at the end of DATA (a message
that fits no mailbox is refused, never bounced); a failure after acceptance
(quota exceeded at commit time, a recipient deleted or disabled since RCPT)
commits a headers-only multipart/report to an authenticated sender,
honouring NOTIFY, and none to anyone else (no backscatter). The journal has
one line per accepted, rejected or deferred message."""

import re
import time
import unittest

from posta_harness import stop_servers as tearDownModule  # noqa: F401
from smtp_helpers import API, PASSWORD, SmtpTestCase, message_bytes, sql_literal, unique

DOMAIN = "dsn.test"
ANN, BOB = "ann@" + DOMAIN, "bob@" + DOMAIN
SENDER = "sender@remote.test"


class DsnTests(SmtpTestCase):
    domains = (DOMAIN,)
    accounts = (ANN, BOB)

    def submission(self, user=ANN):
        c = self.raw("submission")
        c.ehlo()
        c.starttls()
        c.ehlo()
        self.assertReply(c.auth_plain(user, PASSWORD), 235)
        return c

    def tight_account(self):
        """A fresh account whose quota lets RCPT pass (used < quota) but
        cannot hold any message: quota_bytes = used_bytes + 1."""
        address = unique("tight").lower() + "@" + DOMAIN
        self.make_account(address, quota=1)
        self.assertEqual(self.used_bytes(address), 0)
        return address

    def wait_for(self, account, marker, timeout=10):
        deadline = time.monotonic() + timeout
        while True:
            found = self.full_messages(account, marker)
            if found or time.monotonic() > deadline:
                return found
            time.sleep(0.2)

    def over_quota_send(self, mail_params="", rcpt_params="", body_marker=None):
        """Ann submits to Bob (who has room) and to a full account: accepted,
        Bob gets it, the full account not, and a notice may go back to Ann."""
        tight = self.tight_account()
        marker = unique("overquota")
        before = len(self.inbox(ANN))
        c = self.submission()
        self.assertReply(c.cmd("MAIL FROM:<%s>%s" % (ANN, mail_params)), 250)
        self.assertReply(c.cmd("RCPT TO:<%s>%s" % (tight, rcpt_params)), 250)
        self.assertReply(c.cmd("RCPT TO:<%s>" % BOB), 250)
        body = "Body line %s\r\n" % (body_marker or "")
        _, done = c.data(message_bytes(ANN, [tight, BOB], marker, body=body))
        self.assertReply(done, 250)
        self.assertEqual(self.inbox(tight), [])
        self.assertEqual(self.used_bytes(tight), 0)
        self.assertEqual(len(self.full_messages(BOB, marker)), 1)
        return tight, marker, before

    # --- parameters kept with the queue --------------------------------------

    def test_dsn_parameters_kept_with_queued_recipients(self):
        marker = unique("dsnq")
        r1, r2, r3 = ("%s-%d@foreign.test" % (marker, i) for i in range(3))
        c = self.submission()
        self.assertIn("DSN", c.ehlo().lines)
        self.assertReply(c.cmd("MAIL FROM:<%s> RET=HDRS ENVID=QQ314159" % ANN), 250)
        self.assertReply(c.cmd("RCPT TO:<%s> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;%s" % (r1, r1)), 250)
        self.assertReply(c.cmd("RCPT TO:<%s> NOTIFY=NEVER" % r2), 250)
        self.assertReply(c.cmd("RCPT TO:<%s>" % r3), 250)
        self.assertReply(c.cmd("RCPT TO:<%s> NOTIFY=DELAY" % BOB), 250)
        _, done = c.data(message_bytes(ANN, [r1, r2, r3, BOB], marker))
        self.assertReply(done, 250)
        rows = {r[0]: r[1:] for r in self.sql(
            "SELECT recipient, sender, envid, ret, notify, orcpt FROM queue WHERE recipient LIKE %s"
            % sql_literal(marker + "%"))}
        self.assertEqual(set(rows), {r1, r2, r3})
        self.assertEqual(rows[r1][:3], [ANN, "QQ314159", "HDRS"])
        self.assertEqual(sorted(rows[r1][3].replace(" ", "").split(",")), ["FAILURE", "SUCCESS"])
        self.assertEqual(rows[r1][4].lower(), ("rfc822;" + r1).lower())
        self.assertEqual(rows[r2][3:], ["NEVER", None])
        self.assertEqual(rows[r3][1:], ["QQ314159", "HDRS", None, None])
        self.assertEqual(len(self.full_messages(BOB, marker)), 1)

    def test_ret_full_kept(self):
        marker = unique("dsnfull")
        rcpt = marker + "@foreign.test"
        c = self.submission()
        self.assertReply(c.cmd("MAIL FROM:<%s> RET=FULL" % ANN), 250)
        self.assertReply(c.cmd("RCPT TO:<%s>" % rcpt), 250)
        _, done = c.data(message_bytes(ANN, [rcpt], marker))
        self.assertReply(done, 250)
        self.assertEqual(self.sql("SELECT ret, envid FROM queue WHERE recipient = %s" % sql_literal(rcpt)),
                         [["FULL", None]])

    def test_bad_dsn_parameters_refused(self):
        c = self.submission()
        self.assertReply(c.cmd("MAIL FROM:<%s> RET=EVERYTHING" % ANN), 501)
        self.assertReply(c.cmd("MAIL FROM:<%s>" % ANN), 250)
        r = c.cmd("RCPT TO:<%s> NOTIFY=NEVER,SUCCESS" % BOB)
        self.assertIn(r.code, (501, 555), r)
        self.assertReply(c.cmd("RCPT TO:<%s> NOTIFY=SOMETIMES" % BOB), 501)
        self.assertStillServes(c)

    # --- failures after acceptance -----------------------------------------------

    def notices(self, marker):
        return [m for m in self.full_messages(ANN, marker) if b"multipart/report" in m]

    def test_over_quota_at_commit_notice_to_the_authenticated_sender(self):
        body_marker = unique("bodymark")
        tight, marker, before = self.over_quota_send(mail_params=" RET=FULL ENVID=env-42",
                                                     rcpt_params=" ORCPT=rfc822;orig@dsn.test",
                                                     body_marker=body_marker)
        # Committed with the message: there when the 250 came, no waiting.
        notices = self.notices(marker)
        self.assertEqual(len(notices), 1, "no (or several) DSN for %s in %s's INBOX" % (marker, ANN))
        dsn = notices[0].decode("utf-8", "replace")
        self.assertEqual(len(self.inbox(ANN)), before + 1)
        self.assertTrue(dsn.startswith("Return-Path: <>\r\nDelivered-To: %s\r\n" % ANN), dsn[:200])
        head = dsn.split("\r\n\r\n", 1)[0]
        self.assertRegex(head, r"(?is)content-type:\s*multipart/report;.*report-type=\"?delivery-status")
        self.assertRegex(dsn, r"(?i)content-type:\s*message/delivery-status")
        self.assertRegex(dsn, r"(?im)^Final-Recipient:\s*rfc822;\s*%s\s*$" % re.escape(tight))
        self.assertRegex(dsn, r"(?im)^Original-Recipient:\s*rfc822;\s*orig@dsn\.test\s*$")
        self.assertRegex(dsn, r"(?im)^Original-Envelope-Id:\s*env-42\s*$")
        self.assertRegex(dsn, r"(?im)^Action:\s*failed\s*$")
        self.assertRegex(dsn, r"(?im)^Status:\s*5\.2\.2\s*$")
        self.assertRegex(dsn, r"(?im)^Reporting-MTA:\s*dns;\s*\S+")
        self.assertNotRegex(dsn, r"(?im)^Final-Recipient:.*bob@")
        # Headers only, whatever RET asked: a notice never carries the body.
        self.assertIn("Subject: %s" % marker, dsn)
        self.assertNotIn(body_marker, dsn)

    def test_notify_never_means_no_notice(self):
        _, marker, before = self.over_quota_send(rcpt_params=" NOTIFY=NEVER")
        self.assertEqual(self.notices(marker), [])
        self.assertEqual(len(self.inbox(ANN)), before)

    def test_notify_success_only_means_no_failure_notice(self):
        _, marker, _ = self.over_quota_send(rcpt_params=" NOTIFY=SUCCESS")
        self.assertEqual(self.notices(marker), [])

    def test_message_that_fits_no_mailbox_is_refused_not_bounced(self):
        # The backscatter case: a forged sender, a full mailbox, a big body.
        tight = self.tight_account()
        marker = unique("reflect")
        victim = marker + "@remote.test"
        queued_before = self.scalar("SELECT count(*) FROM queue")
        c = self.raw("smtp")
        c.ehlo()
        self.assertReply(c.cmd("MAIL FROM:<%s> RET=FULL" % victim), 250)
        self.assertReply(c.cmd("RCPT TO:<%s>" % tight), 250)
        _, done = c.data(message_bytes(victim, [tight], marker, body="z" * 2100000 + "\r\n"))
        self.assertReply(done, 552, "5.2.2")
        self.assertEqual(self.inbox(tight), [])
        self.assertEqual(self.scalar("SELECT count(*) FROM queue"), queued_before)
        self.assertStillServes(c)

    def test_submitted_message_that_fits_no_mailbox_is_refused(self):
        tight = self.tight_account()
        marker = unique("nofit")
        before = len(self.inbox(ANN))
        c = self.submission()
        self.assertReply(c.cmd("MAIL FROM:<%s>" % ANN), 250)
        self.assertReply(c.cmd("RCPT TO:<%s>" % tight), 250)
        _, done = c.data(message_bytes(ANN, [tight], marker))
        self.assertReply(done, 552, "5.2.2")
        self.assertEqual(len(self.inbox(ANN)), before, "a refusal, not a notice")

    def test_unauthenticated_sender_gets_no_notice_and_the_journal_says_so(self):
        tight = self.tight_account()
        marker = unique("nonotice")
        sender = marker + "@remote.test"
        queued_before = self.scalar("SELECT count(*) FROM queue")
        c = self.raw("smtp")
        c.ehlo()
        self.assertReply(c.cmd("MAIL FROM:<%s>" % sender), 250)
        self.assertReply(c.cmd("RCPT TO:<%s>" % tight), 250)
        self.assertReply(c.cmd("RCPT TO:<%s>" % BOB), 250)
        _, done = c.data(message_bytes(sender, [tight, BOB], marker))
        self.assertReply(done, 250)
        self.assertEqual(len(self.full_messages(BOB, marker)), 1)
        self.assertEqual(self.scalar("SELECT count(*) FROM queue"), queued_before)
        found = self.wait_journal(lambda e: e.get("text") == "message not delivered to some recipients"
                                  and tight in e.get("fields", {}).get("recipients", []))
        self.assertEqual(len(found), 1, found)

    def test_declared_size_too_big_for_the_mailbox_is_refused_at_rcpt(self):
        address = unique("sized").lower() + "@" + DOMAIN
        self.make_account(address, quota=100000)
        c = self.raw("smtp")
        c.ehlo()
        self.assertReply(c.cmd("MAIL FROM:<x@remote.test> SIZE=2000000"), 250)
        self.assertReply(c.cmd("RCPT TO:<%s>" % address), 552, "5.2.2")
        self.assertReply(c.cmd("RCPT TO:<%s>" % BOB), 250)  # Bob has no quota
        self.assertReply(c.cmd("RSET"), 250)
        # Within quota + the 10 % grace: accepted.
        self.assertReply(c.cmd("MAIL FROM:<x@remote.test> SIZE=105000"), 250)
        self.assertReply(c.cmd("RCPT TO:<%s>" % address), 250)
        self.assertStillServes(c)

    def test_the_message_crossing_the_quota_within_the_grace_is_delivered(self):
        address = unique("grace").lower() + "@" + DOMAIN
        self.make_account(address, quota=20000)
        c = self.raw("smtp")
        c.ehlo()

        def send(marker, body):
            self.assertReply(c.cmd("MAIL FROM:<x@remote.test>"), 250)
            self.assertReply(c.cmd("RCPT TO:<%s>" % address), 250)
            _, done = c.data(message_bytes("x@remote.test", [address], marker, body=body))
            return done

        self.assertReply(send(unique("g1"), "a" * 15000 + "\r\n"), 250)
        # 15 kB used of 20 kB: 6 kB more ends at 21 kB, inside 20 kB + 10 %.
        self.assertReply(send(unique("g2"), "b" * 6000 + "\r\n"), 250)
        self.assertGreater(self.used_bytes(address), 20000)
        # Now full: refused at RCPT.
        self.assertReply(c.cmd("MAIL FROM:<x@remote.test>"), 250)
        self.assertReply(c.cmd("RCPT TO:<%s>" % address), 452, "4.2.2")
        self.assertReply(c.cmd("RSET"), 250)
        self.assertEqual(len(self.inbox(address)), 2)

    def test_recipient_deleted_after_rcpt_gets_a_notice(self):
        gone = unique("gone").lower() + "@" + DOMAIN
        self.make_account(gone)
        marker = unique("vanished")
        c = self.submission()
        self.assertReply(c.cmd("MAIL FROM:<%s>" % ANN), 250)
        self.assertReply(c.cmd("RCPT TO:<%s>" % gone), 250)
        self.assertReply(c.cmd("RCPT TO:<%s>" % BOB), 250)
        status, body = self.server.api("DELETE", API + "/accounts/" + gone)
        self.assertIn(status, (200, 204), body)
        _, done = c.data(message_bytes(ANN, [gone, BOB], marker))
        self.assertReply(done, 250)
        notices = self.notices(marker)
        self.assertEqual(len(notices), 1)
        self.assertRegex(notices[0].decode(), r"(?im)^Final-Recipient:\s*rfc822;\s*%s\s*$" % re.escape(gone))
        self.assertRegex(notices[0].decode(), r"(?im)^Status:\s*5\.1\.1\s*$")

    def test_recipient_disabled_after_rcpt_gets_a_notice(self):
        off = unique("off").lower() + "@" + DOMAIN
        self.make_account(off)
        marker = unique("disabled")
        c = self.submission()
        self.assertReply(c.cmd("MAIL FROM:<%s>" % ANN), 250)
        self.assertReply(c.cmd("RCPT TO:<%s>" % off), 250)
        self.assertReply(c.cmd("RCPT TO:<%s>" % BOB), 250)
        status, body = self.server.api("PATCH", API + "/accounts/" + off, json={"enabled": False})
        self.assertEqual(status, 200, body)
        _, done = c.data(message_bytes(ANN, [off, BOB], marker))
        self.assertReply(done, 250)
        notices = self.notices(marker)
        self.assertEqual(len(notices), 1)
        self.assertRegex(notices[0].decode(), r"(?im)^Status:\s*5\.2\.1\s*$")

    def test_bounces_are_never_bounced(self):
        tight = self.tight_account()
        marker = unique("nullsender")
        before = self.scalar("SELECT count(*) FROM queue")
        c = self.raw("smtp")
        c.ehlo()
        self.assertReply(c.cmd("MAIL FROM:<>"), 250)
        self.assertReply(c.cmd("RCPT TO:<%s>" % tight), 250)
        self.assertReply(c.cmd("RCPT TO:<%s>" % BOB), 250)
        _, done = c.data(message_bytes("mailer-daemon@remote.test", [tight, BOB], marker))
        self.assertReply(done, 250)
        self.assertEqual(self.scalar("SELECT count(*) FROM queue"), before)


class JournalTests(SmtpTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        status, _ = cls.server.api("GET", API + "/domains/" + DOMAIN)
        if status != 200:
            cls.make_domain(DOMAIN)
            cls.make_account(ANN)
            cls.make_account(BOB)

    def entries_for(self, predicate, service="smtp"):
        return self.wait_journal(lambda e: predicate(e.get("fields", {})), service=service)

    def test_accepted_message_has_exactly_one_line(self):
        c = self.raw("smtp")
        c.ehlo()
        marker = unique("jok")
        sender = marker + "@remote.test"
        self.assertReply(c.cmd("MAIL FROM:<%s>" % sender), 250)
        self.assertReply(c.cmd("RCPT TO:<%s>" % ANN), 250)
        self.assertReply(c.cmd("RCPT TO:<%s>" % BOB), 250)
        msg = message_bytes(sender, [ANN, BOB], marker)
        _, done = c.data(msg)
        self.assertReply(done, 250)
        lines = self.entries_for(lambda f: f.get("sender") == sender)
        self.assertEqual(len(lines), 1, lines)
        f = lines[0]["fields"]
        self.assertEqual(f["client_ip"], "127.0.0.1")
        self.assertEqual(sorted(f["recipients"]), sorted([ANN, BOB]))
        self.assertEqual(f["result"], "accepted")
        self.assertTrue(f["reply"].startswith("250"), f)
        self.assertIn(f.get("id", "\0"), done.text)
        self.assertGreater(f["size"], len(msg))  # the message plus our Received header
        self.assertEqual(lines[0]["service"], "smtp")

    def test_rejected_and_deferred_messages_are_journalled(self):
        marker = unique("jrej")
        c = self.raw("smtp")
        c.ehlo()
        # Rejected: no such user.
        self.assertReply(c.cmd("MAIL FROM:<%s@remote.test>" % marker), 250)
        self.assertReply(c.cmd("RCPT TO:<nobody-%s@%s>" % (marker, DOMAIN)), 550)
        c.cmd("RSET")
        lines = self.entries_for(lambda f: marker in str(f.get("address", "")) or marker in str(f.get("recipients", "")))
        self.assertEqual(len(lines), 1, lines)
        f = lines[0]["fields"]
        self.assertEqual((f["result"], f["client_ip"]), ("rejected", "127.0.0.1"))
        self.assertTrue(f["reply"].startswith("550"), f)
        # Deferred: the per-IP message rate.
        self.setting("smtp.max_messages_per_ip_per_minute", 1)
        sender = unique("jdefer") + "@remote.test"
        c = self.raw("smtp", source="127.0.0.12")
        c.ehlo()
        self.assertReply(c.cmd("MAIL FROM:<%s>" % sender), 250)
        c.cmd("RSET")
        r = c.cmd("MAIL FROM:<%s>" % sender)
        self.assertEqual(r.code // 100, 4, r)
        lines = self.entries_for(lambda f: f.get("address") == sender or f.get("sender") == sender)
        self.assertEqual(len(lines), 1, lines)
        f = lines[0]["fields"]
        self.assertEqual((f["result"], f["client_ip"]), ("deferred", "127.0.0.12"))
        self.assertTrue(f["reply"].startswith(str(r.code)), f)

    def test_message_refused_after_data_is_journalled(self):
        # On submission: a From header the user does not own -> 553 after DATA.
        c = self.raw("submission")
        c.ehlo()
        c.starttls()
        c.ehlo()
        self.assertReply(c.auth_plain(ANN, PASSWORD), 235)
        marker = unique("jfrom")
        self.assertReply(c.cmd("MAIL FROM:<%s>" % ANN), 250)
        self.assertReply(c.cmd("RCPT TO:<%s+%s@%s>" % ("bob", marker, DOMAIN)), 250)
        _, done = c.data(message_bytes(BOB, [BOB], marker))
        self.assertReply(done, 553, "5.7.1")
        lines = self.entries_for(lambda f: any(marker in r for r in f.get("recipients", [])), service="submission")
        self.assertEqual(len(lines), 1, lines)
        f = lines[0]["fields"]
        self.assertEqual((f["result"], f["sender"], f.get("user")), ("rejected", ANN, ANN))
        self.assertTrue(f["reply"].startswith("553"), f)

    def test_oversize_message_is_journalled(self):
        self.setting("smtp.max_message_size_mb", 1)
        marker = unique("jbig")
        sender = marker + "@remote.test"
        c = self.raw("smtp")
        c.ehlo()
        self.assertReply(c.cmd("MAIL FROM:<%s>" % sender), 250)
        self.assertReply(c.cmd("RCPT TO:<%s>" % ANN), 250)
        self.assertReply(c.cmd("DATA"), 354)
        c.send(b"Subject: big\r\n\r\n" + (b"x" * 998 + b"\r\n") * 1200 + b".\r\n")
        self.assertReply(c.read_reply(), 552, "5.3.4")
        lines = self.entries_for(lambda f: f.get("sender") == sender)
        self.assertEqual(len(lines), 1, "no journal line for a message refused as too big: %r" % lines)
        f = lines[0]["fields"]
        self.assertEqual(f["result"], "rejected")
        self.assertTrue(f["reply"].startswith("552"), f)
        self.assertEqual(f["recipients"], [ANN])


if __name__ == "__main__":
    unittest.main()
