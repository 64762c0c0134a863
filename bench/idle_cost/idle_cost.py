"""Memory cost of idle SMTP connections on the MX port: plain (after the
banner and EHLO) and after STARTTLS. Starts a private Posta (the binary in
POSTA_BIN, a Release build for meaningful figures) with the test harness,
opens N connections from 127.0.0.1, and reports the RSS growth of the posta
process per connection. Bounded: N connections, one attempt each, 60 s."""

import os
import socket
import ssl
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tests", "integration", "harness"))
from posta_harness import PostaServer  # noqa: E402


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def read_reply(f):
    while True:
        line = f.readline()
        if not line or line[3:4] != b"-":
            return line


def open_idle(port, count, tls):
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    held = []
    for _ in range(count):
        s = socket.create_connection(("127.0.0.1", port), timeout=30)
        f = s.makefile("rb")
        read_reply(f)
        s.sendall(b"EHLO idle.test\r\n")
        read_reply(f)
        if tls:
            s.sendall(b"STARTTLS\r\n")
            read_reply(f)
            s = ctx.wrap_socket(s, server_hostname="posta.bench")
            s.sendall(b"EHLO idle.test\r\n")
            f = s.makefile("rb")
            read_reply(f)
        held.append((s, f))
    return held


def measure(server, count, tls):
    pid = server.proc.pid
    time.sleep(1)
    before = rss_kb(pid)
    held = open_idle(server.port("smtp"), count, tls)
    time.sleep(2)
    after = rss_kb(pid)
    for s, f in held:
        f.close()
        s.close()
    return (after - before) * 1024 / count


def main():
    count = int(os.environ.get("CONNECTIONS", "400"))
    server = PostaServer()
    server.start()
    try:
        server.api("PUT", "/api/v1/settings/smtp.max_connections_per_ip", json={"value": 0})
        plain = measure(server, count, tls=False)
        time.sleep(2)
        tls = measure(server, count, tls=True)
        print("idle MX connections: %d; RSS per connection: %.1f kB plain, %.1f kB after STARTTLS"
              % (count, plain / 1024, tls / 1024))
    finally:
        server.stop()
        server.cleanup()


if __name__ == "__main__":
    main()
