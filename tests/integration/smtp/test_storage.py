"""Where accepted bodies live, as smtplib senders and an administrator see it:
bodies up to blobs.inline_max_kb in the database (no file per message),
larger ones as files; the setting applies live; one copy serves every
recipient either way; used bytes are the same for both."""

import hashlib
import os
import smtplib
import unittest

from posta_harness import stop_servers as tearDownModule  # noqa: F401
from smtp_helpers import SmtpTestCase, message_bytes, sql_literal, unique

DOMAIN = "store.test"
ANN, BOB = ("%s@%s" % (n, DOMAIN) for n in ("ann", "bob"))


class StorageTests(SmtpTestCase):
    domains = (DOMAIN,)
    accounts = (ANN, BOB)

    def send(self, subject, body, recipients=(ANN, BOB)):
        c = smtplib.SMTP("127.0.0.1", self.server.port("smtp"), local_hostname="client.test", timeout=30)
        self.addCleanup(c.close)
        msg = message_bytes("sender@remote.test", list(recipients), subject, body=body)
        self.assertEqual(c.sendmail("sender@remote.test", list(recipients), msg), {})
        c.quit()

    def copies(self, subject):
        """The (account, message row) pairs whose body carries `subject`."""
        out = []
        for account in (ANN, BOB):
            for m in self.inbox(account):
                if subject.encode() in self.blob(m["hash"]):
                    out.append((account, m))
        return out

    def body_row(self, digest):
        rows = self.sql("SELECT body IS NOT NULL, size, refcount FROM blobs WHERE hash = %s" % sql_literal(digest))
        self.assertEqual(len(rows), 1, digest)
        return rows[0][0] == "t", int(rows[0][1]), int(rows[0][2])

    def check_stored(self, subject, expect_inline):
        copies = self.copies(subject)
        self.assertEqual(sorted(a for a, _ in copies), [ANN, BOB])
        digests = {m["hash"] for _, m in copies}
        self.assertEqual(len(digests), 1, "one body serves every recipient")
        digest = digests.pop()
        is_inline, size, refcount = self.body_row(digest)
        self.assertEqual(is_inline, expect_inline)
        self.assertEqual(refcount, 2)
        self.assertEqual(os.path.exists(self.blob_path(digest)), not expect_inline)
        body = self.blob(digest)
        self.assertEqual(len(body), size)
        self.assertEqual(hashlib.sha256(body).hexdigest(), digest)
        for _, m in copies:
            self.assertEqual(m["size"], len(m["prefix"].encode()) + size)
        return digest

    def test_small_body_lives_in_the_database(self):
        files_before = self.blob_files()
        subject = unique("small")
        self.send(subject, "ten kilobytes\r\n" + "x" * 10000 + "\r\n")
        self.check_stored(subject, expect_inline=True)
        self.assertEqual(self.blob_files() - files_before, set(), "no file for a small body")

    def test_body_past_the_limit_is_a_file(self):
        self.setting("blobs.inline_max_kb", 64)
        subject = unique("large")
        self.send(subject, ("y" * 998 + "\r\n") * 100)
        self.check_stored(subject, expect_inline=False)

    def test_zero_means_every_body_is_a_file(self):
        self.setting("blobs.inline_max_kb", 0)
        subject = unique("zero")
        self.send(subject, "tiny\r\n")
        self.check_stored(subject, expect_inline=False)

    def test_used_bytes_count_the_same_for_both_places(self):
        before = self.used_bytes(ANN)
        small, large = unique("u-small"), unique("u-large")
        self.send(small, "a\r\n", recipients=(ANN,))
        self.setting("blobs.inline_max_kb", 0)
        self.send(large, "a\r\n", recipients=(ANN,))
        sizes = {m["hash"]: m["size"] for m in self.inbox(ANN)}
        got = [sizes[h] for h in sizes if small.encode() in self.blob(h) or large.encode() in self.blob(h)]
        self.assertEqual(len(got), 2)
        self.assertEqual(self.used_bytes(ANN), before + sum(got))
        status, shown = self.server.api("GET", "/api/v1/accounts/" + ANN)
        self.assertEqual(status, 200, shown)
        self.assertEqual(shown["used_bytes"], before + sum(got))

    def test_settings_refuse_a_limit_out_of_range(self):
        for value in (-1, 1025):
            status, body = self.server.api("PUT", "/api/v1/settings/blobs.inline_max_kb", json={"value": value})
            self.assertEqual(status, 400, (value, body))


if __name__ == "__main__":
    unittest.main()
