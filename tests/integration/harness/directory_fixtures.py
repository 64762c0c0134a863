"""Real directory servers for Posta's directory tests: OpenLDAP slapd and a
Samba Active Directory domain controller, each in a private temp dir on
loopback, started in the foreground (we own the pid) and stopped by pid.

    with Slapd() as ldap:            # ldap.uri, ldap.ldaps_uri, ldap.ca_file ...
        ldap.add_user("erin", "erin-pw-5", "erin@corp.test", title="CTO")

    with SambaAD() as ad:            # ad.uri (StartTLS), ad.ldaps_uri, ad.realm ...
        ad.create_user("frank", "Frank-pw-6", mail_address="frank@corp.test")

Both make a throw-away CA and a server certificate with an IP SAN (openssl
CLI), so libldap verifies them with ca_file; wrong_ca_file is another CA that
signed nothing here. PEERS.md ("OpenLDAP slapd 2.5", "Active Directory for
tests: Samba AD DC") says why the configurations look as they do.

Run as a program (`directory_fixtures.py slapd|samba [--no-tls]`) it starts
one server, prints one JSON line describing it, then serves one JSON call per
stdin line ({"call": "add_user", "args": [...], "kwargs": {...}} answered by
{"ok": true, "result": ...} or {"ok": false, "error": "..."}) and stops the
server when stdin closes or on SIGTERM: the C++ tests use it that way, so
there is one fixture implementation. Standard library only (/usr/bin/python3).
"""

import base64
import ctypes
import fcntl
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

DATA_DIR = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "directory", "data"))
SCHEMA_DIR = "/etc/ldap/schema"
MODULE_DIR = "/usr/lib/ldap"
READY_TIMEOUT = 60.0
BASE_DN = "dc=corp,dc=test"
# Bump when the provisioned Samba template changes meaning (cache key).
SAMBA_TEMPLATE_VERSION = "1"


class FixtureError(RuntimeError):
    pass


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tail(path, lines=40):
    try:
        with open(path, "rb") as f:
            data = f.read()[-16384:]
        return "\n".join(data.decode("utf-8", "replace").splitlines()[-lines:])
    except OSError as e:
        return "(no log: %s)" % e


