"""Every EXAMPLES block of every plugin and every block of the README, the roles' READMEs and the guides marked
runnable (tests/docs_blocks.py) is run with ansible-playbook against the sandbox (issue 16 item 2), on a federation
made by the manual procedure whose role is the one the block names (the sandbox's account is the docs' 123456789012).

Added to each block: the sandbox's endpoints and CA (the environment; the docs' placeholder domain URL replaced by
the sandbox's), the files a user of the docs has in the test's own HOME (``~/.oci/config`` with ``DEFAULT`` and
``ADMIN``, ``~/.aws/credentials`` and ``config`` with ``default`` and ``iam-admin``, holding the sandbox's keys:
``e2e.exchange_support.user_env``), and the federation's values as the variables the docs tell users to set.
amazon.aws, which some blocks use, comes from PyPI's ansible wheel (Galaxy is out of reach), cached under .build/; the
docs' bucket ``reports`` is made in the sandbox's S3. Blocks that write outside the test (~ as Ansible's action plugins
expand it, /etc) or read a file at an absolute path (/run/oci/token) run with an overlay on that directory whose upper
layer is the test's, in a user and mount namespace of their own (``unshare``; skipped, saying so, where it cannot).
"""

import hashlib
import os
import pwd
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile

import pytest

import docs_blocks
from conftest import COLLECTIONS_BASE, ROOT
from e2e.exchange_support import BIN, Federation, user_env

BLOCKS = docs_blocks.all_blocks()
EXCHANGES = ("multicloud.oci_aws.oci_aws_creds", "multicloud.oci_aws.oci_aws_assume")
# Blocks that read a federation made by hand (the _info modules, the check): they run on one too.
READERS = ("_info:", "multicloud.oci_aws.oci_aws_federation_check")
_S3 = re.compile(r"amazon\.aws\.s3_\w+:")
_ROLE = re.compile(r"arn:aws:iam::\d{12}:role/([\w+=,.@-]+)|role_name: ([\w+=,.@-]+)")

# Blocks that write where only a user's machine should be written to: under ~ with an action plugin
# (ansible.builtin.copy), which Ansible expands as ~<connection user>, the password database's home
# (ansible/plugins/action/__init__.py _remote_expand_user), not $HOME, so the test's HOME alone cannot redirect it; or
# at an absolute path. Each runs in a user and mount namespace of its own (unshare) where that directory is an overlay
# whose upper layer is the test's own: what the block writes lands there, where the test checks it, and nowhere else.
# Each: the directory -> (the test's upper layer, relative to tmp_path; "home" is the test's HOME), the file written.
PRIVATE_WRITERS = {
    "plugins/modules/oci_oidc_app.py": ({"~": "home"}, os.path.join("home", ".oci", "aws-sts-oidc.secret")),
    "plugins/modules/oci_client_key.py": ({"/etc": "etc"}, os.path.join("etc", "oci-aws", "keys", "localhost.pem")),
    "plugins/lookup/oci_aws_creds.py": ({"/run": "run"}, None),
}

# Blocks that read a token "written by another process" at an absolute path: the test writes one there, in its
# upper layer (PRIVATE_WRITERS' overlays), from the federation's client.
TOKEN_FILES = {
    "plugins/lookup/oci_aws_creds.py": os.path.join("run", "oci", "token"),
}

# amazon.aws for the blocks that use it: Galaxy is out of reach, PyPI is not. PyPI's ansible package bundles it; only
# its amazon/aws tree (4 MB of the 54 MB wheel) is taken out, once, under .build/docs-run/ (pinned: version, digest).
ANSIBLE_WHEEL = "ansible-12.3.0-py3-none-any.whl"
ANSIBLE_WHEEL_SHA256 = "cd156f82fa87f7a899212b0efa9f7ca3a24d609212de9f78428a572eb01e5414"
AMAZON_AWS = "ansible_collections/amazon/aws/"
# The region of the docs' bucket (the region every S3 example names).
REGION = "eu-central-1"
CACHE = os.path.join(ROOT, ".build", "docs-run")


