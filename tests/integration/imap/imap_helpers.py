"""Helpers for the IMAP integration tests: the SMTP tests' identity, settings
and SQL helpers (smtp_helpers), imaplib connections over STARTTLS and IMAPS,
delivery with smtplib, and a raw line client for what imaplib cannot send."""

import imaplib
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "smtp"))

from smtp_helpers import PASSWORD, LineClient, SmtpTestCase, message_bytes, tls_context, unique  # noqa: E402,F401


class ImapTestCase(SmtpTestCase):
    def imap(self, user=None, password=PASSWORD, starttls=True):
        """An imaplib client on the imap port, after STARTTLS, logged in when `user` is given."""
        c = imaplib.IMAP4("127.0.0.1", self.server.port("imap"), timeout=30)
        self.addCleanup(self._close, c)
        if starttls:
            c.starttls(ssl_context=tls_context())
        if user:
            c.login(user, password)
        return c

    def imaps(self, user=None, password=PASSWORD):
        c = imaplib.IMAP4_SSL("127.0.0.1", self.server.port("imaps"), ssl_context=tls_context(), timeout=30)
        self.addCleanup(self._close, c)
        if user:
            c.login(user, password)
        return c

    @staticmethod
    def _close(c):
        try:
            c.logout()
        except Exception:
            pass


class RawImap(LineClient):
    """A byte-exact IMAP client: send lines, read lines or up to a tagged answer."""

    def __init__(self, port, implicit_tls=False, timeout=30, source=None):
        super().__init__(port, source=source, timeout=timeout, implicit_tls=implicit_tls)
        self.greeting = self.line()

    def line(self):
        return self.raw_line().rstrip(b"\r\n").decode("utf-8", "replace")

    def until_tagged(self, tag):
        """Lines up to and including the tagged response of `tag`."""
        lines = []
        while True:
            l = self.line()
            lines.append(l)
            if l.startswith(tag + " "):
                return lines

    def cmd(self, tag, text):
        self.send("%s %s\r\n" % (tag, text))
        return self.until_tagged(tag)

    def starttls(self, tag="s1"):
        lines = self.cmd(tag, "STARTTLS")
        self.wrap_tls()
        return lines

    def closed(self):
        """True when the server closed the connection (reading gives EOF)."""
        return self.closed_by_server(self.sock.gettimeout())
