"""Protocol correctness between sessions and versions: IMAP4rev2 once
enabled (RFC 9051: no \\Recent, SEARCH as ESEARCH, [CLOSED], the LIST
response in SELECT, OLDNAME, UTF-8 names), \\Recent for IMAP4rev1 clients
(RFC 3501 2.3.2: one session only, decided in the database), QRESYNC's
message sequence match data (RFC 7162 3.2.5.2), [EXPUNGEISSUED] (RFC 5530)
for commands naming a message another session expunged, and a selected
mailbox deleted or renamed elsewhere."""

import os
import re
import unittest

from posta_harness import PostaServer, stop_servers  # noqa: F401
from imap_helpers import ImapTestCase, RawImap, PASSWORD, unique

DOMAIN = "imap-rev2.test"
API = "/api/v1"


def msg(subject):
    return ("From: a@x.test\r\nTo: b@x.test\r\nSubject: %s\r\n\r\nbody\r\n" % subject).encode()


class Rev2Tests(ImapTestCase):
    domains = (DOMAIN,)

    def account(self, messages=0):
        address = unique("r").lower() + "@" + DOMAIN
        self.make_account(address)
        if messages:
            c = self.imaps(address)
            for i in range(messages):
                c.append("INBOX", None, None, msg("m%d" % i))
            c.logout()
        return address

    def raw(self, address, enable=None, select=None):
        r = RawImap(self.server.port("imaps"), implicit_tls=True)
        self.addCleanup(r.close)
        self.assertTrue(r.cmd("l", 'LOGIN "%s" "%s"' % (address, PASSWORD))[-1].startswith("l OK"))
        if enable:
            r.cmd("e", "ENABLE " + enable)
        if select:
            lines = r.cmd("s", select)
            self.assertTrue(lines[-1].startswith("s OK"), lines)
        return r

    def wait_line(self, raw, pattern, timeout=10):
        """Lines read until one matches (the test fails on timeout; no sleeps)."""
        raw.sock.settimeout(timeout)
        while True:
            line = raw.line()
            if re.search(pattern, line):
                return line

    # ---- IMAP4rev2 (RFC 9051) ----------------------------------------

    def test_rev2_is_offered_and_enabled(self):
        address = self.account()
        r = RawImap(self.server.port("imaps"), implicit_tls=True)
        self.addCleanup(r.close)
        self.assertIn(" IMAP4rev1 IMAP4rev2 ", r.greeting)
        r.cmd("l", 'LOGIN "%s" "%s"' % (address, PASSWORD))
        caps = r.cmd("c", "CAPABILITY")[0]
        self.assertIn(" IMAP4rev2 ", caps)
        self.assertIn(" STATUS=SIZE", caps)
        lines = r.cmd("e", "ENABLE IMAP4rev2")
        self.assertEqual(lines[0], "* ENABLED IMAP4rev2")

    def test_rev2_select_has_list_no_recent_and_closed_on_reselect(self):
        address = self.account(messages=2)
        r = self.raw(address, enable="IMAP4rev2")
        lines = r.cmd("s", "SELECT INBOX")
        text = "\n".join(lines)
        self.assertIn("* 2 EXISTS", lines)
        self.assertNotIn("RECENT", text)
        self.assertNotIn("[UNSEEN", text)
        self.assertIn('* LIST (\\HasNoChildren) "/" "INBOX"', lines)
        fetched = r.cmd("f", "FETCH 1:2 (FLAGS)")
        self.assertNotIn("\\Recent", "\n".join(fetched))
        self.assertIn("* 1 FETCH (FLAGS ())", fetched)
        lines = r.cmd("x", "EXAMINE INBOX")
        self.assertTrue(lines[0].startswith("* OK [CLOSED]"), lines)
        # A rev2 session takes no \Recent away from a rev1 client.
        old = self.raw(address)
        self.assertIn("* 2 RECENT", old.cmd("s", "SELECT INBOX"))

    def test_rev2_search_answers_with_esearch(self):
        address = self.account(messages=3)
        r = self.raw(address, enable="IMAP4rev2", select="SELECT INBOX")
        lines = r.cmd("a", "SEARCH ALL")
        self.assertEqual(lines[0], '* ESEARCH (TAG "a") ALL 1:3')
        lines = r.cmd("b", "UID SEARCH 2:3")
        self.assertEqual(lines[0], '* ESEARCH (TAG "b") UID ALL 2:3')
        lines = r.cmd("c", "SEARCH DELETED")
        self.assertEqual(lines[0], '* ESEARCH (TAG "c")')
        self.assertTrue(lines[1].startswith("c OK"))
        # An IMAP4rev1 client still gets SEARCH.
        old = self.raw(address, select="SELECT INBOX")
        self.assertEqual(old.cmd("a", "SEARCH ALL")[0], "* SEARCH 1 2 3")

    def test_rev2_oldname_utf8_names_and_status(self):
        address = self.account(messages=1)
        r = self.raw(address, enable="IMAP4rev2")
        lines = r.cmd("c", 'CREATE "Projekte/"')
        self.assertIn('* LIST () "/" "Projekte" ("OLDNAME" ("Projekte/"))', lines)
        self.assertTrue(lines[-1].startswith("c OK"))
        lines = r.cmd("u", 'CREATE "Bücher"')  # UTF-8 on the wire, no modified UTF-7
        self.assertTrue(lines[-1].startswith("u OK"), lines)
        text = "\n".join(r.cmd("l", 'LIST "" "B*"'))
        self.assertIn("Bücher", text)
        self.assertNotIn("&APw-", text)
        lines = r.cmd("t", "STATUS INBOX (MESSAGES SIZE DELETED)")
        self.assertRegex(lines[0], r'^\* STATUS "INBOX" \(MESSAGES 1 SIZE \d+ DELETED 0\)$')
        lines = r.cmd("d", 'DELETE "Projekte/"')
        self.assertIn('* LIST (\\NonExistent) "/" "Projekte" ("OLDNAME" ("Projekte/"))', lines)

    # ---- \Recent for IMAP4rev1 (RFC 3501 2.3.2) ---------------------

    def test_recent_belongs_to_the_first_selecting_session_only(self):
        address = self.account()
        for i in range(2):
            self.deliver(address, "recent %d" % i)
        look = self.raw(address)
        self.assertRegex(look.cmd("t", "STATUS INBOX (RECENT MESSAGES)")[0], r"RECENT 2 MESSAGES 2")
        # EXAMINE shows them and takes nothing.
        lines = look.cmd("x", "EXAMINE INBOX")
        self.assertIn("* 2 RECENT", lines)
        self.assertIn("\\Recent", "\n".join(look.cmd("f", "FETCH 1 (FLAGS)")))
        first = self.raw(address)
        self.assertIn("* 2 RECENT", first.cmd("s", "SELECT INBOX"))
        self.assertEqual(first.cmd("f", "FETCH 1 (FLAGS)")[0], "* 1 FETCH (FLAGS (\\Recent))")
        self.assertEqual(first.cmd("r", "SEARCH RECENT")[0], "* SEARCH 1 2")
        first.cmd("p", "STORE 1 +FLAGS.SILENT (\\Seen)")
        self.assertEqual(first.cmd("n", "SEARCH NEW")[0], "* SEARCH 2")
        self.assertEqual(first.cmd("o", "SEARCH OLD")[0], "* SEARCH")
        second = self.raw(address)
        self.assertIn("* 0 RECENT", second.cmd("s", "SELECT INBOX"))
        self.assertEqual(second.cmd("f", "FETCH 1 (FLAGS)")[0], "* 1 FETCH (FLAGS (\\Seen))")
        self.assertEqual(second.cmd("o", "SEARCH OLD")[0], "* SEARCH 1 2")
        self.assertRegex(second.cmd("t", "STATUS INBOX (RECENT)")[0], r"RECENT 0")

    def test_a_new_message_is_recent_in_the_session_told_first(self):
        address = self.account()
        idler = self.raw(address, select="SELECT INBOX")
        other = self.raw(address, select="SELECT INBOX")
        idler.send("i IDLE\r\n")
        self.assertTrue(idler.line().startswith("+"))
        self.deliver(address, "news")
        self.assertEqual(self.wait_line(idler, r"EXISTS"), "* 1 EXISTS")
        self.assertEqual(idler.line(), "* 1 RECENT")
        idler.send("DONE\r\n")
        self.assertTrue(idler.until_tagged("i")[-1].startswith("i OK"))
        # The other session hears of the message, not as news.
        lines = other.cmd("n", "NOOP")
        self.assertIn("* 1 EXISTS", lines)
        self.assertIn("* 0 RECENT", lines)

    # ---- QRESYNC sequence match data (RFC 7162 3.2.5.2) -------------

    def test_qresync_sequence_match_data_limits_vanished(self):
        address = self.account(messages=6)
        r = self.raw(address, enable="QRESYNC")
        lines = r.cmd("s", "SELECT INBOX")
        uidvalidity = re.search(r"UIDVALIDITY (\d+)", "\n".join(lines)).group(1)
        modseq = re.search(r"HIGHESTMODSEQ (\d+)", "\n".join(lines)).group(1)
        r.cmd("o", "LOGOUT")
        c = self.imaps(address)
        c.select("INBOX")
        c.store("2,5", "+FLAGS", "\\Deleted")
        c.expunge()
        # Now UIDs 1 3 4 6. This client knew of 2's expunge (number 2 is
        # UID 3 to it) but not of 5's.
        back = self.raw(address, enable="QRESYNC")
        lines = back.cmd("s", "SELECT INBOX (QRESYNC (%s %s 1:6 (1,2 1,3)))" % (uidvalidity, modseq))
        self.assertIn("* VANISHED (EARLIER) 5", lines)
        self.assertTrue(lines[-1].startswith("s OK"))
        # Without the match data both are told; so they are with a pair
        # that does not hold (number 3 is UID 4 now, the client says 5).
        again = self.raw(address, enable="QRESYNC")
        lines = again.cmd("s", "SELECT INBOX (QRESYNC (%s %s 1:6))" % (uidvalidity, modseq))
        self.assertIn("* VANISHED (EARLIER) 2,5", lines)
        third = self.raw(address, enable="QRESYNC")
        lines = third.cmd("s", "SELECT INBOX (QRESYNC (%s %s 1:6 (3 5)))" % (uidvalidity, modseq))
        self.assertIn("* VANISHED (EARLIER) 2,5", lines)

    # ---- [EXPUNGEISSUED] (RFC 5530, RFC 2180 4) ----------------------

    def test_commands_naming_a_message_expunged_elsewhere(self):
        address = self.account(messages=3)
        r = self.raw(address, select="SELECT INBOX")
        c = self.imaps(address)
        c.select("INBOX")
        c.store("2", "+FLAGS", "\\Deleted")
        c.expunge()
        # Message 2 is still number 2 here: its data is gone.
        lines = r.cmd("f", "FETCH 1:3 (BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
        self.assertTrue(lines[-1].startswith("f NO [EXPUNGEISSUED]"), lines)
        self.assertIn("Subject: m0", "\n".join(lines))
        self.assertIn("Subject: m2", "\n".join(lines))
        self.assertNotIn("Subject: m1", "\n".join(lines))
        self.assertFalse([l for l in lines if l.endswith(" EXPUNGE")], lines)
        # FLAGS are still this session's view (RFC 2180 4.1.1): answered, OK.
        lines = r.cmd("g", "FETCH 1:3 (FLAGS)")
        self.assertTrue(lines[-1].startswith("g OK"), lines)
        self.assertEqual(len([l for l in lines if " FETCH (FLAGS" in l]), 3, lines)
        # STORE changes the others and says so.
        lines = r.cmd("t", "STORE 1:3 +FLAGS (\\Flagged)")
        self.assertTrue(lines[-1].startswith("t OK [EXPUNGEISSUED]"), lines)
        self.assertNotIn("* 2 EXPUNGE", lines)
        self.assertIn("\\Flagged", c.fetch("2", "(FLAGS)")[1][0].decode())  # m2 is number 2 for c
        # COPY is all or nothing.
        lines = r.cmd("k", "COPY 2:3 Trash")
        self.assertTrue(lines[-1].startswith("k NO [EXPUNGEISSUED]"), lines)
        self.assertIn(b"(MESSAGES 0)", c.status("Trash", "(MESSAGES)")[1][0])
        # A UID command may tell the expunge held back, and names only what exists.
        lines = r.cmd("u", "UID FETCH 2 (FLAGS)")
        self.assertEqual(lines[0], "* 2 EXPUNGE")
        self.assertTrue(lines[-1].startswith("u OK"), lines)
        self.assertEqual(r.cmd("g", "FETCH 2 (UID)")[0], "* 2 FETCH (UID 3)")

    # ---- the selected mailbox deleted or renamed elsewhere ----------

    def test_selected_mailbox_deleted_by_another_session_is_bye(self):
        address = self.account()
        c = self.imaps(address)
        c.create("Gone")
        idler = self.raw(address, select="SELECT Gone")
        busy = self.raw(address, select="SELECT Gone")
        idler.send("i IDLE\r\n")
        self.assertTrue(idler.line().startswith("+"))
        self.assertEqual(c.delete("Gone")[0], "OK")
        self.assertTrue(self.wait_line(idler, r"^\* BYE").startswith("* BYE"))
        self.assertTrue(idler.closed())
        busy.send("n NOOP\r\n")
        self.assertTrue(self.wait_line(busy, r"^\* BYE").startswith("* BYE"))
        self.assertTrue(busy.closed())
        # The session that deleted it goes on; so does any other.
        self.assertEqual(c.noop()[0], "OK")

    def test_deleting_the_selected_mailbox_itself_leaves_selected_state(self):
        address = self.account()
        r = self.raw(address)
        r.cmd("c", "CREATE Mine")
        r.cmd("s", "SELECT Mine")
        # Renamed by another session first: it is still the one selected.
        c = self.imaps(address)
        self.assertEqual(c.rename("Mine", "Yours")[0], "OK")
        self.assertTrue(r.cmd("d", "DELETE Yours")[-1].startswith("d OK"))
        self.assertTrue(r.cmd("f", "FETCH 1 (FLAGS)")[-1].startswith("f BAD"))
        self.assertTrue(r.cmd("n", "NOOP")[-1].startswith("n OK"))

    def test_account_deleted_by_the_administrator_is_bye(self):
        address = self.account()
        idler = self.raw(address, select="SELECT INBOX")
        idler.send("i IDLE\r\n")
        self.assertTrue(idler.line().startswith("+"))
        status, _ = self.server.api("DELETE", API + "/accounts/" + address)
        self.assertIn(status, (200, 204))
        self.assertTrue(self.wait_line(idler, r"^\* BYE").startswith("* BYE"))
        self.assertTrue(idler.closed())

    def test_selected_mailbox_renamed_elsewhere_stays_selected(self):
        address = self.account()
        c = self.imaps(address)
        c.create("Old")
        c.append("Old", None, None, msg("kept"))
        r = self.raw(address, select="SELECT Old")
        self.assertEqual(c.rename("Old", "New")[0], "OK")
        c.append("New", None, None, msg("after"))
        lines = r.cmd("n", "NOOP")
        self.assertTrue(lines[-1].startswith("n OK"), lines)
        self.assertIn("* 2 EXISTS", lines)
        lines = r.cmd("f", "FETCH 2 (BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
        self.assertIn("Subject: after", "\n".join(lines))
        self.assertTrue(lines[-1].startswith("f OK"))
        # The name it has now is the one a reselect uses.
        self.assertTrue(r.cmd("s", "SELECT New")[-1].startswith("s OK"))

    # ---- rev2 base commands ---------------------------------------------

    def test_rev2_unselect_uid_expunge_and_move(self):
        address = self.account(messages=3)
        r = self.raw(address, enable="IMAP4rev2", select="SELECT INBOX")
        lines = r.cmd("m", "MOVE 1 Trash")
        self.assertTrue(any(l.startswith("* OK [COPYUID ") for l in lines), lines)
        self.assertIn("* 1 EXPUNGE", lines)
        r.cmd("d", "STORE 1:2 +FLAGS.SILENT (\\Deleted)")
        lines = r.cmd("x", "UID EXPUNGE 3")
        self.assertIn("* 2 EXPUNGE", lines)
        self.assertTrue(lines[-1].startswith("x OK"))
        self.assertTrue(r.cmd("u", "UNSELECT")[-1].startswith("u OK"))
        self.assertRegex(r.cmd("t", "STATUS INBOX (MESSAGES)")[0], r"MESSAGES 1\)")

    # ---- two nodes on one database --------------------------------------

    @classmethod
    def second_node(cls):
        """Another `posta serve` on the same PostgreSQL (the first one's
        embedded cluster): what one node does, the other's sessions see."""
        if getattr(cls, "_node_b", None) is None:
            url = "host=%s port=5432 user=postgres dbname=posta" % os.path.join(cls.server.data_dir, "pg")
            node = PostaServer(extra_toml='[database]\nurl = "%s"\n' % url)
            try:
                node.start()
            except BaseException:
                node.dump_logs()
                node.cleanup()
                raise
            cls._node_b = node
        return cls._node_b

    @classmethod
    def tearDownClass(cls):
        node = getattr(cls, "_node_b", None)
        if node is not None:
            node.cleanup()
            cls._node_b = None
        super().tearDownClass()

    def raw_on(self, node, address, select=None):
        r = RawImap(node.port("imaps"), implicit_tls=True)
        self.addCleanup(r.close)
        self.assertTrue(r.cmd("l", 'LOGIN "%s" "%s"' % (address, PASSWORD))[-1].startswith("l OK"))
        if select:
            self.assertTrue(r.cmd("s", select)[-1].startswith("s OK"))
        return r

    def test_recent_delivery_and_deletion_across_nodes(self):
        node_b = self.second_node()
        address = self.account()
        self.deliver(address, "first")
        far = self.raw_on(node_b, address)
        self.assertIn("* 1 RECENT", far.cmd("s", "SELECT INBOX"))
        near = self.raw(address)
        self.assertIn("* 0 RECENT", near.cmd("s", "SELECT INBOX"))
        # An IDLE session on node B hears of a delivery through node A.
        far.send("i IDLE\r\n")
        self.assertTrue(far.line().startswith("+"))
        self.deliver(address, "second")
        self.assertEqual(self.wait_line(far, r"EXISTS"), "* 2 EXISTS")
        self.assertEqual(far.line(), "* 2 RECENT")  # both are news to this session
        far.send("DONE\r\n")
        far.until_tagged("i")
        self.assertIn("* 0 RECENT", near.cmd("n", "NOOP"))
        # A mailbox deleted on node A ends the session on node B that has it selected.
        near.cmd("c", "CREATE Far")
        far.cmd("s", "SELECT Far")
        far.send("j IDLE\r\n")
        self.assertTrue(far.line().startswith("+"))
        self.assertTrue(near.cmd("d", "DELETE Far")[-1].startswith("d OK"))
        self.assertTrue(self.wait_line(far, r"^\* BYE").startswith("* BYE"))
        self.assertTrue(far.closed())


if __name__ == "__main__":
    unittest.main()
