"""Helpers for the XMPP integration tests: the SMTP tests' identity and
settings helpers, slixmpp clients on one asyncio loop per test, and a
byte-level raw XMPP client for what no well-behaved client would send."""

import asyncio
import os
import re
import socket
import ssl
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "smtp"))

import slixmpp  # noqa: E402

from smtp_helpers import PASSWORD, SmtpTestCase, tls_context, unique  # noqa: E402,F401

STREAM_NS = "http://etherx.jabber.org/streams"


def header(to):
    return ("<?xml version='1.0'?><stream:stream to='%s' xmlns='jabber:client' "
            "xmlns:stream='%s' version='1.0'>" % (to, STREAM_NS)).encode()


class Client(slixmpp.ClientXMPP):
    """A slixmpp client that records what happened to it."""

    def __init__(self, jid, password, mechanism=None):
        super().__init__(jid, password, sasl_mech=mechanism)
        # COMPAT(slixmpp): the test certificate is self-signed.
        self.ssl_context.check_hostname = False
        self.ssl_context.verify_mode = ssl.CERT_NONE
        self.register_plugin("xep_0199")
        self.register_plugin("xep_0030")
        self.register_plugin("xep_0092")
        self.messages = asyncio.Queue()
        self.stream_errors = []
        self.outcome = asyncio.get_event_loop().create_future()
        self.gone = asyncio.Event()
        self.add_event_handler("session_start", lambda _: self._settle("started"))
        self.add_event_handler("failed_all_auth", lambda _: self._settle("auth failed"))
        self.add_event_handler("disconnected", self._on_disconnected)
        self.add_event_handler("stream_error", lambda e: self.stream_errors.append(e["condition"]))
        self.add_event_handler("message", lambda m: self.messages.put_nowait(m))
        # COMPAT(slixmpp): a message of type error is only a message_error event.
        self.add_event_handler("message_error", lambda m: self.messages.put_nowait(m))

    def _settle(self, what):
        if not self.outcome.done():
            self.outcome.set_result(what)

    def _on_disconnected(self, _):
        self._settle("disconnected")
        self.gone.set()


class XmppTestCase(SmtpTestCase):
    """SmtpTestCase with an asyncio loop per test and slixmpp logins."""

    def setUp(self):
        super().setUp()
        self.loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self.loop)
        self.clients = []
        self.addCleanup(self._close_loop)

    def _close_loop(self):
        for c in self.clients:
            if c.transport:
                c.abort()
        self.loop.run_until_complete(asyncio.sleep(0.1))
        # slixmpp leaves its filter tasks running: they end with the loop.
        pending = [t for t in asyncio.all_tasks(self.loop) if not t.done()]
        for t in pending:
            t.cancel()
        self.loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        self.loop.close()
        asyncio.set_event_loop(None)

    def run_async(self, coro, timeout=30):
        return self.loop.run_until_complete(asyncio.wait_for(coro, timeout))

    def account(self, domain):
        address = unique("x").lower() + "@" + domain
        self.make_account(address)
        return address

    def connect(self, jid, password=PASSWORD, mechanism="SCRAM-SHA-256", direct_tls=False, starttls=True):
        """A client connected and past authentication (or not): (client, outcome)."""
        c = Client(jid, password, mechanism)
        self.clients.append(c)
        if direct_tls:
            c.connect(("127.0.0.1", self.server.port("xmpps")), use_ssl=True, force_starttls=False,
                      disable_starttls=True)
        else:
            c.connect(("127.0.0.1", self.server.port("xmpp")), force_starttls=starttls,
                      disable_starttls=not starttls)
        outcome = self.run_async(asyncio.shield(c.outcome))
        return c, outcome

    def login(self, jid, **kw):
        c, outcome = self.connect(jid, **kw)
        self.assertEqual(outcome, "started", "login of %s" % jid)
        return c

    def raw_session(self, address, resource):
        """A RawXmpp logged in as `address` with `resource` bound, closed when the test ends."""
        domain = address.split("@")[1]
        client, _ = raw_login(self.server.port("xmpp"), domain, address.split("@")[0], resource=resource)
        self.addCleanup(client.close)
        return client

    def next_message(self, client, timeout=10):
        return self.run_async(client.messages.get(), timeout)

    def watch(self, client):
        """Queues the available and unavailable presences `client` receives (see next_presence)."""
        client.presences = asyncio.Queue()
        for event in ("presence_available", "presence_unavailable"):
            client.add_event_handler(event, lambda p: client.presences.put_nowait(p))

    def wait_for(self, predicate, timeout=10):
        async def poll():
            while not predicate():
                await asyncio.sleep(0.05)
        self.run_async(poll(), timeout)

    def subscribed_pair(self, domain):
        """Two new accounts of `domain`, logged in, available and subscribed to each other: (alice, bob, a, b)."""
        alice, bob = self.account(domain), self.account(domain)
        a, b = self.login(alice), self.login(bob)
        for c in (a, b):
            self.watch(c)
            self.run_async(c.get_roster())
            c.send_presence()
        # slixmpp authorizes a request and subscribes back by itself.
        a.send_presence_subscription(pto=bob)
        self.wait_for(lambda: bob in a.client_roster and a.client_roster[bob]["subscription"] == "both")
        self.wait_for(lambda: alice in b.client_roster and b.client_roster[alice]["subscription"] == "both")
        return alice, bob, a, b

    def next_presence(self, client, sender, kind, status=None, timeout=10):
        """The next presence of `kind` from bare JID `sender` (with `status`, if given) that `client` watched."""
        async def find():
            while True:
                p = await client.presences.get()
                if p["from"].bare == sender and p["type"] == kind and status in (None, p["status"]):
                    return p
        return self.run_async(find(), timeout)


