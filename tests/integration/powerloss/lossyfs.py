#!/usr/bin/python3
"""A FUSE filesystem for power-loss tests: everything lives in memory in two
states, the current one (what processes see) and the durable one (what a disk
would still hold after the power went out).

- File data and size become durable only on fsync/fdatasync of that file.
- Directory entries (create, mknod, mkdir, unlink, rmdir, rename, link,
  symlink) become durable only on fsync of that directory. A new file whose
  name is durable but whose data never was is empty after a cut; a rename
  across directories whose target directory alone was synced leaves the file
  under both names (POSIX promises nothing better).
- Inode attributes (mode, owner, times) are not modelled as volatile: a cut
  keeps their current values. Only data, sizes and names are lost.

Usage: lossyfs.py BACKING MOUNTPOINT. The backing directory's contents are the
durable state at mount time. SIGUSR1 is the power cut: every operation fails
from then on, ONLY the durable state is written back to BACKING (replacing
it), the filesystem is unmounted and the process exits 0. A new mount shows
exactly what survived. SIGTERM/SIGINT/SIGHUP, or the death of the parent
process, unmount without saving anything.

Runs in the foreground; mount options: allow_other, default_permissions (the
kernel checks mode/uid/gid), use_ino, hard_remove, no writeback cache (the
libfuse 2 default), so every write reaches this process before the writer's
call returns. Debian's python3-fusepy (module `fusepy`) over libfuse 2.
"""

import errno
import os
import shutil
import signal
import stat
import subprocess
import sys
import threading
import time

from fusepy import FUSE, FuseOSError, Operations, fuse_get_context

MAX_DIRTY_RANGES = 256  # past this, one covering range (copying more is harmless)


def now_ns():
    return time.time_ns()


class Node:
    """An inode. Files have data (current) and durable (after the last fsync);
    directories have entries (current) and durable_entries (after the last
    fsyncdir), both name -> Node."""

    __slots__ = ("ino", "mode", "uid", "gid", "nlink", "atime", "mtime", "ctime", "rdev",
                 "data", "durable", "dirty", "entries", "durable_entries", "target")

    def __init__(self, ino, mode, uid, gid):
        self.ino, self.mode, self.uid, self.gid = ino, mode, uid, gid
        self.nlink = 2 if stat.S_ISDIR(mode) else 1
        self.atime = self.mtime = self.ctime = now_ns()
        self.rdev = 0
        self.data = bytearray() if stat.S_ISREG(mode) else None
        self.durable = bytearray() if stat.S_ISREG(mode) else None
        self.dirty = []  # [start, end) ranges of data changed since the last fsync
        self.entries = {} if stat.S_ISDIR(mode) else None
        self.durable_entries = {} if stat.S_ISDIR(mode) else None
        self.target = None  # symlinks

    @property
    def is_dir(self):
        return stat.S_ISDIR(self.mode)

    def mark_dirty(self, start, end):
        if start >= end:
            return
        if self.dirty and start <= self.dirty[-1][1] and end >= self.dirty[-1][0]:
            last = self.dirty[-1]
            last[0], last[1] = min(last[0], start), max(last[1], end)
        else:
            self.dirty.append([start, end])
        if len(self.dirty) > MAX_DIRTY_RANGES:
            # Outside the dirty ranges current and durable bytes are equal, so
            # one range covering them all copies the same result.
            self.dirty = [[min(r[0] for r in self.dirty), max(r[1] for r in self.dirty)]]

    def write(self, offset, buf):
        end = offset + len(buf)
        old = len(self.data)
        if offset > old:
            self.data.extend(bytes(offset - old))  # a hole reads as zeros
        self.data[offset:end] = buf
        self.mark_dirty(min(offset, old), end)
        self.mtime = self.ctime = now_ns()

    def truncate(self, length):
        old = len(self.data)
        if length < old:
            del self.data[length:]
        elif length > old:
            self.data.extend(bytes(length - old))
        self.mark_dirty(min(old, length), max(old, length))
        self.mtime = self.ctime = now_ns()

    def sync_data(self):
        """fsync/fdatasync: the durable bytes become the current ones."""
        size = len(self.data)
        if len(self.durable) > size:
            del self.durable[size:]
        elif len(self.durable) < size:
            self.durable.extend(bytes(size - len(self.durable)))
        for start, end in self.dirty:
            end = min(end, size)
            if start < end:
                self.durable[start:end] = self.data[start:end]
        self.dirty = []

    def attrs(self):
        size = len(self.data) if self.data is not None else (len(self.target) if self.target else 0)
        if self.is_dir:
            size = 4096
        return {"st_ino": self.ino, "st_mode": self.mode, "st_nlink": self.nlink, "st_uid": self.uid,
                "st_gid": self.gid, "st_size": size, "st_blocks": (size + 511) // 512, "st_blksize": 4096,
                "st_atime": self.atime, "st_mtime": self.mtime, "st_ctime": self.ctime, "st_rdev": self.rdev}


