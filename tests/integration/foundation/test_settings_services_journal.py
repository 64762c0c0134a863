"""Runtime settings, services and the journal through the admin API."""

import datetime
import time
import unittest

from posta_harness import PostaTestCase, stop_servers

API = "/api/v1"
tearDownModule = stop_servers  # one server per module, stopped after its last test


class SettingsTests(PostaTestCase):
    def setting(self, key):
        return self.assertApi(200, "GET", API + "/settings/" + key)

    def test_list_has_every_kind(self):
        listed = self.assertApi(200, "GET", API + "/settings")["settings"]
        by_key = {s["key"]: s for s in listed}
        self.assertEqual(len(by_key), len(listed), "duplicate keys")
        for key, kind in [("smtp.max_recipients", "int"), ("smtp.allow_plaintext_auth_on_loopback", "bool"),
                          ("smtp.trusted_networks", "list"), ("auth.default_domain", "string")]:
            with self.subTest(key=key):
                self.assertEqual(by_key[key]["type"], kind)
                self.assertIn("default", by_key[key])
                self.assertIn("value", by_key[key])
                self.assertTrue(by_key[key]["description"])
        self.assertEqual(by_key["smtp.trusted_networks"]["default"], [])

    def test_get_shows_default(self):
        s = self.setting("journal.retention_days")
        self.assertEqual(s["key"], "journal.retention_days")
        self.assertEqual(s["type"], "int")
        self.assertEqual(s["value"], s["default"])

    def check_set(self, key, value):
        s = self.assertApi(200, "PUT", API + "/settings/" + key, {"value": value})
        self.assertEqual(s["value"], value)
        self.assertEqual(self.setting(key)["value"], value)
        listed = {x["key"]: x for x in self.assertApi(200, "GET", API + "/settings")["settings"]}
        self.assertEqual(listed[key]["value"], value)

    def test_set_int(self):
        self.check_set("smtp.max_recipients", 250)
        self.assertEqual(self.setting("smtp.max_recipients")["default"], 100)

    def test_set_bool(self):
        self.check_set("smtp.allow_plaintext_auth_on_loopback", True)
        self.check_set("smtp.allow_plaintext_auth_on_loopback", False)

    def test_set_list(self):
        self.check_set("smtp.trusted_networks", ["10.0.0.0/8", "192.0.2.1"])
        self.check_set("smtp.trusted_networks", [])

    def test_set_string(self):
        self.check_set("auth.default_domain", "example.test")
        self.check_set("smtp.banner_name", "mx.example.test")
        self.check_set("smtp.banner_name", "")

    def test_wrong_types_are_refused(self):
        cases = [("smtp.max_message_size_mb", "5"), ("smtp.max_message_size_mb", 2.5),
                 ("smtp.max_message_size_mb", True), ("smtp.max_message_size_mb", -1),
                 ("smtp.max_message_size_mb", 10 ** 12), ("smtp.max_message_size_mb", None),
                 ("smtp.allow_plaintext_auth_on_loopback", 1), ("smtp.allow_plaintext_auth_on_loopback", "true"),
                 ("smtp.deny_list", "10.0.0.1"), ("smtp.deny_list", [1, 2]), ("smtp.deny_list", {"a": 1}),
                 ("smtp.banner_name", 5), ("smtp.banner_name", ["x"]), ("blobs.gc_grace_seconds", 1)]
        for key, value in cases:
            with self.subTest(key=key, value=value):
                before = self.setting(key)["value"]
                status, body = self.api("PUT", API + "/settings/" + key, {"value": value})
                self.assertEqual(status, 400, body)
                self.assertIn(body["error"]["code"], ("invalid_argument", "bad_request"))
                self.assertEqual(self.setting(key)["value"], before)

    def test_host_name_settings_refuse_line_breaks_and_non_host_names(self):
        # Issue 7: a banner with CR/LF went raw into every Received header.
        for key in ("smtp.banner_name", "auth.default_domain"):
            for value in ("mx\r\n250-INJECTED", "mx.test\r\nReceived: forged", "mx\nx", "mx\rx",
                          "mx.example.test ünïcode", "mx test", "mx..test", "-mx.test"):
                with self.subTest(key=key, value=value):
                    before = self.setting(key)["value"]
                    status, body = self.api("PUT", API + "/settings/" + key, {"value": value})
                    self.assertEqual(status, 400, body)
                    self.assertIn("not a host name", body["error"]["message"])
                    self.assertEqual(self.setting(key)["value"], before)
        # The server keeps serving: a proper name is taken.
        self.check_set("smtp.banner_name", "mx2.example.test")
        self.check_set("smtp.banner_name", "")

    def test_missing_value_field(self):
        self.assertApi(400, "PUT", API + "/settings/smtp.max_recipients", {"valu": 3}, code="bad_request")
        self.assertApi(400, "PUT", API + "/settings/smtp.max_recipients", [3], code="bad_request")

    def test_unknown_key(self):
        self.assertApi(404, "GET", API + "/settings/no.such.key", code="not_found")
        self.assertApi(404, "PUT", API + "/settings/no.such.key", {"value": 1}, code="not_found")
        keys = [s["key"] for s in self.assertApi(200, "GET", API + "/settings")["settings"]]
        self.assertNotIn("no.such.key", keys)


