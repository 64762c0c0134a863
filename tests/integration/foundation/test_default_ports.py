"""A bootstrap file that sets only data_dir: the server listens on the
development default ports (HTTP 127.0.0.1:8080) and generates its admin token.
Needs the default ports free: ctest runs it under RESOURCE_LOCK default_ports."""

import os
import stat
import unittest

from posta_harness import DEFAULT_PORTS, PostaServer, port_is_free


class MinimalConfigTests(unittest.TestCase):
    def test_defaults(self):
        busy = [name for name, port in DEFAULT_PORTS.items() if not port_is_free(port)]
        if busy:
            self.skipTest("default ports in use: %s" % ", ".join(busy))
        server = PostaServer(minimal_config=True, token=None)
        with open(server.config_path) as f:
            self.assertEqual([line for line in f.read().splitlines() if line.strip()],
                             ["[server]", 'data_dir = "%s"' % server.data_dir])
        ok = False
        try:
            server.start()
            self.assertEqual(server.addresses["http"], "127.0.0.1:8080")
            status, _, body = server.request("GET", "/", token=None)
            self.assertEqual(status, 200)
            token_file = os.path.join(server.data_dir, "admin-token")
            self.assertEqual(stat.S_IMODE(os.stat(token_file).st_mode) & 0o077, 0, "admin-token readable by others")
            self.assertTrue(server.token)
            status, reply = server.api("GET", "/api/v1/services")
            self.assertEqual(status, 200, reply)
            status, reply = server.api("GET", "/api/v1/services", token="not-the-token")
            self.assertEqual(status, 401, reply)
            # The CLI finds the API address and the generated token from the config file alone.
            rc, out, err = server.cli("--config", server.config_path, "service", "list", api=None, token=None)
            self.assertEqual(rc, 0, err)
            self.assertIn("http", out)
            # The token and the cluster survive a restart: the data folder is
            # reused, not initialised again.
            token = server.token
            with open(token_file) as f:
                self.assertEqual(f.read().strip(), token)
            server.stop()
            server.start()
            status, _ = server.api("GET", "/api/v1/domains", token=token)
            self.assertEqual(status, 200)
            with open(token_file) as f:
                self.assertEqual(f.read().strip(), token)
            with open(server.log_path, errors="replace") as f:
                log = f.read()
            self.assertEqual(log.count("embedded database: creating cluster"), 1, "the cluster was created twice")
            self.assertEqual(log.count("embedded database: running"), 2)
            ok = True
        finally:
            if not ok:
                server.dump_logs()
            server.cleanup()


if __name__ == "__main__":
    unittest.main()
