"""Stand-in for the get-pip.py bootstrap script that ansible-test downloads.

ansible-test creates each sanity-test virtual environment with ``--without-pip`` and then runs
``get-pip-<version>.py`` from a host that these machines cannot reach. It uses a cached copy at
``~/.ansible/test/cache/get_pip_<version>.py`` when one exists; ``tests/utils/run-tests.sh``
installs this file there. It bootstraps pip with the standard library's ensurepip (run as a
subprocess so that the machine's pip configuration stays visible) and then installs what
ansible-test asked for through the machine's configured package index.
"""

import subprocess
import sys

DROPPED = {"--no-setuptools", "--no-wheel"}


def main(argv):
    subprocess.check_call([sys.executable, "-m", "ensurepip", "--upgrade", "--default-pip"])
    args = [arg for arg in argv if arg not in DROPPED]
    if args:
        subprocess.check_call([sys.executable, "-m", "pip", "install"] + args)


if __name__ == "__main__":
    main(sys.argv[1:])
