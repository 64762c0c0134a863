"""Helpers for the SMTP integration tests: identity set-up through the admin
API, settings changed live (and put back), read-only SQL through psql against
the server's embedded cluster, mailbox and blob inspection, the journal, and
a byte-exact raw SMTP client, and freezing the embedded PostgreSQL (SIGSTOP).
Standard library only."""

import base64
import glob
import json
import os
import signal
import smtplib
import socket
import ssl
import subprocess
import time
import uuid

from posta_harness import PostaTestCase

API = "/api/v1"
PASSWORD = "pw-Secret-123"
FIELD_SEP = "\x1f"
RECORD_SEP = "\x1e"


def tls_context():
    """A client TLS context that accepts the server's self-signed certificate."""
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def unique(prefix="m"):
    return "%s-%s" % (prefix, uuid.uuid4().hex[:16])


def sql_literal(value):
    """A PostgreSQL string literal (standard_conforming_strings is on)."""
    return "'" + str(value).replace("'", "''") + "'"


def message_bytes(sender, recipients, subject, body="Hello.\r\n", message_id=None, extra_headers=""):
    message_id = message_id or "<%s@client.test>" % unique()
    text = ("From: <%s>\r\nTo: %s\r\nSubject: %s\r\nMessage-ID: %s\r\nDate: Fri, 27 Nov 2026 10:00:00 +0000\r\n%s\r\n%s"
            % (sender, ", ".join("<%s>" % r for r in recipients), subject, message_id, extra_headers, body))
    return text.encode("utf-8")


class Reply:
    """One SMTP reply: code, the text lines (without code) and the raw bytes."""

    def __init__(self, code, lines, raw):
        self.code, self.lines, self.raw = code, lines, raw

    @property
    def text(self):
        return "\n".join(self.lines)

    @property
    def enhanced(self):
        first = self.lines[0] if self.lines else ""
        part = first.split(" ", 1)[0]
        return part if part.count(".") == 2 and part[0] in "245" else ""

    def __repr__(self):
        return "Reply(%r)" % self.raw


def _tcp_peers_of(local_port):
    """Remote ports of the sockets on 127.0.0.1:local_port that are not yet
    closed by the server (ESTABLISHED or CLOSE_WAIT), from /proc/net/tcp."""
    peers = set()
    try:
        with open("/proc/net/tcp") as f:
            next(f)
            for line in f:
                fields = line.split()
                local, remote, state = fields[1], fields[2], fields[3]
                if int(local.split(":")[1], 16) == local_port and state in ("01", "08"):
                    peers.add(int(remote.split(":")[1], 16))
    except OSError:
        pass
    return peers


def wait_until_server_closed(server_port, client_port, timeout=30):
    """Waits until the server has closed its side of the connection from
    client_port: its session has ended, so nothing of it can happen later.
    A deterministic point at which to check that nothing was stored."""
    deadline = time.monotonic() + timeout
    while client_port in _tcp_peers_of(server_port):
        if time.monotonic() > deadline:
            raise AssertionError("the server kept the connection from port %d open" % client_port)
        time.sleep(0.05)


class LineClient:
    """A byte-exact line client over a plain (or TLS) socket, shared by the
    raw SMTP, POP3 and IMAP clients of the tests."""

    def __init__(self, port, host="127.0.0.1", source=None, timeout=15, implicit_tls=False):
        self.sock = socket.create_connection((host, port), timeout=timeout,
                                             source_address=(source, 0) if source else None)
        if implicit_tls:
            self.sock = tls_context().wrap_socket(self.sock)
        self.buf = b""

    def send(self, data):
        if isinstance(data, str):
            data = data.encode("utf-8")
        self.sock.sendall(data)

    def raw_line(self):
        """The next line with its line end."""
        while b"\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("server closed the connection; unread %r" % self.buf)
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return line + b"\n"

    def wrap_tls(self):
        self.sock = tls_context().wrap_socket(self.sock)

    def closed_by_server(self, wait=5):
        """True when the server has closed the connection (EOF) within `wait` s."""
        self.sock.settimeout(wait)
        try:
            while True:
                chunk = self.sock.recv(65536)
                if not chunk:
                    return True
                self.buf += chunk
        except (socket.timeout, TimeoutError):
            return False
        except (ConnectionError, ssl.SSLError):
            return True

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


