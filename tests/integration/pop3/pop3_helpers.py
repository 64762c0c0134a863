"""Helpers for the POP3 integration tests: the SMTP tests' identity, settings
and SQL helpers (tests/integration/smtp/smtp_helpers.py), delivery with
smtplib, poplib sessions over STLS and POP3S, and a byte-exact raw POP3
client. Standard library only."""

import os
import poplib
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "smtp"))

from smtp_helpers import (PASSWORD, LineClient, SmtpTestCase, message_bytes, sql_literal, tls_context,  # noqa: E402,F401
                          unique, wait_until_server_closed)


class RawPop3(LineClient):
    """A byte-exact POP3 client."""

    def __init__(self, port, **kw):
        super().__init__(port, **kw)
        self.greeting = self.line()

    def line(self):
        """The next line with its CRLF."""
        return self.raw_line()

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
        self.wrap_tls()
        return r

    def login(self, user, password):
        r = self.cmd("USER " + user)
        if not r.startswith("+OK"):
            return r
        return self.cmd("PASS " + password)

    def closed_by_server(self, wait=10):
        return super().closed_by_server(wait)

    def local_port(self):
        return self.sock.getsockname()[1]


class Pop3TestCase(SmtpTestCase):
    """SmtpTestCase with POP3 clients and delivery."""

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
