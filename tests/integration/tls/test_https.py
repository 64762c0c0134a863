"""TLS as clients see it: the admin API over https (urllib and the posta CLI),
a certificate per domain chosen by SNI on every TLS listener, certificates
replaced on disk and reloaded by SIGHUP without a restart, and a plain http
listener beyond loopback refused at start-up and on reload."""

import json
import os
import signal
import socket
import ssl
import subprocess
import time
import unittest
import urllib.error
import urllib.request

from posta_harness import PostaServer, free_port, make_temp_dir, stop_servers  # noqa: F401

API = "/api/v1"


def make_certificate(directory, name, organisation="Posta tests"):
    """A self-signed certificate for `name` (and its subdomains) with openssl(1)."""
    cert = os.path.join(directory, name + ".pem")
    key = os.path.join(directory, name + ".key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                    "-nodes", "-days", "30", "-keyout", key + ".new", "-out", cert + ".new",
                    "-subj", "/O=%s/CN=%s" % (organisation, name),
                    "-addext", "subjectAltName=DNS:%s,DNS:*.%s" % (name, name)],
                   check=True, capture_output=True)
    os.replace(key + ".new", key)
    os.replace(cert + ".new", cert)
    return cert, key


def subject(cert_dict):
    return {k: v for rdn in cert_dict["subject"] for (k, v) in rdn}


class TlsServer:
    """One server for the module, with certificates for alpha.test and beta.test."""
    server = None

    @classmethod
    def get(cls):
        if cls.server is None:
            root = make_temp_dir()
            certs = os.path.join(root, "certs")
            os.makedirs(certs)
            toml = ""
            for name in ("alpha.test", "beta.test", "gamma.test"):
                cert, key = make_certificate(certs, name)
                toml += '\n[tls.domain."%s"]\ncert = "%s"\nkey = "%s"\n' % (name, cert, key)
            cls.server = PostaServer(root=root, extra_toml=toml)
            cls.server.certs = certs
            try:
                cls.server.start()
            except BaseException:
                cls.server.dump_logs()
                cls.server.cleanup()
                cls.server = None
                raise
        return cls.server

    @classmethod
    def cleanup(cls):
        if cls.server is not None:
            cls.server.cleanup()
            cls.server = None


def tearDownModule():
    TlsServer.cleanup()


class TlsCase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = TlsServer.get()
        cls.server_cert = os.path.join(cls.server.data_dir, "tls", "cert.pem")

    def trusting_everything_configured(self):
        """A context that verifies against every certificate of the server,
        without a name check, so that any presented one can be read."""
        ctx = ssl.create_default_context(cafile=self.server_cert)
        for name in ("alpha.test", "beta.test", "gamma.test"):
            ctx.load_verify_locations(cafile=os.path.join(self.server.certs, name + ".pem"))
        ctx.check_hostname = False
        return ctx

    def presented(self, listener, server_hostname):
        """The certificate (as a dict) that `listener` presents for an SNI name."""
        ctx = self.trusting_everything_configured()
        with socket.create_connection(("127.0.0.1", self.server.port(listener)), timeout=10) as raw:
            with ctx.wrap_socket(raw, server_hostname=server_hostname) as tls:
                return tls.getpeercert()


class SniTests(TlsCase):
    def test_https_presents_the_domains_certificate(self):
        self.assertEqual(subject(self.presented("https", "alpha.test"))["commonName"], "alpha.test")
        self.assertEqual(subject(self.presented("https", "beta.test"))["commonName"], "beta.test")

    def test_a_subdomain_gets_its_domains_certificate(self):
        self.assertEqual(subject(self.presented("https", "mail.beta.test"))["commonName"], "beta.test")

    def test_an_unknown_name_or_none_gets_the_server_certificate(self):
        self.assertEqual(subject(self.presented("https", "unknown.test"))["commonName"], "posta.itest")
        self.assertEqual(subject(self.presented("https", None))["commonName"], "posta.itest")

    def test_names_are_case_insensitive(self):
        self.assertEqual(subject(self.presented("https", "ALPHA.Test"))["commonName"], "alpha.test")

    def test_smtps_submission_chooses_by_sni_too(self):
        cert = self.presented("submissions", "alpha.test")
        self.assertEqual(subject(cert)["commonName"], "alpha.test")
        self.assertEqual(subject(self.presented("submissions", None))["commonName"], "posta.itest")

    def test_starttls_chooses_by_sni_too(self):
        import smtplib
        ctx = self.trusting_everything_configured()
        with smtplib.SMTP("127.0.0.1", self.server.port("submission"), timeout=10) as smtp:
            smtp._host = "beta.test"  # smtplib sends its host as SNI
            smtp.starttls(context=ctx)
            self.assertEqual(subject(smtp.sock.getpeercert())["commonName"], "beta.test")


