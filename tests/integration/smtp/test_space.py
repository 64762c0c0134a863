"""Deleted mail gives its space back, as an administrator sees it with
`posta storage show` and `posta storage purge`: removing an account drops
its bodies' references, the purge deletes the unreferenced bodies, and after
VACUUM (what autovacuum does on its own) new mail reuses the space inside the
database instead of growing it."""

import smtplib
import unittest

from posta_harness import stop_servers as tearDownModule  # noqa: F401
from smtp_helpers import SmtpTestCase, message_bytes, unique

DOMAIN = "space.test"
LEAVER, STAYER = ("%s@%s" % (n, DOMAIN) for n in ("leaver", "stayer"))
MESSAGES = 40
BODY_LINES = 1000  # about 100 KB a message: bodies in the database (inline)


class SpaceTests(SmtpTestCase):
    domains = (DOMAIN,)
    accounts = (LEAVER, STAYER)

    def deliver_many(self, recipient, count):
        c = smtplib.SMTP("127.0.0.1", self.server.port("smtp"), local_hostname="client.test", timeout=60)
        self.addCleanup(c.close)
        for _ in range(count):
            subject = unique("space")
            body = "".join("%s line %04d %s\r\n" % (subject, i, "x" * 70) for i in range(BODY_LINES))
            msg = message_bytes("sender@remote.test", [recipient], subject, body=body)
            self.assertEqual(c.sendmail("sender@remote.test", [recipient], msg), {})
        c.quit()

    def storage(self):
        return self.cli_json("storage", "show")

    def blobs_bytes(self):
        tables = {t["name"]: t for t in self.storage()["tables"]}
        self.assertIn("blobs", tables)
        return tables["blobs"]["bytes"]

    def test_removed_mail_is_purged_and_its_space_reused(self):
        before = self.storage()
        self.deliver_many(LEAVER, MESSAGES)
        filled = self.storage()
        self.assertEqual(filled["bodies_in_database"] - before["bodies_in_database"], MESSAGES)
        self.assertGreaterEqual(filled["body_bytes_in_database"] - before["body_bytes_in_database"],
                                MESSAGES * BODY_LINES * 90)
        size_full = self.blobs_bytes()

        self.cli_ok("account", "rm", LEAVER)
        self.assertEqual(self.storage()["unreferenced_bodies"], before["unreferenced_bodies"] + MESSAGES)

        # The purge keeps bodies unreferenced for less than blobs.gc_grace_seconds
        # (at least a minute): files of deliveries in progress are among them.
        self.assertEqual(self.cli_json("storage", "purge")["bodies_deleted"], 0)
        # The minute passes (the rows are made older than the grace).
        self.sql("UPDATE blobs SET updated_at = now() - interval '2 hours' WHERE refcount = 0")
        purged = self.cli_json("storage", "purge")
        self.assertEqual(purged["bodies_deleted"], MESSAGES)
        after = self.storage()
        self.assertEqual(after["unreferenced_bodies"], 0)
        self.assertEqual(after["bodies_in_database"], before["bodies_in_database"])
        human = self.cli_ok("storage", "show")
        self.assertIn("Unreferenced bodies", human)
        self.assertIn("blobs", human)

        self.sql("VACUUM blobs")
        self.deliver_many(STAYER, MESSAGES)
        # The same volume again fits in the space the removed mail left; without
        # the purge or the vacuum the table (with its TOAST) would double.
        self.assertLessEqual(self.blobs_bytes(), size_full * 1.15,
                             "new mail did not reuse the space of the purged bodies")


if __name__ == "__main__":
    unittest.main()
