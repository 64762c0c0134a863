#!/usr/bin/python3
"""CardDAV benchmark (issue 14): one book of CARDS vCards served by Posta
(the build under test) and by Radicale (Debian's package, a private
instance), both over HTTPS with HTTP Basic, side by side in one run. The same
client, vdirsyncer (Debian's package), syncs the book into an empty local
folder (the initial sync), then again after CHANGES cards were changed on the
server (the incremental sync). Prints the wall time of each sync for both and
the ratio Posta/Radicale (below 1: Posta is faster).

Run: bench/carddav_vs_radicale.py [--cards 10000] [--changes 100] [--build build]
Posta is loaded with the cards by PUT over one keep-alive connection;
Radicale's book is written straight into its storage folder (its PUT of
10,000 cards takes over ten minutes here); neither load is timed. Radicale checks passwords in a plain htpasswd
file (its cheapest); Posta verifies argon2id once and then keeps the login
for a minute (addressbook/dav/login_cache). Nothing here is a test: figures only.
"""

import argparse
import base64
import http.client
import os
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import textwrap
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration", "harness"))

from posta_harness import PostaServer, free_port  # noqa: E402

USER = "bench@cards.test"
PASSWORD = "bench-password-1"


def card(i, revision=0):
    return ("BEGIN:VCARD\r\nVERSION:3.0\r\nUID:bench-%05d\r\nFN:Person %05d%s\r\nN:Person%05d;Test;;;\r\n"
            "EMAIL;TYPE=work:person%05d@example.org\r\nTEL;TYPE=cell:+1 555 %04d\r\nORG:Example;Dept %d\r\n"
            "NOTE:revision %d\r\nEND:VCARD\r\n" % (i, i, " (changed)" if revision else "", i, i, i % 10000,
                                                   i % 20, revision))


class Uploader:
    def __init__(self, port, user, password):
        self.port = port
        self.auth = "Basic " + base64.b64encode(("%s:%s" % (user, password)).encode()).decode()
        self.connect()

    def connect(self):
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        self.conn = http.client.HTTPSConnection("127.0.0.1", self.port, context=ctx, timeout=60)

    def request(self, method, path, body=None, headers=None):
        h = {"Authorization": self.auth}
        h.update(headers or {})
        payload = body.encode() if isinstance(body, str) else body
        for attempt in (1, 2):  # a kept connection the server closed while idle is opened again
            try:
                self.conn.request(method, path, body=payload, headers=h)
                r = self.conn.getresponse()
                return r.status, r.read()
            except (OSError, http.client.HTTPException):
                if attempt == 2:
                    raise
                self.conn.close()
                self.connect()

    def put_cards(self, book_path, indices, revision=0):
        for i in indices:
            status, data = self.request("PUT", "%sbench-%05d.vcf" % (book_path, i), card(i, revision),
                                        {"Content-Type": "text/vcard; charset=utf-8"})
            if status not in (201, 204):
                raise RuntimeError("PUT %d -> %d %r" % (i, status, data[:200]))


def fingerprint(port):
    import hashlib
    pem = ssl.get_server_certificate(("127.0.0.1", port))
    return hashlib.sha256(ssl.PEM_cert_to_DER_cert(pem)).hexdigest().upper()


def vdirsyncer_sync(root, name, url, port):
    """Two timed syncs' helper: writes the config, discovers, returns a function that syncs."""
    local = os.path.join(root, name + "-local")
    os.makedirs(local)
    config = os.path.join(root, name + ".conf")
    with open(config, "w") as f:
        f.write(textwrap.dedent("""\
            [general]
            status_path = "%s/%s-status/"
            [pair book]
            a = "local"
            b = "remote"
            collections = null
            [storage local]
            type = "filesystem"
            path = "%s"
            fileext = ".vcf"
            [storage remote]
            type = "carddav"
            url = "%s"
            username = "%s"
            password = "%s"
            verify_fingerprint = "%s"
            """ % (root, name, local, url, USER, PASSWORD, fingerprint(port))))
    env = dict(os.environ, HOME=root)
    subprocess.run(["vdirsyncer", "-c", config, "discover"], check=True, capture_output=True, env=env, timeout=600)

    def sync():
        start = time.monotonic()
        p = subprocess.run(["vdirsyncer", "-c", config, "sync"], capture_output=True, text=True, env=env,
                           timeout=3600)
        took = time.monotonic() - start
        if p.returncode != 0:
            raise RuntimeError("vdirsyncer %s: %s" % (name, p.stdout[-2000:] + p.stderr[-2000:]))
        return took, len(os.listdir(local))
    return sync


def start_posta(root, build):
    os.environ["POSTA_BIN"] = os.path.join(build, "posta")
    os.makedirs(os.path.join(root, "posta"), mode=0o755)
    server = PostaServer(root=os.path.join(root, "posta"))
    server.start()
    for method, path, body in (("POST", "/api/v1/domains", {"name": "cards.test"}),
                               ("POST", "/api/v1/accounts", {"address": USER, "password": PASSWORD})):
        status, reply = server.api(method, path, json=body)
        if status not in (200, 201):
            raise RuntimeError("%s %s -> %s %r" % (method, path, status, reply))
    return server


