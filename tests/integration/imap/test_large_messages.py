"""Large messages through IMAP without holding them in memory (issue 8's
one body interface): APPEND streams a large literal into the blob store as
it arrives (a temporary file exists before the literal ends; a client that
drops leaves none), MULTIAPPEND stays all or nothing, BINARY and BINARY.SIZE
of large base64 and quoted-printable parts are decoded piece by piece
(partial ranges across the pieces included), and SEARCH BODY reads large
text parts in pieces without losing a word across a piece boundary."""

import base64
import hashlib
import os
import quopri
import random
import time
import unittest

from posta_harness import stop_servers  # noqa: F401
from imap_helpers import ImapTestCase, RawImap, PASSWORD, unique

DOMAIN = "imap-large.test"
# The server's read and decode piece (cmd_fetch.cpp, fetch_binary.cpp, cmd_search.cpp).
PIECE = 1 << 20


def noise(n, seed):
    return random.Random(seed).randbytes(n)


def base64_lines(data):
    """base64 in 76-character lines, as mail agents write it."""
    text = base64.b64encode(data)
    return b"".join(text[i:i + 76] + b"\r\n" for i in range(0, len(text), 76))


def quoted_printable(data):
    """Every byte that is not plain ASCII as =XY, soft line breaks every 72
    characters: decoding gives `data` back exactly."""
    out, line = [], b""
    for b in data:
        piece = bytes([b]) if 33 <= b <= 126 and b != ord("=") else b"=%02X" % b
        if len(line) + len(piece) > 72:
            out.append(line + b"=\r\n")
            line = b""
        line += piece
    out.append(line + b"\r\n")
    return b"".join(out)


def multipart(parts):
    """A multipart/mixed message of (content type, transfer encoding, encoded body)."""
    out = (b"From: a@example.test\r\nTo: b@example.test\r\nSubject: large parts\r\n"
           b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"BB\"\r\n\r\n")
    for ctype, cte, body in parts:
        out += b"--BB\r\nContent-Type: " + ctype + b"\r\n"
        if cte:
            out += b"Content-Transfer-Encoding: " + cte + b"\r\n"
        out += b"\r\n" + body
    return out + b"--BB--\r\n"


