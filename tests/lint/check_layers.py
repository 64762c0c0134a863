#!/usr/bin/env python3
"""Checks #include lines against the module layering of DESIGN.md, keeps
each third-party library inside the one folder that wraps it (STYLE.md), and
keeps proto/ folders pure: std, Boost.System, pure core/util headers and their own module's proto/."""
import pathlib
import re
import sys

from source_lines import report, source_lines

ROOT = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()

# module -> modules it may include
ALLOWED = {
    "core": {"core"},
    "directory": {"core", "directory"},
    "search": {"core", "search"},
    "mail": {"core", "directory", "search", "mail"},
    "jabber": {"core", "directory", "search", "jabber"},
    "addressbook": {"core", "directory", "search", "addressbook"},
    "app": {"core", "directory", "search", "mail", "jabber", "addressbook", "app"},
}

# third-party header (regex on the include path) -> folders allowed to include it
CONFINED = {
    r"^libpq-fe\.h$": ("core/db/",),
    r"^(ldap|lber)\.h$": ("directory/ldap/",),
    r"^xapian": ("search/engine/",),
    r"^gloox/": ("jabber/xml/",),
    # The jabber/proto fuzz targets check what proto/ writes with expat itself,
    # an oracle independent of the code under test. core/xml parses whole
    # documents (WebDAV bodies); jabber/xml reads the XMPP stream
    # incrementally, a different shape of the same library.
    r"^expat": ("jabber/xml/", "jabber/proto/fuzz/", "core/xml/"),
    r"^gmime/": ("mail/mime/",),
    # TLS in core/net; hashes, HMAC and random bytes behind core/util/crypto_*.
    r"^openssl/": ("core/net/", "core/util/crypto_"),
    r"^spdlog/": ("core/journal/",),
    r"^boost/beast": ("core/http/",),
    r"^argon2\.h$": ("core/auth/",),
    r"^gsasl": ("core/auth/",),
    r"^ares": ("core/dns/",),
    r"^zlib\.h$": ("mail/imap/server/compression",),
    r"^opendkim/": ("mail/dkim/signer.cpp",),
}

# What a proto/ folder may include besides its own module's proto/ headers:
# std, Boost.System, and the few core/util headers that are pure functions
# of their arguments (no I/O, clock, allocation policy or global state).
PROTO_ALLOWED = re.compile(r"^(boost/system/|[a-z_0-9]+$|(core/util/(ascii|base64|hex|result|utf8|xml_escape)|core/xml/document)\.hpp$)")

INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]')


def is_pure_include(module, target):
    """std headers (<string>, <cstdint>), Boost.System, pure core/util, or module/…/proto/…"""
    if PROTO_ALLOWED.match(target):
        return True
    return target.startswith(module + "/") and "/proto/" in target


def main() -> int:
    problems = []
    for module, rel, lineno, line in source_lines(ROOT, ALLOWED):
        m = INCLUDE.match(line)
        if not m:
            continue
        target = m.group(1)
        top = target.split("/", 1)[0]
        if top in ALLOWED and top not in ALLOWED[module]:
            problems.append(f"{rel}:{lineno}: {module} must not include {target}")
        for pattern, folders in CONFINED.items():
            if re.search(pattern, target) and not rel.startswith(folders):
                problems.append(f"{rel}:{lineno}: {target} belongs in {' or '.join(folders)} only")
        # A fuzz target is a harness around proto/, not part of it.
        if "/proto/" in rel and "/fuzz/" not in rel and not is_pure_include(module, target):
            problems.append(f"{rel}:{lineno}: proto/ is pure: {target} is neither std, Boost.System, a pure core/util header "
                            f"nor a {module}/…/proto/ header")
    return report(problems, "layering problems")


if __name__ == "__main__":
    sys.exit(main())
