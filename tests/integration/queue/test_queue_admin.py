"""The mail queue as an administrator manages it, through `posta queue` and
/api/v1/queue, with the runner delivering to real peers (aiosmtpd sinks on
loopback, found through dnsmasq): a message the next server deferred is listed
under the id its client was told, with its recipients, size, attempts and the
remote reply; `show` gives every attempt; `flush` retries deferred mail now
(and a destination that was unreachable is tried again at once); `resend` does
so for one message; `delete` and `clear` take mail out of the queue. Every
action is in the journal."""

import time
import unittest

from outbound_case import ANN, OutboundTestCase
from outbound_peers import Sink, free_port, loopback_addresses
from posta_harness import stop_servers as tearDownModule  # noqa: F401
from smtp_helpers import API, sql_literal, unique


class QueueAdminTests(OutboundTestCase):
    @classmethod
    def start_peers(cls):
        live, busy, later = loopback_addresses(3)
        cls.port = free_port(live)
        # `live` accepts everything but defers each "held-" recipient once;
        # `busy` defers everyone; `later` has nobody listening until a test starts one.
        cls.live = Sink(live, cls.port, "--defer-once", "held-")
        cls.busy = Sink(busy, cls.port, "--reject", "", "451 4.2.1 mailbox busy, come back tomorrow")
        cls.peers += [cls.live, cls.busy]
        cls.later_address = later
        return [
            "mx-host=live.example.test,mx.live.example.test,10",
            "host-record=mx.live.example.test,%s" % live,
            "mx-host=busy.example.test,mx.busy.example.test,10",
            "host-record=mx.busy.example.test,%s" % busy,
            "mx-host=later.example.test,mx.later.example.test,10",
            "host-record=mx.later.example.test,%s" % later,
        ]

    # --- helpers ---------------------------------------------------------

    def listed(self, *args):
        return {m["id"]: m for m in self.cli_json("queue", "list", *args)["messages"]}

    def attempted(self, queue_id, times=1):
        """The message once every recipient has `times` failed attempts."""
        def check():
            m = self.listed().get(queue_id)
            return m if m and all(r["attempts"] >= times for r in m["recipients"]) else None
        return self.wait_until(check, what="a failed attempt of " + queue_id)

    def journal_texts(self):
        out = self.cli_json("journal", "--service", "queue", "--page-size", "1000")
        return [(e["text"], e["fields"]) for e in out["entries"]]

    def journaled(self, predicate, what):
        """The queue's journal entries matching predicate(text, fields), once there are some."""
        return self.wait_until(lambda: [(t, f) for t, f in self.journal_texts() if predicate(t, f)],
                               what="journal entry: " + what)

    # --- listing and showing ----------------------------------------------

    def test_a_deferred_message_is_listed_with_its_reply_and_shown_with_its_attempts(self):
        subject = unique("listed")
        rcpts = ["bob@busy.example.test", "carol@busy.example.test"]
        queue_id = self.submit(rcpts, subject)
        m = self.attempted(queue_id)
        self.assertEqual(m["sender"], ANN)
        self.assertEqual(sorted(r["address"] for r in m["recipients"]), rcpts)
        self.assertGreater(m["size"], len(subject))
        self.assertEqual(m["attempts"], 1)
        self.assertEqual(m["last_code"], 451)
        self.assertIn("mailbox busy, come back tomorrow", m["last_reply"])
        self.assertTrue(m["next_attempt_at"] > m["queued_at"], m)

        table = self.cli_ok("queue", "list")
        line = next(l for l in table.splitlines() if queue_id in l)
        for text in (ANN, "bob@busy.example.test, carol@busy.example.test", "451 4.2.1 mailbox busy"):
            self.assertIn(text, line)

        shown = self.cli_ok("queue", "show", queue_id)
        self.assertIn("Sender:", shown)
        self.assertIn("mx.busy.example.test", shown)
        self.assertEqual(shown.count("deferred"), 2, shown)
        detail = self.cli_json("queue", "show", queue_id)
        self.assertEqual(sorted((a["recipient"], a["outcome"], a["code"]) for a in detail["attempts_made"]),
                         [(r, "deferred", 451) for r in rcpts])

    def test_search_pages_and_bad_parameters(self):
        a = self.submit(["searched-%s@busy.example.test" % unique("s")], unique("search"))
        b = self.submit(["other@busy.example.test"], unique("search"))
        found = self.listed("--search", "SEARCHED-")
        self.assertIn(a, found)
        self.assertNotIn(b, found)
        page = self.api("GET", API + "/queue?page_size=1")
        self.assertEqual(page[0], 200)
        self.assertEqual(len(page[1]["messages"]), 1)
        self.assertGreaterEqual(page[1]["total"], 2)
        self.assertApi(400, "GET", API + "/queue?page=0", code="invalid_argument")
        self.assertApi(400, "GET", API + "/queue?page_size=abc", code="invalid_argument")
        self.assertApi(400, "GET", API + "/queue?page_size=1001", code="invalid_argument")
        self.assertApi(404, "GET", API + "/queue/no-such-id", code="not_found")
        self.assertApi(404, "POST", API + "/queue/no-such-id/resend", code="not_found")
        self.assertApi(404, "DELETE", API + "/queue/no-such-id", code="not_found")
        status, _ = self.server.api("GET", API + "/queue", token=None)
        self.assertEqual(status, 401)
        self.assertIn("no such message", self.cli_fails("queue", "show", "no-such-id", rc=1))

    # --- actions ------------------------------------------------------------

    def test_flush_retries_deferred_mail_now(self):
        subject = unique("flush")
        rcpt = "held-%s@live.example.test" % unique("f")
        queue_id = self.submit([rcpt], subject)
        self.attempted(queue_id)  # 451 once; the next attempt is minutes away
        self.assertEqual(self.live.wait_for(subject, timeout=2), [])
        self.assertIn("rescheduled", self.cli_ok("queue", "flush"))
        self.assertTrue(self.live.wait_for(subject), "flushed mail delivered")
        self.wait_until(lambda: queue_id not in self.listed(), what="delivered message gone from the queue")
        # Delivered recipients stay in the message's history.
        outcomes = [(a["outcome"], a["recipient"]) for a in self.attempts_of(queue_id)]
        self.assertEqual(outcomes, [("deferred", rcpt), ("delivered", rcpt)])
        self.journaled(lambda t, f: t == "queue flushed: deferred recipients are tried now", "flush")

    def attempts_of(self, queue_id):
        rows = self.sql("SELECT outcome, recipient FROM queue_attempts WHERE message_id = %s ORDER BY id"
                        % sql_literal(queue_id))
        return [{"outcome": o, "recipient": r} for o, r in rows]

    def test_flush_tries_an_unreachable_destination_again_at_once(self):
        subject = unique("later")
        queue_id = self.submit(["dora@later.example.test"], subject)
        self.attempted(queue_id)  # connection refused: the destination backs off
        sink = Sink(self.later_address, self.port)
        try:
            self.cli_ok("queue", "flush")
            self.assertTrue(sink.wait_for(subject), "mail for a destination that came back delivered at flush")
        finally:
            sink.stop()

    def test_resend_retries_one_message(self):
        first, second = unique("resend"), unique("resend")
        a = self.submit(["held-%s@live.example.test" % unique("r")], first)
        b = self.submit(["held-%s@live.example.test" % unique("r")], second)
        self.attempted(a)
        self.attempted(b)
        self.assertEqual(self.cli_ok("queue", "resend", a).strip(), "1 recipient rescheduled")
        self.assertTrue(self.live.wait_for(first), "resent message delivered")
        time.sleep(1)
        self.assertEqual(self.live.wait_for(second, timeout=0), [], "the other message still waits")
        self.assertIn(b, self.listed())
        self.journaled(lambda t, f: t == "queued message resent" and f.get("id") == a, "resend")

    def test_delete_takes_one_message_out_and_releases_its_body(self):
        subject = unique("delete")
        queue_id = self.submit(["erin@busy.example.test", "fred@busy.example.test"], subject)
        self.attempted(queue_id)
        blob = self.sql("SELECT DISTINCT blob_hash FROM queue WHERE delivery_id = %s" % sql_literal(queue_id))[0][0]
        self.assertEqual(self.cli_ok("queue", "delete", queue_id).strip(), "2 recipients deleted")
        self.assertNotIn(queue_id, self.listed())
        self.assertIn("no such message", self.cli_fails("queue", "show", queue_id, rc=1))
        # Unreferenced now: refcount 0, or already collected.
        self.assertIn(self.sql("SELECT refcount FROM blobs WHERE hash = %s" % sql_literal(blob)), ([["0"]], []))
        outcomes = sorted(a["outcome"] for a in self.attempts_of(queue_id))
        self.assertEqual(outcomes, ["deferred", "deferred", "deleted", "deleted"])
        entry = self.journaled(lambda t, f: t == "queued message deleted" and f.get("id") == queue_id, "delete")
        self.assertEqual(len(entry), 1)
        self.assertEqual(entry[0][1]["recipients"], 2)

    def test_clear_empties_the_queue(self):
        ids = [self.submit(["gina-%d@busy.example.test" % n], unique("clear")) for n in range(3)]
        self.assertTrue(set(ids) <= set(self.listed()))
        self.assertIn("recipients deleted", self.cli_ok("queue", "clear"))
        self.assertEqual(self.cli_ok("queue", "list").strip(), "the queue is empty")
        self.assertEqual(self.sql("SELECT count(*) FROM queue"), [["0"]])
        self.journaled(lambda t, f: t == "queue cleared" and f["recipients"] >= 3, "clear")


if __name__ == "__main__":
    unittest.main()
