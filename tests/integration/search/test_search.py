"""Full-text search (issue 13) with real clients: imaplib SEARCH and the
search API/CLI over a generated multilingual corpus (English, French,
Russian; attachments, HTML-only, quoted-printable, base64, ISO-8859-1,
KOI8-R and windows-1251). The index's answers are checked against the
server's own substring scan (the indexer disabled) and against a
brute-force look at the generated words; reindex and SIGKILL lose nothing."""

import base64
import email.header
import imaplib
import os
import quopri
import random
import re
import smtplib
import sys
import time
import unittest
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "imap"))

from imap_helpers import ImapTestCase, PASSWORD  # noqa: E402
from smtp_helpers import API  # noqa: E402

ACCOUNT = "alice@search.test"
ENGLISH = ["harbor", "lantern", "meadow", "quarrel", "velvet", "walnut", "biscuit", "cobalt", "falcon", "glacier"]
FRENCH = ["réunion", "théâtre", "fenêtre", "garçon", "forêt", "château", "hôpital", "élève"]
RUSSIAN = ["ёлка", "берёза", "самолёт", "молоко", "карандаш", "собака", "звезда", "учёный"]
VOCAB = ENGLISH + FRENCH + RUSSIAN
SENDERS = [("Alice Martin", "martin@sender.test"), ("Élodie Dupré", "elodie@sender.test"),
           ("Жанна Петрова", "zhanna@sender.test")]
ATTACHMENTS = ["rapport-annuel.pdf", "budget.xlsx", "отчёт.docx"]
COUNT = 90


def strip_accents(word):
    import unicodedata
    out = "".join(c for c in unicodedata.normalize("NFD", word) if unicodedata.category(c) != "Mn"
                  or c == "\u0306")  # й keeps its breve
    return unicodedata.normalize("NFC", out).replace("ё", "е")


def header(text):
    return email.header.Header(text, "utf-8").encode()


