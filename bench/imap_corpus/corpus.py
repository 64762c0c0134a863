#!/usr/bin/python3
"""The messages of the IMAP benchmark, the same bytes for every server.

Message i of seed s is always the same: varied senders (40 addresses in 8
domains), subjects, Date headers spread over 2026, sizes from 1 KB to about
200 KB, and every tenth a MIME multipart with a base64 attachment. Nothing
is stored: each subcommand generates the messages again.

  corpus.py smtp --port P --rcpt user1@d --rcpt user2@d … --count N [--threads T]
      [--max-size BYTES] delivers messages 0..N-1 by SMTP, one transaction per message with all
      the recipients (so every mailbox gets the same N messages)
  corpus.py maildir --dir D [--dir D2 …] --count N [--uid U --gid G]
      writes the same messages as Maildir files in D/new, LF line ends (no
      fsync: this is set-up, not measured)
  corpus.py argon2id PASSWORD
      prints an argon2id PHC string with Posta's default parameters
      (m=19456 KiB, t=2, p=1) through libargon2, so that Dovecot verifies
      passwords at the same cost as Posta

Bounded: --count is at most 1,000,000 and every SMTP connection has a 60 s
timeout."""

import argparse
import base64
import concurrent.futures
import ctypes
import os
import random
import smtplib
import socket
import sys
import time
from email.utils import format_datetime
from datetime import datetime, timedelta, timezone

MAX_COUNT = 1_000_000
WORDS = ("meeting budget report quarterly draft review invoice schedule project update team customer "
         "release planning contract deadline summary agenda minutes proposal offer travel expenses "
         "lunch training server backup migration network office holiday request approval").split()


def sender(i):
    n = i * 7 % 40
    return "Sender %02d <sender%02d@corp%d.test>" % (n, n, n % 8)


def size_of(rng):
    r = rng.random()
    if r < 0.60:
        return rng.randint(1024, 8 * 1024)
    if r < 0.85:
        return rng.randint(8 * 1024, 40 * 1024)
    return rng.randint(40 * 1024, 200 * 1024)


def text_lines(rng, nbytes):
    out, size = [], 0
    while size < nbytes:
        line = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 12)))
        out.append(line)
        size += len(line) + 2
    return out