class ServiceTests(PostaTestCase):
    def services(self):
        return {s["name"]: s for s in self.assertApi(200, "GET", API + "/services")["services"]}

    def test_http_is_running(self):
        http = self.services()["http"]
        self.assertIs(http["enabled"], True)
        self.assertEqual(http["state"], "running")
        self.assertIn(str(self.server.port("http")), http["detail"])

    def test_disabling_http_is_refused(self):
        status, body = self.api("POST", API + "/services/http/disable")
        self.assertIn(status, (400, 403, 409), body)
        self.assertIn("error", body)
        http = self.services()["http"]
        self.assertEqual((http["enabled"], http["state"]), (True, "running"))

    def test_unknown_service(self):
        self.assertApi(404, "POST", API + "/services/nonesuch/enable", code="not_found")
        self.assertApi(404, "POST", API + "/services/nonesuch/disable", code="not_found")


class JournalTests(PostaTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The journal is written in batches (a few hundred ms): wait for the start-up entries.
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            status, body = cls.server.api("GET", API + "/journal?page_size=1000")
            if status == 200 and len(body["entries"]) >= 2 and "posta started" in [e["text"] for e in body["entries"]]:
                return
            time.sleep(0.2)
        raise AssertionError("the journal never showed 'posta started': %r" % (body,))

    def journal(self, query="", status=200):
        return self.assertApi(status, "GET", API + "/journal" + query)

    def test_today_has_the_start(self):
        today = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d")
        j = self.journal()
        self.assertEqual(j["date"], today)
        self.assertEqual((j["page"], j["page_size"]), (1, 100))
        texts = [e["text"] for e in j["entries"]]
        self.assertIn("posta started", texts)
        e = j["entries"][0]
        for field in ("id", "time", "level", "service", "text", "fields"):
            self.assertIn(field, e)
        self.assertTrue(e["time"].startswith(today), e)
        self.assertEqual(self.journal("?date=" + today)["total"], j["total"])

    def test_paging(self):
        full = self.journal("?page_size=1000")
        self.assertGreaterEqual(full["total"], 2)
        ids = [e["id"] for e in full["entries"]]
        self.assertEqual(len(ids), len(set(ids)))
        p1 = self.journal("?page_size=1&page=1")
        p2 = self.journal("?page_size=1&page=2")
        self.assertEqual(len(p1["entries"]), 1)
        self.assertEqual(len(p2["entries"]), 1)
        self.assertNotEqual(p1["entries"][0]["id"], p2["entries"][0]["id"])
        self.assertEqual(p1["page_size"], 1)
        self.assertEqual(p2["page"], 2)
        far = self.journal("?page_size=1&page=100000")
        self.assertEqual(far["entries"], [])

    def test_level_filter(self):
        everything = self.journal("?page_size=1000")
        errors = self.journal("?level=error&page_size=1000")
        self.assertTrue(all(e["level"] == "error" for e in errors["entries"]), errors)
        self.assertNotIn("posta started", [e["text"] for e in errors["entries"]])
        warnings = self.journal("?level=warning&page_size=1000")
        self.assertTrue(all(e["level"] in ("warning", "error") for e in warnings["entries"]))
        infos = self.journal("?level=info&page_size=1000")
        self.assertIn("posta started", [e["text"] for e in infos["entries"]])
        self.assertLessEqual(errors["total"], warnings["total"])
        self.assertLessEqual(warnings["total"], everything["total"])
        by_service = self.journal("?service=core&page_size=1000")
        self.assertTrue(by_service["entries"])
        self.assertTrue(all(e["service"] == "core" for e in by_service["entries"]))

    def test_an_old_day_is_empty(self):
        j = self.journal("?date=2001-01-01")
        self.assertEqual((j["total"], j["entries"]), (0, []))

    def test_bad_queries(self):
        for query in ("?date=yesterday", "?date=2020-13-45", "?date=2021-02-30", "?date=2020-1-1",
                      "?page=0", "?page=x", "?page_size=0", "?page_size=1001", "?level=loud"):
            with self.subTest(query=query):
                status, body = self.api("GET", API + "/journal" + query)
                self.assertEqual(status, 400, body)
                self.assertEqual(body["error"]["code"], "invalid_argument", body)


if __name__ == "__main__":
    unittest.main()
