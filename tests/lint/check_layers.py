#!/usr/bin/env python3
"""Checks #include lines against the module layering of DESIGN.md and keeps
each third-party library inside the one folder that wraps it (STYLE.md)."""
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
}

# third-party header (regex on the include path) -> folders allowed to include it
CONFINED = {
    r"^libpq-fe\.h$": ("core/db/",),
    r"^(ldap|lber)\.h$": ("directory/ldap/",),
    r"^xapian": ("search/engine/",),
    r"^gloox/": ("jabber/xml/",),
    r"^gmime/": ("mail/mime/",),
}

INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]')


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
    return report(problems, "layering problems")


if __name__ == "__main__":
    sys.exit(main())
