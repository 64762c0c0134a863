#!/usr/bin/python3
"""A receiving SMTP server for the outbound client's tests (python3-aiosmtpd).

smtp_sink.py DIR PORT [--tls CERT KEY] [--auth USER PASS] [--smtputf8]
             [--reject PREFIX REPLY]...
Every accepted message is written to DIR/<n>.eml (the bytes as received, dot-
stuffing undone) with DIR/<n>.json (envelope, TLS, login). A recipient that
starts with PREFIX gets REPLY ("550 5.1.1 no such user"). Writes DIR/ready
once listening; stops on SIGTERM.
"""
import argparse
import json
import pathlib
import signal
import ssl
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult


class Sink:
    def __init__(self, folder, rejects):
        self.folder = folder
        self.rejects = rejects
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        for prefix, reply in self.rejects:
            if address.startswith(prefix):
                return reply
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
        base.with_suffix(".json").write_text(json.dumps(meta))
        return "250 2.0.0 OK queued as %d" % self.count


def main():
    p = argparse.ArgumentParser()
    p.add_argument("dir")
    p.add_argument("port", type=int)
    p.add_argument("--tls", nargs=2)
    p.add_argument("--auth", nargs=2)
    p.add_argument("--smtputf8", action="store_true")
    p.add_argument("--reject", nargs=2, action="append", default=[])
    a = p.parse_args()
    folder = pathlib.Path(a.dir)
    kwargs = {"enable_SMTPUTF8": a.smtputf8, "server_hostname": "sink.example.test"}
    if a.tls:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(a.tls[0], a.tls[1])
        kwargs["tls_context"] = ctx
    if a.auth:
        user, password = a.auth[0].encode(), a.auth[1].encode()

        def check(server, session, envelope, mechanism, data):
            ok = data.login == user and data.password == password
            return AuthResult(success=ok, handled=False, auth_data=data if ok else None)

        kwargs["authenticator"] = check
        kwargs["auth_require_tls"] = True
    controller = Controller(Sink(folder, a.reject), hostname="127.0.0.1", port=a.port, **kwargs)
    controller.start()
    (folder / "ready").write_text("ready")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