class RawSmtp(LineClient):
    """A byte-exact SMTP client."""

    def __init__(self, port, **kw):
        super().__init__(port, **kw)
        self.greeting = self.read_reply()

    def read_reply(self):
        raw = b""
        lines = []
        while True:
            line = self.raw_line()
            raw += line
            if len(line) < 4 or not line[:3].isdigit() or not line.endswith(b"\r\n"):
                raise AssertionError("malformed reply line %r (so far %r)" % (line, raw))
            lines.append(line[4:-2].decode("utf-8", "replace"))
            if line[3:4] == b" ":
                return Reply(int(line[:3]), lines, raw)
            if line[3:4] != b"-":
                raise AssertionError("malformed reply line %r" % line)

    def cmd(self, line):
        if isinstance(line, str):
            line = line.encode("utf-8")
        self.send(line + b"\r\n")
        return self.read_reply()

    def ehlo(self, name="client.test"):
        r = self.cmd("EHLO " + name)
        if r.code != 250:
            raise AssertionError("EHLO refused: %r" % r)
        return r

    def starttls(self):
        r = self.cmd("STARTTLS")
        if r.code != 220:
            raise AssertionError("STARTTLS refused: %r" % r)
        self.wrap_tls()
        return r

    def auth_plain(self, user, password):
        token = base64.b64encode(b"\0" + user.encode() + b"\0" + password.encode()).decode()
        return self.cmd("AUTH PLAIN " + token)

    def data(self, body_bytes):
        """DATA with dot-stuffing done here; returns (354 reply, final reply)."""
        go = self.cmd("DATA")
        if go.code != 354:
            return go, None
        stuffed = b"\r\n".join((b"." + l if l.startswith(b".") else l) for l in body_bytes.split(b"\r\n"))
        if not stuffed.endswith(b"\r\n"):
            stuffed += b"\r\n"
        self.send(stuffed + b".\r\n")
        return go, self.read_reply()