class LargeMessageTests(ImapTestCase):
    domains = (DOMAIN,)

    def login(self):
        address = unique("big").lower() + "@" + DOMAIN
        self.make_account(address)
        return address, self.imaps(address)

    def raw_login(self, address):
        raw = RawImap(self.server.port("imaps"), implicit_tls=True, timeout=60)
        self.addCleanup(raw.close)
        raw.cmd("l", 'LOGIN "%s" "%s"' % (address, PASSWORD))
        return raw

    def temp_files(self):
        """The blob store's temporary files, with their sizes."""
        tmp = os.path.join(self.server.data_dir, "blobs", "tmp")
        out = {}
        for name in os.listdir(tmp):
            try:
                out[name] = os.path.getsize(os.path.join(tmp, name))
            except FileNotFoundError:
                pass
        return out

    def wait_for(self, what, predicate, timeout=30):
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                self.fail("timed out waiting for " + what)
            time.sleep(0.05)

    def count(self, c, mailbox="INBOX"):
        return int(c.status(mailbox, "(MESSAGES)")[1][0].split(b"MESSAGES ")[1].rstrip(b")"))

    def test_30mb_append_round_trips_byte_exact(self):
        _, c = self.login()
        body = base64_lines(noise(22 * 1024 * 1024, 1))  # ~30 MB of text
        data = b"From: a@example.test\r\nSubject: thirty\r\nMIME-Version: 1.0\r\n" \
               b"Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n" + body
        self.assertGreater(len(data), 30 * 1000 * 1000)
        typ, resp = c.append("INBOX", None, None, data)
        self.assertEqual(typ, "OK", resp)
        c.select("INBOX", readonly=True)
        typ, got = c.fetch("1", "(RFC822.SIZE BODY.PEEK[])")
        self.assertEqual(typ, "OK")
        self.assertIn(b"RFC822.SIZE %d" % len(data), got[0][0])
        self.assertTrue(got[0][1] == data, "the fetched message differs from the appended one")
        # Content-addressed as any body: its file is named by its SHA-256.
        with open(self.blob_path(hashlib.sha256(data).hexdigest()), "rb") as f:
            self.assertTrue(f.read() == data)
        # Its structure was parsed: the part's size is the body's.
        typ, got = c.fetch("1", "(BODYSTRUCTURE)")
        self.assertIn(b'"BASE64" %d' % len(body), got[0])

    def test_a_large_literal_is_on_disk_before_it_ends_and_gone_when_the_client_drops(self):
        address, c = self.login()
        raw = self.raw_login(address)
        before = set(self.temp_files())
        raw.send(b"a APPEND INBOX {20000000}\r\n")
        self.assertTrue(raw.line().startswith("+"))
        raw.send(b"Subject: half\r\n\r\n" + b"y" * (4 * 1024 * 1024))
        # Streamed: the bytes reach a temporary file while the literal goes on
        # (a server holding the literal in memory writes nothing yet).
        self.wait_for("the literal's temporary file",
                      lambda: any(s >= 1024 * 1024 for n, s in self.temp_files().items() if n not in before))
        raw.close()
        # Nothing stored, and no temporary file left behind.
        self.wait_for("the temporary file to go", lambda: not (set(self.temp_files()) - before))
        self.assertEqual(c.noop()[0], "OK")
        self.assertEqual(self.count(c), 0)

    def test_multiappend_of_large_messages_is_all_or_nothing(self):
        address, c = self.login()
        m1 = b"Subject: one\r\n\r\n" + base64_lines(noise(3 * 1024 * 1024, 2))
        m2 = b"Subject: two\r\n\r\n" + b"small enough to stay in the command\r\n"
        m3 = b"Subject: three\r\n\r\n" + b"z" * (200 * 1024) + b"\r\n"  # streamed, kept in memory (inline)
        raw = self.raw_login(address)
        raw.send(b"x APPEND INBOX (\\Seen) {%d+}\r\n%s {%d+}\r\n%s {%d+}\r\n%s\r\n"
                 % (len(m1), m1, len(m2), m2, len(m3), m3))
        lines = raw.until_tagged("x")
        self.assertRegex(lines[-1], r"x OK \[APPENDUID \d+ 1:3\]")
        c.select("INBOX", readonly=True)
        for n, m in ((1, m1), (2, m2), (3, m3)):
            typ, got = c.fetch(str(n), "(FLAGS BODY.PEEK[])")
            self.assertTrue(got[0][1] == m, "message %d differs" % n)
            self.assertEqual(b"\\Seen" in got[0][0], n == 1)  # the flags were the first message's
        # A message past APPENDLIMIT after a streamed one: NO [TOOBIG], and
        # neither is stored (RFC 3502: all or none), nor left in a temp file.
        self.setting("imap.max_literal_mb", 5)
        raw2 = self.raw_login(address)
        before = set(self.temp_files())
        raw2.send(b"y APPEND INBOX {%d+}\r\n%s {%d}\r\n" % (len(m1), m1, 6 * 1024 * 1024))
        lines = raw2.until_tagged("y")
        self.assertRegex(lines[-1], r"y NO \[TOOBIG\]")
        self.assertTrue(raw2.cmd("n", "NOOP")[-1].startswith("n OK"))
        self.assertEqual(self.count(c), 3)
        self.wait_for("the temporary file to go", lambda: not (set(self.temp_files()) - before))
        # A NUL in a streamed literal that is not literal8 is refused (RFC 3501 9).
        nul = b"Subject: nul\r\n\r\n" + b"a" * 100000 + b"\0\r\n"
        raw2.send(b"z APPEND INBOX {%d+}\r\n%s\r\n" % (len(nul), nul))
        self.assertRegex(raw2.until_tagged("z")[-1], r"z BAD .*NUL")
        raw2.send(b"w APPEND INBOX ~{%d+}\r\n%s\r\n" % (len(nul), nul))
        self.assertRegex(raw2.until_tagged("w")[-1], r"w OK \[APPENDUID \d+ 4\]")

    def test_binary_of_large_base64_and_quoted_printable_parts(self):
        _, c = self.login()
        attachment = noise(10 * 1024 * 1024, 3)
        small = noise(5000, 4)
        qp_source = noise(3 * 1024 * 1024, 5)
        data = multipart([(b"text/plain", None, b"See the attachments.\r\n"),
                          (b"application/octet-stream", b"base64", base64_lines(attachment)),
                          (b"application/octet-stream", b"quoted-printable", quoted_printable(qp_source)),
                          (b"application/octet-stream", b"base64", base64_lines(small))])
        self.assertEqual(c.append("INBOX", None, None, data)[0], "OK")
        c.select("INBOX", readonly=True)
        typ, got = c.fetch("1", "(BINARY.SIZE[2] BINARY.SIZE[3] BINARY.SIZE[4])")
        self.assertEqual(typ, "OK")
        self.assertIn(b"BINARY.SIZE[2] %d" % len(attachment), got[0])
        self.assertIn(b"BINARY.SIZE[3] %d" % len(qp_source), got[0])
        self.assertIn(b"BINARY.SIZE[4] %d" % len(small), got[0])
        for part, original in ((2, attachment), (3, qp_source), (4, small)):
            typ, got = c.fetch("1", "(BINARY.PEEK[%d])" % part)
            self.assertEqual(typ, "OK")
            self.assertTrue(got[0][1] == original, "BINARY[%d] differs from the original bytes" % part)
            self.assertIn(b"~{%d}" % len(original), got[0][0])  # random bytes hold a NUL: literal8
        # Partial ranges: the encoded part is read in 1 MiB pieces, so the
        # decoded bytes of a piece boundary (57 of every 78 encoded bytes in
        # base64 lines) fall inside these windows; one crosses several pieces.
        boundary = PIECE * 57 // 78
        for start, length in ((0, 10), (boundary - 1000, 3000), (3 * boundary - 7, 14),
                              (500000, 3 * PIECE), (len(attachment) - 5, 100), (len(attachment) + 10, 5)):
            typ, got = c.fetch("1", "(BINARY.PEEK[2]<%d.%d>)" % (start, length))
            self.assertEqual(typ, "OK")
            expected = attachment[start:start + length]
            self.assertTrue(got[0][1] == expected if expected else got[0][1] in (b"", None),
                            "BINARY[2]<%d.%d>" % (start, length))
        encoded_qp = quoted_printable(qp_source)
        qp_boundary = len(quopri.decodestring(encoded_qp[:PIECE]))  # decoded bytes of the first piece
        typ, got = c.fetch("1", "(BINARY.PEEK[3]<%d.%d>)" % (qp_boundary - 500, 2000))
        self.assertTrue(got[0][1] == qp_source[qp_boundary - 500:qp_boundary + 1500])

    def test_search_body_reads_large_text_in_pieces_and_skips_attachments(self):
        # The scan is under test (a word inside a longer word, "…04zebracorn5…",
        # is a substring the full-text index does not find): indexer off.
        self.assertEqual(self.server.api("POST", "/api/v1/services/indexer/disable")[0], 200)
        self.addCleanup(self.server.api, "POST", "/api/v1/services/indexer/enable")
        _, c = self.login()
        header = b"From: a@example.test\r\nSubject: straddle\r\n\r\n"
        filler = b"".join(b"filler line %06d\r\n" % i for i in range(200000))  # ~4 MB of text
        # The text part is read in 1 MiB pieces from its first byte: the word
        # spans the end of the first piece.
        at = PIECE - 4
        straddling = header + filler[:at] + b"zebracorn" + filler[at:]
        attachment_first = multipart([(b"application/octet-stream", b"base64", base64_lines(noise(5 << 20, 6))),
                                      (b"text/plain", None, b"the unicornfish swims\r\n")])
        neither = header + filler
        for m in (straddling, attachment_first, neither):
            self.assertEqual(c.append("INBOX", None, None, m)[0], "OK")
        c.select("INBOX", readonly=True)
        typ, got = c.fetch("1", "(BODY.PEEK[TEXT]<%d.9>)" % at)
        self.assertEqual(got[0][1], b"zebracorn")  # where the test means it to be
        for word, expected in ((b"ZEBRACORN", b"1"), (b"unicornfish", b"2"), (b"\"line 199999\"", b"1 3"),
                               (b"nowhere-to-be-found", b"")):
            typ, data = c.search(None, "BODY", word)
            self.assertEqual(typ, "OK")
            self.assertEqual(data[0], expected, word)
        typ, data = c.search(None, "TEXT", "straddle")
        self.assertEqual(data[0], b"1 3")


if __name__ == "__main__":
    unittest.main()
