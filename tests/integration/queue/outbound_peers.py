"""Peers for the outbound queue tests: a dnsmasq zone on loopback and
receiving SMTP servers (tests/integration/outbound/smtp_sink.py, aiosmtpd)
on loopback addresses of their own, each started and stopped by pid."""

import json
import os
import pathlib
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SINK = os.path.join(HERE, "..", "outbound", "smtp_sink.py")
sys.path.insert(0, os.path.join(HERE, "..", "smtp"))


def free_port(host="127.0.0.1", udp_too=False):
    for _ in range(100):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.bind((host, 0))
        port = s.getsockname()[1]
        s.close()
        if not udp_too:
            return port
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            u.bind((host, port))
            return port
        except OSError:
            continue
        finally:
            u.close()
    raise RuntimeError("no free port")


def loopback_addresses(count):
    """Distinct 127.x.y.z addresses (the whole 127/8 is loopback on Linux), so
    that MX hosts of a test share one port but not one address."""
    base = random.randint(2, 250)
    third = random.randint(1, 250)
    return ["127.%d.%d.%d" % (base, third, 10 + i) for i in range(count)]


def put_settings(server, pairs):
    """Sets runtime settings through the API (set-up of a test class)."""
    for key, value in pairs:
        status, body = server.api("PUT", "/api/v1/settings/" + key, json={"value": value})
        if status != 200:
            raise AssertionError("%s: %s %r" % (key, status, body))


def _stop(proc):
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()


class Dnsmasq:
    """dnsmasq answering for example.test from `records` (dnsmasq options:
    mx-host=, host-record=, txt-record=); NXDOMAIN for other names there."""

    def __init__(self, records):
        self.dir = tempfile.mkdtemp(prefix="posta-dnsmasq-")
        self.port = free_port(udp_too=True)
        conf = os.path.join(self.dir, "dnsmasq.conf")
        lines = ["port=%d" % self.port, "listen-address=127.0.0.1", "bind-interfaces", "no-resolv", "no-hosts",
                 "local=/example.test/", "local-ttl=1", "pid-file=" + os.path.join(self.dir, "pid"),
                 "log-facility=" + os.path.join(self.dir, "log")]
        if os.geteuid() == 0:
            lines.append("user=root")
        with open(conf, "w") as f:
            f.write("\n".join(lines + list(records)) + "\n")
        self.proc = subprocess.Popen(["/usr/sbin/dnsmasq", "--keep-in-foreground", "--conf-file=" + conf],
                                     stdout=subprocess.DEVNULL, stderr=open(os.path.join(self.dir, "out"), "w"))
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("dnsmasq exited: " + open(os.path.join(self.dir, "out")).read())
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("dnsmasq did not start")

    @property
    def server(self):
        return "127.0.0.1:%d" % self.port

    def stop(self):
        _stop(self.proc)


class Sink:
    """One receiving SMTP server; messages() reads what it accepted."""

    def __init__(self, host, port, *options):
        self.host = host
        self.port = port
        self.dir = pathlib.Path(tempfile.mkdtemp(prefix="posta-sink-"))
        self.proc = subprocess.Popen(["/usr/bin/python3", SINK, str(self.dir), str(port), "--host", host] + list(options),
                                     stdout=subprocess.DEVNULL, stderr=open(self.dir / "err", "w"))
        deadline = time.monotonic() + 30
        while not (self.dir / "ready").exists():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("smtp sink did not start: " + (self.dir / "err").read_text())
            time.sleep(0.05)

    def messages(self):
        """[(meta dict, message bytes)] in arrival order."""
        out = []
        n = 1
        while (self.dir / ("%d.json" % n)).exists():
            out.append((json.loads((self.dir / ("%d.json" % n)).read_text()), (self.dir / ("%d.eml" % n)).read_bytes()))
            n += 1
        return out

    def wait_for(self, marker, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [(m, b) for m, b in self.messages() if marker.encode() in b]
            if found:
                return found
            time.sleep(0.1)
        return []

    def stop(self):
        _stop(self.proc)
