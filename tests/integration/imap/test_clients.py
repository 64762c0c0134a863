"""Real IMAP clients: mbsync (Debian isync) syncing both ways with a local
Maildir over IMAPS (changes on both sides, then a sync that transfers
nothing), and mutt reading a message over IMAPS in batch mode."""

import email
import os
import re
import shutil
import subprocess
import unittest

from posta_harness import make_temp_dir, stop_servers  # noqa: F401
from imap_helpers import ImapTestCase, PASSWORD, unique

DOMAIN = "imap-clients.test"


class MbsyncTests(ImapTestCase):
    domains = (DOMAIN,)

    def setUp(self):
        if not shutil.which("mbsync"):
            self.skipTest("mbsync (isync) is not installed: dev/install-deps")
        self.dir = make_temp_dir("posta-mbsync-")
        self.addCleanup(shutil.rmtree, self.dir, True)

    def config(self, address):
        maildir = os.path.join(self.dir, "mail")
        os.makedirs(maildir, exist_ok=True)
        cert = os.path.join(self.server.data_dir, "tls", "cert.pem")
        conf = os.path.join(self.dir, "mbsyncrc")
        with open(conf, "w") as f:
            f.write("""IMAPAccount posta
Host 127.0.0.1
Port %d
User %s
Pass %s
SSLType IMAPS
CertificateFile %s

IMAPStore remote
Account posta

MaildirStore local
Path %s/
Inbox %s/INBOX
SubFolders Verbatim

Channel sync
Far :remote:
Near :local:
Patterns *
Create Both
Expunge Both
SyncState *
""" % (self.server.port("imaps"), address, PASSWORD, cert, maildir, maildir))
        return conf, maildir

    def mbsync(self, conf):
        p = subprocess.run(["mbsync", "-V", "-c", conf, "-a"], capture_output=True, text=True, timeout=120)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        return p.stdout + p.stderr

    @staticmethod
    def files(maildir, box="INBOX"):
        out = []
        for sub in ("cur", "new"):
            d = os.path.join(maildir, box, sub)
            if os.path.isdir(d):
                out += [os.path.join(d, f) for f in os.listdir(d)]
        return sorted(out)

    def test_two_way_sync_then_nothing_to_do(self):
        address = unique("mb").lower() + "@" + DOMAIN
        self.make_account(address)
        self.deliver(address, "first from smtp")
        self.deliver(address, "second from smtp")
        conf, maildir = self.config(address)
        self.mbsync(conf)
        local = self.files(maildir)
        self.assertEqual(len(local), 2)
        self.assertTrue(os.path.isdir(os.path.join(maildir, "Sent")))
        # Changes on both sides: a flag and a new message locally, one on the server.
        os.rename(local[0], local[0].replace("/new/", "/cur/").split(":2,")[0] + ":2,S")
        with open(os.path.join(maildir, "INBOX", "new", "1700000000.1_1.local"), "wb") as f:
            f.write(b"From: me@x.test\r\nTo: you@x.test\r\nSubject: written locally\r\n\r\nhi\r\n")
        c = self.imaps(address)
        c.append("INBOX", "(\\Flagged)", None, b"From: a@x.test\r\nSubject: appended remotely\r\n\r\nyo\r\n")
        c.logout()
        self.mbsync(conf)
        self.assertEqual(len(self.files(maildir)), 4)
        c = self.imaps(address)
        c.select("INBOX")
        typ, data = c.search(None, "ALL")
        self.assertEqual(len(data[0].split()), 4)
        typ, data = c.search(None, "SEEN")
        self.assertEqual(len(data[0].split()), 1)
        typ, data = c.search(None, "SUBJECT", '"written locally"')
        self.assertEqual(len(data[0].split()), 1)
        before_server = c.status("INBOX", "(MESSAGES HIGHESTMODSEQ UIDNEXT)")[1][0]
        c.logout()
        before_local = self.files(maildir)
        # Nothing changed since: the third run moves nothing either way (no
        # local file added, renamed or removed; no change on the server).
        self.mbsync(conf)
        self.assertEqual(self.files(maildir), before_local)
        c = self.imaps(address)
        self.assertEqual(c.status("INBOX", "(MESSAGES HIGHESTMODSEQ UIDNEXT)")[1][0], before_server)


class MuttTests(ImapTestCase):
    domains = ("imap-mutt.test",)

    def test_mutt_reads_a_message_over_imaps(self):
        if not shutil.which("mutt") or not shutil.which("script"):
            self.skipTest("mutt is not installed: dev/install-deps")
        address = unique("mutt").lower() + "@imap-mutt.test"
        self.make_account(address)
        self.deliver(address, "for mutt", body="The secret word is marmalade.\r\n")
        d = make_temp_dir("posta-mutt-")
        self.addCleanup(shutil.rmtree, d, True)
        out = os.path.join(d, "out.txt")
        rc = os.path.join(d, "muttrc")
        cert = os.path.join(self.server.data_dir, "tls", "cert.pem")
        with open(rc, "w") as f:
            f.write('set certificate_file="%s"\nset ssl_verify_host=no\nset imap_user="%s"\nset imap_pass="%s"\n'
                    'set folder="imaps://127.0.0.1:%d/"\nset spoolfile="+INBOX"\nset header_cache=""\n'
                    'set confirmappend=no\nset wait_key=no\nset pipe_decode=yes\nset mbox_type=mbox\n'
                    % (cert, address, PASSWORD, self.server.port("imaps")))
        keys = "<pipe-message>cat > %s<enter><quit>" % out
        cmd = "mutt -n -F %s -e 'push \"%s\"'" % (rc, keys)
        p = subprocess.run(["script", "-q", "-e", "-c", cmd, "/dev/null"], capture_output=True, timeout=60,
                           env=dict(os.environ, TERM="xterm", HOME=d), stdin=subprocess.DEVNULL)
        self.assertTrue(os.path.exists(out), p.stdout[-2000:])
        with open(out) as f:
            text = f.read()
        self.assertIn("marmalade", text)
        self.assertIn("for mutt", text)


if __name__ == "__main__":
    unittest.main()