class Handle:
    __slots__ = ("node", "flags")

    def __init__(self, node, flags):
        self.node, self.flags = node, flags


def split(path):
    parent, _, name = path.rstrip("/").rpartition("/")
    return (parent or "/"), name


class LossyFs(Operations):
    use_ns = True  # times in nanoseconds
    flag_nullpath_ok = True  # operations on an open, unlinked file come by handle

    def __init__(self, backing):
        self.backing = os.path.abspath(backing)
        self._mutex = threading.Lock()
        self.frozen = False
        self.next_ino = 1
        self.handles = {}
        self.next_fh = 1
        self.root = None

    # --- dispatch: one lock, and nothing after the cut --------------------

    def __call__(self, op, *args):
        with self._mutex:
            if self.frozen:
                raise FuseOSError(errno.EIO)
            return getattr(self, op)(*args)

    # --- helpers ----------------------------------------------------------

    def new_node(self, mode, uid, gid):
        node = Node(self.next_ino, mode, uid, gid)
        self.next_ino += 1
        return node

    def lookup(self, path):
        node = self.root
        for part in path.split("/"):
            if not part:
                continue
            if not node.is_dir:
                raise FuseOSError(errno.ENOTDIR)
            node = node.entries.get(part)
            if node is None:
                raise FuseOSError(errno.ENOENT)
        return node

    def parent_of(self, path):
        parent_path, name = split(path)
        parent = self.lookup(parent_path)
        if not parent.is_dir:
            raise FuseOSError(errno.ENOTDIR)
        if len(name.encode()) > 255:
            raise FuseOSError(errno.ENAMETOOLONG)
        return parent, name

    def node_of(self, path, fi):
        if fi is not None and fi.fh in self.handles:
            return self.handles[fi.fh].node
        if path is None:
            raise FuseOSError(errno.EBADF)
        return self.lookup(path)

    def creator(self, parent):
        uid, gid, _ = fuse_get_context()
        if parent.mode & stat.S_ISGID:
            gid = parent.gid
        return uid, gid

    def add_entry(self, parent, name, node):
        if name in parent.entries:
            raise FuseOSError(errno.EEXIST)
        parent.entries[name] = node
        if node.is_dir:
            parent.nlink += 1
        parent.mtime = parent.ctime = now_ns()

    def drop_entry(self, parent, name):
        node = parent.entries.pop(name)
        if node.is_dir:
            parent.nlink -= 1
            node.nlink = 0
        else:
            node.nlink -= 1
        node.ctime = parent.mtime = parent.ctime = now_ns()
        return node

    def new_handle(self, node, flags):
        fh = self.next_fh
        self.next_fh += 1
        self.handles[fh] = Handle(node, flags)
        return fh

    # --- attributes ---------------------------------------------------------

    def getattr(self, path, fh=None):
        return self.node_of(path, fh).attrs()

    def chmod(self, path, mode):
        node = self.lookup(path)
        node.mode = stat.S_IFMT(node.mode) | (mode & 0o7777)
        node.ctime = now_ns()

    def chown(self, path, uid, gid):
        node = self.lookup(path)
        if uid != -1:
            node.uid = uid
        if gid != -1:
            node.gid = gid
        node.ctime = now_ns()

    def utimens(self, path, times=None):
        node = self.lookup(path)
        node.atime, node.mtime = times if times else (now_ns(), now_ns())
        node.ctime = now_ns()

    def statfs(self, path):
        return {"f_bsize": 4096, "f_frsize": 4096, "f_blocks": 1 << 24, "f_bfree": 1 << 23,
                "f_bavail": 1 << 23, "f_files": 1 << 20, "f_ffree": 1 << 19, "f_favail": 1 << 19,
                "f_namemax": 255}

    # --- directories --------------------------------------------------------

    def mkdir(self, path, mode):
        parent, name = self.parent_of(path)
        uid, gid = self.creator(parent)
        node = self.new_node(stat.S_IFDIR | (mode & 0o7777) | (parent.mode & stat.S_ISGID), uid, gid)
        self.add_entry(parent, name, node)

    def rmdir(self, path):
        parent, name = self.parent_of(path)
        node = parent.entries.get(name)
        if node is None:
            raise FuseOSError(errno.ENOENT)
        if not node.is_dir:
            raise FuseOSError(errno.ENOTDIR)
        if node.entries:
            raise FuseOSError(errno.ENOTEMPTY)
        self.drop_entry(parent, name)

    def opendir(self, path):
        if not self.lookup(path).is_dir:
            raise FuseOSError(errno.ENOTDIR)
        return 0

    def readdir(self, path, fh):
        return [".", ".."] + list(self.lookup(path).entries)

    def fsyncdir(self, path, datasync, fh):
        # DURABILITY (of the model): the directory's names as they are now.
        if path is None:
            return 0  # a removed directory: nothing of it can survive anyway
        node = self.lookup(path)
        node.durable_entries = dict(node.entries)
        return 0

    # --- names ---------------------------------------------------------------

    def mknod(self, path, mode, dev):
        parent, name = self.parent_of(path)
        uid, gid = self.creator(parent)
        node = self.new_node(mode, uid, gid)
        node.rdev = dev
        self.add_entry(parent, name, node)

    def unlink(self, path):
        parent, name = self.parent_of(path)
        node = parent.entries.get(name)
        if node is None:
            raise FuseOSError(errno.ENOENT)
        if node.is_dir:
            raise FuseOSError(errno.EISDIR)
        self.drop_entry(parent, name)

    def rename(self, old, new):
        old_parent, old_name = self.parent_of(old)
        new_parent, new_name = self.parent_of(new)
        node = old_parent.entries.get(old_name)
        if node is None:
            raise FuseOSError(errno.ENOENT)
        if node.is_dir and (new + "/").startswith(old.rstrip("/") + "/"):
            raise FuseOSError(errno.EINVAL)  # into its own subtree
        victim = new_parent.entries.get(new_name)
        if victim is node:
            return 0
        if victim is not None:
            if victim.is_dir and not node.is_dir:
                raise FuseOSError(errno.EISDIR)
            if node.is_dir and not victim.is_dir:
                raise FuseOSError(errno.ENOTDIR)
            if victim.is_dir and victim.entries:
                raise FuseOSError(errno.ENOTEMPTY)
            self.drop_entry(new_parent, new_name)
        self.drop_entry(old_parent, old_name)
        if not node.is_dir:
            node.nlink += 1  # drop_entry counted the name away; it moves
        else:
            node.nlink = 2 + sum(1 for n in node.entries.values() if n.is_dir)
        self.add_entry(new_parent, new_name, node)
        return 0

    def link(self, target, source):
        node = self.lookup(source)
        if node.is_dir:
            raise FuseOSError(errno.EPERM)
        parent, name = self.parent_of(target)
        self.add_entry(parent, name, node)
        node.nlink += 1
        node.ctime = now_ns()

    def symlink(self, target, source):
        parent, name = self.parent_of(target)
        uid, gid = self.creator(parent)
        node = self.new_node(stat.S_IFLNK | 0o777, uid, gid)
        node.target = source
        self.add_entry(parent, name, node)

    def readlink(self, path):
        node = self.lookup(path)
        if not stat.S_ISLNK(node.mode):
            raise FuseOSError(errno.EINVAL)
        return node.target

    # --- files ---------------------------------------------------------------

    def create(self, path, mode, fi=None):
        parent, name = self.parent_of(path)
        node = parent.entries.get(name)
        if node is not None:
            if fi.flags & os.O_EXCL:
                raise FuseOSError(errno.EEXIST)
            if node.is_dir:
                raise FuseOSError(errno.EISDIR)
            if fi.flags & os.O_TRUNC:
                node.truncate(0)
        else:
            uid, gid = self.creator(parent)
            node = self.new_node(stat.S_IFREG | (mode & 0o7777), uid, gid)
            self.add_entry(parent, name, node)
        fi.fh = self.new_handle(node, fi.flags)
        return 0

    def open(self, path, fi):
        node = self.lookup(path)
        if fi.flags & os.O_TRUNC and fi.flags & os.O_ACCMODE != os.O_RDONLY and node.data is not None:
            node.truncate(0)
        fi.fh = self.new_handle(node, fi.flags)
        return 0

    def release(self, path, fi):
        self.handles.pop(fi.fh, None)
        return 0

    def flush(self, path, fi):
        return 0

    def read(self, path, size, offset, fi):
        node = self.node_of(path, fi)
        if node.data is None:
            raise FuseOSError(errno.EISDIR)
        return bytes(node.data[offset:offset + size])

    def write(self, path, data, offset, fi):
        handle = self.handles.get(fi.fh)
        node = handle.node if handle else self.lookup(path)
        if handle and handle.flags & os.O_APPEND:
            offset = len(node.data)  # the kernel's idea of the size may be stale
        node.write(offset, data)
        return len(data)

    def truncate(self, path, length, fh=None):
        node = self.node_of(path, fh)
        if node.data is None:
            raise FuseOSError(errno.EISDIR)
        node.truncate(length)
        return 0

    def fsync(self, path, datasync, fi):
        # DURABILITY (of the model): this file's bytes and size as they are now.
        node = self.node_of(path, fi)
        if node.data is not None:
            node.sync_data()
        elif node.is_dir:
            node.durable_entries = dict(node.entries)
        return 0

    # --- the backing directory -------------------------------------------------

    def power_cut(self):
        """Every later operation fails; the durable state goes to the backing dir."""
        with self._mutex:
            self.frozen = True
            return self.save()

    def load(self):
        """The backing directory's contents become both current and durable state."""
        seen = {}  # (dev, ino) of the backing files -> Node, for hard links
        self.root = self.load_node(self.backing, os.lstat(self.backing), seen)

    def load_node(self, path, st, seen):
        key = (st.st_dev, st.st_ino)
        if not stat.S_ISDIR(st.st_mode) and key in seen:
            return seen[key]
        node = self.new_node(st.st_mode, st.st_uid, st.st_gid)
        node.atime, node.mtime, node.ctime = st.st_atime_ns, st.st_mtime_ns, st.st_ctime_ns
        if stat.S_ISREG(st.st_mode):
            with open(path, "rb") as f:
                node.data = bytearray(f.read())
            node.durable = bytearray(node.data)
        elif stat.S_ISLNK(st.st_mode):
            node.target = os.readlink(path)
        elif stat.S_ISDIR(st.st_mode):
            with os.scandir(path) as it:
                for entry in it:
                    child = self.load_node(entry.path, entry.stat(follow_symlinks=False), seen)
                    node.entries[entry.name] = child
                    if child.is_dir:
                        node.nlink += 1
            node.durable_entries = dict(node.entries)
        else:
            node.rdev = st.st_rdev
        seen[key] = node
        return node

    def save(self):
        """Writes only the durable state: the tree of durable entries from the
        root, each file with its durable bytes. Replaces the backing directory."""
        fresh = self.backing + ".saving"
        old = self.backing + ".old"
        for p in (fresh, old):
            shutil.rmtree(p, ignore_errors=True)
        written = {}  # Node -> first path written (hard links)
        self.save_node(self.root, fresh, written, is_root=True)
        os.rename(self.backing, old)
        os.rename(fresh, self.backing)
        shutil.rmtree(old, ignore_errors=True)
        return len(written)

    def save_node(self, node, path, written, is_root=False):
        if node in written and not node.is_dir:
            os.link(written[node], path)
            return
        if node.is_dir:
            os.mkdir(path, 0o700)
            written[node] = path  # before the children: durable names may form a cycle
            for name, child in node.durable_entries.items():
                if child.is_dir and child in written:
                    continue  # a directory renamed between synced parents: keep one copy
                self.save_node(child, os.path.join(path, name), written)
        elif stat.S_ISREG(node.mode):
            with open(path, "wb") as f:
                f.write(node.durable)
        elif stat.S_ISLNK(node.mode):
            os.symlink(node.target, path)
            os.lchown(path, node.uid, node.gid)
            written[node] = path
            return
        else:
            os.mknod(path, node.mode, node.rdev)
        written[node] = path
        os.chown(path, node.uid, node.gid)
        os.chmod(path, stat.S_IMODE(node.mode))
        os.utime(path, ns=(node.atime, node.mtime))