class SmtpTestCase(PostaTestCase):
    """PostaTestCase with the SMTP tests' helpers. A class may name the
    domains and accounts its server starts with in `domains` and `accounts`.
    These tests look at what the server accepted and queued: the queue runner
    is off unless a class sets `queue_runner = True` (it would try to deliver
    the queued rows, which the tests inspect)."""

    domains = ()
    accounts = ()
    queue_runner = False

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if not cls.queue_runner:
            status, body = cls.server.api("POST", API + "/services/queue/disable")
            if status != 200:
                raise AssertionError("disabling the queue runner: %s %r" % (status, body))
        for name in cls.domains:
            cls.make_domain(name)
        for address in cls.accounts:
            cls.make_account(address)

    # --- identity ------------------------------------------------------

    @classmethod
    def post(cls, path, body):
        status, reply = cls.server.api("POST", API + path, json=body)
        if status not in (200, 201):
            raise AssertionError("POST %s %r -> %s %r" % (path, body, status, reply))
        return reply

    @classmethod
    def make_domain(cls, name):
        return cls.post("/domains", {"name": name})

    @classmethod
    def make_account(cls, address, password=PASSWORD, quota=0, enabled=True):
        return cls.post("/accounts", {"address": address, "password": password, "quota_bytes": quota,
                                      "enabled": enabled})

    @classmethod
    def make_alias(cls, address, targets):
        return cls.post("/aliases", {"address": address, "targets": targets})

    @classmethod
    def make_group(cls, address, members):
        cls.post("/groups", {"address": address, "name": address.split("@")[0]})
        for m in members:
            cls.post("/groups/%s/members" % address, {"address": m})

    def deliver(self, to, subject=None, body="Hello.\r\n", sender="sender@remote.test", extra_headers="", raw=None):
        """Delivers one message with smtplib through the MX port; returns its bytes as sent."""
        data = raw if raw is not None else message_bytes(sender, [to], subject or unique("subject"), body,
                                                          extra_headers=extra_headers)
        with smtplib.SMTP("127.0.0.1", self.server.port("smtp"), timeout=30) as s:
            s.sendmail(sender, [to], data)
        return data

    # --- settings ------------------------------------------------------

    def setting(self, key, value):
        """Sets a runtime setting with the CLI (`posta settings set`) and puts the
        previous value back when the test ends."""
        status, before = self.server.api("GET", API + "/settings/" + key)
        self.assertEqual(status, 200, before)
        self.addCleanup(self.server.api, "PUT", API + "/settings/" + key, json={"value": before["value"]})
        text = value if isinstance(value, str) and key == "smtp.banner_name" else json.dumps(value)
        rc, out, err = self.server.cli("settings", "set", key, text)
        self.assertEqual(rc, 0, "posta settings set %s %s -> %s %s" % (key, text, out, err))
        status, now = self.server.api("GET", API + "/settings/" + key)
        self.assertEqual(now["value"], value, now)

    # --- the embedded cluster frozen ----------------------------------

    def cluster_pids(self):
        """The postmaster of this data dir and its children (the backends)."""
        master = self.server.postmaster_pid()
        self.assertIsNotNone(master, "no embedded postgres is running")
        pids = [master]
        for stat in glob.glob("/proc/[0-9]*/stat"):
            try:
                with open(stat) as f:
                    parent = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            if parent == master:
                pids.append(int(stat.split("/")[2]))
        return pids

    def freeze(self):
        """Stops the cluster (SIGSTOP) until thaw(), which also runs at cleanup."""
        self.frozen = self.cluster_pids()
        for pid in self.frozen:
            os.kill(pid, signal.SIGSTOP)
        self.addCleanup(self.thaw)

    def thaw(self):
        for pid in getattr(self, "frozen", []):
            try:
                os.kill(pid, signal.SIGCONT)
            except ProcessLookupError:
                pass
        self.frozen = []

    # --- SQL -----------------------------------------------------------

    @classmethod
    def sql(cls, query):
        """Runs SQL in the server's database; returns rows as lists of strings
        (NULL reads as None)."""
        p = subprocess.run(["psql", "-X", "-q", "-h", os.path.join(cls.server.data_dir, "pg"), "-U", "postgres",
                            "-d", "posta", "-v", "ON_ERROR_STOP=1", "-A", "-t", "-F", FIELD_SEP, "-R", RECORD_SEP,
                            "-P", "null=\x01NULL\x01", "-c", query],
                           capture_output=True, timeout=60)
        if p.returncode != 0:
            raise AssertionError("psql failed for %r: %s" % (query, p.stderr.decode(errors="replace")))
        out = p.stdout.decode("utf-8")
        if out.endswith("\n"):
            out = out[:-1]
        if not out:
            return []
        return [[None if f == "\x01NULL\x01" else f for f in rec.split(FIELD_SEP)] for rec in out.split(RECORD_SEP)]

    @classmethod
    def scalar(cls, query):
        rows = cls.sql(query)
        return rows[0][0] if rows else None

    # --- mailboxes and blobs ------------------------------------------

    @classmethod
    def inbox(cls, address, mailbox="INBOX"):
        """Messages of an account's mailbox, by UID: dicts with uid, modseq,
        prefix, hash, size."""
        rows = cls.sql("SELECT m.uid, m.modseq, m.header_prefix, m.blob_hash, m.size FROM messages m "
                       "JOIN mailboxes b ON b.id = m.mailbox_id JOIN accounts a ON a.id = b.account_id "
                       "WHERE a.address = %s AND b.name = %s ORDER BY m.uid"
                       % (sql_literal(address), sql_literal(mailbox)))
        return [{"uid": int(r[0]), "modseq": int(r[1]), "prefix": r[2], "hash": r[3], "size": int(r[4])} for r in rows]

    @classmethod
    def blob_path(cls, digest):
        return os.path.join(cls.server.data_dir, "blobs", digest[:2], digest[2:])

    @classmethod
    def blob(cls, digest):
        """A body's bytes, wherever it lives: the database row (bodies up to
        blobs.inline_max_kb) or its file."""
        hexed = cls.scalar("SELECT encode(body, 'hex') FROM blobs WHERE hash = %s AND body IS NOT NULL"
                           % sql_literal(digest))
        if hexed is not None:
            return bytes.fromhex(hexed)
        with open(cls.blob_path(digest), "rb") as f:
            return f.read()

    @classmethod
    def blob_rows(cls):
        return int(cls.scalar("SELECT count(*) FROM blobs"))

    @classmethod
    def full_messages(cls, address, marker=None):
        """The stored messages (prefix + blob bytes) of an INBOX, optionally only
        those containing `marker`."""
        out = []
        for m in cls.inbox(address):
            text = m["prefix"].encode() + cls.blob(m["hash"])
            if marker is None or marker.encode() in text:
                out.append(text)
        return out

    @classmethod
    def blob_files(cls):
        root = os.path.join(cls.server.data_dir, "blobs")
        return {os.path.relpath(os.path.join(d, f), root) for d, _, files in os.walk(root) for f in files}

    @classmethod
    def used_bytes(cls, address):
        return int(cls.scalar("SELECT used_bytes FROM accounts WHERE address = %s" % sql_literal(address)))

    # --- journal -------------------------------------------------------

    def journal(self, service="smtp"):
        status, body = self.server.api("GET", API + "/journal?service=%s&page_size=1000" % service)
        self.assertEqual(status, 200, body)
        return body["entries"]

    def wait_journal(self, predicate, service="smtp", timeout=10):
        """Polls the journal (written asynchronously) until `predicate(entry)`
        holds for at least one entry; returns the matching entries."""
        deadline = time.monotonic() + timeout
        while True:
            found = [e for e in self.journal(service) if predicate(e)]
            if found or time.monotonic() > deadline:
                return found
            time.sleep(0.2)

    # --- clients -------------------------------------------------------

    def raw(self, listener="smtp", source=None, **kw):
        c = RawSmtp(self.server.port(listener), source=source, implicit_tls=(listener == "submissions"), **kw)
        self.addCleanup(c.close)
        return c

    def assertReply(self, reply, code, enhanced=None, msg=None):
        self.assertIsNotNone(reply, msg)
        self.assertEqual(reply.code, code, "%r %s" % (reply, msg or ""))
        if enhanced is not None:
            self.assertEqual(reply.enhanced, enhanced, "%r %s" % (reply, msg or ""))

    def assertStillServes(self, client):
        """The session still answers properly after a bad input."""
        self.assertReply(client.cmd("NOOP"), 250, "2.0.0")
        self.assertReply(client.cmd("RSET"), 250, "2.0.0")
