"""Real POP3 clients. fetchmail against the pop3 listener with STLS
(verified against the server's certificate) and UIDL: in keep mode each
message is fetched once across runs, with fetchall every message each time,
and without keep the fetched messages are deleted from INBOX. curl over
POP3S and STLS (AUTH PLAIN with a continuation): listing, retrieval and DELE
(curl ends with QUIT)."""

import os
import re
import shutil
import subprocess
import unittest

from posta_harness import make_temp_dir, stop_servers
from pop3_helpers import PASSWORD, Pop3TestCase, unique

DOMAIN = "fetch.test"
FETCHMAIL = shutil.which("fetchmail")
CURL = shutil.which("curl")

tearDownModule = stop_servers


@unittest.skipUnless(FETCHMAIL, "fetchmail is not installed (dev/install-deps installs it)")
class FetchmailTests(Pop3TestCase):
    domains = (DOMAIN,)

    def setUp(self):
        self.home = make_temp_dir("posta-fetchmail-")
        self.addCleanup(shutil.rmtree, self.home, True)
        self.spool = os.path.join(self.home, "spool")
        os.mkdir(self.spool)
        # The MDA: each message into a file of its own.
        self.mda = os.path.join(self.home, "deliver.sh")
        with open(self.mda, "w") as f:
            f.write('#!/bin/sh\ncat > "$(mktemp %s/msg.XXXXXX)"\n' % self.spool)
        os.chmod(self.mda, 0o755)
        self.address = unique("f").lower() + "@" + DOMAIN
        self.make_account(self.address)

    def fetch(self, mode):
        """Runs fetchmail once; returns its exit status (0: mail fetched, 1: none) and output."""
        rc_path = os.path.join(self.home, "fetchmailrc")
        cert = os.path.join(self.server.data_dir, "tls", "cert.pem")
        with open(rc_path, "w") as f:
            f.write('set no syslog\n'
                    'poll 127.0.0.1 with proto POP3 port %d uidl\n'
                    '  user "%s" there with password "%s" is "root" here\n'
                    '  sslproto "TLS1.2+" sslcertck sslcertfile "%s" sslcommonname "%s"\n'
                    '  mda "%s" %s\n'
                    % (self.server.port("pop3"), self.address, PASSWORD, cert, self.server.hostname, self.mda,
                       mode))
        os.chmod(rc_path, 0o600)
        env = dict(os.environ, HOME=self.home, FETCHMAILHOME=self.home)
        p = subprocess.run([FETCHMAIL, "-f", rc_path, "--idfile", os.path.join(self.home, "fetchids"), "-v",
                            "--nosyslog"],
                           capture_output=True, text=True, timeout=120, env=env, cwd=self.home)
        out = p.stdout + p.stderr
        if os.environ.get("POP3_SHOW_FETCHMAIL"):
            print(out)
        self.assertIn(p.returncode, (0, 1), out)
        # STLS was used (fetchmail says so in verbose mode) and UIDL was asked for.
        self.assertIn("STLS", out, out)
        self.assertIn("UIDL", out, out)
        return p.returncode, out

    def fetched_subjects(self):
        out = []
        for name in sorted(os.listdir(self.spool)):
            with open(os.path.join(self.spool, name), "rb") as f:
                m = re.search(rb"^Subject: (.*?)\r?$", f.read(), re.M)
                out.append(m.group(1).decode() if m else None)
        return sorted(out)

    def test_keep_mode_fetches_each_message_once(self):
        subjects = ["keep %d" % i for i in range(3)]
        for s in subjects:
            self.deliver(self.address, subject=s)
        rc, out = self.fetch("keep")
        self.assertEqual(rc, 0, out)
        self.assertEqual(self.fetched_subjects(), subjects)
        rc, out = self.fetch("keep")
        self.assertEqual(rc, 1, out)  # nothing new
        self.assertEqual(self.fetched_subjects(), subjects)
        self.deliver(self.address, subject="keep 3")
        rc, out = self.fetch("keep")
        self.assertEqual(rc, 0, out)
        self.assertEqual(self.fetched_subjects(), subjects + ["keep 3"])
        self.assertEqual(len(self.inbox(self.address)), 4)  # kept on the server

    def test_fetchall_fetches_everything_every_time(self):
        for s in ("all 0", "all 1"):
            self.deliver(self.address, subject=s)
        self.assertEqual(self.fetch("keep fetchall")[0], 0)
        self.assertEqual(self.fetch("keep fetchall")[0], 0)
        self.assertEqual(self.fetched_subjects(), ["all 0", "all 0", "all 1", "all 1"])
        self.assertEqual(len(self.inbox(self.address)), 2)

    def test_delete_mode_removes_fetched_messages(self):
        for s in ("gone 0", "gone 1", "gone 2"):
            self.deliver(self.address, subject=s)
        rc, out = self.fetch("")
        self.assertEqual(rc, 0, out)
        self.assertEqual(self.fetched_subjects(), ["gone 0", "gone 1", "gone 2"])
        self.assertEqual(self.inbox(self.address), [])  # QUIT expunged them
        self.assertEqual(self.fetch("")[0], 1)
        self.deliver(self.address, subject="gone 3")
        self.assertEqual(self.fetch("")[0], 0)
        self.assertEqual(self.fetched_subjects(), ["gone 0", "gone 1", "gone 2", "gone 3"])
        self.assertEqual(self.inbox(self.address), [])


@unittest.skipUnless(CURL, "curl is not installed")
class CurlTests(Pop3TestCase):
    domains = ("curl.test",)

    def curl(self, url, *extra):
        p = subprocess.run([CURL, "-sS", "-k", "--max-time", "60", "-u", "%s:%s" % (self.address, PASSWORD)]
                           + list(extra) + [url], capture_output=True, timeout=90)
        return p.returncode, p.stdout

    def setUp(self):
        self.address = unique("c").lower() + "@curl.test"
        self.make_account(self.address)

    def test_list_retrieve_and_delete(self):
        self.deliver(self.address, subject="curl one", body=".dotted\r\nline\r\n")
        self.deliver(self.address, subject="curl two")
        stored = self.stored(self.address)
        pop3s = "pop3s://127.0.0.1:%d/" % self.server.port("pop3s")
        rc, out = self.curl(pop3s)
        self.assertEqual(rc, 0)
        self.assertEqual(out, b"1 %d\r\n2 %d\r\n" % (len(stored[0]), len(stored[1])))
        rc, out = self.curl(pop3s + "1")
        self.assertEqual((rc, out), (0, stored[0]))
        stls = "pop3://127.0.0.1:%d/" % self.server.port("pop3")
        rc, out = self.curl(stls + "2", "--ssl-reqd")
        self.assertEqual((rc, out), (0, stored[1]))
        # curl closes its connection with QUIT: the DELE takes effect.
        rc, _ = self.curl(stls, "--ssl-reqd", "-X", "DELE 1", "-I")
        self.assertEqual(rc, 0)
        self.assertEqual(self.stored(self.address), stored[1:])
        # Without TLS curl finds no way to log in (no USER, no SASL offered).
        rc, _ = self.curl(stls + "1")
        self.assertEqual(rc, 67)  # CURLE_LOGIN_DENIED


if __name__ == "__main__":
    unittest.main()