def start_radicale(root):
    folder = os.path.join(root, "radicale")
    os.makedirs(os.path.join(folder, "collections"))
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
                    "/CN=127.0.0.1", "-keyout", os.path.join(folder, "key.pem"), "-out",
                    os.path.join(folder, "cert.pem")], check=True, capture_output=True)
    with open(os.path.join(folder, "users"), "w") as f:
        f.write("%s:%s\n" % (USER, PASSWORD))
    port = free_port()
    proc = subprocess.Popen(["/usr/bin/python3", "-m", "radicale", "--server-hosts", "127.0.0.1:%d" % port,
                             "--server-ssl", "--server-certificate", os.path.join(folder, "cert.pem"),
                             "--server-key", os.path.join(folder, "key.pem"),
                             "--storage-filesystem-folder", os.path.join(folder, "collections"),
                             "--auth-type", "htpasswd", "--auth-htpasswd-filename", os.path.join(folder, "users"),
                             "--auth-htpasswd-encryption", "plain", "--logging-level", "warning"],
                            stdout=open(os.path.join(folder, "log"), "w"), stderr=subprocess.STDOUT)
    for _ in range(100):
        try:
            ssl.get_server_certificate(("127.0.0.1", port))
            break
        except OSError:
            time.sleep(0.1)
    return proc, port


def write_radicale_book(collections, count):
    """The book as Radicale's multifilesystem storage keeps it: a folder with
    its properties and one file per card."""
    folder = os.path.join(collections, "collection-root", USER, "book")
    os.makedirs(folder)
    with open(os.path.join(folder, ".Radicale.props"), "w") as f:
        f.write('{"tag": "VADDRESSBOOK"}')
    for i in range(count):
        with open(os.path.join(folder, "bench-%05d.vcf" % i), "w", newline="") as f:
            f.write(card(i))


def rss_mb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0


def main():
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # the servers are stopped by `finally`
    ap = argparse.ArgumentParser()
    ap.add_argument("--cards", type=int, default=10000)
    ap.add_argument("--changes", type=int, default=100)
    ap.add_argument("--build", default=os.path.join(HERE, "..", "build"))
    args = ap.parse_args()
    root = tempfile.mkdtemp(prefix="posta-bench-carddav-")
    os.chmod(root, 0o755)
    posta = radicale = None
    try:
        posta = start_posta(root, os.path.abspath(args.build))
        radicale, radicale_port = start_radicale(root)
        posta_port = posta.port("https")
        book = "/dav/addressbooks/%s/personal/" % USER
        rbook = "/%s/book/" % USER
        up_r = Uploader(radicale_port, USER, PASSWORD)
        write_radicale_book(os.path.join(root, "radicale", "collections"), args.cards)
        up_p = Uploader(posta_port, USER, PASSWORD)
        start = time.monotonic()
        up_p.put_cards(book, range(args.cards))
        print("posta loaded %d cards by PUT in %.1f s" % (args.cards, time.monotonic() - start))
        syncs = {"posta": vdirsyncer_sync(root, "posta", "https://127.0.0.1:%d%s" % (posta_port, book), posta_port),
                 "radicale": vdirsyncer_sync(root, "radicale", "https://127.0.0.1:%d%s" % (radicale_port, rbook),
                                             radicale_port)}
        results = {}
        for name, sync in syncs.items():
            results[name] = [sync()]
            print("%-9s initial sync %.2f s, %d cards" % (name, results[name][0][0], results[name][0][1]))
        changed = range(0, args.cards, max(1, args.cards // args.changes))[: args.changes]
        up_p.put_cards(book, changed, revision=1)
        up_r.put_cards(rbook, changed, revision=1)
        for name, sync in syncs.items():
            results[name].append(sync())
        print("\n%-28s %10s %10s %8s" % ("", "Posta", "Radicale", "ratio"))
        for i, what in enumerate(("initial sync (%d cards)" % args.cards, "after %d changes" % len(changed))):
            p, r = results["posta"][i][0], results["radicale"][i][0]
            print("%-28s %9.2fs %9.2fs %8.2f" % (what, p, r, p / r))
        print("%-28s %9.0fMB" % ("Posta peak RSS", rss_mb(posta.proc.pid)))
        for name in results:
            if results[name][0][1] != args.cards:
                print("warning: %s local folder holds %d cards" % (name, results[name][0][1]))
    finally:
        if radicale:
            print("%-28s %9s %8.0fMB" % ("Radicale peak RSS", "", rss_mb(radicale.pid)))
            radicale.terminate()
            radicale.wait(30)
        if posta:
            posta.stop()
            posta.cleanup()
        shutil.rmtree(root, True)


if __name__ == "__main__":
    main()