class HttpsApiTests(TlsCase):
    def url(self, path, host="127.0.0.1"):
        return "https://%s:%d%s" % (host, self.server.port("https"), path)

    def get(self, path, ctx, host="127.0.0.1"):
        req = urllib.request.Request(self.url(path, host), headers={"Authorization": "Bearer " + self.server.token})
        with urllib.request.urlopen(req, context=ctx, timeout=10) as resp:
            return resp.status, json.loads(resp.read())

    def test_urllib_verifies_the_server_certificate_by_ip_and_name(self):
        ctx = ssl.create_default_context(cafile=self.server_cert)
        for host in ("127.0.0.1", "localhost"):
            status, body = self.get(API + "/domains", ctx, host)
            self.assertEqual(status, 200)
            self.assertIsInstance(body, (dict, list))

    def test_an_untrusted_client_refuses_the_self_signed_certificate(self):
        with self.assertRaises(urllib.error.URLError) as caught:
            self.get(API + "/domains", ssl.create_default_context())
        self.assertIsInstance(caught.exception.reason, ssl.SSLCertVerificationError)

    def test_the_api_token_is_still_required(self):
        ctx = ssl.create_default_context(cafile=self.server_cert)
        with self.assertRaises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(self.url(API + "/domains"), context=ctx, timeout=10)
        self.assertEqual(caught.exception.code, 401)

    def test_cli_over_https_trusts_the_certificate_of_the_config_file(self):
        api = self.url("")
        rc, out, err = self.server.cli("--config", self.server.config_path, "domain", "add", "https-cli.test",
                                       api=api)
        self.assertEqual(rc, 0, err)
        rc, out, err = self.server.cli("--config", self.server.config_path, "--json", "domain", "list", api=api)
        self.assertEqual(rc, 0, err)
        self.assertIn("https-cli.test", out)
        # Written over https, read back over plain http: the same router.
        status, body = self.server.api("GET", API + "/domains/https-cli.test")
        self.assertEqual(status, 200, body)

    def test_cli_with_cacert_option(self):
        rc, out, err = self.server.cli("--cacert", self.server_cert, "--json", "domain", "list", api=self.url(""))
        self.assertEqual(rc, 0, err)

    def test_cli_refuses_a_certificate_it_does_not_trust(self):
        wrong = os.path.join(self.server.certs, "alpha.test.pem")
        rc, out, err = self.server.cli("--cacert", wrong, "domain", "list", api=self.url(""))
        self.assertEqual(rc, 3, err)
        self.assertIn("certificate verify failed", err)


class ReloadTests(TlsCase):
    def presented_der(self, server_hostname):
        """The presented certificate's bytes (unverified: old and new both count)."""
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        with socket.create_connection(("127.0.0.1", self.server.port("https")), timeout=10) as raw:
            with ctx.wrap_socket(raw, server_hostname=server_hostname) as tls:
                return tls.getpeercert(binary_form=True)

    def test_sighup_presents_a_replaced_certificate_without_restart(self):
        self.assertEqual(subject(self.presented("https", "gamma.test"))["organizationName"], "Posta tests")
        before = self.presented_der("gamma.test")
        pid = self.server.proc.pid
        make_certificate(self.server.certs, "gamma.test", organisation="Renewed")
        # Without SIGHUP nothing changes: the files are read at start and on reload only.
        self.assertEqual(self.presented_der("gamma.test"), before)
        self.server.proc.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 20
        while True:
            after = self.presented_der("gamma.test")
            if after != before or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        self.assertNotEqual(after, before, "the old certificate is still presented after SIGHUP")
        # The new file, verified against itself, is what SNI now selects.
        self.assertEqual(subject(self.presented("https", "gamma.test"))["organizationName"], "Renewed")
        # A listener's own certificate (here the default one) is reloaded the same way.
        self.assertEqual(subject(self.presented("https", None))["commonName"], "posta.itest")
        self.assertEqual(self.server.proc.pid, pid)
        self.assertTrue(self.server.is_running())


class PlainHttpBeyondLoopbackTests(unittest.TestCase):
    def test_refused_at_start_up(self):
        server = PostaServer(listeners={"http": "0.0.0.0:%d" % free_port()})
        try:
            with self.assertRaises(RuntimeError) as caught:
                server.start(timeout=60)
            self.assertIn("exited with status", str(caught.exception))
            self.assertIn("allow_remote_plain_http", server.logs())
            self.assertFalse(server.is_running())
        finally:
            server.cleanup()

    def test_allowed_by_the_setting(self):
        port = free_port()
        server = PostaServer(listeners={"http": "0.0.0.0:%d" % port}, server_toml="allow_remote_plain_http = true")
        try:
            server.start()
            status, _, _ = server.request("GET", "/")
            self.assertEqual(status, 200)
        finally:
            server.cleanup()

    def test_refused_on_reload_and_the_old_listener_stays(self):
        server = PostaServer()
        try:
            server.start()
            old = server.addresses["http"]
            server.addresses["http"] = "0.0.0.0:%d" % free_port()
            server.write_config()
            server.proc.send_signal(signal.SIGHUP)
            server.addresses["http"] = old  # where requests still go
            deadline = time.monotonic() + 20
            texts = []
            while time.monotonic() < deadline:
                status, body = server.api("GET", API + "/journal?page_size=1000")
                texts = [e["text"] for e in body["entries"]] if status == 200 else []
                if any("configuration not reloaded" in t for t in texts):
                    break
                time.sleep(0.2)
            refusal = [t for t in texts if "configuration not reloaded" in t]
            self.assertTrue(refusal, texts)
            self.assertIn("allow_remote_plain_http", refusal[0])
            status, _, _ = server.request("GET", "/")
            self.assertEqual(status, 200)
        finally:
            server.cleanup()


if __name__ == "__main__":
    unittest.main()
