#!/usr/bin/env python3
"""Verifies the DKIM signature of a message file with python3-dkim, an
implementation independent of libopendkim. The key record comes from the
command line: dkim_verify.py MESSAGE RECORD_NAME TXT_VALUE. Exit 0 when the
signature verifies, 1 otherwise (python3-dkim's reason on stderr)."""

import logging
import sys

import dkim


def main():
    path, name, value = sys.argv[1:4]
    message = open(path, "rb").read()

    def dnsfunc(qname, timeout=5):
        want = qname.decode() if isinstance(qname, bytes) else qname
        return value.encode() if want.rstrip(".") == name.rstrip(".") else None

    logging.basicConfig(level=logging.DEBUG, stream=sys.stderr)
    ok = dkim.verify(message, logger=logging.getLogger("dkim"), dnsfunc=dnsfunc)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
