"""A controller process that evaluates the lookup as a task does, for the reliability tests.

Usage: ``python lookup_probe.py <collections path> <runs> [<go file>]``. The lookup's options come
from the environment (``OCI_DOMAIN_URL``, ``OCI_AWS_CLIENT_ID``, ...), as users set them. With a
``go file`` the probe first prints ``ready`` and waits until that file exists, so that many probes
ask at the same moment. It prints one JSON line: how many evaluations succeeded, the errors, and a
digest of each set of credentials (never the credentials themselves).
"""

import hashlib
import json
import os
import sys
import time


def main():
    collections, runs = sys.argv[1], int(sys.argv[2])
    go_file = sys.argv[3] if len(sys.argv) > 3 else None
    from ansible.plugins.loader import init_plugin_loader

    init_plugin_loader([collections])
    from ansible.parsing.dataloader import DataLoader
    from ansible.template import Templar, trust_as_template

    templar = Templar(loader=DataLoader(), variables={})
    expression = trust_as_template("{{ lookup('multicloud.oci_aws.oci_aws_creds', cache=%s) }}"
                                   % os.environ.get("PROBE_CACHE", "true"))
    if go_file:
        print("ready", flush=True)
        while not os.path.exists(go_file):
            time.sleep(0.005)
    digests, errors = [], []
    for _run in range(runs):
        try:
            value = templar.template(expression)
        except Exception as exc:  # pylint: disable=broad-except
            errors.append("%s: %s" % (type(exc).__name__, exc))
            continue
        secret_parts = "|".join((value["access_key"], value["secret_key"], value["session_token"]))
        digests.append(hashlib.sha256(secret_parts.encode()).hexdigest())
    print(json.dumps(dict(ok=len(digests), errors=errors, digests=digests)), flush=True)


if __name__ == "__main__":
    main()