def _amazon_aws():
    """``(collections path, None)`` with amazon.aws 10.1.2 in it, or ``(None, why not)``."""
    base = os.path.join(CACHE, "collections")
    if os.path.isfile(os.path.join(base, AMAZON_AWS, "MANIFEST.json")):
        return base, None
    os.makedirs(CACHE, exist_ok=True)
    wheel = os.path.join(CACHE, ANSIBLE_WHEEL)
    started = time.monotonic()
    if not os.path.isfile(wheel):
        done = subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "-q", "-d",
                               CACHE, "ansible==12.3.0"], capture_output=True, text=True, timeout=300, check=False)
        if done.returncode or not os.path.isfile(wheel):
            return None, "pip download ansible==12.3.0 failed: %s" % done.stderr.strip()[-500:]
    with open(wheel, "rb") as handle:
        digest = hashlib.sha256(handle.read()).hexdigest()
    if digest != ANSIBLE_WHEEL_SHA256:
        return None, "%s has the digest %s, not the pinned %s" % (wheel, digest, ANSIBLE_WHEEL_SHA256)
    staging = tempfile.mkdtemp(dir=CACHE)
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(staging, [name for name in archive.namelist() if name.startswith(AMAZON_AWS)])
    try:
        os.rename(staging, base)  # atomic; a parallel worker that got there first keeps its copy
    except OSError:
        shutil.rmtree(staging)
    sys.stderr.write("amazon.aws taken from %s in %.1f s\n" % (ANSIBLE_WHEEL, time.monotonic() - started))
    return base, None


@pytest.fixture(scope="session")
def amazon_aws():
    return _amazon_aws()