def _die_with_parent():
    """preexec_fn: the daemon gets SIGTERM when this process dies, even by
    SIGKILL (prctl PR_SET_PDEATHSIG), so a killed test leaves nothing behind."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)
    except OSError:
        pass


def _run(argv, input_text=None, env=None, timeout=120, what=None):
    proc = subprocess.run(argv, input=input_text, capture_output=True, text=True, env=env, timeout=timeout)
    if proc.returncode != 0:
        raise FixtureError("%s failed (exit %d): %s%s" % (what or argv[0], proc.returncode, proc.stderr.strip(),
                                                          (" / " + proc.stdout.strip()) if proc.stdout.strip() else ""))
    return proc.stdout


def _can_connect(host, port):
    try:
        with socket.create_connection((host, port), timeout=1.0):
            return True
    except OSError:
        return False


def _process_alive(proc):
    return proc is not None and proc.poll() is None


def _stop_process(proc, timeout=15.0):
    """SIGTERM the pid we started, SIGKILL if it lingers, and reap it."""
    if proc is None or proc.poll() is not None:
        return
    try:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=timeout)
    except ProcessLookupError:
        pass


def make_certificates(directory, ip, name="server"):
    """A CA (ca.pem), a server certificate for `ip` (IP SAN, plus DNS
    localhost) signed by it (NAME.pem/NAME.key, key mode 0600 as Samba
    demands) and an unrelated CA (wrong-ca.pem) for negative tests."""
    def openssl(*args):
        _run(["openssl"] + list(args), what="openssl " + args[0])

    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    ca_key, ca_pem = os.path.join(directory, "ca.key"), os.path.join(directory, "ca.pem")
    openssl("req", "-x509", *ec, "-keyout", ca_key, "-out", ca_pem, "-days", "3650", "-subj",
            "/O=Posta tests/CN=Posta Test CA", "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    wrong_key, wrong_pem = os.path.join(directory, "wrong-ca.key"), os.path.join(directory, "wrong-ca.pem")
    openssl("req", "-x509", *ec, "-keyout", wrong_key, "-out", wrong_pem, "-days", "3650", "-subj",
            "/O=Posta tests/CN=Posta Unrelated CA", "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    key, csr, pem = (os.path.join(directory, name + ext) for ext in (".key", ".csr", ".pem"))
    openssl("req", *ec, "-keyout", key, "-out", csr, "-subj", "/O=Posta tests/CN=" + ip)
    ext = os.path.join(directory, name + ".ext")
    with open(ext, "w") as f:
        f.write("basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n"
                "extendedKeyUsage=serverAuth\nsubjectAltName=IP:%s,DNS:localhost\n" % ip)
    openssl("x509", "-req", "-in", csr, "-CA", ca_pem, "-CAkey", ca_key, "-set_serial",
            str(int.from_bytes(os.urandom(8), "big")), "-days", "3650", "-out", pem, "-extfile", ext)
    for path in (key, ca_key, wrong_key):
        os.chmod(path, 0o600)
    return {"ca_file": ca_pem, "wrong_ca_file": wrong_pem, "cert_file": pem, "key_file": key}


def _ldif_value(name, value):
    if isinstance(value, bytes):
        return "%s:: %s" % (name, base64.b64encode(value).decode())
    value = str(value)
    if value != value.strip() or value[:1] in (":", "<") or any(ord(c) < 32 or ord(c) > 126 for c in value):
        return "%s:: %s" % (name, base64.b64encode(value.encode("utf-8")).decode())
    return "%s: %s" % (name, value)


def ldif_entry(dn, attrs):
    """LDIF text of one entry; attrs maps names to a value or a list of values
    (bytes are base64, RFC 2849)."""
    lines = [_ldif_value("dn", dn)]
    for name, values in attrs.items():
        for v in values if isinstance(values, (list, tuple)) else [values]:
            lines.append(_ldif_value(name, v))
    return "\n".join(lines) + "\n"


class _Fixture:
    """What both servers share: tmp dir, ldapmodify helpers, context manager."""

    uri = ldaps_uri = ca_file = wrong_ca_file = base_dn = admin_dn = admin_password = None

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def _tool_env(self):
        env = dict(os.environ)
        env["LDAPTLS_CACERT"] = self.ca_file or ""
        env["LDAPTLS_REQCERT"] = "demand"
        env["LDAPCONF"] = "/dev/null"  # not /etc/ldap/ldap.conf (LDAPNOINIT would drop LDAPTLS_* too)
        return env

    def _tool_uri(self):
        return self.uri

    def _ldap_tool(self, tool, extra, input_text=None):
        argv = [tool, "-x", "-H", self._tool_uri(), "-D", self.admin_dn, "-w", self.admin_password] + extra
        return _run(argv, input_text=input_text, env=self._tool_env(), what=tool)

    def modify(self, ldif_text):
        """ldapmodify as the administrator (changetype lines in the LDIF)."""
        return self._ldap_tool("ldapmodify", [], ldif_text)

    def add(self, ldif_text):
        """ldapadd as the administrator (entries without changetype)."""
        return self._ldap_tool("ldapadd", [], ldif_text)

    def delete(self, dn):
        return self._ldap_tool("ldapdelete", [dn])

    def search(self, base, filt="(objectClass=*)", *attrs, scope="sub"):
        """ldapsearch as the administrator, LDIF text back."""
        return self._ldap_tool("ldapsearch", ["-LLL", "-o", "ldif-wrap=no", "-b", base, "-s", scope, filt] + list(attrs))

    def describe(self):
        return {k: getattr(self, k) for k in self.DESCRIBED}


class Slapd(_Fixture):
    """OpenLDAP slapd with the corp.test data (directory/data/base.ldif by
    slapadd, groups.ldif by ldapadd so that memberof sees them), syncprov and
    memberof."""

    DESCRIBED = ("kind", "uri", "ldaps_uri", "ca_file", "wrong_ca_file", "base_dn", "admin_dn", "admin_password",
                 "service_dn", "service_password", "people_dn", "groups_dn", "pid", "tmpdir", "data_dir")
    kind = "slapd"

    def __init__(self, tmpdir=None, tls=True):
        self._own_tmpdir = tmpdir is None
        self.tmpdir = tmpdir
        self.tls = tls
        self.proc = None
        self.pid = None
        self.base_dn = BASE_DN
        self.people_dn = "ou=people," + BASE_DN
        self.groups_dn = "ou=groups," + BASE_DN
        self.admin_dn = "cn=admin," + BASE_DN
        self.admin_password = "admin-pw-0"
        self.service_dn = "cn=posta,ou=services," + BASE_DN
        self.service_password = "posta-service-pw"
        self.data_dir = DATA_DIR

    def _write_config(self):
        d = self.tmpdir
        os.makedirs(os.path.join(d, "db"), exist_ok=True)
        includes = ["core", "cosine", "inetorgperson", "nis"]
        lines = ["include %s/%s.schema" % (SCHEMA_DIR, s) for s in includes]
        lines.append("include %s" % os.path.join(DATA_DIR, "ad_like.schema"))
        lines += [
            "pidfile %s/slapd.pid" % d,
            "argsfile %s/slapd.args" % d,
            "modulepath %s" % MODULE_DIR,
            "moduleload back_mdb",
            "moduleload syncprov",
            "moduleload memberof",
            # Realistic limits: 500 entries per plain search, any number
            # through the paged-results control (RFC 2696).
            "sizelimit size.soft=500 size.hard=unlimited size.prtotal=unlimited",
        ]
        if self.tls:
            lines += ["TLSCACertificateFile %s" % self.certs["ca_file"],
                      "TLSCertificateFile %s" % self.certs["cert_file"],
                      "TLSCertificateKeyFile %s" % self.certs["key_file"]]
        lines += [
            "database mdb",
            "maxsize 268435456",
            'suffix "%s"' % BASE_DN,
            'rootdn "%s"' % self.admin_dn,
            "rootpw %s" % self.admin_password,
            "directory %s/db" % d,
            "index objectClass eq",
            "index uid,mail,sAMAccountName,userPrincipalName eq",
            "index entryUUID,entryCSN eq",
            "access to attrs=userPassword by self write by anonymous auth by * none",
            "access to * by * read",
            # RFC 4533 provider; the session log lets a refresh from a cookie
            # name deleted entries instead of a present phase over everything.
            "overlay syncprov",
            "syncprov-checkpoint 100 10",
            "syncprov-sessionlog 1000",
            "overlay memberof",
        ]
        self.conf = os.path.join(d, "slapd.conf")
        with open(self.conf, "w") as f:
            f.write("\n".join(lines) + "\n")

    def start(self, timeout=READY_TIMEOUT):
        if self._own_tmpdir and self.tmpdir is None:
            self.tmpdir = tempfile.mkdtemp(prefix="posta-slapd-", dir="/tmp")
        os.makedirs(self.tmpdir, exist_ok=True)
        self.certs = make_certificates(self.tmpdir, "127.0.0.1") if self.tls else {}
        self.ca_file = self.certs.get("ca_file")
        self.wrong_ca_file = self.certs.get("wrong_ca_file")
        self._write_config()
        _run(["slapadd", "-q", "-w", "-f", self.conf, "-l", os.path.join(DATA_DIR, "base.ldif")], what="slapadd")
        self.log = os.path.join(self.tmpdir, "slapd.log")
        last = None
        for _ in range(3):  # a free port can be taken between picking and binding
            self.port = _free_port()
            self.uri = "ldap://127.0.0.1:%d" % self.port
            urls = [self.uri + "/"]
            self.ldaps_uri = None
            if self.tls:
                self.ldaps_port = _free_port()
                self.ldaps_uri = "ldaps://127.0.0.1:%d" % self.ldaps_port
                urls.append(self.ldaps_uri + "/")
            try:
                self._launch(urls, timeout)
                with open(os.path.join(DATA_DIR, "groups.ldif")) as f:
                    self.add(f.read())
                return self
            except FixtureError as e:
                last = e
                if "Address already in use" not in str(e):
                    break
        self.stop()
        raise last

    def _launch(self, urls, timeout):
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(["slapd", "-d", "0", "-f", self.conf, "-h", " ".join(urls)],
                                         stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                         preexec_fn=_die_with_parent)
        self.pid = self.proc.pid
        ports = [self.port] + ([self.ldaps_port] if self.tls else [])
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not _process_alive(self.proc):
                raise FixtureError("slapd exited with %s before answering; log:\n%s" % (self.proc.returncode, _tail(self.log)))
            if all(_can_connect("127.0.0.1", p) for p in ports):
                return
            time.sleep(0.05)
        _stop_process(self.proc)
        raise FixtureError("slapd did not listen within %.0f s; log:\n%s" % (timeout, _tail(self.log)))

    def stop(self):
        _stop_process(self.proc)
        self.proc = None
        if self._own_tmpdir and self.tmpdir and os.path.isdir(self.tmpdir):
            shutil.rmtree(self.tmpdir, ignore_errors=True)
            self.tmpdir = None

    def user_dn(self, uid):
        return "uid=%s,%s" % (uid, self.people_dn)

    def add_user(self, uid, password, mail, **attrs):
        """An inetOrgPerson (with the AD-like auxiliary class) under ou=people;
        attrs are more attributes (a list for several values, bytes for binary)."""
        entry = {"objectClass": ["inetOrgPerson", "postaTestADObject"], "uid": uid, "cn": attrs.pop("cn", uid),
                 "sn": attrs.pop("sn", uid), "mail": mail, "userPassword": password}
        entry.update(attrs)
        self.add(ldif_entry(self.user_dn(uid), entry))
        return self.user_dn(uid)


# --- Samba AD DC ---------------------------------------------------------------------------------------------

def _cache_base():
    return os.environ.get("XDG_CACHE_HOME") or "/tmp"


def _samba_version():
    try:
        return subprocess.run(["samba", "-V"], capture_output=True, text=True, timeout=30).stdout.strip().replace(" ", "_")
    except OSError as e:
        raise FixtureError("samba is not installed (%s): dev/install-deps lists samba, samba-ad-dc, samba-ad-provision" % e)


def _smb_conf_set(text, settings):
    """`text` with the [global] keys of `settings` replaced (or added)."""
    keys = {k.lower() for k in settings}
    out, in_global = [], False
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("["):
            if in_global:
                out += ["\t%s = %s" % kv for kv in settings.items()]
            in_global = stripped.lower() == "[global]"
            out.append(line)
            continue
        if in_global and "=" in stripped and stripped.split("=", 1)[0].strip().lower() in keys:
            continue
        out.append(line)
    if in_global:
        out += ["\t%s = %s" % kv for kv in settings.items()]
    return "\n".join(out) + "\n"


class SambaAD(_Fixture):
    """A Samba AD DC for realm CORP.TEST, LDAP service only, on its own
    127.0.0.N (its LDAP ports cannot be moved)."""

    DESCRIBED = ("kind", "uri", "ldaps_uri", "ca_file", "wrong_ca_file", "base_dn", "admin_dn", "admin_upn",
                 "admin_password", "realm", "domain", "ip", "smb_conf", "users_dn", "pid", "tmpdir")
    kind = "samba"
    REALM = "CORP.TEST"
    DOMAIN = "CORP"
    ADMIN_PASSWORD = "Adm1n-Posta-Test!"

    def __init__(self, tmpdir=None):
        self._own_tmpdir = tmpdir is None
        self.tmpdir = tmpdir
        self.proc = None
        self.pid = None
        self._ip_lock = None
        self.realm = self.REALM
        self.domain = self.DOMAIN
        self.base_dn = "DC=corp,DC=test"
        self.users_dn = "CN=Users," + self.base_dn
        self.admin_dn = "CN=Administrator," + self.users_dn
        self.admin_upn = "Administrator@corp.test"
        self.admin_password = self.ADMIN_PASSWORD

    # The provisioned template, made once per machine (5-8 s) and copied.
    @classmethod
    def template(cls):
        base = _cache_base()
        os.makedirs(base, exist_ok=True)
        key = re.sub(r"[^A-Za-z0-9_.-]", "_", "%s-%s-uid%d" % (_samba_version(), SAMBA_TEMPLATE_VERSION, os.geteuid()))
        final = os.path.join(base, "posta-samba-template-" + key)
        if os.path.isfile(os.path.join(final, "provisioned-at")):
            return final
        # One provisioner at a time; the others wait and then use its result.
        with open(final + ".lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if os.path.isfile(os.path.join(final, "provisioned-at")):
                return final
            work = tempfile.mkdtemp(prefix=".posta-samba-provision-", dir=base)
            try:
                empty = os.path.join(work, "empty.conf")
                open(empty, "w").close()
                target = os.path.join(work, "dc")
                # --option values are dropped by provision (PEERS.md): the
                # services and paths are set in smb.conf after copying.
                _run(["samba-tool", "domain", "provision", "-s", empty, "--targetdir=" + target,
                      "--realm=" + cls.REALM, "--domain=" + cls.DOMAIN, "--host-name=dc1", "--server-role=dc",
                      "--dns-backend=NONE", "--use-rfc2307", "--host-ip=127.0.0.2",
                      "--adminpass=" + cls.ADMIN_PASSWORD], timeout=300, what="samba-tool domain provision")
                with open(os.path.join(work, "provisioned-at"), "w") as f:
                    f.write(target)
                os.rename(work, final)  # atomic: a reader sees all of it or nothing
            except BaseException:
                shutil.rmtree(work, ignore_errors=True)
                raise
        return final

    def _pick_ip(self):
        """127.0.0.N whose LDAP ports are free, held by a lock file for this
        instance's life so that parallel tests never pick the same one."""
        for n in range(2, 250):
            ip = "127.0.0.%d" % n
            # Shared by every user's instances (the addresses are too).
            fd = os.open(os.path.join(_cache_base(), "posta-samba-ip-%d.lock" % n), os.O_RDWR | os.O_CREAT, 0o666)
            try:
                os.fchmod(fd, 0o666)
            except OSError:
                pass  # another user's file: usable as it is
            lock = os.fdopen(fd, "w")
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                lock.close()
                continue
            free = True
            for port in (389, 636, 3268, 3269):
                with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
                    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                    try:
                        s.bind((ip, port))
                    except OSError:
                        free = False
                        break
            if free:
                self._ip_lock = lock
                return ip
            lock.close()
        raise FixtureError("no free 127.0.0.N for a Samba DC (ports 389/636 taken on 127.0.0.2-249)")

    @staticmethod
    def unusable_reason():
        """Why no Samba DC can run here (None when one can): its LDAP ports
        are fixed at 389/636, which only root binds unless the kernel's
        unprivileged port range starts lower."""
        if shutil.which("samba") is None or shutil.which("samba-tool") is None:
            return "samba is not installed (dev/install-deps: samba samba-ad-dc samba-ad-provision)"
        if os.geteuid() != 0:
            try:
                with open("/proc/sys/net/ipv4/ip_unprivileged_port_start") as f:
                    start = int(f.read().strip())
            except (OSError, ValueError):
                start = 1024
            if start > 389:
                return "a Samba AD DC needs root here (LDAP ports 389/636 are fixed, unprivileged ports start at %d)" % start
        return None

    def start(self, timeout=READY_TIMEOUT):
        reason = self.unusable_reason()
        if reason:
            raise FixtureError(reason)
        template = self.template()
        if self._own_tmpdir and self.tmpdir is None:
            self.tmpdir = tempfile.mkdtemp(prefix="posta-samba-", dir="/tmp")
        try:
            self._start(template, timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self, template, timeout):
        with open(os.path.join(template, "provisioned-at")) as f:
            old = f.read().strip()
        dc = os.path.join(self.tmpdir, "dc")
        shutil.copytree(os.path.join(template, "dc"), dc, symlinks=True)
        self.ip = self._pick_ip()
        self.certs = make_certificates(self.tmpdir, self.ip)
        self.ca_file = self.certs["ca_file"]
        self.wrong_ca_file = self.certs["wrong_ca_file"]
        run = os.path.join(dc, "run")
        for sub in ("", "ncalrpc", "winbindd", "ntp_signd"):
            os.makedirs(os.path.join(run, sub), exist_ok=True)
        self.smb_conf = os.path.join(dc, "etc", "smb.conf")
        self.log = os.path.join(self.tmpdir, "samba.log")
        with open(self.smb_conf) as f:
            text = f.read().replace(old, dc)
        text = _smb_conf_set(text, {
            "interfaces": self.ip + "/8",  # a bare IP matches no interface
            "bind interfaces only": "yes",
            "server services": "ldap",
            "disable netbios": "yes",
            "pid directory": run,
            "ncalrpc dir": os.path.join(run, "ncalrpc"),
            "winbindd socket directory": os.path.join(run, "winbindd"),
            "ntp signd socket directory": os.path.join(run, "ntp_signd"),
            "log file": os.path.join(self.tmpdir, "log.%m"),
            "tls enabled": "yes",
            "tls keyfile": self.certs["key_file"],
            "tls certfile": self.certs["cert_file"],
            "tls cafile": "",
        })
        with open(self.smb_conf, "w") as f:
            f.write(text)
        self.uri = "ldap://%s" % self.ip
        self.ldaps_uri = "ldaps://%s" % self.ip
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(["samba", "-s", self.smb_conf, "-i", "-M", "single"],
                                         stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                         preexec_fn=_die_with_parent)
        self.pid = self.proc.pid
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not _process_alive(self.proc):
                raise FixtureError("samba exited with %s before answering; log:\n%s" % (self.proc.returncode, _tail(self.log)))
            if _can_connect(self.ip, 389) and _can_connect(self.ip, 636):
                return
            time.sleep(0.05)
        raise FixtureError("samba did not listen on %s within %.0f s; log:\n%s" % (self.ip, timeout, _tail(self.log)))

    def stop(self):
        _stop_process(self.proc)
        self.proc = None
        if self._ip_lock is not None:
            self._ip_lock.close()
            self._ip_lock = None
        if self._own_tmpdir and self.tmpdir and os.path.isdir(self.tmpdir):
            shutil.rmtree(self.tmpdir, ignore_errors=True)
            self.tmpdir = None

    def _tool_uri(self):
        return self.ldaps_uri  # plain simple binds are refused (strong auth)

    def samba_tool(self, *args):
        """samba-tool on this DC's sam.ldb (local access while it runs)."""
        return _run(["samba-tool"] + list(args) + ["-s", self.smb_conf], what="samba-tool " + " ".join(args[:2]))

    def dn_of(self, account):
        """The DN of the object whose sAMAccountName is `account` (samba-tool
        names a user's CN after --given-name/--surname when given)."""
        for line in self.search(self.base_dn, "(sAMAccountName=%s)" % account, "1.1").splitlines():
            if line.startswith("dn: "):
                return line[4:]
        raise FixtureError("no object with sAMAccountName=%s" % account)

    def create_user(self, name, password, **options):
        """samba-tool user create; options are its long options
        (given_name="Alice" -> --given-name=Alice, mail_address, job_title,
        telephone_number, department, surname ...)."""
        argv = ["user", "create", name, password]
        for k, v in options.items():
            argv.append("--%s=%s" % (k.replace("_", "-"), v))
        self.samba_tool(*argv)
        return self.dn_of(name)

    def disable_user(self, name):
        self.samba_tool("user", "disable", name)

    def enable_user(self, name):
        self.samba_tool("user", "enable", name)

    def delete_user(self, name):
        self.samba_tool("user", "delete", name)

    def add_group(self, name):
        self.samba_tool("group", "add", name)
        return self.dn_of(name)

    def add_members(self, group, *members):
        self.samba_tool("group", "addmembers", group, ",".join(members))


