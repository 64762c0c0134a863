"""Shared by the lint checks: every line of the C++ sources below some folders."""
import pathlib

SUFFIXES = (".cpp", ".hpp", ".h", ".cc")


def source_lines(root, folders):
    """Yields (folder, path relative to root as posix text, line number, line)."""
    for folder in folders:
        for path in sorted((root / folder).rglob("*")):
            if path.suffix not in SUFFIXES:
                continue
            rel = path.relative_to(root).as_posix()
            for lineno, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
                yield folder, rel, lineno, line


def report(problems, what):
    for p in problems:
        print(p)
    print(f"{len(problems)} {what}")
    return 1 if problems else 0
