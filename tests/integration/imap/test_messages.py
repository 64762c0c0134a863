"""Messages through imaplib and raw commands: SELECT/EXAMINE data, FETCH of
every attribute (FLAGS, UID, INTERNALDATE, RFC822.SIZE, ENVELOPE, BODY,
BODYSTRUCTURE, BODY[section]<partial>, PEEK and \\Seen, HEADER.FIELDS(.NOT),
BINARY, BINARY.SIZE, MODSEQ), STORE (+/-, .SILENT, UNCHANGEDSINCE), EXPUNGE,
UID EXPUNGE, CLOSE, UNSELECT, COPY/MOVE with COPYUID, APPEND with APPENDUID,
MULTIAPPEND, TRYCREATE and OVERQUOTA, SEARCH (keys, ESEARCH, SEARCHRES,
BADCHARSET), SORT, THREAD, and bad sequence sets."""

import base64
import imaplib
import re
import socket
import time
import unittest

from posta_harness import stop_servers  # noqa: F401
from imap_helpers import ImapTestCase, RawImap, PASSWORD, unique

DOMAIN = "imap-msgs.test"

MULTIPART = (b"From: Alice <alice@example.test>\r\n"
             b"To: Bob <bob@example.test>\r\n"
             b"Subject: Report\r\n"
             b"Date: Mon, 02 Mar 2026 10:00:00 +0000\r\n"
             b"Message-ID: <report-1@example.test>\r\n"
             b"MIME-Version: 1.0\r\n"
             b"Content-Type: multipart/mixed; boundary=\"XX\"\r\n"
             b"\r\n"
             b"--XX\r\n"
             b"Content-Type: text/plain; charset=utf-8\r\n"
             b"\r\n"
             b"The quarterly report is attached.\r\n"
             b"--XX\r\n"
             b"Content-Type: application/octet-stream; name=\"data.bin\"\r\n"
             b"Content-Transfer-Encoding: base64\r\n"
             b"\r\n" + base64.b64encode(b"\x00\x01binary\x02") + b"\r\n"
             b"--XX--\r\n")


def simple(subject, body="Hello there.\r\n", sender="carol@example.test", date="Tue, 03 Mar 2026 10:00:00 +0000",
           extra=""):
    return ("From: %s\r\nTo: dave@example.test\r\nSubject: %s\r\nDate: %s\r\n%s\r\n%s"
            % (sender, subject, date, extra, body)).encode()