# --- as a program: one server for a C++ test ------------------------------------------------------------------

def _serve(fixture):
    stopping = []

    def on_term(signum, frame):
        stopping.append(signum)
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    try:
        fixture.start()
        sys.stdout.write(json.dumps(fixture.describe()) + "\n")
        sys.stdout.flush()
        for line in sys.stdin:
            line = line.strip()
            if not line:
                continue
            try:
                req = json.loads(line)
                method = req["call"]
                if method.startswith("_") or not callable(getattr(fixture, method, None)):
                    raise FixtureError("no such call: %s" % method)
                args = [base64.b64decode(a["base64"]) if isinstance(a, dict) and "base64" in a else a
                        for a in req.get("args", [])]
                result = getattr(fixture, method)(*args, **req.get("kwargs", {}))
                answer = {"ok": True, "result": result if isinstance(result, (str, int, type(None))) else str(result)}
            except Exception as e:  # the test reads the reason
                answer = {"ok": False, "error": "%s: %s" % (type(e).__name__, e)}
            sys.stdout.write(json.dumps(answer) + "\n")
            sys.stdout.flush()
    except FixtureError as e:
        sys.stdout.write(json.dumps({"error": str(e)}) + "\n")
        sys.stdout.flush()
        return 1
    finally:
        fixture.stop()
    return 0


def main(argv):
    if len(argv) < 2 or argv[1] not in ("slapd", "samba"):
        sys.stderr.write("usage: directory_fixtures.py slapd [--no-tls] | samba\n")
        return 2
    if argv[1] == "slapd":
        return _serve(Slapd(tls="--no-tls" not in argv[2:]))
    return _serve(SambaAD())


if __name__ == "__main__":
    sys.exit(main(sys.argv))
