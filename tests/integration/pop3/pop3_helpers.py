"""Helpers for the POP3 integration tests: the SMTP tests' identity, settings
and SQL helpers (tests/integration/smtp/smtp_helpers.py), delivery with
smtplib, poplib sessions over STLS and POP3S, and a byte-exact raw POP3
client. Standard library only."""

import os
import poplib
import smtplib
import socket
import ssl
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "smtp"))

from smtp_helpers import (PASSWORD, SmtpTestCase, message_bytes, sql_literal, tls_context,  # noqa: E402,F401
                          unique, wait_until_server_closed)


class RawPop3:
    """A byte-exact POP3 client over a plain (or TLS) socket."""

    def __init__(self, port, host="127.0.0.1", source=None, timeout=15, implicit_tls=False):
        self.sock = socket.create_connection((host, port), timeout=timeout,
                                             source_address=(source, 0) if source else None)
        if implicit_tls:
            self.sock = tls_context().wrap_socket(self.sock)
        self.buf = b""
        self.greeting = self.line()

    def send(self, data):
        if isinstance(data, str):
            data = data.encode("utf-8")
        self.sock.sendall(data)

    def line(self):
        """The next line with its CRLF."""
        while b"\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("server closed the connection; unread %r" % self.buf)
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return line + b"\n"

    def status(self):
        line = self.line()
        if not (line.startswith(b"+OK") or line.startswith(b"-ERR") or line.startswith(b"+ ")):
            raise AssertionError("malformed status line %r" % line)
        if not line.endswith(b"\r\n"):
            raise AssertionError("status line without CRLF %r" % line)
        return line[:-2].decode("utf-8", "replace")

    def body(self):
        """The lines of a multi-line response, unstuffed, up to the final dot."""
        out = []
        while True:
            line = self.line()
            if line == b".\r\n":
                return out
            out.append(line[1:-2] if line.startswith(b".") else line[:-2])

    def cmd(self, line):
        if isinstance(line, str):
            line = line.encode("utf-8")
        self.send(line + b"\r\n")
        return self.status()

    def stls(self):
        r = self.cmd("STLS")
        if not r.startswith("+OK"):
            raise AssertionError("STLS refused: %r" % r)
        self.sock = tls_context().wrap_socket(self.sock)
        return r

    def login(self, user, password):
        r = self.cmd("USER " + user)
        if not r.startswith("+OK"):
            return r
        return self.cmd("PASS " + password)

    def closed_by_server(self, wait=10):
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

    def local_port(self):
        return self.sock.getsockname()[1]

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


class Pop3TestCase(SmtpTestCase):
    """SmtpTestCase with POP3 clients and delivery."""

    def deliver(self, to, subject=None, body="Hello.\r\n", sender="sender@elsewhere.test", raw=None):
        """Delivers one message through the MX port; returns its bytes as sent."""
        data = raw if raw is not None else message_bytes(sender, [to], subject or unique("subject"), body)
        with smtplib.SMTP("127.0.0.1", self.server.port("smtp"), timeout=30) as s:
            s.sendmail(sender, [to], data)
        return data

    def pop(self, user, password=PASSWORD, implicit_tls=False, source=None):
        """A logged-in poplib session: STLS on pop3, or POP3S."""
        if implicit_tls:
            p = poplib.POP3_SSL("127.0.0.1", self.server.port("pop3s"), context=tls_context(), timeout=30)
        else:
            p = poplib.POP3("127.0.0.1", self.server.port("pop3"), timeout=30)
            p.stls(context=tls_context())
        p.user(user)
        p.pass_(password)
        self.addCleanup(_close_quietly, p)
        return p

    def raw(self, listener="pop3", source=None, host="127.0.0.1", **kw):
        c = RawPop3(self.server.port(listener), host=host, source=source, implicit_tls=(listener == "pop3s"), **kw)
        self.addCleanup(c.close)
        return c

    def stored(self, address):
        """The messages of an INBOX as POP3 should serve them: prefix + blob bytes, by UID."""
        return [m["prefix"].encode() + self.blob(m["hash"]) for m in self.inbox(address)]

    def assertStillServes(self, address):
        """Another client can still log in and list the maildrop."""
        p = self.pop(address)
        self.assertTrue(p.stat()[0] >= 0)
        p.quit()


def _close_quietly(p):
    try:
        p.close()
    except OSError:
        pass
