"""Crash consistency of `posta serve`: after SIGKILL the server starts again on
the same data dir (its embedded postgres shuts down on its own), every object
acknowledged before the kill is there, and leftovers in the blob store do not
break start-up."""

import concurrent.futures
import os
import threading
import time
import unittest

from posta_harness import PostaTestCase, process_alive, stop_servers

API = "/api/v1"
tearDownModule = stop_servers  # one server per module, stopped after its last test


class CrashTests(PostaTestCase):
    def populate(self):
        for path, body in [("/domains", {"name": "crash.test", "description": "survives"}),
                           ("/accounts", {"address": "ann@crash.test", "password": "pw-ann", "quota_bytes": 4096,
                                          "display_name": "Ann"}),
                           ("/accounts", {"address": "ben@crash.test", "password": "pw-ben", "enabled": False}),
                           ("/aliases", {"address": "all@crash.test", "targets": ["ann@crash.test", "x@far.example"]}),
                           ("/groups", {"address": "crew@crash.test", "name": "Crew"}),
                           ("/groups/crew@crash.test/members", {"address": "ben@crash.test"})]:
            status, reply = self.api("POST", API + path, body)
            self.assertIn(status, (200, 201), (path, reply))
        self.assertApi(200, "PUT", API + "/settings/smtp.max_recipients", {"value": 7})
        self.assertApi(200, "PUT", API + "/settings/smtp.deny_list", {"value": ["192.0.2.66"]})

    def check_populated(self):
        d = self.assertApi(200, "GET", API + "/domains/crash.test")
        listed = self.assertApi(200, "GET", API + "/accounts?domain=crash.test")["accounts"]
        self.assertEqual((d["description"], d["accounts"]), ("survives", len(listed)))
        self.assertLessEqual({"ann@crash.test", "ben@crash.test"}, {a["address"] for a in listed})
        ann = self.assertApi(200, "GET", API + "/accounts/ann@crash.test")
        self.assertEqual((ann["quota_bytes"], ann["display_name"], ann["enabled"]), (4096, "Ann", True))
        self.assertIs(self.assertApi(200, "GET", API + "/accounts/ben@crash.test")["enabled"], False)
        alias = self.assertApi(200, "GET", API + "/aliases/all@crash.test")
        self.assertEqual(sorted(alias["targets"]), ["ann@crash.test", "x@far.example"])
        self.assertEqual(self.assertApi(200, "GET", API + "/groups/crew@crash.test")["members"], ["ben@crash.test"])
        self.assertEqual(self.assertApi(200, "GET", API + "/settings/smtp.max_recipients")["value"], 7)
        self.assertEqual(self.assertApi(200, "GET", API + "/settings/smtp.deny_list")["value"], ["192.0.2.66"])

    def kill_and_restart(self):
        old_postmaster = self.server.postmaster_pid()
        self.assertIsNotNone(old_postmaster, "no embedded postgres found for the data dir")
        self.server.kill9()
        # The kernel's parent-death signal makes the old postmaster shut down by itself.
        deadline = time.monotonic() + 60
        while process_alive(old_postmaster) and time.monotonic() < deadline:
            time.sleep(0.1)
        self.assertFalse(process_alive(old_postmaster), "the embedded postgres outlived its killed parent")
        self.server.start()

    def blob_leftovers(self):
        root = os.path.join(self.server.data_dir, "blobs")
        return sorted(os.path.relpath(os.path.join(d, f), root) for d, _, files in os.walk(root) for f in files)

    def test_1_objects_survive_sigkill(self):
        self.populate()
        self.kill_and_restart()
        self.check_populated()
        # The API still changes things after the crash.
        self.assertApi(201, "POST", API + "/accounts", {"address": "after@crash.test", "password": "pw-after"})
        self.assertApi(409, "POST", API + "/accounts", {"address": "ann@crash.test", "password": "pw"},
                       code="already_exists")

    def test_2_blob_temp_leftovers_do_not_break_start(self):
        # What a crash in the middle of writing a message body leaves behind.
        tmp = os.path.join(self.server.data_dir, "blobs", "tmp")
        os.makedirs(tmp, exist_ok=True)
        with open(os.path.join(tmp, "deadbeef0123"), "wb") as f:
            f.write(b"half a message")
        with open(os.path.join(tmp, ".hidden-partial"), "wb") as f:
            f.write(b"")
        self.kill_and_restart()
        self.check_populated()
        self.assertTrue(self.server.is_running())
        # Only our two planted files may remain (they are young, inside the GC grace period).
        self.assertEqual([p for p in self.blob_leftovers() if p not in ("tmp/deadbeef0123", "tmp/.hidden-partial")], [])

    def test_3_acknowledged_writes_survive_kill_under_load(self):
        self.assertApi(201, "POST", API + "/domains", {"name": "load.test"})
        acknowledged = []
        lock = threading.Lock()
        stop = threading.Event()

        def writer(n):
            i = 0
            while not stop.is_set():
                address = "u%d-%d@load.test" % (n, i)
                i += 1
                try:
                    status, _ = self.server.api("POST", API + "/accounts", {"address": address, "password": "pw"})
                except OSError:
                    return
                if status == 201:
                    with lock:
                        acknowledged.append(address)

        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            futures = [pool.submit(writer, n) for n in range(4)]
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and len(acknowledged) < 20:
                time.sleep(0.05)
            self.server.kill9()
            stop.set()
            for f in futures:
                f.result(timeout=60)
        self.assertGreater(len(acknowledged), 0, "no account was created before the kill")
        self.server.start()
        stored = {a["address"]: a for a in self.assertApi(200, "GET", API + "/accounts?domain=load.test")["accounts"]}
        missing = [a for a in acknowledged if a not in stored]
        self.assertEqual(missing, [], "acknowledged accounts lost in the crash")
        # Nothing half-made: every stored account is complete and usable.
        for address, account in stored.items():
            self.assertEqual(account["domain"], "load.test")
            self.assertEqual(account["source"], "local")
        d = self.assertApi(200, "GET", API + "/domains/load.test")
        self.assertEqual(d["accounts"], len(stored))
        self.check_populated()

    def test_4_clean_restart_keeps_everything(self):
        self.assertEqual(self.server.stop(), 0, "posta serve did not exit cleanly on SIGTERM")
        self.assertIsNone(self.server.postmaster_pid(), "postgres still running after a clean stop")
        self.server.start()
        self.check_populated()
        self.assertApi(200, "GET", API + "/accounts/after@crash.test")


if __name__ == "__main__":
    unittest.main()
