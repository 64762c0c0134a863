"""Helpers for the IMAP integration tests: the SMTP tests' identity, settings
and SQL helpers (smtp_helpers), imaplib connections over STARTTLS and IMAPS,
delivery with smtplib, and a raw line client for what imaplib cannot send."""

import imaplib
import os
import smtplib
import socket
import ssl
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "smtp"))

from smtp_helpers import PASSWORD, SmtpTestCase, message_bytes, tls_context, unique  # noqa: E402,F401


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

    def deliver(self, to, subject, body="Hello.\r\n", sender="sender@remote.test", extra_headers=""):
        """Delivers one message over SMTP (the MX port); returns its bytes."""
        data = message_bytes(sender, [to], subject, body, extra_headers=extra_headers)
        with smtplib.SMTP("127.0.0.1", self.server.port("smtp"), timeout=30) as s:
            s.sendmail(sender, [to], data)
        return data


class RawImap:
    """A byte-exact IMAP client: send lines, read lines or up to a tagged answer."""

    def __init__(self, port, implicit_tls=False, timeout=30, source=None):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout,
                                             source_address=(source, 0) if source else None)
        if implicit_tls:
            self.sock = tls_context().wrap_socket(self.sock)
        self.buf = b""
        self.greeting = self.line()

    def send(self, data):
        self.sock.sendall(data if isinstance(data, bytes) else data.encode())

    def line(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("connection closed; got %r" % self.buf)
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line.decode("utf-8", "replace")

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
        self.sock = tls_context().wrap_socket(self.sock)
        return lines

    def closed(self):
        """True when the server closed the connection (reading gives EOF)."""
        try:
            while True:
                chunk = self.sock.recv(65536)
                if not chunk:
                    return True
                self.buf += chunk
        except (ConnectionResetError, ssl.SSLError):
            return True
        except socket.timeout:
            return False

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass
