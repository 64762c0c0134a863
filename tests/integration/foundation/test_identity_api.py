"""Identity through the admin API (docs/api.md): domains, accounts, aliases and
groups as an administrator sees them, including the refusals."""

import unittest

from posta_harness import PostaTestCase, quote, stop_servers

API = "/api/v1"
tearDownModule = stop_servers  # one server per module, stopped after its last test


class DomainTests(PostaTestCase):
    def domain_names(self):
        body = self.assertApi(200, "GET", API + "/domains")
        return [d["name"] for d in body["domains"]]

    def test_create_list_show(self):
        d = self.assertApi(201, "POST", API + "/domains", {"name": "alpha.test", "description": "Alpha"})
        self.assertEqual(d["name"], "alpha.test")
        self.assertEqual(d["description"], "Alpha")
        self.assertEqual(d["accounts"], 0)
        self.assertRegex(d["created_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertIn("alpha.test", self.domain_names())
        shown = self.assertApi(200, "GET", API + "/domains/alpha.test")
        self.assertEqual(shown["name"], "alpha.test")
        self.assertEqual(shown["description"], "Alpha")

    def test_names_are_lowercased(self):
        d = self.assertApi(201, "POST", API + "/domains", {"name": "MiXeD.Test"})
        self.assertEqual(d["name"], "mixed.test")
        self.assertApi(200, "GET", API + "/domains/MIXED.TEST")

    def test_duplicate_is_already_exists(self):
        self.assertApi(201, "POST", API + "/domains", {"name": "dup.test"})
        self.assertApi(409, "POST", API + "/domains", {"name": "dup.test"}, code="already_exists")
        self.assertApi(409, "POST", API + "/domains", {"name": "DUP.test"}, code="already_exists")
        self.assertEqual(self.domain_names().count("dup.test"), 1)

    def test_invalid_names_are_refused(self):
        before = self.domain_names()
        bad = ["", "bad..test", "-lead.test", "trail-.test", "has space.test", "x" * 64 + ".test",
               "under_score.test", "semi;colon.test", "slash/x.test", ".dot.test", "a." * 130 + "test",
               "numeric.123"]
        for name in bad:
            with self.subTest(name=name):
                status, body = self.api("POST", API + "/domains", {"name": name})
                self.assertEqual(status, 400, "%r -> %s %r" % (name, status, body))
                self.assertIn(body["error"]["code"], ("invalid_argument", "bad_request"))
        self.assertEqual(self.domain_names(), before)

    def test_missing_or_mistyped_name(self):
        self.assertApi(400, "POST", API + "/domains", {}, code="bad_request")
        self.assertApi(400, "POST", API + "/domains", {"name": 42}, code="bad_request")

    def test_idn_is_stored_as_a_label(self):
        d = self.assertApi(201, "POST", API + "/domains", {"name": "Bücher.Example"})
        self.assertEqual(d["name"], "xn--bcher-kva.example")
        self.assertIn("xn--bcher-kva.example", self.domain_names())
        self.assertNotIn("bücher.example", self.domain_names())
        # The Unicode form names the same domain.
        shown = self.assertApi(200, "GET", API + "/domains/" + quote("bücher.example"))
        self.assertEqual(shown["name"], "xn--bcher-kva.example")
        self.assertApi(409, "POST", API + "/domains", {"name": "xn--bcher-kva.example"}, code="already_exists")

    def test_unknown_domain(self):
        self.assertApi(404, "GET", API + "/domains/nowhere.test", code="not_found")
        self.assertApi(404, "DELETE", API + "/domains/nowhere.test", code="not_found")

    def test_delete_refused_while_it_has_accounts(self):
        self.assertApi(201, "POST", API + "/domains", {"name": "busy.test"})
        self.assertApi(201, "POST", API + "/accounts", {"address": "u@busy.test", "password": "pw-123456"})
        d = self.assertApi(200, "GET", API + "/domains/busy.test")
        self.assertEqual(d["accounts"], 1)
        self.assertApi(409, "DELETE", API + "/domains/busy.test", code="conflict")
        self.assertIn("busy.test", self.domain_names())
        self.assertApi(204, "DELETE", API + "/accounts/u@busy.test")
        self.assertApi(204, "DELETE", API + "/domains/busy.test")
        self.assertNotIn("busy.test", self.domain_names())
        self.assertApi(404, "GET", API + "/domains/busy.test", code="not_found")

    def test_delete_refused_while_it_has_aliases_or_groups(self):
        self.assertApi(201, "POST", API + "/domains", {"name": "busy2.test"})
        self.assertApi(201, "POST", API + "/aliases", {"address": "a@busy2.test", "targets": ["x@elsewhere.org"]})
        self.assertApi(409, "DELETE", API + "/domains/busy2.test", code="conflict")
        self.assertApi(204, "DELETE", API + "/aliases/a@busy2.test")
        self.assertApi(201, "POST", API + "/groups", {"address": "g@busy2.test"})
        self.assertApi(409, "DELETE", API + "/domains/busy2.test", code="conflict")
        self.assertApi(204, "DELETE", API + "/groups/g@busy2.test")
        self.assertApi(204, "DELETE", API + "/domains/busy2.test")


class AccountTests(PostaTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        status, body = cls.server.api("POST", API + "/domains", json={"name": "acct.test"})
        assert status == 201, body
        status, body = cls.server.api("POST", API + "/domains", json={"name": "other.test"})
        assert status == 201, body

    def create(self, address, **fields):
        spec = {"address": address, "password": "s3cret-pw"}
        spec.update(fields)
        return self.assertApi(201, "POST", API + "/accounts", spec)

    def test_create_with_quota_and_show(self):
        a = self.create("alice@acct.test", display_name="Alice Liddell", quota_bytes=1048576)
        self.assertEqual(a["address"], "alice@acct.test")
        self.assertEqual(a["domain"], "acct.test")
        self.assertEqual(a["display_name"], "Alice Liddell")
        self.assertIs(a["enabled"], True)
        self.assertEqual(a["quota_bytes"], 1048576)
        self.assertEqual(a["used_bytes"], 0)
        self.assertEqual(a["source"], "local")
        self.assertNotIn("password", a)
        shown = self.assertApi(200, "GET", API + "/accounts/alice@acct.test")
        self.assertEqual(shown, a)

    def test_address_is_normalised(self):
        a = self.create("Bob.Smith@ACCT.Test")
        self.assertEqual(a["address"], "bob.smith@acct.test")
        self.assertApi(200, "GET", API + "/accounts/BOB.SMITH@acct.test")

    def test_list_and_domain_filter(self):
        self.create("l1@acct.test")
        self.create("l2@other.test")
        everything = [a["address"] for a in self.assertApi(200, "GET", API + "/accounts")["accounts"]]
        self.assertIn("l1@acct.test", everything)
        self.assertIn("l2@other.test", everything)
        only = [a["address"] for a in self.assertApi(200, "GET", API + "/accounts?domain=other.test")["accounts"]]
        self.assertIn("l2@other.test", only)
        self.assertNotIn("l1@acct.test", only)
        self.assertTrue(all(a.endswith("@other.test") for a in only), only)

    def test_duplicate(self):
        self.create("dup@acct.test")
        self.assertApi(409, "POST", API + "/accounts", {"address": "DUP@acct.test", "password": "x-123456"},
                       code="already_exists")

    def test_bad_addresses(self):
        for address in ["nobody", "two@@acct.test", "@acct.test", "sp ace@acct.test", "a@b@acct.test",
                        ".lead@acct.test", "dot..dot@acct.test", "x" * 65 + "@acct.test", "semi;colon@acct.test"]:
            with self.subTest(address=address):
                status, body = self.api("POST", API + "/accounts", {"address": address, "password": "pw-123456"})
                self.assertEqual(status, 400, "%r -> %s %r" % (address, status, body))
                self.assertEqual(body["error"]["code"], "invalid_argument", body)

    def test_unknown_domain_is_not_found(self):
        self.assertApi(404, "POST", API + "/accounts", {"address": "x@unknown.test", "password": "pw-123456"},
                       code="not_found")

    def test_bad_fields(self):
        self.assertApi(400, "POST", API + "/accounts", {"address": "q1@acct.test", "password": "pw", "quota_bytes": -1},
                       code="invalid_argument")
        self.assertApi(400, "POST", API + "/accounts", {"address": "q2@acct.test"})
        self.assertApi(400, "POST", API + "/accounts", {"address": "q3@acct.test", "password": ""},
                       code="invalid_argument")
        self.assertApi(400, "POST", API + "/accounts",
                       {"address": "q4@acct.test", "password": "pw", "quota_bytes": "lots"}, code="bad_request")
        self.assertApi(400, "POST", API + "/accounts",
                       {"address": "q5@acct.test", "password": "pw", "enabled": "yes"}, code="bad_request")
        for n in range(1, 6):
            self.assertApi(404, "GET", API + "/accounts/q%d@acct.test" % n, code="not_found")

    def test_update_fields(self):
        self.create("upd@acct.test", quota_bytes=100)
        a = self.assertApi(200, "PATCH", API + "/accounts/upd@acct.test", {"quota_bytes": 5000})
        self.assertEqual(a["quota_bytes"], 5000)
        a = self.assertApi(200, "PATCH", API + "/accounts/upd@acct.test", {"enabled": False})
        self.assertIs(a["enabled"], False)
        self.assertEqual(a["quota_bytes"], 5000)  # untouched fields stay
        a = self.assertApi(200, "PATCH", API + "/accounts/upd@acct.test", {"display_name": "Up Dated", "enabled": True})
        self.assertEqual(a["display_name"], "Up Dated")
        self.assertIs(a["enabled"], True)
        shown = self.assertApi(200, "GET", API + "/accounts/upd@acct.test")
        self.assertEqual((shown["quota_bytes"], shown["display_name"], shown["enabled"]), (5000, "Up Dated", True))
        self.assertApi(400, "PATCH", API + "/accounts/upd@acct.test", {"quota_bytes": -5}, code="invalid_argument")
        self.assertEqual(self.assertApi(200, "GET", API + "/accounts/upd@acct.test")["quota_bytes"], 5000)
        self.assertApi(404, "PATCH", API + "/accounts/ghost@acct.test", {"enabled": False}, code="not_found")

    def test_delete(self):
        self.create("gone@acct.test")
        self.assertApi(204, "DELETE", API + "/accounts/gone@acct.test")
        self.assertApi(404, "GET", API + "/accounts/gone@acct.test", code="not_found")
        self.assertApi(404, "DELETE", API + "/accounts/gone@acct.test", code="not_found")
        # The address is free again.
        self.create("gone@acct.test")


class AliasTests(PostaTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for path, body in [("/domains", {"name": "al.test"}),
                           ("/accounts", {"address": "bob@al.test", "password": "pw-123456"}),
                           ("/accounts", {"address": "carol@al.test", "password": "pw-123456"}),
                           ("/groups", {"address": "team@al.test", "name": "Team"})]:
            status, reply = cls.server.api("POST", API + path, json=body)
            assert status == 201, (path, status, reply)

    def test_local_and_external_targets(self):
        a = self.assertApi(201, "POST", API + "/aliases",
                           {"address": "info@al.test", "targets": ["bob@al.test", "Someone@Elsewhere.ORG", "team@al.test"]})
        self.assertEqual(a["address"], "info@al.test")
        self.assertEqual(a["domain"], "al.test")
        self.assertEqual(sorted(a["targets"]), sorted(["bob@al.test", "Someone@elsewhere.org", "team@al.test"]))
        shown = self.assertApi(200, "GET", API + "/aliases/info@al.test")
        self.assertEqual(sorted(shown["targets"]), sorted(a["targets"]))
        listed = self.assertApi(200, "GET", API + "/aliases?domain=al.test")["aliases"]
        self.assertIn("info@al.test", [x["address"] for x in listed])

    def test_dangling_local_target_refused(self):
        status, body = self.api("POST", API + "/aliases", {"address": "dangle@al.test", "targets": ["nobody@al.test"]})
        self.assertIn(status, (400, 404, 409), body)
        self.assertIn(body["error"]["code"], ("not_found", "conflict", "invalid_argument"), body)
        self.assertApi(404, "GET", API + "/aliases/dangle@al.test", code="not_found")
        # The refused alias did not reserve its address.
        self.assertApi(201, "POST", API + "/accounts", {"address": "dangle@al.test", "password": "pw-123456"})

    def test_bad_aliases(self):
        self.assertApi(400, "POST", API + "/aliases", {"address": "empty@al.test", "targets": []})
        self.assertApi(400, "POST", API + "/aliases", {"address": "self@al.test", "targets": ["self@al.test"]})
        self.assertApi(400, "POST", API + "/aliases", {"address": "bad@al.test", "targets": ["not an address"]})
        self.assertApi(400, "POST", API + "/aliases", {"address": "typed@al.test", "targets": "bob@al.test"},
                       code="bad_request")
        self.assertApi(404, "POST", API + "/aliases", {"address": "x@nodomain.test", "targets": ["bob@al.test"]},
                       code="not_found")
        for a in ("empty", "self", "bad", "typed"):
            self.assertApi(404, "GET", API + "/aliases/%s@al.test" % a, code="not_found")

    def test_alias_target_account_cannot_be_deleted(self):
        self.assertApi(201, "POST", API + "/accounts", {"address": "held@al.test", "password": "pw-123456"})
        self.assertApi(201, "POST", API + "/aliases", {"address": "holder@al.test", "targets": ["held@al.test"]})
        self.assertApi(409, "DELETE", API + "/accounts/held@al.test", code="conflict")
        self.assertApi(200, "GET", API + "/accounts/held@al.test")
        self.assertApi(204, "DELETE", API + "/aliases/holder@al.test")
        self.assertApi(204, "DELETE", API + "/accounts/held@al.test")

    def test_alias_colliding_with_account_refused(self):
        status, body = self.api("POST", API + "/aliases", {"address": "carol@al.test", "targets": ["bob@al.test"]})
        self.assertEqual(status, 409, body)
        self.assertIn(body["error"]["code"], ("already_exists", "conflict"))
        self.assertApi(404, "GET", API + "/aliases/carol@al.test", code="not_found")
        self.assertApi(201, "POST", API + "/aliases", {"address": "sales@al.test", "targets": ["bob@al.test"]})
        status, body = self.api("POST", API + "/accounts", {"address": "sales@al.test", "password": "pw-123456"})
        self.assertEqual(status, 409, body)
        status, body = self.api("POST", API + "/groups", {"address": "sales@al.test"})
        self.assertEqual(status, 409, body)
        status, body = self.api("POST", API + "/aliases", {"address": "team@al.test", "targets": ["bob@al.test"]})
        self.assertEqual(status, 409, body)

    def test_delete_unknown(self):
        self.assertApi(404, "DELETE", API + "/aliases/nothing@al.test", code="not_found")


class GroupTests(PostaTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for path, body in [("/domains", {"name": "gr.test"}),
                           ("/accounts", {"address": "m1@gr.test", "password": "pw-123456"}),
                           ("/accounts", {"address": "m2@gr.test", "password": "pw-123456"}),
                           ("/aliases", {"address": "al@gr.test", "targets": ["m1@gr.test"]})]:
            status, reply = cls.server.api("POST", API + path, json=body)
            assert status == 201, (path, status, reply)

    def test_members_add_and_remove(self):
        g = self.assertApi(201, "POST", API + "/groups", {"address": "sales@gr.test", "name": "Sales"})
        self.assertEqual((g["address"], g["domain"], g["name"], g["members"]), ("sales@gr.test", "gr.test", "Sales", []))
        g = self.assertApi(200, "POST", API + "/groups/sales@gr.test/members", {"address": "m1@gr.test"})
        self.assertEqual(g["members"], ["m1@gr.test"])
        g = self.assertApi(200, "POST", API + "/groups/sales@gr.test/members", {"address": "M2@gr.test"})
        self.assertEqual(sorted(g["members"]), ["m1@gr.test", "m2@gr.test"])
        g = self.assertApi(200, "DELETE", API + "/groups/sales@gr.test/members/m1@gr.test")
        self.assertEqual(g["members"], ["m2@gr.test"])
        self.assertEqual(self.assertApi(200, "GET", API + "/groups/sales@gr.test")["members"], ["m2@gr.test"])
        self.assertApi(404, "DELETE", API + "/groups/sales@gr.test/members/m1@gr.test", code="not_found")
        listed = self.assertApi(200, "GET", API + "/groups")["groups"]
        self.assertIn("sales@gr.test", [x["address"] for x in listed])

    def test_member_must_be_an_account(self):
        self.assertApi(201, "POST", API + "/groups", {"address": "only@gr.test"})
        for member in ("al@gr.test", "nobody@gr.test", "x@elsewhere.org", "only@gr.test"):
            with self.subTest(member=member):
                status, body = self.api("POST", API + "/groups/only@gr.test/members", {"address": member})
                self.assertIn(status, (400, 404, 409), body)
        self.assertEqual(self.assertApi(200, "GET", API + "/groups/only@gr.test")["members"], [])
        self.assertApi(404, "POST", API + "/groups/ghost@gr.test/members", {"address": "m1@gr.test"},
                       code="not_found")
        self.assertApi(400, "POST", API + "/groups/only@gr.test/members", {}, code="bad_request")

    def test_duplicate_and_delete(self):
        self.assertApi(201, "POST", API + "/groups", {"address": "tmp@gr.test"})
        self.assertApi(409, "POST", API + "/groups", {"address": "tmp@gr.test"}, code="already_exists")
        self.assertApi(409, "POST", API + "/groups", {"address": "m1@gr.test"})
        self.assertApi(200, "POST", API + "/groups/tmp@gr.test/members", {"address": "m1@gr.test"})
        self.assertApi(204, "DELETE", API + "/groups/tmp@gr.test")
        self.assertApi(404, "GET", API + "/groups/tmp@gr.test", code="not_found")
        # Deleting the group left its former member alone.
        self.assertApi(200, "GET", API + "/accounts/m1@gr.test")


if __name__ == "__main__":
    unittest.main()
