"""Power-loss durability. A SIGKILL cannot show a missing fsync (the page cache
survives the process), so posta's data folder (blob store and embedded
PostgreSQL) is put on lossyfs.py, a FUSE filesystem that keeps only what was
fsynced. Under SMTP load the power is cut (posta and every postgres of the
cluster SIGKILLed, then everything unsynced dropped), the filesystem is
mounted again and posta restarted. Then every message that got its 250 is in
its mailboxes exactly once, nothing half-stored is visible, and the blob store
and the database agree. With blob fsyncs switched off (a test-only switch of
posta) the same check must find a loss: the test can fail.

The filesystem itself is tested first (LossyFsTests). Runs as root: PostgreSQL
runs as `postgres` on the mount (allow_other, default_permissions)."""

import hashlib
import os
import random
import shutil
import signal
import smtplib
import subprocess
import sys
import threading
import time
import unittest
import uuid

from posta_harness import LISTENER_NAMES, PostaServer, make_temp_dir, posta_bin, process_alive

HERE = os.path.dirname(os.path.abspath(__file__))
LOSSYFS = os.path.join(HERE, "lossyfs.py")
API = "/api/v1"
DOMAIN = "power.test"
ACCOUNTS = ["p%d@%s" % (i, DOMAIN) for i in range(3)]
LOAD_THREADS = 4
ACKED_BEFORE_CUT = 60  # several commit batches; about 5 s of load with PostgreSQL on FUSE
LOAD_TIMEOUT = 40.0
SMALL_BODY, LARGE_BODY = 2000, 300 * 1024
FIELD_SEP, RECORD_SEP = "\x1f", "\x1e"


def fuse_available():
    return (os.geteuid() == 0 and os.path.exists("/dev/fuse") and shutil.which("fusermount3") is not None
            and subprocess.run(["/usr/bin/python3", "-c", "import fusepy"], capture_output=True).returncode == 0)


def is_mounted(path):
    path = os.path.realpath(path)
    with open("/proc/self/mounts") as f:
        return any(line.split()[1] == path for line in f)


def force_unmount(path):
    for cmd in (["fusermount3", "-u", path], ["fusermount", "-u", path], ["umount", "-l", path]):
        if not is_mounted(path):
            return
        subprocess.run(cmd, capture_output=True, timeout=30)


