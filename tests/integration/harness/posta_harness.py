"""Integration-test harness: runs a real `posta serve` in a private temp dir.

One PostaServer per test module (PostaTestCase starts it in setUpClass). It
writes a bootstrap file with every listener on a free loopback port (or off),
starts the binary named by $POSTA_BIN, waits for `GET /` on the http listener
and offers api()/cli() helpers, kill9()/restart()/stop(). Standard library
only: run with /usr/bin/python3.
"""

import atexit
import http.client
import json as jsonlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse

LISTENER_NAMES = ("smtp", "submission", "submissions", "imap", "imaps", "pop3", "pop3s",
                  "xmpp", "xmpps", "s2s", "http", "https")
# The development defaults of DESIGN.md, used when the config names no listener.
DEFAULT_PORTS = {"smtp": 2525, "submission": 2587, "submissions": 2465, "imap": 1143, "imaps": 1993,
                 "pop3": 1110, "pop3s": 1995, "xmpp": 5222, "xmpps": 5223, "s2s": 5269, "http": 8080,
                 "https": 8443}
TOKEN = "itest-admin-token-0123456789"
READY_TIMEOUT = 60.0
_USE_DEFAULT = object()


def posta_bin():
    """The posta binary under test: $POSTA_BIN (ctest passes $<TARGET_FILE:posta>)."""
    path = os.environ.get("POSTA_BIN")
    if not path:
        raise unittest.SkipTest("POSTA_BIN is not set (ctest sets it to the built posta binary)")
    if not os.access(path, os.X_OK):
        raise RuntimeError("POSTA_BIN %r is not an executable file" % path)
    return os.path.abspath(path)


def free_port():
    """A loopback TCP port nobody listens on right now (the kernel picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_is_free(port):
    """No listener on 127.0.0.1:port (connections in TIME_WAIT do not count:
    the server binds with SO_REUSEADDR too)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def make_temp_dir(prefix="posta-itest-"):
    """A temp dir under /tmp that the `postgres` user can traverse (0755)."""
    path = tempfile.mkdtemp(prefix=prefix, dir="/tmp")
    os.chmod(path, 0o755)
    return path


