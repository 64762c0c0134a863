#!/usr/bin/python3
"""A receiving SMTP server for the outbound client's tests (python3-aiosmtpd).

smtp_sink.py DIR PORT [--host ADDRESS] [--tls CERT KEY [--broken-tls]] [--auth USER PASS]
             [--smtputf8] [--pipelining] [--chunking] [--reject PREFIX REPLY]...
             [--defer-once PREFIX]... [--data-delay SECONDS]
Every accepted message is written to DIR/<n>.eml (the bytes as received, dot-
stuffing undone) with DIR/<n>.json (envelope, TLS, login). A recipient that
starts with PREFIX gets REPLY ("550 5.1.1 no such user"); one that starts
with a --defer-once PREFIX gets 451 the first time it is offered. With
--data-delay the reply to the end of data waits that long after the message
is written (a crash test's window in which a 250 can be lost). Writes DIR/ready
once listening; stops on SIGTERM. aiosmtpd reads commands in order, so
pipelined ones work once PIPELINING is offered; BDAT (RFC 3030) is added here.
"""
import argparse
import asyncio
import json
import pathlib
import signal
import ssl
import threading
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult


class ChunkingSMTP(SMTP):
    """aiosmtpd with BDAT: chunks are read verbatim and the message ends at LAST."""

    async def smtp_BDAT(self, arg):
        words = (arg or "").split()
        if not words or not words[0].isdigit() or len(words) > 2 or (len(words) == 2 and words[1].upper() != "LAST"):
            await self.push("501 5.5.4 Syntax: BDAT size [LAST]")
            return
        data = await self._reader.readexactly(int(words[0]))
        if not self.envelope.rcpt_tos:
            await self.push("503 5.5.1 need RCPT")
            return
        self.envelope.chunks = getattr(self.envelope, "chunks", b"") + data
        if len(words) == 1:
            await self.push("250 2.0.0 %d octets received" % len(data))
            return
        self.envelope.original_content = self.envelope.content = self.envelope.chunks
        status = await self._call_handler_hook("DATA")
        self._set_post_data_state()
        await self.push(status)


class SinkController(Controller):
    def __init__(self, handler, chunking, **kwargs):
        self.chunking = chunking
        super().__init__(handler, **kwargs)

    def factory(self):
        cls = ChunkingSMTP if self.chunking else SMTP
        return cls(self.handler, **self.SMTP_kwargs)


class Sink:
    def __init__(self, folder, rejects, extensions, defer_once=(), data_delay=0.0):
        self.data_delay = data_delay
        self.folder = folder
        self.rejects = rejects
        self.defer_once = defer_once
        self.deferred = set()
        self.extensions = extensions
        self.count = 0

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        return responses[:-1] + ["250-" + e for e in self.extensions] + responses[-1:]

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        for prefix, reply in self.rejects:
            if address.startswith(prefix):
                return reply
        if any(address.startswith(p) for p in self.defer_once) and address not in self.deferred:
            self.deferred.add(address)
            return "451 4.3.0 try again later, please"
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.append(rcpt_options)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        base = self.folder / str(self.count)
        base.with_suffix(".eml").write_bytes(envelope.original_content)
        meta = {
            "mail_from": envelope.mail_from,
            "mail_options": envelope.mail_options,
            "rcpt_tos": envelope.rcpt_tos,
            "rcpt_options": envelope.rcpt_options,
            "tls": session.ssl is not None,
            "login": session.auth_data.login.decode() if session.authenticated and session.auth_data else None,
        }
        meta["time"] = time.time()
        base.with_suffix(".json").write_text(json.dumps(meta))
        if self.data_delay:
            await asyncio.sleep(self.data_delay)
        return "250 2.0.0 OK queued as %d" % self.count


def main():
    p = argparse.ArgumentParser()
    p.add_argument("dir")
    p.add_argument("port", type=int)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--defer-once", action="append", default=[])
    p.add_argument("--data-delay", type=float, default=0.0)
    p.add_argument("--tls", nargs=2)
    p.add_argument("--broken-tls", action="store_true", help="offer STARTTLS, but only TLS 1.0, which clients refuse")
    p.add_argument("--auth", nargs=2)
    p.add_argument("--smtputf8", action="store_true")
    p.add_argument("--pipelining", action="store_true")
    p.add_argument("--chunking", action="store_true")
    p.add_argument("--reject", nargs=2, action="append", default=[])
    a = p.parse_args()
    folder = pathlib.Path(a.dir)
    kwargs = {"enable_SMTPUTF8": a.smtputf8, "server_hostname": "sink.example.test"}
    if a.tls:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(a.tls[0], a.tls[1])
        if a.broken_tls:
            ctx.minimum_version = ctx.maximum_version = ssl.TLSVersion.TLSv1
        kwargs["tls_context"] = ctx
    if a.auth:
        user, password = a.auth[0].encode(), a.auth[1].encode()

        def check(server, session, envelope, mechanism, data):
            ok = data.login == user and data.password == password
            return AuthResult(success=ok, handled=False, auth_data=data if ok else None)

        kwargs["authenticator"] = check
        kwargs["auth_require_tls"] = True
    extensions = (["PIPELINING"] if a.pipelining else []) + (["CHUNKING"] if a.chunking else [])
    sink = Sink(folder, a.reject, extensions, a.defer_once, a.data_delay)
    controller = SinkController(sink, a.chunking, hostname=a.host, port=a.port, **kwargs)
    controller.start()
    (folder / "ready").write_text("ready")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