class MessageTests(ImapTestCase):
    domains = (DOMAIN,)

    def login(self):
        address = unique("m").lower() + "@" + DOMAIN
        self.make_account(address)
        return address, self.imaps(address)

    def test_select_and_examine(self):
        _, c = self.login()
        c.append("INBOX", None, None, simple("one"))
        typ, data = c.select("INBOX")
        self.assertEqual((typ, data), ("OK", [b"1"]))
        self.assertIn("UIDVALIDITY", c.untagged_responses)
        self.assertEqual(c.untagged_responses["UIDNEXT"], [b"2"])
        self.assertIn("HIGHESTMODSEQ", c.untagged_responses)
        self.assertIn(b"\\*", c.untagged_responses["PERMANENTFLAGS"][0])
        self.assertIn("READ-WRITE", c.untagged_responses)
        typ, data = c.select("INBOX", readonly=True)
        self.assertEqual(typ, "OK")
        self.assertIn("READ-ONLY", c.untagged_responses)
        typ, _ = c.store("1", "+FLAGS", "\\Seen")
        self.assertEqual(typ, "NO")
        typ, data = c.select("Nope")
        self.assertEqual(typ, "NO")

    def test_fetch_every_attribute(self):
        _, c = self.login()
        c.append("INBOX", None, imaplib.Time2Internaldate(1772445600), MULTIPART)
        c.select("INBOX")
        typ, data = c.fetch("1", "(UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE)")
        text = data[0].decode()
        self.assertIn("UID 1", text)
        self.assertIn("FLAGS (\\Recent)", text)  # this session selected it first (RFC 3501 2.3.2)
        self.assertIn("RFC822.SIZE %d" % len(MULTIPART), text)
        self.assertIn('"Report"', text)
        self.assertIn('"<report-1@example.test>"', text)
        self.assertIn("INTERNALDATE \"", text)
        typ, data = c.fetch("1", "(BODYSTRUCTURE)")
        self.assertIn(b'("TEXT" "PLAIN"', data[0])
        self.assertIn(b'"MIXED"', data[0])
        typ, data = c.fetch("1", "(BODY)")
        self.assertIn(b"BODY (", data[0])
        # PEEK leaves \Seen alone.
        typ, data = c.fetch("1", "(BODY.PEEK[1])")
        self.assertEqual(data[0][1], b"The quarterly report is attached.")
        self.assertEqual(c.fetch("1", "(FLAGS)")[1][0], b"1 (FLAGS (\\Recent))")
        typ, data = c.fetch("1", "(BODY.PEEK[HEADER.FIELDS (Subject From)])")
        self.assertEqual(data[0][1], b"From: Alice <alice@example.test>\r\nSubject: Report\r\n\r\n")
        typ, data = c.fetch("1", "(BODY.PEEK[HEADER.FIELDS.NOT (Subject From To Date Message-ID MIME-Version)])")
        self.assertTrue(data[0][1].startswith(b"Content-Type: multipart/mixed"), data)
        typ, data = c.fetch("1", "(BODY.PEEK[]<0.4>)")
        self.assertIn(b"BODY[]<0>", data[0][0])
        self.assertEqual(data[0][1], b"From")
        typ, data = c.fetch("1", "(BODY.PEEK[2.MIME])")
        self.assertIn(b"application/octet-stream", data[0][1])
        typ, data = c.fetch("1", "(BINARY.PEEK[2] BINARY.SIZE[2])")
        flat = b"".join(x if isinstance(x, bytes) else b"".join(x) for x in data)
        self.assertIn(b"\x00\x01binary\x02", flat)
        self.assertIn(b"BINARY.SIZE[2] 9", flat)
        typ, data = c.fetch("1", "(RFC822.HEADER)")
        self.assertTrue(data[0][1].endswith(b"\r\n\r\n"))
        # BODY[] (not PEEK) sets \Seen and says so.
        typ, data = c.fetch("1", "(BODY[])")
        self.assertEqual(data[0][1], MULTIPART)
        self.assertIn(b"\\Seen", b"".join(x if isinstance(x, bytes) else x[0] for x in data))
        self.assertIn(b"\\Seen", c.fetch("1", "(FLAGS)")[1][0])
        typ, data = c.uid("FETCH", "1", "(RFC822.TEXT)")
        self.assertTrue(data[0][1].startswith(b"--XX"))

    def test_fetch_modseq_and_changedsince(self):
        _, c = self.login()
        for i in range(3):
            c.append("INBOX", None, None, simple("m%d" % i))
        c.enable("CONDSTORE")
        c.select("INBOX")
        typ, data = c.fetch("1:*", "(MODSEQ)")
        modseqs = [int(re.search(rb"MODSEQ \((\d+)\)", d).group(1)) for d in data]
        c.store("2", "+FLAGS", "\\Flagged")
        typ, data = c.fetch("1:*", "(FLAGS) (CHANGEDSINCE %d)" % max(modseqs))
        self.assertEqual(len(data), 1, data)
        self.assertIn(b"\\Flagged", data[0])
        self.assertIn(b"MODSEQ", data[0])

    def test_store_variants(self):
        _, c = self.login()
        for i in range(3):
            c.append("INBOX", None, None, simple("s%d" % i))
        c.select("INBOX")
        typ, data = c.store("1:2", "+FLAGS", "(\\Flagged $Work)")
        self.assertEqual(len(data), 2)
        self.assertIn(b"$Work", data[0])
        typ, data = c.store("1", "-FLAGS", "($Work)")
        self.assertNotIn(b"$Work", data[0])
        typ, data = c.store("3", "FLAGS.SILENT", "(\\Answered)")
        self.assertEqual(data, [None])
        self.assertIn(b"\\Answered", c.fetch("3", "(FLAGS)")[1][0])
        typ, data = c.uid("STORE", "2", "+FLAGS", "(\\Seen)")
        self.assertIn(b"UID 2", data[0])
        # Keywords created are listed in FLAGS at the next SELECT.
        c.select("INBOX")
        self.assertIn(b"$Work", c.untagged_responses["FLAGS"][0])
        with self.assertRaises(imaplib.IMAP4.error):
            c.store("1", "+FLAGS", "(\\Bogus)")

    def test_expunge_close_unselect(self):
        _, c = self.login()
        for i in range(4):
            c.append("INBOX", None, None, simple("e%d" % i))
        c.select("INBOX")
        c.store("2,4", "+FLAGS", "\\Deleted")
        typ, data = c.expunge()
        self.assertEqual(typ, "OK")
        self.assertEqual(data, [b"4", b"2"])
        c.store("1", "+FLAGS", "\\Deleted")
        c.store("2", "+FLAGS", "\\Deleted")
        typ, data = c.uid("EXPUNGE", "1")
        self.assertEqual(typ, "OK")
        c.unselect()
        c.select("INBOX")
        self.assertEqual(c.untagged_responses["EXISTS"], [b"1"])
        self.assertEqual(c.close()[0], "OK")
        c.select("INBOX")
        self.assertEqual(c.untagged_responses["EXISTS"], [b"0"])

    def test_copy_move_with_copyuid_and_trycreate(self):
        _, c = self.login()
        for i in range(3):
            c.append("INBOX", None, None, simple("c%d" % i))
        c.create("Keep")
        c.select("INBOX")
        typ, data = c.copy("1:2", "Keep")
        self.assertEqual(typ, "OK")
        self.assertRegex(data[0].decode(), r"COPYUID \d+ 1:2 1:2")
        typ, data = c.copy("1", "Missing")
        self.assertEqual(typ, "NO")
        self.assertIn(b"TRYCREATE", data[0])
        typ, data = c._simple_command("MOVE", "3", "Keep")
        self.assertEqual(typ, "OK")
        self.assertIn(b"3", c.untagged_responses.get("EXPUNGE", [b""])[0] if "EXPUNGE" in c.untagged_responses else b"3")
        self.assertEqual(c.status("Keep", "(MESSAGES)")[1][0].split(b"(")[1], b"MESSAGES 3)")
        self.assertEqual(c.status("INBOX", "(MESSAGES)")[1][0].split(b"(")[1], b"MESSAGES 2)")
        typ, data = c.uid("MOVE", "1", "Keep")
        self.assertEqual(typ, "OK")
        self.assertEqual(c.status("INBOX", "(MESSAGES)")[1][0].split(b"(")[1], b"MESSAGES 1)")

    def test_append_appenduid_trycreate_and_multiappend(self):
        address, c = self.login()
        typ, data = c.append("INBOX", "(\\Seen $Label)", '"02-Mar-2026 10:00:00 +0100"', simple("a1"))
        self.assertEqual(typ, "OK")
        self.assertRegex(data[0].decode(), r"APPENDUID \d+ 1")
        typ, data = c.append("Missing", None, None, simple("x"))
        self.assertEqual(typ, "NO")
        self.assertIn(b"TRYCREATE", data[0])
        raw = RawImap(self.server.port("imaps"), implicit_tls=True)
        self.addCleanup(raw.close)
        raw.cmd("l", 'LOGIN "%s" "%s"' % (address, PASSWORD))
        m1, m2 = simple("multi1"), simple("multi2")
        raw.send(b"x APPEND INBOX (\\Flagged) {%d+}\r\n%s {%d+}\r\n%s\r\n" % (len(m1), m1, len(m2), m2))
        lines = raw.until_tagged("x")
        self.assertRegex(lines[-1], r"x OK \[APPENDUID \d+ 2:3\]")
        c.select("INBOX")
        typ, data = c.fetch("1", "(FLAGS INTERNALDATE)")
        self.assertIn(b"$Label", data[0])
        self.assertIn(b'" 2-Mar-2026 09:00:00 +0000"', data[0])

    def test_append_over_quota(self):
        address = unique("oq").lower() + "@" + DOMAIN
        self.make_account(address, quota=2048)
        c = self.imaps(address)
        self.setting("mail.quota_grace_percent", 0)
        typ, data = c.append("INBOX", None, None, simple("big", body="x" * 5000 + "\r\n"))
        self.assertEqual(typ, "NO")
        self.assertIn(b"OVERQUOTA", data[0])

    def test_client_dropping_mid_append_stores_nothing(self):
        address, c = self.login()
        raw = RawImap(self.server.port("imaps"), implicit_tls=True)
        raw.cmd("l", 'LOGIN "%s" "%s"' % (address, PASSWORD))
        raw.send(b"a APPEND INBOX {1000}\r\n")
        self.assertTrue(raw.line().startswith("+"))
        raw.send(b"Subject: half\r\n\r\n" + b"y" * 100)
        raw.close()
        # The server still answers, and the mailbox has nothing.
        self.assertEqual(c.noop()[0], "OK")
        self.assertEqual(c.status("INBOX", "(MESSAGES)")[1][0].split(b"(")[1], b"MESSAGES 0)")

    def test_search_keys(self):
        _, c = self.login()
        c.append("INBOX", "(\\Seen)", '"01-Mar-2026 10:00:00 +0000"', simple("Budget review", sender="alice@x.test"))
        c.append("INBOX", "(\\Flagged)", '"05-Mar-2026 10:00:00 +0000"',
                 simple("Lunch", body="Pizza or sushi?\r\n", sender="bob@x.test"))
        c.append("INBOX", None, '"10-Mar-2026 10:00:00 +0000"',
                 simple("Re: Budget review", body="x" * 3000 + "\r\n", sender="carol@x.test",
                        extra="X-Priority: 1\r\n"))
        c.select("INBOX")

        def search(*criteria):
            typ, data = c.search(None, *criteria)
            self.assertEqual(typ, "OK", (criteria, data))
            return data[0].decode().split()

        self.assertEqual(search("ALL"), ["1", "2", "3"])
        self.assertEqual(search("SEEN"), ["1"])
        self.assertEqual(search("UNSEEN"), ["2", "3"])
        self.assertEqual(search("FLAGGED"), ["2"])
        self.assertEqual(search("SUBJECT", "budget"), ["1", "3"])
        self.assertEqual(search("FROM", "bob"), ["2"])
        self.assertEqual(search("BODY", "SUSHI"), ["2"])
        self.assertEqual(search("TEXT", "carol"), ["3"])
        self.assertEqual(search("HEADER", "X-Priority", "1"), ["3"])
        self.assertEqual(search("LARGER", "2000"), ["3"])
        self.assertEqual(search("SMALLER", "2000"), ["1", "2"])
        self.assertEqual(search("SINCE", "05-Mar-2026"), ["2", "3"])
        self.assertEqual(search("BEFORE", "05-Mar-2026"), ["1"])
        self.assertEqual(search("ON", "10-Mar-2026"), ["3"])
        self.assertEqual(search("SENTON", "03-Mar-2026"), ["1", "2", "3"])
        self.assertEqual(search("OR", "SEEN", "FLAGGED"), ["1", "2"])
        self.assertEqual(search("NOT", "SEEN"), ["2", "3"])
        self.assertEqual(search("2:3", "UNFLAGGED"), ["3"])
        self.assertEqual(search("UID", "1,3"), ["1", "3"])
        self.assertEqual(search("YOUNGER", "1000000000"), ["1", "2", "3"])
        typ, data = c.uid("SEARCH", "SUBJECT", "lunch")
        self.assertEqual(data[0], b"2")
        typ, data = c.search("UTF-8", "SUBJECT", "lunch")
        self.assertEqual(data[0], b"2")
        typ, data = c.search("ISO-8859-1", "SUBJECT", "lunch")
        self.assertEqual(typ, "NO")
        self.assertIn(b"BADCHARSET", data[0])

    def test_esearch_searchres_sort_thread(self):
        _, c = self.login()
        c.append("INBOX", None, '"01-Mar-2026 10:00:00 +0000"', simple("beta", sender="zed@x.test",
                                             extra="Message-ID: <a@x.test>\r\n"))
        c.append("INBOX", None, '"02-Mar-2026 10:00:00 +0000"', simple("Re: beta", sender="amy@x.test",
                                             extra="Message-ID: <b@x.test>\r\nIn-Reply-To: <a@x.test>\r\n"
                                                   "References: <a@x.test>\r\n"))
        c.append("INBOX", None, '"03-Mar-2026 10:00:00 +0000"',
                 simple("alpha", sender="mia@x.test", extra="Message-ID: <c@x.test>\r\n"))
        c.select("INBOX")
        typ, data = c._simple_command("SEARCH", "RETURN", "(MIN MAX COUNT ALL)", "ALL")
        _, es = c._untagged_response(typ, data, "ESEARCH")
        self.assertIn(b"MIN 1 MAX 3 COUNT 3 ALL 1:3", es[0])
        typ, data = c._simple_command("UID", "SEARCH", "RETURN", "(SAVE)", "SUBJECT", "beta")
        self.assertEqual(typ, "OK")
        typ, data = c.uid("FETCH", "$", "(UID)")
        self.assertEqual(len(data), 2, data)
        typ, data = c.sort("(SUBJECT)", "UTF-8", "ALL")
        self.assertEqual(data[0], b"3 1 2")
        typ, data = c.sort("(FROM)", "UTF-8", "ALL")
        self.assertEqual(data[0], b"2 3 1")
        typ, data = c.sort("(REVERSE ARRIVAL)", "UTF-8", "ALL")
        self.assertEqual(data[0], b"3 2 1")
        typ, data = c.thread("REFERENCES", "UTF-8", "ALL")
        self.assertEqual(data[0], b"(1 2)(3)")
        typ, data = c.thread("ORDEREDSUBJECT", "UTF-8", "ALL")
        self.assertEqual(typ, "OK")

    def test_large_message_is_served_whole_and_in_parts(self):
        _, c = self.login()
        body = b"".join(b"line %07d of a large message\r\n" % i for i in range(100000))  # ~3 MB
        data = simple("large").replace(b"Hello there.\r\n", b"") + body
        self.assertEqual(c.append("INBOX", None, None, data)[0], "OK")
        c.select("INBOX")
        typ, got = c.fetch("1", "(RFC822.SIZE BODY.PEEK[])")
        self.assertEqual(got[0][1], data)
        self.assertIn(b"RFC822.SIZE %d" % len(data), got[0][0])
        typ, got = c.fetch("1", "(BODY.PEEK[TEXT]<2000000.1000000>)")
        self.assertEqual(got[0][1], body[2000000:3000000])

    def test_binary_of_an_unknown_encoding_is_unknown_cte(self):
        _, c = self.login()
        c.append("INBOX", None, None, b"Subject: uu\r\nContent-Transfer-Encoding: x-uuencode\r\n\r\nbegin 644 x\r\n")
        c.select("INBOX")
        typ, data = c.fetch("1", "(BINARY.PEEK[1])")
        self.assertEqual(typ, "NO")
        self.assertIn(b"UNKNOWN-CTE", data[0])
        # The session goes on; BODY[1] is still served as stored.
        typ, data = c.fetch("1", "(BODY.PEEK[1])")
        self.assertEqual(data[0][1], b"begin 644 x\r\n")

    def test_invalid_sequence_sets(self):
        address, c = self.login()
        c.append("INBOX", None, None, simple("only"))
        raw = RawImap(self.server.port("imaps"), implicit_tls=True)
        self.addCleanup(raw.close)
        raw.cmd("l", 'LOGIN "%s" "%s"' % (address, PASSWORD))
        raw.cmd("s", "SELECT INBOX")
        for bad in ("FETCH 5 FLAGS", "FETCH 0 FLAGS", "FETCH 1:x FLAGS", "STORE 9 +FLAGS (\\Seen)", "COPY 3 INBOX",
                    "FETCH 1,,2 FLAGS"):
            lines = raw.cmd("b", bad)
            self.assertTrue(lines[-1].startswith("b BAD"), (bad, lines))
        # UID sets name what exists, never an error.
        self.assertTrue(raw.cmd("u", "UID FETCH 99 FLAGS")[-1].startswith("u OK"))
        lines = raw.cmd("f", "FETCH 1:* FLAGS")
        self.assertEqual(lines[0], "* 1 FETCH (FLAGS (\\Recent))")


if __name__ == "__main__":
    unittest.main()