def _toml_string(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def process_alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
        return state != "Z"
    except (OSError, IndexError):
        return False


def _process_cmdline(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _wait_gone(pid, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not process_alive(pid):
            return True
        time.sleep(0.05)
    return not process_alive(pid)


class PostaServer:
    """A `posta serve` process with its own data dir, ports and log.

    listeners: {name: "auto" | 0 | "host:port"}; names not given are "auto"
    (a free port). minimal_config=True writes only [server] data_dir, so the
    server uses its default ports and generates its admin token. data_dir
    (default <root>/data) puts the data folder elsewhere (the power-loss test
    mounts its lossy filesystem there); env adds variables to posta's
    environment.
    """

    def __init__(self, listeners=None, token=TOKEN, hostname="posta.itest", minimal_config=False,
                 extra_toml="", root=None, data_dir=None, env=None, server_toml=""):
        self.binary = posta_bin()
        self.root = root or make_temp_dir()
        self.data_dir = data_dir or os.path.join(self.root, "data")
        self.env = dict(env or {})
        self.config_path = os.path.join(self.root, "posta.toml")
        self.log_path = os.path.join(self.root, "posta.log")
        self.minimal_config = minimal_config
        self.hostname = hostname
        self.extra_toml = extra_toml
        self.server_toml = server_toml  # more lines of [server]
        self.proc = None
        self._log_file = None
        self.token = token
        self.addresses = {}
        spec = dict.fromkeys(LISTENER_NAMES, "auto")
        spec.update(listeners or {})
        for name, value in spec.items():
            if name not in LISTENER_NAMES:
                raise ValueError("unknown listener %r" % name)
            if minimal_config:
                self.addresses[name] = "127.0.0.1:%d" % DEFAULT_PORTS[name]
            elif value == "auto":
                port = free_port()
                while "127.0.0.1:%d" % port in self.addresses.values():
                    port = free_port()
                self.addresses[name] = "127.0.0.1:%d" % port
            elif value in (0, "0", None, False):
                self.addresses[name] = None
            else:
                self.addresses[name] = str(value)
        self.write_config()

    # --- configuration -------------------------------------------------

    def write_config(self):
        lines = ["[server]", "data_dir = " + _toml_string(self.data_dir)]
        if self.server_toml:
            lines.append(self.server_toml)
        if not self.minimal_config:
            lines.append("hostname = " + _toml_string(self.hostname))
            lines += ["", "[listeners]"]
            for name in LISTENER_NAMES:
                addr = self.addresses[name]
                lines.append("%s = %s" % (name, _toml_string(addr) if addr else "0"))
            if self.token:
                lines += ["", "[admin]", "token = " + _toml_string(self.token)]
        text = "\n".join(lines) + "\n" + self.extra_toml
        with open(self.config_path, "w") as f:
            f.write(text)

    def port(self, name):
        addr = self.addresses[name]
        return int(addr.rsplit(":", 1)[1]) if addr else None

    @property
    def http_host(self):
        return self.addresses["http"].rsplit(":", 1)[0]

    @property
    def api_url(self):
        return "http://%s" % self.addresses["http"]

    # --- lifecycle -----------------------------------------------------

    def start(self, timeout=READY_TIMEOUT):
        """Start `posta serve` and wait until `GET /` answers on the http listener.

        free_port() cannot reserve a port: under `ctest -j` another process may
        take it before posta binds. A listener that finds its port taken is
        moved to a new free port and the server is started again."""
        for attempt in range(4):
            taken = self._launch(timeout)
            if not taken:
                break
            self.stop()
            if attempt == 3 or self.minimal_config:
                raise RuntimeError("ports stayed taken for %s\n%s" % (", ".join(taken), self.logs()))
            for name in taken:
                self.addresses[name] = "127.0.0.1:%d" % free_port()
            self.write_config()
        if not self.token:
            with open(os.path.join(self.data_dir, "admin-token")) as f:
                self.token = f.read().strip()
        return self

    def _launch(self, timeout):
        """Runs posta until ready; returns the listeners whose port was taken."""
        if self.proc is not None and self.proc.poll() is None:
            raise RuntimeError("posta is already running")
        self._log_file = open(self.log_path, "ab")
        self._start_offset = self._log_file.tell()
        self._log_file.write(b"\n===== harness: start %s =====\n" % time.strftime("%H:%M:%S").encode())
        self._log_file.flush()
        self.proc = subprocess.Popen([self.binary, "serve", "--config", self.config_path],
                                     stdin=subprocess.DEVNULL, stdout=self._log_file,
                                     stderr=subprocess.STDOUT, cwd=self.root, start_new_session=True,
                                     env=dict(os.environ, **self.env) if self.env else None)
        return self.wait_ready(timeout)

    def _taken_listeners(self):
        """Listeners that logged 'Address already in use' since the last start."""
        try:
            with open(self.log_path, "rb") as f:
                f.seek(getattr(self, "_start_offset", 0))
                text = f.read().decode(errors="replace")
        except OSError:
            return []
        return sorted(set(re.findall(r"listener (\w+): listen on \S+: Address already in use", text)))

    def wait_ready(self, timeout=READY_TIMEOUT):
        """Waits for `GET /`; returns the listeners whose port was taken (empty when all bound)."""
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("posta serve exited with status %s during start-up\n%s"
                                   % (self.proc.returncode, self.logs()))
            if "http" in self._taken_listeners():
                return self._taken_listeners()
            try:
                status, _, _ = self.request("GET", "/", token=None, timeout=2)
                if status == 200:
                    return self._taken_listeners()
                last = "GET / answered %d" % status
            except OSError as e:
                last = str(e)
            time.sleep(0.1)
        raise RuntimeError("posta serve not ready after %.0f s (%s)\n%s" % (timeout, last, self.logs()))

    def is_running(self):
        return self.proc is not None and self.proc.poll() is None

    def postmaster_pid(self):
        """The pid of the embedded postgres of this data dir, if one is running."""
        try:
            with open(os.path.join(self.data_dir, "pg", "postmaster.pid")) as f:
                pid = int(f.readline().strip())
        except (OSError, ValueError):
            return None
        if process_alive(pid) and "postgres" in _process_cmdline(pid) and self.data_dir in _process_cmdline(pid):
            return pid
        return None

    def kill9(self):
        """SIGKILL posta serve (a crash); its postgres is left to shut down on its own."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)
        self._close_log()

    def stop(self, timeout=60):
        """SIGTERM, wait, then make sure no postgres of this data dir is left."""
        status = None
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.send_signal(signal.SIGTERM)
                try:
                    self.proc.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    self.proc.send_signal(signal.SIGKILL)
                    self.proc.wait(timeout=30)
            status = self.proc.returncode
        self._close_log()
        self.reap_postmaster()
        return status

    def reap_postmaster(self, timeout=30):
        """Stop a postgres left behind by this data dir: fast shutdown, then harder."""
        pid = self.postmaster_pid()
        if pid is None:
            return False
        if _wait_gone(pid, 2):  # already shutting down (parent-death signal)
            return False
        for sig, wait in ((signal.SIGINT, timeout), (signal.SIGQUIT, 10), (signal.SIGKILL, 10)):
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                return True
            if _wait_gone(pid, wait):
                return True
        return True

    def restart(self, timeout=READY_TIMEOUT):
        self.stop()
        return self.start(timeout)

    def cleanup(self):
        """Stops the server and removes its files (kept when $POSTA_KEEP_TEST_DIRS is set)."""
        self.stop()
        if os.environ.get("POSTA_KEEP_TEST_DIRS"):
            sys.stderr.write("test files kept in %s\n" % self.root)
        else:
            shutil.rmtree(self.root, ignore_errors=True)

    def _close_log(self):
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None

    # --- logs ----------------------------------------------------------

    def logs(self, tail=200):
        out = []
        for path in (self.log_path, os.path.join(self.data_dir, "pg.log")):
            try:
                with open(path, errors="replace") as f:
                    lines = f.readlines()
            except OSError:
                continue
            out.append("----- %s (last %d lines) -----\n" % (path, tail) + "".join(lines[-tail:]))
        return "\n".join(out)

    def dump_logs(self):
        sys.stderr.write("\n" + self.logs() + "\n")
        sys.stderr.flush()

    # --- HTTP ----------------------------------------------------------

    def request(self, method, path, body=None, token=_USE_DEFAULT, headers=None, timeout=30):
        """One HTTP request; returns (status, headers dict with lowercase names, body bytes).

        A server that answers early (413) and closes while the body is still
        being sent is fine: the answer is read after the send error.
        """
        if token is _USE_DEFAULT:
            token = self.token
        host, port = self.addresses["http"].rsplit(":", 1)
        conn = http.client.HTTPConnection(host, int(port), timeout=timeout)
        hdrs = {"Connection": "close"}
        if token is not None:
            hdrs["Authorization"] = "Bearer " + token
        if body is not None:
            hdrs["Content-Type"] = "application/json"
        hdrs.update(headers or {})
        try:
            try:
                conn.request(method, path, body=body, headers=hdrs)
            except (BrokenPipeError, ConnectionResetError):
                pass
            resp = conn.getresponse()
            data = resp.read()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data
        finally:
            conn.close()

    def api(self, method, path, json=None, token=_USE_DEFAULT, body=None, headers=None):
        """Admin API call: returns (status, parsed JSON or None for an empty body).

        `json` is serialised; `body` (bytes or str) is sent as it is.
        """
        if json is not None:
            body = jsonlib.dumps(json)
        if isinstance(body, str):
            body = body.encode()
        status, _, data = self.request(method, path, body=body, token=token, headers=headers)
        if not data:
            return status, None
        try:
            return status, jsonlib.loads(data)
        except ValueError:
            return status, data.decode(errors="replace")

    # --- CLI -----------------------------------------------------------

    def cli(self, *args, input=None, api=_USE_DEFAULT, token=_USE_DEFAULT, env=None, timeout=60):
        """Run the posta CLI against this server: returns (rc, stdout, stderr)."""
        cmd = [self.binary]
        if api is _USE_DEFAULT:
            api = self.api_url
        if token is _USE_DEFAULT:
            token = self.token
        if api is not None:
            cmd += ["--api", api]
        if token is not None:
            cmd += ["--token", token]
        cmd += [str(a) for a in args]
        run_env = {k: v for k, v in os.environ.items() if not k.startswith("POSTA_")}
        run_env.update(env or {})
        p = subprocess.run(cmd, input=input, capture_output=True, text=True, timeout=timeout,
                           env=run_env, cwd=self.root)
        return p.returncode, p.stdout, p.stderr


def quote(segment):
    """A path segment for the API (addresses, IDN names)."""
    return urllib.parse.quote(segment, safe="@")


_module_servers = {}  # test module name -> [PostaServer, failed]


def stop_servers():
    """Stops every module server (use as `tearDownModule = stop_servers`); logs are
    printed when a test of that module failed. Files are removed unless
    $POSTA_KEEP_TEST_DIRS is set (a failing suite would otherwise fill /tmp)."""
    while _module_servers:
        _, (server, failed) = _module_servers.popitem()
        if failed:
            server.dump_logs()
        server.cleanup()


atexit.register(stop_servers)


class PostaTestCase(unittest.TestCase):
    """Test classes of one module share one server (started by the first class's
    setUpClass with its `server_options`); logs are printed when a test fails."""

    server_options = {}
    server = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        entry = _module_servers.get(cls.__module__)
        if entry is None:
            server = PostaServer(**cls.server_options)
            try:
                server.start()
            except BaseException:
                server.dump_logs()
                server.cleanup()
                raise
            entry = _module_servers[cls.__module__] = [server, False]
        cls.server = entry[0]

    def run(self, result=None):
        before = (len(result.failures), len(result.errors)) if result is not None else None
        out = super().run(result)
        if result is not None and (len(result.failures), len(result.errors)) != before:
            entry = _module_servers.get(type(self).__module__)
            if entry:
                entry[1] = True
        return out

    # --- assertions shared by the API tests ---------------------------

    def api(self, method, path, json=None, **kw):
        return self.server.api(method, path, json=json, **kw)

    def assertApi(self, expected_status, method, path, json=None, code=None, **kw):
        """Calls the API, checks the status (and error code); returns the parsed body."""
        status, body = self.server.api(method, path, json=json, **kw)
        self.assertEqual(status, expected_status, "%s %s -> %s %r" % (method, path, status, body))
        if code is not None:
            self.assertErrorShape(body, code)
        return body

    def assertErrorShape(self, body, code):
        self.assertIsInstance(body, dict, body)
        self.assertIn("error", body, body)
        self.assertEqual(body["error"].get("code"), code, body)
        self.assertIsInstance(body["error"].get("message"), str, body)
        self.assertTrue(body["error"]["message"], body)

    def cli_ok(self, *args, **kw):
        """Runs the CLI, asserts success; returns stdout."""
        rc, out, err = self.server.cli(*args, **kw)
        self.assertEqual(rc, 0, "posta %s -> rc %d, stderr %r" % (" ".join(map(str, args)), rc, err))
        return out

    def cli_json(self, *args, **kw):
        out = self.cli_ok("--json", *args, **kw)
        try:
            return jsonlib.loads(out)
        except ValueError:
            self.fail("posta --json %s printed no JSON: %r" % (" ".join(map(str, args)), out))

    def cli_fails(self, *args, rc=None, **kw):
        """Runs the CLI, asserts failure with exactly one line on stderr; returns that line."""
        code, out, err = self.server.cli(*args, **kw)
        self.assertNotEqual(code, 0, "posta %s unexpectedly succeeded: %r" % (" ".join(map(str, args)), out))
        if rc is not None:
            self.assertEqual(code, rc, "posta %s: stderr %r" % (" ".join(map(str, args)), err))
        lines = err.splitlines()
        self.assertEqual(len(lines), 1, "posta %s: stderr should be one line, got %r" % (" ".join(map(str, args)), err))
        self.assertTrue(lines[0].strip(), err)
        return lines[0]
