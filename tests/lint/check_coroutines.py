#!/usr/bin/env python3
"""Keeps co_await out of the placements g++ 12 miscompiles (see
core/util/async.hpp): inside ?:, && or ||, and negated in place
(`!co_await f()`). Bind the awaited value to a variable, then test it."""
import pathlib
import re
import sys

from source_lines import report, source_lines

ROOT = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
FOLDERS = ("core", "mail", "jabber", "directory", "search", "addressbook", "app", "bench")
RISKY = re.compile(r"!\s*co_await|\?\s*co_await|&&\s*co_await|\|\|\s*co_await|:\s+co_await")


def main() -> int:
    problems = []
    for _, rel, lineno, line in source_lines(ROOT, FOLDERS):
        if RISKY.search(line.split("//", 1)[0]):
            problems.append(f"{rel}:{lineno}: co_await in a condition: {line.strip()}")
    return report(problems, "risky co_await placements")


if __name__ == "__main__":
    sys.exit(main())
