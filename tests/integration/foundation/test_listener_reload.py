"""Listeners follow the bootstrap file: one set to 0 is reported stopped, and
after SIGHUP a changed address is bound live (no restart), an emptied one is
closed."""

import signal
import socket
import time
import unittest

from posta_harness import PostaServer, free_port, stop_servers  # noqa: F401


def connects(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
            s.settimeout(5)
            return s.recv(200)
    except OSError:
        return None


class ListenerReloadTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = PostaServer(listeners={"submissions": 0})
        cls.server.start()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.server.cleanup()

    def service(self, name):
        status, body = self.server.api("GET", "/api/v1/services/" + name)
        self.assertEqual(status, 200, body)
        return body

    def wait_for(self, name, state, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            current = self.service(name)
            if current["state"] == state:
                return current
            time.sleep(0.2)
        self.fail("%s never became %s: %r" % (name, state, current))

    def test_off_listener_is_stopped_then_bound_on_sighup(self):
        off = self.service("submissions")
        self.assertEqual(off["state"], "stopped")
        self.assertIn("off in the configuration", off["detail"])

        port = free_port()
        self.server.addresses["submissions"] = "127.0.0.1:%d" % port
        old_smtp = self.server.port("smtp")
        self.server.addresses["smtp"] = None
        self.server.write_config()
        self.server.proc.send_signal(signal.SIGHUP)

        on = self.wait_for("submissions", "running")
        self.assertIn(str(port), on["detail"])
        # Implicit TLS: the port accepts a TCP connection (the TLS handshake
        # is the client's move, so nothing arrives in plaintext).
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            pass
        self.wait_for("smtp", "stopped")
        self.assertIsNone(connects(old_smtp))
        # The admin API kept answering throughout: no restart happened.
        self.assertEqual(self.service("http")["state"], "running")


if __name__ == "__main__":
    unittest.main()
