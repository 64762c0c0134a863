"""Changing a local account's password through the API and the CLI: the change
is accepted, the server keeps running and the other fields stay as they were."""

import unittest

from posta_harness import PostaTestCase, stop_servers

API = "/api/v1"
tearDownModule = stop_servers  # one server per module, stopped after its last test


class PasswordTests(PostaTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        status, body = cls.server.api("POST", API + "/domains", json={"name": "pw.test"})
        assert status == 201, body

    def make_account(self, address):
        self.assertApi(201, "POST", API + "/accounts",
                       {"address": address, "password": "first-pw", "display_name": "P", "quota_bytes": 777})

    def test_api_patch_password(self):
        self.make_account("api@pw.test")
        a = self.assertApi(200, "PATCH", API + "/accounts/api@pw.test", {"password": "second-pw"})
        self.assertNotIn("password", a)
        self.assertEqual((a["display_name"], a["quota_bytes"], a["enabled"]), ("P", 777, True))
        self.assertTrue(self.server.is_running(), "posta serve died changing a password")
        self.assertApi(400, "PATCH", API + "/accounts/api@pw.test", {"password": ""}, code="invalid_argument")

    def test_cli_passwd(self):
        self.make_account("cli@pw.test")
        self.cli_ok("account", "passwd", "cli@pw.test", "--password", "third-pw")
        self.cli_ok("account", "passwd", "cli@pw.test", "--password-stdin", input="fourth-pw\n")
        self.assertTrue(self.server.is_running(), "posta serve died changing a password")
        shown = self.cli_json("account", "show", "cli@pw.test")
        self.assertEqual(shown["quota_bytes"], 777)
        self.cli_fails("account", "passwd", "nobody@pw.test", "--password", "x-pw", rc=1)


if __name__ == "__main__":
    unittest.main()
