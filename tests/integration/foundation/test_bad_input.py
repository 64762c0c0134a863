"""Hostile or broken requests to the admin API: the right status and error
code, and nothing changed behind the refusal."""

import socket
import unittest

from posta_harness import PostaTestCase, stop_servers

API = "/api/v1"
tearDownModule = stop_servers  # one server per module, stopped after its last test
MIB = 1024 * 1024


class BadInputTests(PostaTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for path, body in [("/domains", {"name": "bad.test"}),
                           ("/accounts", {"address": "keep@bad.test", "password": "pw-123456", "quota_bytes": 10})]:
            status, reply = cls.server.api("POST", API + path, json=body)
            assert status == 201, (status, reply)

    def snapshot(self):
        return {kind: self.assertApi(200, "GET", API + "/" + kind)[kind]
                for kind in ("domains", "accounts", "aliases", "groups")}

    def test_malformed_json_changes_nothing(self):
        before = self.snapshot()
        for method, path, body in [("POST", "/domains", '{"name": "x.test"'),
                                   ("POST", "/domains", "name=x.test"),
                                   ("POST", "/domains", '{"name": "x.test"} trailing'),
                                   ("POST", "/accounts", '{"address": "new@bad.test", "password": }'),
                                   ("POST", "/aliases", "\xff\xfe"),
                                   ("PATCH", "/accounts/keep@bad.test", '{"quota_bytes": 99,'),
                                   ("PUT", "/settings/smtp.max_recipients", "{value: 5}"),
                                   ("POST", "/domains", "")]:
            with self.subTest(method=method, path=path, body=body):
                status, reply = self.api(method, API + path, body=body.encode("latin-1"))
                self.assertEqual(status, 400, reply)
                self.assertErrorShape(reply, "bad_request")
        self.assertEqual(self.snapshot(), before)
        self.assertEqual(self.assertApi(200, "GET", API + "/settings/smtp.max_recipients")["value"], 100)

    def test_json_of_the_wrong_shape(self):
        before = self.snapshot()
        for body in ('["x.test"]', '"x.test"', "42", "null", '{"name": ["x.test"]}', '{"name": null}'):
            with self.subTest(body=body):
                status, reply = self.api("POST", API + "/domains", body=body)
                self.assertEqual(status, 400, reply)
                self.assertErrorShape(reply, "bad_request")
        self.assertEqual(self.snapshot(), before)

    def test_nul_in_strings_and_duplicate_names_are_refused(self):
        # Issue 7: "a\u0000b" was stored as "a", and of duplicate names the
        # last one won ({"name":"dup1.test","name":"dup2.test"} made dup2.test).
        before = self.snapshot()
        cases = [("POST", "/domains", '{"name":"dup1.test","name":"dup2.test"}', "duplicate JSON member \"name\""),
                 ("POST", "/domains", '{"name":"nul.test","description":"a\\u0000b"}', "NUL"),
                 ("POST", "/domains", '{"name":"nul\\u0000.test"}', "NUL"),
                 ("POST", "/domains", '{"name":"k.test","descr\\u0000iption":"x"}', "NUL"),
                 ("POST", "/accounts", '{"address":"a@bad.test","password":"pw-123456","password":"other-123"}',
                  "duplicate"),
                 ("PATCH", "/accounts/keep@bad.test", '{"quota_bytes":99,"quota_bytes":5}', "duplicate"),
                 ("PUT", "/settings/smtp.max_recipients", '{"value":5,"value":7}', "duplicate"),
                 ("POST", "/aliases", '{"address":"al@bad.test","targets":["keep@bad.test","x\\u0000"]}', "NUL"),
                 ("POST", "/domains", '{"name":"n.test","x":{"k":1,"k":2}}', "duplicate")]
        for method, path, body, why in cases:
            with self.subTest(body=body):
                status, reply = self.api(method, API + path, body=body.encode())
                self.assertEqual(status, 400, reply)
                self.assertErrorShape(reply, "bad_request")
                self.assertIn(why, reply["error"]["message"])
        self.assertEqual(self.snapshot(), before)
        self.assertEqual(self.assertApi(200, "GET", API + "/settings/smtp.max_recipients")["value"], 100)
        # Same names in different objects are fine, and the API keeps serving.
        status, reply = self.api("POST", API + "/domains", body=b'{"name":"uniq.test","description":"{\\"name\\":1}"}')
        self.assertEqual(status, 201, reply)

    def test_body_over_one_mib(self):
        before = self.snapshot()
        big = '{"name": "big.test", "description": "' + "x" * (MIB + 16) + '"}'
        status, reply = self.api("POST", API + "/domains", body=big)
        self.assertEqual(status, 413, reply)
        self.assertErrorShape(reply, "payload_too_large")
        self.assertEqual(self.snapshot(), before)
        # A body just under the limit is read (and refused for its content, not its size).
        near = '{"name": "near.test", "description": "' + "y" * (MIB - 100) + '"}'
        status, reply = self.api("POST", API + "/domains", body=near)
        self.assertEqual(status, 400, reply)
        self.assertApi(404, "GET", API + "/domains/near.test")

    def test_declared_length_over_one_mib(self):
        # Content-Length alone is enough to refuse: the body is never sent.
        with socket.create_connection(("127.0.0.1", self.server.port("http")), timeout=10) as s:
            s.sendall(("POST %s/domains HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
                       "Content-Type: application/json\r\nContent-Length: %d\r\n\r\n"
                       % (API, self.server.token, 50 * MIB)).encode())
            answer = b""
            while b"\r\n\r\n" not in answer:
                chunk = s.recv(4096)
                if not chunk:
                    break
                answer += chunk
        self.assertTrue(answer.startswith(b"HTTP/1.1 413"), answer[:200])

    def test_token_wrong_or_missing(self):
        before = self.snapshot()
        for token in (None, "wrong-token", "", self.server.token + "x", self.server.token[:-1]):
            with self.subTest(token=token):
                status, reply = self.api("GET", API + "/domains", token=token)
                self.assertEqual(status, 401, reply)
                self.assertErrorShape(reply, "unauthorized")
                status, reply = self.api("POST", API + "/domains", {"name": "sneaky.test"}, token=token)
                self.assertEqual(status, 401, reply)
                status, reply = self.api("DELETE", API + "/accounts/keep@bad.test", token=token)
                self.assertEqual(status, 401, reply)
        for header in ("Basic " + self.server.token, "Bearer", "bearer  " + self.server.token + " extra"):
            with self.subTest(header=header):
                status, reply = self.api("GET", API + "/domains", token=None, headers={"Authorization": header})
                self.assertEqual(status, 401, reply)
        self.assertEqual(self.snapshot(), before)

    def test_ready_page_needs_no_token(self):
        status, _, body = self.server.request("GET", "/", token=None)
        self.assertEqual(status, 200)
        self.assertTrue(body)

    def test_unknown_route(self):
        for path in ("/api/v1/nothing", "/api/v1/domains/bad.test/extra/segments", "/api/v2/domains", "/nothing"):
            with self.subTest(path=path):
                status, reply = self.api("GET", path)
                self.assertEqual(status, 404, reply)
                self.assertErrorShape(reply, "not_found")

    def test_wrong_method(self):
        for method, path in [("PUT", "/domains"), ("PUT", "/domains/bad.test"), ("DELETE", "/settings"),
                             ("POST", "/settings/smtp.max_recipients"), ("DELETE", "/journal"),
                             ("GET", "/services/http/disable")]:
            with self.subTest(method=method, path=path):
                status, reply = self.api(method, API + path, body=b"{}")
                self.assertEqual(status, 405, reply)
                self.assertErrorShape(reply, "method_not_allowed")
        self.assertApi(200, "GET", API + "/domains/bad.test")

    def test_still_serving_after_all_that(self):
        self.assertTrue(self.server.is_running())
        self.assertApi(200, "GET", API + "/accounts/keep@bad.test")


if __name__ == "__main__":
    unittest.main()