def text_part(words, style):
    """A body with these words in one of the transfer encodings and charsets."""
    text = " ".join(words) + ".\n"
    if style == "qp":
        return "text/plain; charset=utf-8", "quoted-printable", quopri.encodestring(text.encode()).decode()
    if style == "base64":
        return "text/plain; charset=utf-8", "base64", base64.encodebytes(text.encode()).decode()
    if style == "html":
        html = "<html><body><p>%s</p><div><b>%s</b></div></body></html>\n" % (
            " ".join(words[: len(words) // 2]), " ".join(words[len(words) // 2:]))
        return "text/html; charset=utf-8", "8bit", html
    for charset in ("iso-8859-1", "koi8-r", "windows-1251"):
        try:
            raw = text.encode(charset)
        except UnicodeEncodeError:
            continue
        return "text/plain; charset=%s" % charset, "base64", base64.encodebytes(raw).decode()
    return "text/plain; charset=utf-8", "8bit", text


def make_message(i, rnd):
    subject_words = rnd.sample(VOCAB, 2)
    body_words = rnd.sample(VOCAB, 6)
    if rnd.random() < 0.3:  # a charset that cannot hold every word: one language
        lang = rnd.choice([ENGLISH + FRENCH, ENGLISH + RUSSIAN])
        body_words = rnd.sample(lang, 6)
        style = "charset"
    else:
        style = rnd.choice(["qp", "base64", "html", "8bit"])
    name, addr = SENDERS[i % len(SENDERS)]
    attachment = ATTACHMENTS[i % len(ATTACHMENTS)] if i % 4 == 0 else None
    ctype, cte, payload = text_part(body_words, style)
    head = ("From: %s <%s>\r\nTo: Alice <%s>\r\nSubject: %s\r\nMessage-ID: <corpus-%d@sender.test>\r\n"
            "Date: Mon, 01 Jan 2024 10:%02d:00 +0000\r\nX-Corpus-Id: %d\r\nMIME-Version: 1.0\r\n") % (
        header(name), addr, ACCOUNT, header(" ".join(subject_words)), i, i % 60, i)
    if attachment:
        boundary = "b-%d" % i
        body = ("Content-Type: multipart/mixed; boundary=%s\r\n\r\n--%s\r\nContent-Type: %s\r\n"
                "Content-Transfer-Encoding: %s\r\n\r\n%s\r\n--%s\r\nContent-Type: application/octet-stream\r\n"
                "Content-Disposition: attachment; filename*=utf-8''%s\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                "%s\r\n--%s--\r\n") % (boundary, boundary, ctype, cte, payload, boundary,
                                       urllib.parse.quote(attachment), base64.b64encode(b"\x00\x01binary").decode(),
                                       boundary)
    else:
        body = "Content-Type: %s\r\nContent-Transfer-Encoding: %s\r\n\r\n%s" % (ctype, cte, payload)
    raw = (head + body).replace("\r\n", "\n").replace("\n", "\r\n").encode()
    return {"id": i, "subject": subject_words, "body": body_words, "from": (name, addr),
            "attachment": attachment, "raw": raw}


class SearchTest(ImapTestCase):
    domains = ("search.test",)
    accounts = (ACCOUNT,)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        rnd = random.Random(13)
        cls.corpus = [make_message(i, rnd) for i in range(COUNT)]
        # Half by SMTP delivery, half by IMAP APPEND.
        with smtplib.SMTP("127.0.0.1", cls.server.port("smtp"), timeout=30) as s:
            for m in cls.corpus[: COUNT // 2]:
                s.sendmail("sender@remote.test", [ACCOUNT], m["raw"])
        c = cls.connect()
        for m in cls.corpus[COUNT // 2:]:
            typ, _ = c.append("INBOX", None, None, m["raw"])
            assert typ == "OK"
        cls.uid_of = cls.corpus_uids(c, "INBOX")
        c.logout()

    @classmethod
    def connect(cls):
        from smtp_helpers import tls_context
        c = imaplib.IMAP4("127.0.0.1", cls.server.port("imap"), timeout=60)
        c.starttls(ssl_context=tls_context())
        c.login(ACCOUNT, PASSWORD)
        return c

    @staticmethod
    def corpus_uids(c, mailbox):
        c.select(mailbox)
        typ, data = c.uid("FETCH", "1:*", "(UID BODY.PEEK[HEADER.FIELDS (X-Corpus-Id)])")
        out = {}
        pending_uid = None
        for item in data:
            # The UID comes before or after the header literal.
            head = item[0] if isinstance(item, tuple) else item
            m = re.search(rb"UID (\d+)", head)
            if isinstance(item, tuple):
                cid = re.search(rb"X-Corpus-Id: *(\d+)", item[1], re.I)
                if m and cid:
                    out[int(cid.group(1))] = int(m.group(1))
                elif cid:
                    pending_uid = int(cid.group(1))
            elif m and pending_uid is not None:
                out[pending_uid] = int(m.group(1))
                pending_uid = None
        return out

    def search(self, c, key, value):
        c.literal = value.encode()
        typ, data = c.uid("SEARCH", "CHARSET", "UTF-8", key)
        self.assertEqual(typ, "OK", data)
        return sorted(int(u) for u in data[0].split())

    def expected(self, field, word, folded=False):
        """The brute-force answer: the messages whose generated words include `word`."""
        norm = strip_accents if folded else (lambda w: w)
        out = []
        for m in self.corpus:
            words = {"subject": m["subject"], "body": m["body"], "text": m["subject"] + m["body"]}[field]
            if norm(word.lower()) in [norm(w) for w in words]:
                out.append(self.uid_of[m["id"]])
        return sorted(out)

    def set_indexer(self, on):
        status, body = self.server.api("POST", API + "/services/indexer/" + ("enable" if on else "disable"))
        self.assertEqual(status, 200, body)

    def api_search(self, q, **params):
        params["q"] = q
        status, body = self.server.api("GET", API + "/accounts/%s/search?%s" % (
            urllib.parse.quote(ACCOUNT), urllib.parse.urlencode(params)))
        return status, body

    # ------------------------------------------------------------------

    def test_index_equals_scan_for_whole_words(self):
        c = self.connect()
        c.select("INBOX")
        queries = [(k, w) for w in VOCAB for k in ("TEXT", "BODY", "SUBJECT")]
        indexed = {q: self.search(c, *q) for q in queries}
        self.set_indexer(False)
        try:
            scanned = {q: self.search(c, *q) for q in queries}
        finally:
            self.set_indexer(True)
        for (key, word) in queries:
            self.assertEqual(indexed[(key, word)], scanned[(key, word)], (key, word))
            self.assertEqual(indexed[(key, word)], self.expected(key.lower(), word), (key, word))
        # FROM: names and addresses.
        self.assertEqual(self.search(c, "FROM", "martin@sender.test"),
                         sorted(self.uid_of[m["id"]] for m in self.corpus if m["from"][1] == "martin@sender.test"))
        c.logout()

    def test_accent_case_and_yo_folding_through_the_index(self):
        c = self.connect()
        c.select("INBOX")
        for word in ["réunion", "fenêtre", "ёлка", "самолёт"]:
            plain = strip_accents(word)
            self.assertNotEqual(plain, word)
            want = self.expected("body", word)
            self.assertTrue(want, word)
            self.assertEqual(self.search(c, "BODY", plain), want, plain)
            self.assertEqual(self.search(c, "BODY", plain.upper()), want, plain.upper())
        self.assertEqual(self.search(c, "FROM", "dupre"),
                         sorted(self.uid_of[m["id"]] for m in self.corpus if m["from"][1] == "elodie@sender.test"))
        # Prefix terms: a word's beginning finds it, as a substring would.
        self.assertEqual(self.search(c, "BODY", "lante"), self.expected("body", "lantern"))
        # Combined with flags in SQL-side criteria.
        first = self.expected("body", "harbor")[0]
        c.uid("STORE", str(first), "+FLAGS", "(\\Flagged)")
        c.literal = b"harbor"
        typ, data = c.uid("SEARCH", "CHARSET", "UTF-8", "FLAGGED", "BODY")
        self.assertEqual([int(u) for u in data[0].split()], [first])
        c.uid("STORE", str(first), "-FLAGS", "(\\Flagged)")
        c.logout()

    def test_api_and_cli_search(self):
        status, body = self.api_search("reunion")
        self.assertEqual(status, 200, body)
        want = self.expected("text", "réunion")
        self.assertEqual(body["total"], len(want))
        uids = [h["uid"] for h in body["hits"]]
        self.assertEqual(sorted(uids), want)
        dates = [h["date"] for h in body["hits"]]
        self.assertEqual(dates, sorted(dates, reverse=True))  # newest first
        hit = body["hits"][0]
        self.assertEqual(hit["mailbox"], "INBOX")
        self.assertTrue(hit["subject"])
        # Where the word is in the body, the snippet marks it as it was written.
        in_body = {self.uid_of[m["id"]] for m in self.corpus if "réunion" in m["body"]}
        marked = [h["snippet"] for h in body["hits"] if h["uid"] in in_body]
        self.assertTrue(marked)
        for s in marked:
            self.assertIn("[réunion]", s)
        status, body = self.api_search("attachment:rapport")
        self.assertEqual(status, 200, body)
        self.assertEqual(sorted(h["uid"] for h in body["hits"]),
                         sorted(self.uid_of[m["id"]] for m in self.corpus if m["attachment"] == "rapport-annuel.pdf"))
        status, body = self.api_search("harbor", mailbox="Trash")
        self.assertEqual((status, body["total"]), (200, 0))
        status, body = self.api_search("harbor", page_size=2, page=1)
        self.assertEqual(len(body["hits"]), 2)
        rc, out, err = self.server.cli("search", "--account", ACCOUNT, "--mailbox", "INBOX", "ёлка")
        self.assertEqual(rc, 0, err)
        lines = [l for l in out.splitlines() if l.strip() and not l.startswith("    ")]
        self.assertEqual(len(lines) - 1, len(self.expected("text", "ёлка")), out)
        self.assertIn("[ёлка]", out)

    def test_bad_queries_get_clear_errors(self):
        cases = {"\"unbalanced": "unbalanced quote", "*": "wildcard", "(" * 200 + "a" + ")" * 200: "nested",
                 " ".join("w%d" % i for i in range(300)): "too many words", "nosuch:x": "unknown field"}
        for q, says in cases.items():
            status, body = self.api_search(q)
            self.assertEqual(status, 400, (q[:40], body))
            self.assertIn(says, body["error"]["message"], body)
        rc, out, err = self.server.cli("search", "--account", ACCOUNT, "\"open")
        self.assertNotEqual(rc, 0)
        self.assertIn("unbalanced quote", err)
        # IMAP: thousands of words, or none, are answered (by a scan), never hung.
        c = self.connect()
        c.select("INBOX")
        self.assertEqual(self.search(c, "BODY", " ".join(["harbor"] * 2000)), [])
        self.assertEqual(self.search(c, "BODY", "*"), [])
        self.assertEqual(self.search(c, "TEXT", "h"), self.search(c, "TEXT", "h"))
        c.logout()

    def test_move_and_expunge_follow(self):
        c = self.connect()
        c.select("INBOX")
        word = "glacier"
        before = self.search(c, "BODY", word)
        self.assertTrue(before)
        moved = before[0]
        typ, _ = c.uid("MOVE", str(moved), "Archive")
        self.assertEqual(typ, "OK")
        self.assertEqual(self.search(c, "BODY", word), before[1:])
        c.select("Archive")
        self.assertEqual(len(self.search(c, "BODY", word)), 1)
        c.logout()
        status, body = self.api_search(word, mailbox="Archive")
        self.assertEqual(body["total"], 1, body)
        # Put it back for the other tests' expectations.
        c = self.connect()
        c.select("Archive")
        uid = self.search(c, "BODY", word)[0]
        c.uid("MOVE", str(uid), "INBOX")
        c.logout()
        type(self).uid_of = self.corpus_uids(self.connect(), "INBOX")

    def test_reindex_gives_the_same_answers(self):
        c = self.connect()
        c.select("INBOX")
        before = {w: self.search(c, "TEXT", strip_accents(w)) for w in VOCAB}
        rc, out, err = self.server.cli("search", "reindex", "--account", ACCOUNT)
        self.assertEqual(rc, 0, err)
        self.assertIn("queued", out)
        after = {w: self.search(c, "TEXT", strip_accents(w)) for w in VOCAB}
        self.assertEqual(before, after)
        c.logout()

    def test_zz_sigkill_during_indexing_loses_nothing(self):
        fresh = "zébulon"
        raws = []
        for i in range(40):
            raws.append(("From: x@sender.test\r\nTo: %s\r\nSubject: crash %d\r\nMessage-ID: <crash-%d@x>\r\n"
                         "\r\nthe %s arrives %d\r\n" % (ACCOUNT, i, i, fresh, i)).encode())
        with smtplib.SMTP("127.0.0.1", self.server.port("smtp"), timeout=30) as s:
            for r in raws:
                s.sendmail("x@sender.test", [ACCOUNT], r)  # each 250 is a commit with its queue rows
        self.server.kill9()
        self.server.restart()
        c = self.connect()
        c.select("INBOX")
        # "zebulon" finds "zébulon" only through the index.
        self.assertEqual(len(self.search(c, "BODY", "zebulon")), 40)
        c.logout()
        status, body = self.api_search("zebulon", page_size=100)
        self.assertEqual(body["total"], 40, body)


if __name__ == "__main__":
    unittest.main()
