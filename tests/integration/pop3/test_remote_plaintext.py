"""The plaintext rule from a client that is not on loopback: even with
pop3.allow_plaintext_auth_on_loopback on, USER/PASS and AUTH PLAIN are
refused before STLS and CAPA offers neither; after STLS they work. The pop3
listener of this module's server is on a non-loopback address of this host
(skipped when the host has none)."""

import socket
import unittest

from posta_harness import free_port, stop_servers
from pop3_helpers import PASSWORD, Pop3TestCase, unique

DOMAIN = "remote.test"
PLAINTEXT_REFUSED = "-ERR [AUTH] Plaintext authentication disallowed on non-secure connections; use STLS"

tearDownModule = stop_servers


def non_loopback_address():
    """An IPv4 address of this host that is not loopback, or None."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("192.0.2.1", 9))  # no packet is sent: only the route is looked up
            address = s.getsockname()[0]
    except OSError:
        return None
    return None if address.startswith("127.") or address == "0.0.0.0" else address


ADDRESS = non_loopback_address()


@unittest.skipUnless(ADDRESS, "this host has no non-loopback IPv4 address")
class RemotePlaintextTests(Pop3TestCase):
    domains = (DOMAIN,)
    server_options = {"listeners": {"pop3": "%s:%d" % (ADDRESS, free_port())}} if ADDRESS else {}

    def test_plaintext_refused_from_a_remote_address_even_with_the_loopback_setting(self):
        address = unique("r").lower() + "@" + DOMAIN
        self.make_account(address)
        self.setting("pop3.allow_plaintext_auth_on_loopback", True)
        c = self.raw(host=ADDRESS, source=ADDRESS)
        c.cmd("CAPA")
        caps = c.body()
        self.assertNotIn(b"USER", caps)
        self.assertNotIn(b"SASL PLAIN", caps)
        self.assertIn(b"STLS", caps)
        self.assertEqual(c.cmd("USER " + address), PLAINTEXT_REFUSED)
        self.assertEqual(c.cmd("AUTH PLAIN AGFAYgBj"), PLAINTEXT_REFUSED)
        c.stls()
        self.assertTrue(c.login(address, PASSWORD).startswith("+OK Logged in"))


if __name__ == "__main__":
    unittest.main()
