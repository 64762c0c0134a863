#!/usr/bin/python3
"""Writes Prosody 0.12 accounts (internal_hashed, SCRAM-SHA-1 with Prosody's
default 10,000 iterations) straight into a private instance's data_path, as
`prosodyctl register` would, because one prosodyctl run per account costs
a Lua start-up (minutes for 5,000 accounts). The file format is Prosody's
internal storage: DATA/<host>/accounts/<user>.dat holding a Lua table, with
every byte of the host and user outside [a-zA-Z0-9] written as %xx.

  accounts.py --data DIR --host example.test --count N
      [--user-format user%d] [--password-format bench-%d-secret]"""

import argparse
import hashlib
import hmac
import os
import re
import uuid

ITERATIONS = 10000


def encode(name):
    return re.sub(r"[^a-zA-Z0-9]", lambda m: "%%%02x" % ord(m.group(0)), name)


def record(password):
    salt = str(uuid.uuid4())
    salted = hashlib.pbkdf2_hmac("sha1", password.encode(), salt.encode(), ITERATIONS)
    client_key = hmac.new(salted, b"Client Key", hashlib.sha1).digest()
    stored_key = hashlib.sha1(client_key).hexdigest()
    server_key = hmac.new(salted, b"Server Key", hashlib.sha1).hexdigest()
    return ('return {\n\t["iteration_count"] = %d;\n\t["salt"] = "%s";\n\t["server_key"] = "%s";\n'
            '\t["stored_key"] = "%s";\n};\n' % (ITERATIONS, salt, server_key, stored_key))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", required=True)
    p.add_argument("--host", required=True)
    p.add_argument("--count", type=int, required=True)
    p.add_argument("--user-format", default="user%d")
    p.add_argument("--password-format", default="bench-%d-secret")
    args = p.parse_args()
    if not 0 <= args.count <= 100000:
        raise SystemExit("--count must be 0..100000")
    folder = os.path.join(args.data, encode(args.host), "accounts")
    os.makedirs(folder, exist_ok=True)
    for i in range(1, args.count + 1):
        user = args.user_format.replace("%d", str(i))
        with open(os.path.join(folder, encode(user) + ".dat"), "w") as f:
            f.write(record(args.password_format.replace("%d", str(i))))


if __name__ == "__main__":
    main()