def message(seed, i, max_size=0):
    """Message i as bytes with CRLF line ends (about max_size at most, if given)."""
    rng = random.Random(seed * 1_000_003 + i)
    date = datetime(2026, 1, 1, tzinfo=timezone.utc) + timedelta(seconds=rng.randint(0, 330 * 86400))
    subject = " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 7)))
    headers = [
        "From: " + sender(i),
        "To: Bench Team <team@example.test>",
        "Subject: %s (%d)" % (subject, i),
        "Date: " + format_datetime(date),
        "Message-ID: <corpus-%d-%d@bench.test>" % (seed, i),
        "MIME-Version: 1.0",
    ]
    if i % 5 == 0:
        headers.append("Cc: Sender 01 <sender01@corp1.test>")
    if i % 3 == 0:
        headers.append("In-Reply-To: <corpus-%d-%d@bench.test>" % (seed, max(0, i - 1)))
    size = size_of(rng)
    if max_size:
        size = min(size, max_size)
    if i % 10 == 7:  # a multipart with an attachment
        boundary = "=_bench_%d" % i
        headers.append('Content-Type: multipart/mixed; boundary="%s"' % boundary)
        body = ["This is a multi-part message in MIME format.", "--" + boundary,
                "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit", ""]
        body += text_lines(rng, 800)
        body += ["--" + boundary, 'Content-Type: application/octet-stream; name="data-%d.bin"' % i,
                 "Content-Transfer-Encoding: base64", 'Content-Disposition: attachment; filename="data-%d.bin"' % i, ""]
        raw = rng.randbytes(max(256, size * 3 // 4 - 1200))
        enc = base64.b64encode(raw).decode()
        body += [enc[k:k + 76] for k in range(0, len(enc), 76)]
        body += ["--" + boundary + "--", ""]
    else:
        headers += ["Content-Type: text/plain; charset=us-ascii", "Content-Transfer-Encoding: 7bit"]
        body = text_lines(rng, max(200, size - 400))
        if i % 10 == 3:  # lines that a reader ignoring literals would take for the end of a FETCH
            body[len(body) // 2:len(body) // 2] = ["a%d OK UID FETCH completed" % k for k in range(1, 40)]
    return ("\r\n".join(headers) + "\r\n\r\n" + "\r\n".join(body) + "\r\n").encode()


def cmd_smtp(args):
    rcpts = args.rcpt

    # A new connection every few thousand commands: servers bound the
    # commands of one session (Posta's smtp.max_commands_per_session).
    per_connection = max(1, 4000 // (2 + len(rcpts)))

    def worker(part):
        numbers = list(range(part, args.count, args.threads))
        for k in range(0, len(numbers), per_connection):
            with smtplib.SMTP("127.0.0.1", args.port, timeout=60, local_hostname="corpus.bench.test") as s:
                s.ehlo()
                for i in numbers[k:k + per_connection]:
                    refused = s.sendmail(args.sender, rcpts, message(args.seed, i, args.max_size))
                    if refused:
                        raise RuntimeError("recipients refused: %r" % (refused,))
        return len(numbers)

    t0 = time.time()
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.threads) as pool:
        total = sum(pool.map(worker, range(args.threads)))
    print("corpus: %d messages to %d recipients by SMTP in %.1f s" % (total, len(rcpts), time.time() - t0))


def cmd_maildir(args):
    t0 = time.time()
    host = socket.gethostname()
    for d in args.dir:
        for sub in ("new", "cur", "tmp"):
            os.makedirs(os.path.join(d, sub), exist_ok=True)
    for i in range(args.count):
        wire = message(args.seed, i, args.max_size)
        # Stored with LF line ends, as Dovecot's own deliveries are; the name
        # carries the file size (S=) and the CRLF size (W=) as Dovecot writes them.
        data = wire.replace(b"\r\n", b"\n")
        for d in args.dir:
            name = "%d.M%dP%d.%s,S=%d,W=%d" % (1_700_000_000 + i, i, os.getpid(), host, len(data), len(wire))
            with open(os.path.join(d, "new", name), "wb") as f:
                f.write(data)
    if args.uid is not None:
        for d in args.dir:
            for root, dirs, files in os.walk(os.path.dirname(d.rstrip("/")) or d):
                os.chown(root, args.uid, args.gid)
                for f in files:
                    os.chown(os.path.join(root, f), args.uid, args.gid)
    print("corpus: %d messages into %d Maildirs in %.1f s" % (args.count, len(args.dir), time.time() - t0))


def cmd_argon2id(args):
    lib = ctypes.CDLL("libargon2.so.1")
    salt = os.urandom(16)
    pw = args.password.encode()
    out = ctypes.create_string_buffer(256)
    # argon2id_hash_encoded(t_cost, m_cost, parallelism, pwd, pwdlen, salt, saltlen, hashlen, encoded, encodedlen)
    rc = lib.argon2id_hash_encoded(ctypes.c_uint32(2), ctypes.c_uint32(19456), ctypes.c_uint32(1), pw,
                                   ctypes.c_size_t(len(pw)), salt, ctypes.c_size_t(len(salt)), ctypes.c_size_t(32),
                                   out, ctypes.c_size_t(len(out)))
    if rc != 0:
        sys.exit("argon2id_hash_encoded failed: %d" % rc)
    print(out.value.decode())


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("smtp")
    s.add_argument("--port", type=int, required=True)
    s.add_argument("--rcpt", action="append", required=True)
    s.add_argument("--sender", default="corpus@bench.test")
    s.add_argument("--count", type=int, required=True)
    s.add_argument("--seed", type=int, default=1)
    s.add_argument("--threads", type=int, default=8)
    s.add_argument("--max-size", type=int, default=0, help="cap message sizes (for the 100,000-message mailbox)")
    m = sub.add_parser("maildir")
    m.add_argument("--dir", action="append", required=True)
    m.add_argument("--count", type=int, required=True)
    m.add_argument("--seed", type=int, default=1)
    m.add_argument("--max-size", type=int, default=0)
    m.add_argument("--uid", type=int)
    m.add_argument("--gid", type=int)
    a = sub.add_parser("argon2id")
    a.add_argument("password")
    args = p.parse_args()
    if getattr(args, "count", 0) > MAX_COUNT or getattr(args, "count", 1) < 0:
        sys.exit("--count must be 0..%d" % MAX_COUNT)
    if args.cmd == "smtp":
        args.threads = max(1, min(args.threads, 64))
    {"smtp": cmd_smtp, "maildir": cmd_maildir, "argon2id": cmd_argon2id}[args.cmd](args)


if __name__ == "__main__":
    main()
