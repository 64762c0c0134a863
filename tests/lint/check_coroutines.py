#!/usr/bin/env python3
"""Keeps co_await out of the placements g++ 12 miscompiles (see
core/util/async.hpp): inside ?:, && or ||, and negated in place
(`!co_await f()`). Bind the awaited value to a variable, then test it."""
import pathlib
import re
import sys

ROOT = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
FOLDERS = ("core", "mail", "jabber", "directory", "search", "addressbook", "app", "bench")
RISKY = re.compile(r"!\s*co_await|\?\s*co_await|&&\s*co_await|\|\|\s*co_await|:\s+co_await")


def main() -> int:
    problems = []
    for folder in FOLDERS:
        for path in sorted((ROOT / folder).rglob("*")):
            if path.suffix not in (".cpp", ".hpp", ".cc"):
                continue
            for lineno, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
                code = line.split("//", 1)[0]
                if RISKY.search(code):
                    problems.append(f"{path.relative_to(ROOT)}:{lineno}: co_await in a condition: {line.strip()}")
    for p in problems:
        print(p)
    print(f"{len(problems)} risky co_await placements")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
