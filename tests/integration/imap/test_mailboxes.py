"""Mailbox commands through imaplib: LIST (with CHILDREN, SPECIAL-USE,
LIST-EXTENDED and LIST-STATUS), LSUB, CREATE (with USE), DELETE, RENAME,
SUBSCRIBE, UNSUBSCRIBE, STATUS, GETQUOTAROOT/GETQUOTA/SETQUOTA, and names
in modified UTF-7 and under UTF8=ACCEPT."""

import imaplib
import re
import unittest

from posta_harness import stop_servers  # noqa: F401
from imap_helpers import ImapTestCase, RawImap, PASSWORD, unique

DOMAIN = "imap-boxes.test"


def names(list_lines):
    out = []
    for l in list_lines:
        m = re.match(rb'\((.*?)\) "/" (.*)$', l)
        out.append((m.group(2).decode().strip('"'), m.group(1).decode()))
    return dict(out)


class MailboxTests(ImapTestCase):
    domains = (DOMAIN,)

    def login(self):
        address = unique("b").lower() + "@" + DOMAIN
        self.make_account(address)
        return address, self.imaps(address)

    def test_new_account_lists_inbox_and_auto_folders_with_special_use(self):
        _, c = self.login()
        typ, data = c.list()
        self.assertEqual(typ, "OK")
        boxes = names(data)
        self.assertIn("INBOX", boxes)
        self.assertIn("\\Sent", boxes["Sent"])
        self.assertIn("\\Trash", boxes["Trash"])
        self.assertIn("\\HasNoChildren", boxes["Drafts"])
        typ, data = c.list('""', '""')
        self.assertEqual(data[0], b'(\\Noselect) "/" ""')

    def test_create_hierarchy_rename_delete(self):
        _, c = self.login()
        self.assertEqual(c.create("Projects/2026/Q1")[0], "OK")
        boxes = names(c.list('""', "Projects*")[1])
        self.assertEqual(set(boxes), {"Projects", "Projects/2026", "Projects/2026/Q1"})
        self.assertIn("\\HasChildren", boxes["Projects"])
        boxes = names(c.list("Projects/", "%")[1])
        self.assertEqual(set(boxes), {"Projects/2026"})
        typ, data = c.create("Projects")
        self.assertEqual(typ, "NO")
        self.assertIn(b"ALREADYEXISTS", data[0])
        self.assertEqual(c.rename("Projects", "Archive2")[0], "OK")
        boxes = names(c.list('""', "*")[1])
        self.assertIn("Archive2/2026/Q1", boxes)
        self.assertNotIn("Projects", boxes)
        self.assertEqual(c.delete("Archive2/2026/Q1")[0], "OK")
        typ, data = c.delete("Nope")
        self.assertEqual(typ, "NO")
        self.assertIn(b"NONEXISTENT", data[0])
        typ, data = c.delete("INBOX")
        self.assertEqual(typ, "NO")

    def test_subscriptions_lsub_and_list_extended(self):
        _, c = self.login()
        c.create("Lists")
        self.assertEqual(c.subscribe("Lists")[0], "OK")
        self.assertEqual(c.subscribe("Ghost")[0], "OK")
        typ, data = c.lsub('""', "*")
        self.assertIn("Lists", names(data))
        typ, data = c._simple_command("LIST", "(SUBSCRIBED)", '""', "*")
        _, data = c._untagged_response(typ, data, "LIST")
        boxes = names(data)
        self.assertIn("\\Subscribed", boxes["Lists"])
        self.assertIn("\\NonExistent", boxes["Ghost"])
        self.assertEqual(c.unsubscribe("Lists")[0], "OK")
        self.assertNotIn("Lists", names(c.lsub('""', "*")[1] if c.lsub('""', "*")[1] != [None] else []))
        typ, data = c._simple_command("LIST", "(SPECIAL-USE)", '""', "*")
        _, data = c._untagged_response(typ, data, "LIST")
        self.assertEqual(set(names(data)), {"Drafts", "Sent", "Trash", "Junk", "Archive"})

    def test_create_special_use_and_list_status(self):
        _, c = self.login()
        typ, data = c._simple_command("CREATE", "Important", "(USE (\\Flagged))")
        self.assertEqual(typ, "OK")
        typ, data = c._simple_command("CREATE", "Bad", "(USE (\\Whatever))")
        self.assertEqual(typ, "NO")
        boxes = names(c.list('""', "Important")[1])
        self.assertIn("\\Flagged", boxes["Important"])
        c.append("Important", None, None, b"Subject: x\r\n\r\nbody\r\n")
        typ, data = c._simple_command("LIST", '""', "Important", "RETURN", "(STATUS (MESSAGES UIDNEXT))")
        self.assertEqual(typ, "OK")
        _, st = c._untagged_response(typ, data, "STATUS")
        self.assertIn(b"MESSAGES 1", st[0])
        self.assertIn(b"UIDNEXT 2", st[0])

    def test_status(self):
        _, c = self.login()
        c.append("INBOX", "(\\Seen)", None, b"Subject: a\r\n\r\none\r\n")
        c.append("INBOX", None, None, b"Subject: b\r\n\r\ntwo\r\n")
        typ, data = c.status("INBOX", "(MESSAGES UNSEEN UIDNEXT UIDVALIDITY HIGHESTMODSEQ SIZE DELETED RECENT)")
        self.assertEqual(typ, "OK")
        text = data[0].decode()
        self.assertIn("MESSAGES 2", text)
        self.assertIn("UNSEEN 1", text)
        self.assertIn("UIDNEXT 3", text)
        self.assertIn("DELETED 0", text)
        self.assertRegex(text, r"HIGHESTMODSEQ \d+")
        typ, data = c.status("Nope", "(MESSAGES)")
        self.assertEqual(typ, "NO")

    def test_quota(self):
        address = unique("q").lower() + "@" + DOMAIN
        self.make_account(address, quota=10 * 1024 * 1024)
        c = self.imaps(address)
        typ, data = c.getquotaroot("INBOX")
        self.assertEqual(typ, "OK")
        flat = b" ".join(x for part in data for x in part)
        self.assertIn(b'QUOTAROOT', b"QUOTAROOT " + flat) 
        self.assertIn(b"STORAGE 0 10240", flat)
        typ, data = c.getquota('""')
        self.assertEqual(typ, "OK")
        typ, data = c.setquota('""', "(STORAGE 1)")
        self.assertEqual(typ, "NO")

    def test_utf7_and_utf8_names(self):
        address, c = self.login()
        # "Entwürfe" in modified UTF-7.
        self.assertEqual(c.create("Entw&APw-rfe")[0], "OK")
        self.assertIn("Entw&APw-rfe", names(c.list('""', "Entw*")[1]))
        raw = RawImap(self.server.port("imaps"), implicit_tls=True)
        self.addCleanup(raw.close)
        raw.cmd("a", 'LOGIN "%s" "%s"' % (address, PASSWORD))
        raw.cmd("b", "ENABLE UTF8=ACCEPT")
        lines = raw.cmd("c", 'LIST "" "Entw*"')
        self.assertIn("Entwürfe", "\n".join(lines))  # UTF-8, quoted or as a literal
        self.assertNotIn("&APw-", "\n".join(lines))


if __name__ == "__main__":
    unittest.main()
