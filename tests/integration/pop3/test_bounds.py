"""The POP3 bounds as clients see them: pop3.max_messages (the oldest
messages are offered; the newer ones once older ones are deleted), a
200,000-message INBOX listed whole by LIST and UIDL under the default bound,
a 30 MB message retrieved byte for byte with its dot lines across every
range the server reads, and pop3.max_commands_per_second slowing down a
client that pipelines 10,000 commands while others are served as usual."""

import poplib
import time
import unittest

from posta_harness import stop_servers
from pop3_helpers import PASSWORD, Pop3TestCase, sql_literal, unique

DOMAIN = "bounds.test"

tearDownModule = stop_servers


def header_of(message):
    return message.split(b"\r\n\r\n", 1)[0] + b"\r\n\r\n"


class BoundsTests(Pop3TestCase):
    domains = (DOMAIN,)

    def account(self):
        address = unique("b").lower() + "@" + DOMAIN
        self.make_account(address)
        return address

    def uidvalidity(self, address):
        return int(self.scalar("SELECT b.uidvalidity FROM mailboxes b JOIN accounts a ON a.id = b.account_id "
                               "WHERE a.address = %s AND b.name = 'INBOX'" % sql_literal(address)))

    def test_max_messages_offers_the_oldest(self):
        address = self.account()
        for i in range(5):
            self.deliver(address, subject="m%d" % (i + 1))
        self.setting("pop3.max_messages", 3)
        uids = [m["uid"] for m in self.inbox(address)]
        stored = self.stored(address)
        p = self.pop(address)
        self.assertEqual(p.stat(), (3, sum(len(m) for m in stored[:3])))
        validity = self.uidvalidity(address)
        self.assertEqual(p.uidl()[1], [b"%d %d.%d" % (n + 1, validity, uids[n]) for n in range(3)])
        with self.assertRaises(poplib.error_proto):
            p.retr(4)
        for n in (1, 2, 3):
            p.dele(n)
        self.assertEqual(p.quit(), b"+OK Bye")
        # The journal says why a client saw fewer than INBOX holds.
        self.assertTrue(self.wait_journal(lambda e: e.get("text") == "maildrop bounded by pop3.max_messages"
                                          and e.get("fields", {}).get("user") == address, service="pop3"))
        p = self.pop(address)
        self.assertEqual(p.uidl()[1], [b"1 %d.%d" % (validity, uids[3]), b"2 %d.%d" % (validity, uids[4])])
        self.assertEqual(self.retrieved(p, 2), stored[4])
        p.quit()

    def retrieved(self, p, n):
        _, lines, _ = p.retr(n)
        return b"\r\n".join(lines) + b"\r\n"

    def test_a_huge_maildrop_is_listed_whole_under_the_default_bound(self):
        address = self.account()
        self.deliver(address, subject="the first of many")
        first = self.inbox(address)[0]
        first_bytes = first["prefix"].encode() + self.blob(first["hash"])
        # 199,999 more rows sharing the first one's body: what years of mail
        # left on the server look like to a POP3 client.
        self.sql("WITH box AS (SELECT mailbox_id, modseq, header_prefix, blob_hash, size FROM messages m "
                 "JOIN mailboxes b ON b.id = m.mailbox_id JOIN accounts a ON a.id = b.account_id "
                 "WHERE a.address = %s AND m.uid = %d) "
                 "INSERT INTO messages (mailbox_id, uid, modseq, header_prefix, blob_hash, size) "
                 "SELECT mailbox_id, %d + g, modseq, header_prefix, blob_hash, size FROM box, generate_series(1, 199999) g"
                 % (sql_literal(address), first["uid"], first["uid"]))
        self.sql("UPDATE mailboxes SET uidnext = uidnext + 199999 WHERE id = (SELECT mailbox_id FROM messages "
                 "WHERE blob_hash = %s LIMIT 1)" % sql_literal(first["hash"]))
        self.sql("UPDATE blobs SET refcount = refcount + 199999 WHERE hash = %s" % sql_literal(first["hash"]))
        self.assertEqual(self.scalar("SELECT count(*) FROM messages WHERE blob_hash = %s" % sql_literal(first["hash"])),
                         "200000")
        validity = self.uidvalidity(address)
        size = first["size"]
        c = self.raw(listener="pop3s", timeout=120)
        self.assertEqual(c.login(address, PASSWORD), "+OK Logged in, 100000 messages (%d octets)" % (100000 * size))
        self.assertEqual(c.cmd("LIST"), "+OK 100000 %d" % (100000 * size))
        listing = c.body()
        self.assertEqual(len(listing), 100000)
        self.assertEqual(listing, [b"%d %d" % (n, size) for n in range(1, 100001)])
        self.assertEqual(c.cmd("UIDL"), "+OK")
        self.assertEqual(c.body(), [b"%d %d.%d" % (n, validity, first["uid"] + n - 1) for n in range(1, 100001)])
        self.assertEqual(c.cmd("LIST 100000"), "+OK 100000 %d" % size)
        self.assertEqual(c.cmd("LIST 100001"), "-ERR No such message")
        self.assertEqual(c.cmd("RETR 100000"), "+OK %d octets" % size)
        self.assertEqual(b"\r\n".join(c.body()) + b"\r\n", first_bytes)
        self.assertEqual(c.cmd("QUIT"), "+OK Bye")

    def test_a_30_mb_message_is_retrieved_byte_for_byte(self):
        self.setting("smtp.max_message_size_mb", 40)
        address = self.account()
        # 7-octet lines, each starting with a dot: 7 is prime to every range
        # size the server reads (powers of two), so the ranges end at every
        # place of a line: before its dot, inside it, between CR and LF.
        line = b".abcd\r\n"
        body = b".\r\n..\r\n" + line * (30 * 1024 * 1024 // len(line))
        self.deliver(address, subject="thirty megabytes", body=body.decode())
        stored = self.stored(address)[0]
        self.assertGreater(len(stored), 30 * 1024 * 1024)
        self.check_retr_memory_is_bounded(address)
        p = self.pop(address, implicit_tls=True)
        resp, lines, _ = p.retr(1)
        self.assertEqual(resp, b"+OK %d octets" % len(stored))
        self.assertEqual(b"\r\n".join(lines) + b"\r\n", stored)  # poplib undid the stuffing of every line
        lines = None
        _, top, _ = p.top(1, 5000)  # past the first range TOP reads
        self.assertEqual(b"\r\n".join(top) + b"\r\n", header_of(stored) + b".\r\n..\r\n" + line * 4998)
        p.quit()

    def check_retr_memory_is_bounded(self, address):
        """A client that stops reading RETR after its first megabyte: once the
        server waits to write, a session that had read the whole message
        would hold its 30 MB and their encoded copy; one that streams holds a
        range or two. (A sanitizer build keeps freed memory aside for a
        while, so the bound is generous: the ranges sent so far count.)"""
        c = self.raw(listener="pop3s", timeout=60)
        self.assertTrue(c.login(address, PASSWORD).startswith("+OK Logged in"))
        before = self.server_rss()
        c.send(b"RETR 1\r\n")
        got = 0
        while got < 1024 * 1024:
            got += len(c.sock.recv(65536))
        deadline = time.monotonic() + 30
        while not self.server_send_queue(c.local_port()) and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertTrue(self.server_send_queue(c.local_port()), "the server never waited for the client")
        self.assertLess(self.server_rss() - before, 16 * 1024 * 1024)
        c.close()  # a reset: the server's next write fails and the session ends
        deadline = time.monotonic() + 30
        while self.lease_count(address) and time.monotonic() < deadline:
            time.sleep(0.1)

    def server_rss(self):
        with open("/proc/%d/status" % self.server.proc.pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        raise AssertionError("no VmRSS")

    def server_send_queue(self, client_port):
        """Bytes the server has written to the connection from client_port and
        the client has not yet read (/proc/net/tcp tx_queue)."""
        with open("/proc/net/tcp") as f:
            next(f)
            for line in f:
                fields = line.split()
                local, remote = fields[1], fields[2]
                if (int(local.split(":")[1], 16) == self.server.port("pop3s")
                        and int(remote.split(":")[1], 16) == client_port):
                    return int(fields[4].split(":")[0], 16)
        return 0

    def test_ten_thousand_pipelined_commands_are_slowed_down(self):
        self.setting("pop3.max_commands_per_second", 1)  # a burst of 5, then one a second
        flooded = self.account()
        self.deliver(flooded, subject="flooded")
        c = self.raw(listener="pop3")
        c.stls()
        self.assertTrue(c.login(flooded, PASSWORD).startswith("+OK Logged in"))
        c.send(b"LIST\r\n" * 10000)
        self.assertTrue(self.wait_journal(lambda e: e.get("text") == "commands slowed down"
                                          and e.get("fields", {}).get("user") == flooded, service="pop3"))
        # Everyone else is served meanwhile.
        other = self.account()
        self.deliver(other, subject="other")
        p = self.pop(other)
        self.assertEqual(p.stat()[0], 1)
        self.assertEqual(p.quit(), b"+OK Bye")
        # The flooding client gives up with answers unread (its close is a
        # reset, which the server hears at its next write): the session ends
        # and frees the maildrop.
        c.close()
        deadline = time.monotonic() + 30
        while self.lease_count(flooded) and time.monotonic() < deadline:
            time.sleep(0.1)
        self.assertEqual(self.lease_count(flooded), 0)
        self.assertEqual(self.pop(flooded).stat()[0], 1)

    def lease_count(self, address):
        return int(self.scalar("SELECT count(*) FROM pop3_maildrop_locks l JOIN accounts a ON a.id = l.account_id "
                               "WHERE a.address = %s" % sql_literal(address)))


if __name__ == "__main__":
    unittest.main()