def unmount(mountpoint):
    for cmd in (["fusermount3", "-u", "-z", mountpoint], ["fusermount", "-u", "-z", mountpoint],
                ["umount", "-l", mountpoint]):
        try:
            if subprocess.run(cmd, capture_output=True, timeout=30).returncode == 0:
                return True
        except (OSError, subprocess.TimeoutExpired):
            continue
    return False


def main(argv):
    if len(argv) != 3:
        sys.stderr.write("usage: lossyfs.py BACKING MOUNTPOINT\n")
        return 2
    backing, mountpoint = argv[1], os.path.abspath(argv[2])
    fs = LossyFs(backing)
    fs.load()
    cut, stop = threading.Event(), threading.Event()
    ended = threading.Event()
    failure = []

    def serve():
        try:
            FUSE(fs, mountpoint, raw_fi=True, foreground=True, allow_other=True, default_permissions=True,
                 use_ino=True, hard_remove=True, big_writes=True, max_write=131072, fsname="lossyfs")
        except BaseException as e:  # reported by the main thread
            failure.append(e)
        finally:
            ended.set()

    # The FUSE loop runs in a thread so that the main thread is free to run
    # the signal handlers (installed first, libfuse keeps them).
    signal.signal(signal.SIGUSR1, lambda *_: cut.set())
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, lambda *_: stop.set())
    thread = threading.Thread(target=serve, name="fuse", daemon=True)
    thread.start()
    parent = os.getppid()
    while not (cut.is_set() or stop.is_set() or ended.is_set()):
        cut.wait(0.1)
        if os.getppid() != parent:
            stop.set()  # the test died (a ctest timeout): leave no mount behind
    if ended.is_set():
        if failure:
            sys.stderr.write("lossyfs: %r\n" % failure[0])
            return 1
        return 0  # unmounted from outside: nothing saved
    if cut.is_set():
        count = fs.power_cut()
        sys.stderr.write("lossyfs: power cut, %d durable nodes saved to %s\n" % (count, fs.backing))
    else:
        sys.stderr.write("lossyfs: stopped, nothing saved\n")
    sys.stderr.flush()
    unmount(mountpoint)
    thread.join(30)
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