def _the_users_bucket(sandbox):
    """The docs' bucket ``reports`` with one report, made in the sandbox's S3 (moto's) as the account's
    administrator: the bucket a user of the S3 examples has."""
    import boto3  # pylint: disable=import-outside-toplevel

    s3 = boto3.client("s3", endpoint_url=sandbox.aws_endpoint, verify=sandbox.ca_bundle, region_name=REGION,
                      aws_access_key_id=sandbox.env["AWS_ACCESS_KEY_ID"],
                      aws_secret_access_key=sandbox.env["AWS_SECRET_ACCESS_KEY"])
    s3.create_bucket(Bucket="reports", CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_object(Bucket="reports", Key="2026/11/usage.csv", Body=b"day,usage\n")


def _private_overlays(tmp_path, env, overlays):
    """The command prefix that runs a command with each directory of ``overlays`` under an overlay whose upper layer
    is the test's (:data:`PRIVATE_WRITERS`), in a user and mount namespace of its own; None when unshare cannot make
    one here (no user namespaces, no overlayfs in them)."""
    names = ("LOGNAME", "USER", "LNAME", "USERNAME")  # getpass.getuser()'s order, as Ansible's local connection has it
    user = next((env[n] for n in names if env.get(n)), None) or pwd.getpwuid(os.getuid()).pw_name
    script, args = [], []
    for index, (directory, upper) in enumerate(sorted(overlays.items())):
        target = pwd.getpwnam(user).pw_dir if directory == "~" else directory
        upper_dir, work_dir = tmp_path / upper, tmp_path / ("overlay-work-%d" % index)
        upper_dir.mkdir(exist_ok=True)
        work_dir.mkdir()
        script.append('mount -t overlay overlay -o "lowerdir=$%d,upperdir=$%d,workdir=$%d" "$%d"'
                      % (4 * index + 1, 4 * index + 2, 4 * index + 3, 4 * index + 1))
        args += [target, str(upper_dir), str(work_dir), target]
    script.append('shift %d && exec "$@"' % len(args))
    prefix = ["unshare", "--user", "--map-root-user", "--mount", "--propagation", "private", "sh", "-c",
              " && ".join(script), "sh"] + args
    probe = subprocess.run(prefix + ["true"], capture_output=True, text=True, check=False, timeout=30, env=env)
    return prefix if probe.returncode == 0 else None


def _federation_role(block):
    """The role the block names (the first), for the federation it runs on; the docs' oci-reporting by default."""
    found = _ROLE.search(block.text)
    return (found.group(1) or found.group(2)) if found else "oci-reporting"


def _variables(sandbox, federation):
    """The values the docs ask users to give, from the federation (none for the blocks that set one up)."""
    values = dict(domain_url=sandbox.domain_url, oci_domain_url=sandbox.domain_url)
    if federation is not None:
        values.update(oci_client_id=federation.client_id, oci_client_secret=federation.client_secret,
                      vault_oci_client_id=federation.client_id, vault_oci_client_secret=federation.client_secret,
                      role_arn=federation.role_arn, oci_aws_domain_url=sandbox.domain_url,
                      oci_aws_client_id=federation.client_id, oci_aws_client_secret=federation.client_secret,
                      oci_aws_role_arn=federation.role_arn)
    args = []
    for name, value in values.items():
        args += ["-e", "%s=%s" % (name, value)]
    return args


@pytest.mark.parametrize("block", BLOCKS, ids=["%s:%d" % (b.source, b.line) for b in BLOCKS])
def test_the_block_runs_against_the_sandbox(block, fresh_sandbox, home, tmp_path, request):
    collections, why_not = request.getfixturevalue("amazon_aws") if docs_blocks.missing_collections(block, ()) else (None, None)
    missing = docs_blocks.missing_collections(block, ("amazon.aws",) if collections else ())
    if missing:
        pytest.skip("needs %s, which could not be installed: %s" % (", ".join(missing), why_not))
    env = user_env(fresh_sandbox, home)
    if collections:
        env["ANSIBLE_COLLECTIONS_PATH"] = os.pathsep.join((COLLECTIONS_BASE, collections))
    federation = None
    if any(name in block.text for name in EXCHANGES + READERS):
        # Blocks that get credentials or read a federation run on one; those that set one up (the OCI and IAM
        # modules), on an empty sandbox.
        federation = Federation(fresh_sandbox, role_name=_federation_role(block)).build()
        # The client comes from the block's variables or, for blocks that say so, from the environment as the
        # Automation Platform credential type injects it.
        env.update(OCI_AWS_CLIENT_ID=federation.client_id, OCI_AWS_CLIENT_SECRET=federation.client_secret)
    if _S3.search(block.text):
        _the_users_bucket(fresh_sandbox)
    command = [os.path.join(BIN, "ansible-playbook")]
    if block.source in TOKEN_FILES:
        token_file = tmp_path / TOKEN_FILES[block.source]
        token_file.parent.mkdir(parents=True)
        token_file.write_text(federation.procedure.token())
        token_file.chmod(0o600)
    if block.source in PRIVATE_WRITERS:
        prefix = _private_overlays(tmp_path, env, PRIVATE_WRITERS[block.source][0])
        if prefix is None:
            pytest.skip("writes outside the test (%s), and unshare cannot give the run a user and mount namespace with "
                        "an overlay here" % ", ".join(PRIVATE_WRITERS[block.source][0]))
        command = prefix + command
    done = docs_blocks.run(block, tmp_path, command, env,
                           *_variables(fresh_sandbox, federation), domain_url=fresh_sandbox.domain_url)
    assert done.returncode == 0, "%s:%d failed:\n%s\n%s" % (
        block.source, block.line, done.stdout[-4000:], done.stderr[-2000:])
    assert federation is None or federation.client_secret not in done.stdout + done.stderr
    if block.source in PRIVATE_WRITERS and PRIVATE_WRITERS[block.source][1]:
        written = tmp_path / PRIVATE_WRITERS[block.source][1]
        assert written.stat().st_mode & 0o777 == 0o600, written
