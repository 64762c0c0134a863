"""The `posta` administration CLI against a running server: exit status 0 and
readable tables on success, one line on stderr and a non-zero status on
error, and `--json` output that parses."""

import json
import unittest

from posta_harness import PostaTestCase, free_port, stop_servers

tearDownModule = stop_servers  # one server per module, stopped after its last test


class CliTests(PostaTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        rc, out, err = cls.server.cli("domain", "add", "cli.test", "--description", "CLI domain")
        assert rc == 0, (rc, out, err)

    def test_domain_commands(self):
        self.cli_ok("domain", "add", "Übung.test")
        table = self.cli_ok("domain", "list")
        self.assertIn("cli.test", table)
        self.assertIn("xn--bung-zra.test", table)
        self.assertIn("NAME", table)
        listed = self.cli_json("domain", "list")
        self.assertIn("cli.test", [d["name"] for d in listed["domains"]])
        shown = self.cli_json("domain", "show", "cli.test")
        self.assertEqual((shown["name"], shown["description"]), ("cli.test", "CLI domain"))
        self.assertIn("CLI domain", self.cli_ok("domain", "show", "cli.test"))
        line = self.cli_fails("domain", "add", "cli.test", rc=1)
        self.assertIn("cli.test", line)
        self.cli_fails("domain", "add", "bad..name", rc=1)
        self.cli_fails("domain", "show", "missing.test", rc=1)
        self.cli_ok("domain", "rm", "xn--bung-zra.test")
        self.cli_fails("domain", "show", "Übung.test", rc=1)

    def test_account_lifecycle(self):
        self.cli_ok("account", "add", "alice@cli.test", "--password", "pw-alice", "--quota", "10M",
                    "--name", "Alice Liddell")
        shown = self.cli_json("account", "show", "alice@cli.test")
        self.assertEqual(shown["quota_bytes"], 10 * 1024 * 1024)
        self.assertEqual(shown["used_bytes"], 0)
        self.assertEqual(shown["display_name"], "Alice Liddell")
        # INBOX and the folders of mail.auto_folders, with their message counts.
        self.assertEqual([(m["name"], m["special_use"], m["messages"]) for m in shown["mailboxes"]],
                         [("INBOX", None, 0), ("Archive", "\\Archive", 0), ("Drafts", "\\Drafts", 0),
                          ("Junk", "\\Junk", 0), ("Sent", "\\Sent", 0), ("Trash", "\\Trash", 0)])
        # --json may also follow the command.
        rc, out, err = self.server.cli("account", "show", "alice@cli.test", "--json")
        self.assertEqual(rc, 0, err)
        after = json.loads(out)
        self.assertIn("quota_bytes", after)
        self.assertIn("used_bytes", after)

        self.cli_ok("account", "quota", "alice@cli.test", "2G")
        self.assertEqual(self.cli_json("account", "show", "alice@cli.test")["quota_bytes"], 2 * 1024 ** 3)
        self.cli_ok("account", "quota", "alice@cli.test", "0")
        self.assertEqual(self.cli_json("account", "show", "alice@cli.test")["quota_bytes"], 0)
        self.cli_fails("account", "quota", "alice@cli.test", "lots", rc=2)

        self.cli_ok("account", "disable", "alice@cli.test")
        self.assertIs(self.cli_json("account", "show", "alice@cli.test")["enabled"], False)
        self.cli_ok("account", "enable", "alice@cli.test")
        self.assertIs(self.cli_json("account", "show", "alice@cli.test")["enabled"], True)

        table = self.cli_ok("account", "list", "--domain", "cli.test")
        self.assertIn("alice@cli.test", table)
        self.assertIn("Alice Liddell", table)
        self.assertIn("alice@cli.test", self.cli_ok("account", "show", "alice@cli.test"))

        self.cli_fails("account", "add", "alice@cli.test", "--password", "pw", rc=1)
        self.cli_fails("account", "add", "not-an-address", "--password", "pw", rc=1)
        self.cli_fails("account", "add", "bob@unknown-domain.test", "--password", "pw", rc=1)
        self.cli_ok("account", "add", "gone@cli.test", "--password-stdin", input="pw-from-stdin\n")
        self.cli_ok("account", "rm", "gone@cli.test")
        self.cli_fails("account", "show", "gone@cli.test", rc=1)
        self.cli_fails("account", "rm", "gone@cli.test", rc=1)

    def test_alias_and_group_commands(self):
        self.cli_ok("account", "add", "carol@cli.test", "--password", "pw-carol")
        self.cli_ok("alias", "add", "info@cli.test", "carol@cli.test", "outside@example.org")
        alias = self.cli_json("alias", "show", "info@cli.test")
        self.assertEqual(sorted(alias["targets"]), ["carol@cli.test", "outside@example.org"])
        self.assertIn("info@cli.test", self.cli_ok("alias", "list"))
        self.cli_fails("alias", "add", "broken@cli.test", "nobody@cli.test", rc=1)
        self.cli_fails("account", "rm", "carol@cli.test", rc=1)

        self.cli_ok("group", "add", "team@cli.test", "--name", "Team")
        self.cli_ok("group", "member-add", "team@cli.test", "carol@cli.test")
        self.assertEqual(self.cli_json("group", "show", "team@cli.test")["members"], ["carol@cli.test"])
        self.assertIn("team@cli.test", self.cli_ok("group", "list"))
        self.assertIn("carol@cli.test", self.cli_ok("group", "show", "team@cli.test"))
        self.cli_fails("group", "member-add", "team@cli.test", "info@cli.test", rc=1)
        self.cli_ok("group", "member-rm", "team@cli.test", "carol@cli.test")
        self.assertEqual(self.cli_json("group", "show", "team@cli.test")["members"], [])
        self.cli_ok("group", "rm", "team@cli.test")
        self.cli_ok("alias", "rm", "info@cli.test")
        self.cli_ok("account", "rm", "carol@cli.test")

    def test_auto_folders_apply_to_accounts_created_afterwards(self):
        self.cli_ok("account", "add", "before@cli.test", "--password", "pw-before")
        self.cli_ok("settings", "set", "mail.auto_folders", '["Sent Items \\\\Sent", "Notes"]')
        try:
            self.cli_ok("account", "add", "after@cli.test", "--password", "pw-after")
            after = self.cli_json("account", "show", "after@cli.test")["mailboxes"]
            self.assertEqual([(m["name"], m["special_use"]) for m in after],
                             [("INBOX", None), ("Notes", None), ("Sent Items", "\\Sent")])
            before = self.cli_json("account", "show", "before@cli.test")["mailboxes"]
            self.assertEqual(len(before), 6, before)
            self.cli_fails("settings", "set", "mail.auto_folders", '["Bad \\\\Nonsense"]', rc=1)
        finally:
            self.cli_ok("settings", "set", "mail.auto_folders", '["Drafts", "Sent", "Trash", "Junk", "Archive"]')
        self.cli_ok("account", "rm", "before@cli.test")
        self.cli_ok("account", "rm", "after@cli.test")

    def test_settings_commands(self):
        self.assertIn("smtp.max_recipients", self.cli_ok("settings", "list"))
        self.cli_ok("settings", "set", "smtp.max_recipients", "42")
        self.assertEqual(self.cli_json("settings", "get", "smtp.max_recipients")["value"], 42)
        self.cli_ok("settings", "set", "smtp.trusted_networks", '["10.1.0.0/16"]')
        self.assertEqual(self.cli_json("settings", "get", "smtp.trusted_networks")["value"], ["10.1.0.0/16"])
        self.cli_ok("settings", "set", "auth.default_domain", "cli.test")
        self.assertEqual(self.cli_json("settings", "get", "auth.default_domain")["value"], "cli.test")
        self.assertIn("cli.test", self.cli_ok("settings", "get", "auth.default_domain"))
        self.cli_fails("settings", "set", "smtp.max_recipients", "many", rc=1)
        self.cli_fails("settings", "set", "no.such.key", "1", rc=1)
        self.assertEqual(self.cli_json("settings", "get", "smtp.max_recipients")["value"], 42)

    def test_service_and_journal(self):
        table = self.cli_ok("service", "list")
        self.assertIn("http", table)
        self.assertIn("running", table)
        services = self.cli_json("service", "list")["services"]
        self.assertIn("http", [s["name"] for s in services])
        self.cli_fails("service", "disable", "http", rc=1)
        journal = self.cli_json("journal", "--page-size", "5")
        self.assertLessEqual(len(journal["entries"]), 5)
        self.cli_ok("journal", "--level", "error")
        self.cli_fails("journal", "--date", "not-a-date", rc=1)

    def test_errors_of_the_connection(self):
        line = self.cli_fails("domain", "list", api="http://127.0.0.1:%d" % free_port(), rc=3)
        self.assertTrue(line.startswith("posta:"), line)
        self.cli_fails("domain", "list", token="wrong-token", rc=1)
        self.cli_fails("domain", "add", "nope.test", token="wrong-token", rc=1)
        self.cli_fails("domain", "show", "nope.test", rc=1)

    def test_environment_and_config_file(self):
        rc, out, err = self.server.cli("--json", "domain", "list", api=None, token=None,
                                       env={"POSTA_API": self.server.api_url, "POSTA_TOKEN": self.server.token})
        self.assertEqual(rc, 0, err)
        self.assertIn("cli.test", [d["name"] for d in json.loads(out)["domains"]])
        rc, out, err = self.server.cli("--config", self.server.config_path, "domain", "list", api=None, token=None)
        self.assertEqual(rc, 0, err)
        self.assertIn("cli.test", out)

    def test_usage_errors(self):
        rc, out, err = self.server.cli()
        self.assertNotEqual(rc, 0)
        rc, out, err = self.server.cli("domain", "frobnicate")
        self.assertNotEqual(rc, 0)
        rc, out, err = self.server.cli("account", "add", "x@cli.test", "--password", "a", "--password-stdin")
        self.assertNotEqual(rc, 0)
        self.cli_fails("domain", "list", "--api", "not a url", api=None, rc=2)


if __name__ == "__main__":
    unittest.main()