def wait_until(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for " + what)
        time.sleep(0.05)


def only(*names):
    """Listener spec: these on free ports, the others off."""
    return {n: ("auto" if n in names else 0) for n in LISTENER_NAMES}


class LossyMount:
    """One lossyfs daemon: mounts BACKING's durable state at MOUNTPOINT."""

    def __init__(self, backing, mountpoint, log_path):
        self.backing, self.mountpoint, self.log_path = backing, mountpoint, log_path
        self.proc = None

    def mount(self):
        assert not is_mounted(self.mountpoint), "still mounted: " + self.mountpoint
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(["/usr/bin/python3", "-W", "ignore", LOSSYFS, self.backing, self.mountpoint],
                                         stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)
        deadline = time.monotonic() + 60
        while not is_mounted(self.mountpoint):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError("lossyfs did not mount:\n" + self.log())
            time.sleep(0.05)
        return self

    def cut(self):
        """The power cut: the daemon keeps only the durable state and unmounts."""
        self.proc.send_signal(signal.SIGUSR1)
        try:
            rc = self.proc.wait(timeout=120)
        except subprocess.TimeoutExpired:
            self.close()
            raise AssertionError("lossyfs did not finish the power cut:\n" + self.log())
        self.proc = None
        if rc != 0:
            raise AssertionError("lossyfs exited with %s:\n%s" % (rc, self.log()))
        wait_until(lambda: not is_mounted(self.mountpoint), 30, "the unmount after the cut")

    def close(self):
        """Unmounts without saving (clean-up); safe to call twice."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=30)
        self.proc = None
        force_unmount(self.mountpoint)

    def log(self):
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()[-5000:]
        except OSError:
            return ""


class LossyDir:
    """A temp dir with backing/ and mnt/, cleaned up whatever happens."""

    def __init__(self, testcase, backing_from=None):
        self.root = make_temp_dir("posta-powerloss-")
        testcase.addCleanup(shutil.rmtree, self.root, True)
        self.backing = os.path.join(self.root, "backing")
        self.mnt = os.path.join(self.root, "mnt")
        os.mkdir(self.mnt, 0o755)
        if backing_from:
            subprocess.run(["cp", "-a", backing_from, self.backing], check=True)
        else:
            os.mkdir(self.backing, 0o755)
        self.fs = LossyMount(self.backing, self.mnt, os.path.join(self.root, "lossyfs.log"))
        testcase.addCleanup(self.fs.close)

    def path(self, *parts):
        return os.path.join(self.mnt, *parts)

    def remount_after_cut(self):
        self.fs.cut()
        self.fs.mount()


def fsync_path(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_file(path, data, sync=False, flags=os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode=0o644):
    fd = os.open(path, flags, mode)
    try:
        os.write(fd, data)
        if sync:
            os.fsync(fd)
    finally:
        os.close(fd)


def read_file(path):
    with open(path, "rb") as f:
        return f.read()


@unittest.skipUnless(fuse_available(), "needs root, /dev/fuse, fuse3 and python3-fusepy")
class LossyFsTests(unittest.TestCase):
    """The filesystem keeps exactly what was synced, through a real mount."""

    def setUp(self):
        self.d = LossyDir(self)
        write_file(os.path.join(self.d.backing, "old"), b"durable before the mount")
        self.d.fs.mount()

    def test_write_without_fsync_is_gone_after_cut(self):
        write_file(self.d.path("old"), b"overwritten, never synced")
        write_file(self.d.path("new"), b"never synced")
        fsync_path(self.d.mnt)  # the name of "new" is durable, its data is not
        self.assertEqual(read_file(self.d.path("old")), b"overwritten, never synced")
        self.d.remount_after_cut()
        self.assertEqual(read_file(self.d.path("old")), b"durable before the mount")
        self.assertEqual(read_file(self.d.path("new")), b"")

    def test_fsync_of_file_without_its_directory_loses_the_name(self):
        write_file(self.d.path("new"), b"synced data", sync=True)
        self.d.remount_after_cut()
        self.assertFalse(os.path.exists(self.d.path("new")))
        self.assertEqual(sorted(os.listdir(self.d.mnt)), ["old"])

    def test_fsync_of_file_and_directory_keeps_both(self):
        os.mkdir(self.d.path("sub"), 0o750)
        os.chown(self.d.path("sub"), 1234, 5678)
        fsync_path(self.d.mnt)
        fd = os.open(self.d.path("sub", "sparse"), os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
        os.pwrite(fd, b"tail", 100000)
        os.pwrite(fd, b"head", 0)
        os.fdatasync(fd)
        os.pwrite(fd, b"after the sync", 50)
        os.close(fd)
        fsync_path(self.d.path("sub"))
        self.d.remount_after_cut()
        data = read_file(self.d.path("sub", "sparse"))
        self.assertEqual(len(data), 100004)
        self.assertEqual(data[:4], b"head")
        self.assertEqual(data[-4:], b"tail")
        self.assertEqual(data[4:100000], bytes(99996), "written after the fdatasync: not durable")
        st = os.stat(self.d.path("sub"))
        self.assertEqual((st.st_mode & 0o7777, st.st_uid, st.st_gid), (0o750, 1234, 5678))
        self.assertEqual(os.stat(self.d.path("sub", "sparse")).st_mode & 0o7777, 0o600)

    def test_new_directory_needs_its_parent_synced(self):
        # The blob store's case: a file renamed into a new folder, the file and
        # the folder synced, the folder's parent not.
        os.mkdir(self.d.path("ab"))
        write_file(self.d.path("tmp-x"), b"blob", sync=True)
        os.rename(self.d.path("tmp-x"), self.d.path("ab", "cdef"))
        fsync_path(self.d.path("ab"))
        self.d.remount_after_cut()
        self.assertEqual(sorted(os.listdir(self.d.mnt)), ["old"])
        os.mkdir(self.d.path("ab"))
        fsync_path(self.d.mnt)
        write_file(self.d.path("ab", "cdef"), b"blob", sync=True)
        fsync_path(self.d.path("ab"))
        self.d.remount_after_cut()
        self.assertEqual(read_file(self.d.path("ab", "cdef")), b"blob")

    def test_rename_is_durable_only_after_directory_fsync(self):
        write_file(self.d.path("a"), b"first", sync=True)
        write_file(self.d.path("b"), b"second", sync=True)
        fsync_path(self.d.mnt)
        os.rename(self.d.path("a"), self.d.path("b"))  # over an existing file
        self.assertEqual(read_file(self.d.path("b")), b"first")
        self.d.remount_after_cut()
        self.assertEqual(read_file(self.d.path("a")), b"first")
        self.assertEqual(read_file(self.d.path("b")), b"second")
        os.rename(self.d.path("a"), self.d.path("b"))
        fsync_path(self.d.mnt)
        self.d.remount_after_cut()
        self.assertFalse(os.path.exists(self.d.path("a")))
        self.assertEqual(read_file(self.d.path("b")), b"first")

    def test_posix_semantics_that_postgresql_needs(self):
        p = self.d.path("f")
        write_file(p, b"0123456789", sync=True)
        fsync_path(self.d.mnt)
        with self.assertRaises(FileExistsError):
            os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL)
        fd = os.open(p, os.O_WRONLY | os.O_APPEND)
        os.write(fd, b"ab")
        os.ftruncate(fd, 5)
        os.write(fd, b"X")  # O_APPEND: at the end, whatever the offset
        os.close(fd)
        self.assertEqual(read_file(p), b"01234X")
        os.truncate(p, 2)
        self.assertEqual(read_file(p), b"01")
        fd = os.open(p, os.O_RDONLY)
        os.unlink(p)  # an open, unlinked file stays readable
        self.assertEqual(os.pread(fd, 10, 0), b"01")
        os.close(fd)
        self.assertFalse(os.path.exists(p))
        os.mkdir(self.d.path("dir"))
        with self.assertRaises(OSError):
            os.rmdir(self.d.mnt + "/nonexistent")
        write_file(self.d.path("dir", "x"), b"x")
        with self.assertRaises(OSError):
            os.rmdir(self.d.path("dir"))
        os.rename(self.d.path("dir"), self.d.path("moved"))
        self.assertEqual(os.listdir(self.d.path("moved")), ["x"])
        os.chmod(self.d.path("moved"), 0o700)
        self.assertEqual(os.stat(self.d.path("moved")).st_mode & 0o777, 0o700)
        self.assertGreater(os.statvfs(self.d.mnt).f_bavail, 0)
        # The unsynced namespace changes are all gone after a cut.
        self.d.remount_after_cut()
        self.assertEqual(sorted(os.listdir(self.d.mnt)), ["f", "old"])
        self.assertEqual(read_file(p), b"0123456789")


# --- the posta side --------------------------------------------------------

class Sent:
    """One message of the load and how far it got."""

    def __init__(self, marker, recipients, body):
        self.marker, self.recipients, self.body = marker, recipients, body
        self.state = "new"  # new -> dot (end of data sent) -> acked (250)


def body_size_of(i):
    """Most bodies are small (inline in PostgreSQL by default, once that
    exists); every fourth is past the default blobs.inline_max_kb (256), so
    both storage paths are loaded in every run."""
    return LARGE_BODY if i % 4 == 3 else SMALL_BODY


def load(port, thread_no, log, stop):
    """Sends messages until `stop` or the first failure; records each one."""
    try:
        c = smtplib.SMTP("127.0.0.1", port, local_hostname="load.test", timeout=60)
        c.ehlo()
    except (OSError, smtplib.SMTPException):
        return
    i = 0
    while not stop.is_set():
        marker = "power-%d-%d-%s" % (thread_no, i, uuid.uuid4().hex)
        rcpts = [ACCOUNTS[(thread_no + i) % len(ACCOUNTS)]]
        if i % 3 == 0:
            rcpts.append(ACCOUNTS[(thread_no + i + 1) % len(ACCOUNTS)])
        filler = ("%s filler line\r\n" % marker) * max(1, body_size_of(i) // 60)
        body = ("From: <load@remote.test>\r\nTo: %s\r\nSubject: %s\r\nMessage-ID: <%s@load.test>\r\n\r\n%s"
                % (", ".join(rcpts), marker, marker, filler)).encode()
        i += 1
        sent = Sent(marker, rcpts, body)
        log.append(sent)
        try:
            if c.mail("load@remote.test")[0] != 250 or any(c.rcpt(r)[0] != 250 for r in rcpts):
                break
            c.putcmd("data")
            if c.getreply()[0] != 354:
                break
            c.send(body + b".\r\n")
            sent.state = "dot"
            if c.getreply()[0] != 250:
                break
            sent.state = "acked"
        except (OSError, smtplib.SMTPException):
            break
    try:
        c.close()
    except OSError:
        pass


def all_pids():
    return [int(p) for p in os.listdir("/proc") if p.isdigit()]


def stat_fields(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()  # state, ppid, pgrp, …
    except (OSError, IndexError):
        return None


def cluster_pids(postmaster):
    """The postmaster and every process of its process group or its children."""
    out = {postmaster}
    for pid in all_pids():
        fields = stat_fields(pid)
        if fields and (int(fields[1]) == postmaster or int(fields[2]) == postmaster):
            out.add(pid)
    return out


class Store:
    """Read-only view of a running posta's database and blob store."""

    def __init__(self, data_dir):
        self.data_dir = data_dir
        self.has_body = self.scalar("SELECT count(*) FROM information_schema.columns "
                                    "WHERE table_name = 'blobs' AND column_name = 'body'") == "1"

    def sql(self, query):
        p = subprocess.run(["psql", "-X", "-q", "-h", os.path.join(self.data_dir, "pg"), "-U", "postgres",
                            "-d", "posta", "-v", "ON_ERROR_STOP=1", "-A", "-t", "-F", FIELD_SEP, "-R", RECORD_SEP,
                            "-P", "null=\x01NULL\x01", "-c", query], capture_output=True, timeout=120)
        if p.returncode != 0:
            raise AssertionError("psql failed for %r: %s" % (query, p.stderr.decode(errors="replace")))
        out = p.stdout.decode()
        out = out[:-1] if out.endswith("\n") else out
        if not out:
            return []
        return [[None if f == "\x01NULL\x01" else f for f in rec.split(FIELD_SEP)] for rec in out.split(RECORD_SEP)]

    def scalar(self, query):
        rows = self.sql(query)
        return rows[0][0] if rows else None

    def blob_path(self, digest):
        return os.path.join(self.data_dir, "blobs", digest[:2], digest[2:])

    def body(self, digest):
        """One blob's bytes, inline or from its file."""
        if self.has_body:
            hexed = self.scalar("SELECT encode(body, 'hex') FROM blobs WHERE hash = '%s'" % digest)
            if hexed is not None:
                return bytes.fromhex(hexed)
        return read_file(self.blob_path(digest))

    def blob_files(self):
        """(hash, path) of every file in the fan-out folders."""
        root = os.path.join(self.data_dir, "blobs")
        for fan in sorted(os.listdir(root)):
            if len(fan) == 2 and os.path.isdir(os.path.join(root, fan)):
                for name in os.listdir(os.path.join(root, fan)):
                    yield fan + name, os.path.join(root, fan, name)

    def blobs(self):
        """hash -> (size, refcount, inline body bytes or None)."""
        body = "encode(body, 'hex')" if self.has_body else "NULL"
        return {r[0]: (int(r[1]), int(r[2]), bytes.fromhex(r[3]) if r[3] is not None else None)
                for r in self.sql("SELECT hash, size, refcount, %s FROM blobs" % body)}

    def messages(self):
        """[(account, mailbox, uid, blob_hash, header_prefix)] of every message row."""
        return self.sql("SELECT a.address, b.name, m.uid, m.blob_hash, m.header_prefix FROM messages m "
                        "JOIN mailboxes b ON b.id = m.mailbox_id JOIN accounts a ON a.id = b.account_id "
                        "ORDER BY a.address, b.name, m.uid")


def check_store(store, log):
    """Every problem found after the restart, as text (an empty list is a pass)."""
    problems = []
    blobs = store.blobs()
    contents = {}  # hash -> bytes (None when missing or damaged)
    for digest, (size, _, body) in blobs.items():
        where = "inline"
        if body is None:
            where = store.blob_path(digest)
            try:
                body = read_file(where)
            except FileNotFoundError:
                problems.append("blob %s (%d bytes) has a row but no file" % (digest, size))
                contents[digest] = None
                continue
        if hashlib.sha256(body).hexdigest() != digest or len(body) != size:
            problems.append("blob %s (%s): %d bytes with SHA-256 %s, the row says %d bytes"
                            % (digest, where, len(body), hashlib.sha256(body).hexdigest(), size))
            contents[digest] = None
        else:
            contents[digest] = body
    by_marker = {s.marker: s for s in log}
    found = {}  # marker -> [account]
    for account, mailbox, uid, digest, _prefix in store.messages():
        if digest not in blobs:
            problems.append("message %s/%s/%s refers to blob %s without a row" % (account, mailbox, uid, digest))
            continue
        body = contents.get(digest)
        if body is None:
            problems.append("message %s/%s/%s: its blob %s is lost or damaged" % (account, mailbox, uid, digest))
            continue
        start = body.find(b"Subject: power-")
        if start < 0:
            continue  # not a message of the load
        marker = body[start + 9:body.index(b"\r\n", start)].decode()
        sent = by_marker.get(marker)
        if sent is None:
            problems.append("message %s/%s/%s is no message of the load (%s)" % (account, mailbox, uid, marker))
        elif sent.state == "new":
            problems.append("message %s whose end of data was never sent is visible" % marker)
        elif not (body.endswith(sent.body) and is_trace(body[:-len(sent.body)])):
            problems.append("message %s is stored with other bytes than were sent" % marker)
        found.setdefault(marker, []).append(account)
    for marker, accounts in found.items():
        s = by_marker.get(marker)
        if s and sorted(accounts) != sorted(s.recipients):
            problems.append("message %s (%s) is in %s, sent to %s" % (marker, s.state, accounts, s.recipients))
    for s in log:
        if s.state == "acked" and marker_missing(found, s):
            problems.append("acknowledged message %s is in %s, sent to %s"
                            % (s.marker, sorted(found.get(s.marker, [])), sorted(s.recipients)))
    # Files no row names: only blobs of messages in doubt (end of data sent,
    # no reply) may be there, each whole (the file is fsynced before its name).
    orphans = 0
    for digest, path in store.blob_files():
        if digest in blobs:
            continue
        orphans += 1
        data = read_file(path)
        if hashlib.sha256(data).hexdigest() != digest:
            problems.append("blob file %s holds %d bytes of other content" % (path, len(data)))
    in_doubt = sum(1 for s in log if s.state == "dot" and s.marker not in found)
    if orphans > in_doubt:
        problems.append("%d blob files without a row, but only %d messages in doubt" % (orphans, in_doubt))
    unparsed = store.sql("SELECT DISTINCT m.blob_hash FROM messages m LEFT JOIN blob_structures s "
                         "ON s.hash = m.blob_hash WHERE s.hash IS NULL")
    problems += ["blob %s is in a mailbox without its parsed structure" % r[0] for r in unparsed]
    bad_refs = store.sql("SELECT b.hash FROM blobs b WHERE b.refcount <> "
                         "(SELECT count(*) FROM messages m WHERE m.blob_hash = b.hash) + "
                         "(SELECT count(*) FROM queue q WHERE q.blob_hash = b.hash)")
    problems += ["blob %s: refcount does not match its rows" % r[0] for r in bad_refs]
    return problems


def is_trace(head):
    """What posta puts before the message it received: its Received: field."""
    return head == b"" or (head.startswith(b"Received: ") and head.endswith(b"\r\n"))


def marker_missing(found, sent):
    return sorted(found.get(sent.marker, [])) != sorted(sent.recipients)


@unittest.skipUnless(fuse_available(), "needs root, /dev/fuse, fuse3 and python3-fusepy")
class PowerLossTests(unittest.TestCase):
    """posta's data folder on lossyfs, SMTP load, a power cut, a restart."""

    @classmethod
    def setUpClass(cls):
        # The data folder is prepared on a normal disk (initdb on FUSE would
        # take long) and copied as the initial durable state of each run.
        posta_bin()
        cls.template_server = PostaServer(listeners=only("smtp", "http"))
        cls.addClassCleanup(cls.template_server.cleanup)
        server = cls.template_server.start()
        for path, body in [("/domains", {"name": DOMAIN})] + [
                ("/accounts", {"address": a, "password": "pw-Secret-123", "quota_bytes": 0}) for a in ACCOUNTS]:
            status, reply = server.api("POST", API + path, json=body)
            if status not in (200, 201):
                raise AssertionError("POST %s -> %s %r" % (path, status, reply))
        if server.stop() != 0:
            raise AssertionError("posta did not stop cleanly:\n" + server.logs())
        cls.template = server.data_dir

    def start_on_lossyfs(self, env=None, fresh_blob_store=False):
        d = LossyDir(self, backing_from=self.template)
        if fresh_blob_store:
            shutil.rmtree(os.path.join(d.backing, "blobs"))  # posta creates it on the lossy filesystem
        d.fs.mount()
        server = PostaServer(listeners=only("smtp", "http"), root=make_temp_dir(), data_dir=d.mnt, env=env)
        self.addCleanup(self.stop_server, server)
        server.start(timeout=120)
        return d, server

    def stop_server(self, server):
        """Clean-up: stop posta and its postgres, print the logs of a failed test."""
        if self.failed():
            server.dump_logs()
        pm = server.postmaster_pid()
        server.kill9()
        if pm:
            self.kill_cluster(pm)
        if os.environ.get("POSTA_KEEP_TEST_DIRS"):
            sys.stderr.write("posta files kept in %s\n" % server.root)
        else:
            shutil.rmtree(server.root, ignore_errors=True)

    def failed(self):
        outcome = getattr(self, "_outcome", None)
        result = getattr(outcome, "result", None)
        return bool(result and (result.failures or result.errors))

    @staticmethod
    def kill_cluster(postmaster):
        pids = cluster_pids(postmaster)
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        wait_until(lambda: not any(process_alive(p) for p in pids), 60, "postgres to die")

    def set_inline_max(self, server, kb):
        """`posta settings set blobs.inline_max_kb KB`, where this build has the
        setting (the API answers 4xx for an unknown key)."""
        status, reply = server.api("GET", API + "/settings/blobs.inline_max_kb")
        if 400 <= status < 500:
            return False
        self.assertEqual(status, 200, reply)
        rc, out, err = server.cli("settings", "set", "blobs.inline_max_kb", str(kb))
        self.assertEqual(rc, 0, "posta settings set blobs.inline_max_kb %d: %s %s" % (kb, out, err))
        status, reply = server.api("GET", API + "/settings/blobs.inline_max_kb")
        self.assertEqual((status, reply.get("value")), (200, kb), reply)
        return True

    def power_cut(self, d, server):
        """Freeze posta and its cluster, SIGKILL all of them, drop what was not synced."""
        pm = server.postmaster_pid()
        self.assertIsNotNone(pm, "no postmaster for " + server.data_dir)
        victims = {server.proc.pid} | cluster_pids(pm)
        for sig in (signal.SIGSTOP, signal.SIGKILL):
            for pid in victims:
                try:
                    os.kill(pid, sig)
                except ProcessLookupError:
                    pass
        server.kill9()
        wait_until(lambda: not any(process_alive(p) for p in victims | cluster_pids(pm)), 60,
                   "posta and postgres to die")
        d.fs.cut()

    def run_load_and_cut(self, d, server):
        log, stop = [], threading.Event()
        threads = [threading.Thread(target=load, args=(server.port("smtp"), n, log, stop), daemon=True)
                   for n in range(LOAD_THREADS)]
        for t in threads:
            t.start()
        deadline = time.monotonic() + LOAD_TIMEOUT
        while sum(s.state == "acked" for s in log) < ACKED_BEFORE_CUT and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(random.random() * 0.2)  # a random point in the senders' and committer's cycle
        self.power_cut(d, server)
        stop.set()
        for t in threads:
            t.join(timeout=90)
            self.assertFalse(t.is_alive(), "a load thread hangs")
        return log

    def cut_and_check(self, env=None, inline_max_kb=None, fresh_blob_store=False):
        """One run; returns (problems, the load's log, the server)."""
        d, server = self.start_on_lossyfs(env=env, fresh_blob_store=fresh_blob_store)
        if inline_max_kb is not None and not self.set_inline_max(server, inline_max_kb):
            sys.stderr.write("blobs.inline_max_kb is unknown here: every body is a file anyway\n")
        started = time.monotonic()
        log = self.run_load_and_cut(d, server)
        cut_at = time.monotonic()
        acked = [s for s in log if s.state == "acked"]
        self.assertGreater(len(acked), 0, "no message was accepted before the cut:\n" + server.logs())
        d.fs.mount()
        server.start(timeout=180)
        restarted_at = time.monotonic()
        store = Store(server.data_dir)
        problems = check_store(store, log)
        if os.environ.get("POSTA_TEST_VERBOSE"):
            sys.stderr.write("%d sent, %d acked, %d problems; load %.1f s, remount and restart %.1f s, check %.1f s\n"
                             % (len(log), len(acked), len(problems), cut_at - started, restarted_at - cut_at,
                                time.monotonic() - restarted_at))
        if not problems:
            self.assertStillServes(server, store)
        return problems, log, server

    def assertStillServes(self, server, store):
        """After the restart a new message is accepted, stored after every earlier one."""
        inbox = ("SELECT m.uid, m.blob_hash FROM messages m JOIN mailboxes b ON b.id = m.mailbox_id "
                 "JOIN accounts a ON a.id = b.account_id WHERE a.address = '%s' AND b.name = 'INBOX' "
                 "ORDER BY m.uid" % ACCOUNTS[0])
        last_uid = max((int(r[0]) for r in store.sql(inbox)), default=0)
        marker = "after-" + uuid.uuid4().hex
        with smtplib.SMTP("127.0.0.1", server.port("smtp"), local_hostname="after.test", timeout=60) as c:
            self.assertEqual(c.sendmail("x@remote.test", [ACCOUNTS[0]],
                                        ("Subject: %s\r\n\r\nafter the cut\r\n" % marker).encode()), {})
        uid, digest = store.sql(inbox)[-1]
        self.assertEqual(int(uid), last_uid + 1)
        self.assertIn(marker.encode(), store.body(digest))

    def test_default_settings_on_a_fresh_blob_store(self):
        problems, _, _ = self.cut_and_check(fresh_blob_store=True)
        self.assertFalse(problems, "\n".join(problems[:30]))

    def test_every_body_a_file(self):
        problems, _, _ = self.cut_and_check(inline_max_kb=0)
        self.assertFalse(problems, "\n".join(problems[:30]))

    def test_the_checker_finds_the_loss_without_blob_fsync(self):
        # The loss needs unsynced blob data at the moment of the cut; with the
        # switch every blob is, but allow a bounded retry.
        for _attempt in range(3):
            problems, _, server = self.cut_and_check(env={"POSTA_TEST_SKIP_BLOB_FSYNC": "1"}, inline_max_kb=0)
            self.assertIn("POSTA_TEST_SKIP_BLOB_FSYNC=1: blob fsyncs are OFF", server.logs(tail=100000))
            # A 250'd message is not whole, because its blob is gone or damaged.
            acked_lost = any(p.startswith("acknowledged message") for p in problems)
            blob_lost = any("lost or damaged" in p or "no file" in p or "SHA-256" in p for p in problems)
            if acked_lost and blob_lost:
                return
        self.fail("with blob fsyncs off the power cut lost nothing: the test has no power")


if __name__ == "__main__":
    unittest.main()