class RawXmpp:
    """A byte-level XMPP client: what it sends is exactly what the test wrote."""

    def __init__(self, port, timeout=15):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buf = b""

    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        self.sock.sendall(data)

    def read_until(self, pattern, timeout=15):
        """Reads until `pattern` (bytes regex) matches what was received; returns all of it."""
        self.sock.settimeout(timeout)
        while not re.search(pattern, self.buf, re.S):
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed before %r; got %r" % (pattern, self.buf[-2000:]))
            self.buf += chunk
        out, self.buf = self.buf, b""
        return out

    def take(self, pattern, timeout=15):
        """The first match of `pattern` (bytes regex) in what was received; the rest stays for later."""
        self.sock.settimeout(timeout)
        while True:
            m = re.search(pattern, self.buf, re.S)
            if m:
                self.buf = self.buf[:m.start()] + self.buf[m.end():]
                return m
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed before %r; got %r" % (pattern, self.buf[-2000:]))
            self.buf += chunk

    def open(self, domain):
        self.send(header(domain))
        return self.read_until(rb"</stream:features>")

    def starttls(self, domain):
        self.send(b"<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")
        self.read_until(rb"<proceed[^>]*/>")
        self.sock = tls_context().wrap_socket(self.sock)
        return self.open(domain)

    def until_closed(self, timeout=15):
        """Everything up to the server's close of the connection."""
        self.sock.settimeout(timeout)
        try:
            while True:
                chunk = self.sock.recv(65536)
                if not chunk:
                    break
                self.buf += chunk
        except (ConnectionError, ssl.SSLError):
            pass
        out, self.buf = self.buf, b""
        return out

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def raw_authenticated(port, domain, user, password=PASSWORD):
    """A RawXmpp past STARTTLS and SASL PLAIN, before binding; returns (client, features)."""
    import base64
    raw = RawXmpp(port)
    raw.open(domain)
    raw.starttls(domain)
    token = base64.b64encode(b"\0" + user.encode() + b"\0" + password.encode()).decode()
    raw.send("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>%s</auth>" % token)
    raw.read_until(rb"<success[^>]*/>|</success>")
    return raw, raw.open(domain)


def raw_bind(port, domain, user, password=PASSWORD, resource="raw"):
    """A RawXmpp past STARTTLS and SASL PLAIN that asked to bind `resource`; returns (client, the bind reply)."""
    raw, _ = raw_authenticated(port, domain, user, password)
    raw.send("<iq type='set' id='b'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>%s</resource>"
             "</bind></iq>" % resource)
    return raw, raw.read_until(rb"</iq>")


def raw_login(port, domain, user, password=PASSWORD, resource="raw"):
    """A RawXmpp past STARTTLS, SASL PLAIN and binding; returns (client, full JID)."""
    raw, reply = raw_bind(port, domain, user, password, resource)
    jid = re.search(rb"<jid>([^<]+)</jid>", reply).group(1).decode()
    return raw, jid
