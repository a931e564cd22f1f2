"""A local fake HTTPS endpoint with its own CA for the security suite's broken answers (threats 1, 14, 15),
and the ways the tests run the collection's front doors against it: ``ansible`` and ``ansible-playbook``
(the module, the lookup) and the credential_process runner as the AWS CLI runs it.

The server answers by path: ``server.script(path, behaviour)`` sets what a request to ``path`` gets,
one of :func:`answer`, :func:`trickle`, :func:`hang`. Everything it sends that may not appear in any
output holds :data:`FAKE_SECRET_KEY` or :data:`FAKE_SESSION_TOKEN`.
"""

import base64
import datetime
import http.server
import json
import os
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time

import ansible_collections.multicloud.oci_aws as _collection  # importable: tests/conftest.py put it on sys.path
from oci_aws_sandbox import pki

BIN = os.path.dirname(sys.executable)
FAKE_SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzSECRETzKEYz"
FAKE_SESSION_TOKEN = "IQoJb3JpZ2luX2VjEFAKEsessionTOKENvalue0123456789"
FAKE_ACCESS_KEY = "ASIAFAKEACCESSKEY001"
CLIENT_SECRET = "idcscs-fake-client-secret-0123456789"
SECRETS = {"secret access key": FAKE_SECRET_KEY, "session token": FAKE_SESSION_TOKEN,
           "client secret": CLIENT_SECRET}
ROLE_ARN = "arn:aws:iam::123456789012:role/oci-reporting"
# The directory that holds ansible_collections/multicloud/oci_aws (for ANSIBLE_COLLECTIONS_PATH).
COLLECTIONS_BASE = os.path.dirname(os.path.dirname(os.path.dirname(list(_collection.__path__)[0])))


def answer(status, body, content_type="text/xml", headers=None):
    return ("answer", status, body if isinstance(body, bytes) else body.encode(), content_type, headers or {})


def trickle(status, body, interval, content_type="application/json"):
    """Headers at once, then one byte every ``interval`` seconds."""
    return ("trickle", status, body if isinstance(body, bytes) else body.encode(), content_type, interval)


def hang():
    """Read the request, then say nothing (until the server stops)."""
    return ("hang",)


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def make_token(issuer, audience="sts.amazon.com"):
    now = int(time.time())
    claims = {"iss": issuer, "aud": audience, "sub": "client_1", "client_id": "client_1", "exp": now + 3600,
              "iat": now, "jti": "j-%s" % now, "tok_type": "AT", "scope": "/"}
    header = {"alg": "RS256", "kid": "SIGNING_KEY", "x5t": "abc"}
    return "%s.%s.%s" % (b64url(json.dumps(header).encode()), b64url(json.dumps(claims).encode()), b64url(b"sig"))


def sts_xml(credentials=True, access_key=True, cut=None):
    """An AssumeRoleWithWebIdentity answer holding the fake credentials; ``cut`` keeps only that many characters."""
    expiration = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)).strftime(
        "%Y-%m-%dT%H:%M:%SZ")
    inner = ((("<AccessKeyId>%s</AccessKeyId>" % FAKE_ACCESS_KEY) if access_key else "")
             + "<SecretAccessKey>%s</SecretAccessKey><SessionToken>%s</SessionToken><Expiration>%s</Expiration>"
             % (FAKE_SECRET_KEY, FAKE_SESSION_TOKEN, expiration))
    body = ('<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
            "<AssumeRoleWithWebIdentityResult>"
            + ("<Credentials>%s</Credentials>" % inner if credentials else "<Provider>%s</Provider>" % FAKE_SECRET_KEY)
            + "<AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/oci-reporting/s</Arn>"
            "<AssumedRoleId>AROAFAKE:s</AssumedRoleId></AssumedRoleUser>"
            "<SubjectFromWebIdentityToken>client_1</SubjectFromWebIdentityToken>"
            "</AssumeRoleWithWebIdentityResult><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata>"
            "</AssumeRoleWithWebIdentityResponse>")
    return body[:cut] if cut else body


_KEYS = {}


def keys_of(name="fake-endpoint"):
    """The sandbox's key material (a CA, a TLS certificate for 127.0.0.1, an API key) named ``name``,
    made once per test process: RSA keys take a while to generate."""
    if name not in _KEYS:
        _KEYS[name] = pki.ensure_keys(tempfile.mkdtemp(prefix="oci-aws-security-%s-" % name))
    return _KEYS[name]


class FakeEndpoint:
    """An HTTPS server on 127.0.0.1 (a free port) whose TLS certificate its own CA signs.

    ``directory`` is kept for callers; the keys are shared by every fake endpoint of the process.
    """

    def __init__(self, directory=None, keys="fake-endpoint"):
        self.keys = keys_of(keys)
        self.ca_bundle = self.keys.ca_cert_path
        self.behaviours = {}
        self.requests = []
        self._stop = threading.Event()
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self):
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                path = self.path.split("?")[0]
                server.requests.append((self.command, path))
                behaviour = server.behaviours.get(path) or answer(404, b"{}", "application/json")
                kind = behaviour[0]
                if kind == "hang":
                    server._stop.wait(120)
                    return
                status, body, content_type = behaviour[1], behaviour[2], behaviour[3]
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                if kind == "answer":
                    for name, value in behaviour[4].items():
                        self.send_header(name, value)
                self.end_headers()
                if kind == "answer":
                    self.wfile.write(body)
                    return
                for index in range(len(body)):
                    if server._stop.wait(behaviour[4]):
                        return
                    self.wfile.write(body[index:index + 1])
                    self.wfile.flush()

            do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve  # noqa: N815 - http.server's names

            def log_message(self, *args):
                pass

        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.keys.server_cert_path, self.keys.server_key_path)
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        self.url = "https://127.0.0.1:%d" % self.port
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def script(self, path, behaviour):
        self.behaviours[path] = behaviour
        return self.url + path

    def good_token(self, path="/oauth2/v1/token"):
        return self.script(path, answer(200, json.dumps({"access_token": make_token(self.url), "token_type": "Bearer",
                                                         "expires_in": 3600}), "application/json"))

    def stop(self):
        self._stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()


def refused_url():
    """An https URL on 127.0.0.1 where nothing listens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return "https://127.0.0.1:%d" % port


def exchange_options(server, token_url, sts_url, **changes):
    """The exchange's options against ``server``: the token from ``token_url``, STS at ``sts_url``."""
    options = dict(token_url=token_url, issuer=server.url, client_id="client_1", client_secret=CLIENT_SECRET,
                   role_arn=ROLE_ARN, cert_bundle=server.ca_bundle, endpoint_url=sts_url, region="us-east-1",
                   aws_ca_bundle=server.ca_bundle)
    options.update(changes)
    return dict((k, v) for k, v in options.items() if v is not None)


def oci_config(directory, server):
    """An OCI config file whose API key is the fake server's (the signature is not checked)."""
    keys = server.keys
    path = os.path.join(str(directory), "oci-config")
    with open(path, "w") as handle:
        handle.write("[DEFAULT]\nuser=ocid1.user.oc1..aaaaaaaafakeuser\nfingerprint=%s\n"
                     "tenancy=ocid1.tenancy.oc1..aaaaaaaafaketenancy\nregion=us-ashburn-1\nkey_file=%s\n"
                     % (keys.api_key_fingerprint, keys.api_key_path))
    os.chmod(path, 0o600)
    return path


def ansible_env(home, **extra):
    env = dict(os.environ)
    for name in list(env):
        if name.startswith(("AWS_", "OCI_", "ANSIBLE_")) or name in ("REQUESTS_CA_BUNDLE", "SSL_CERT_FILE"):
            env.pop(name)
    env.update(
        HOME=str(home), ANSIBLE_HOME=os.path.join(str(home), ".ansible"), ANSIBLE_COLLECTIONS_PATH=COLLECTIONS_BASE,
        ANSIBLE_NOCOLOR="1", ANSIBLE_LOCALHOST_WARNING="0", ANSIBLE_INVENTORY_UNPARSED_WARNING="0",
        ANSIBLE_PYTHON_INTERPRETER=sys.executable, ANSIBLE_DEPRECATION_WARNINGS="0",
        AWS_CONFIG_FILE=os.path.join(str(home), "aws-config"),
        AWS_SHARED_CREDENTIALS_FILE=os.path.join(str(home), "aws-credentials"),
        AWS_EC2_METADATA_DISABLED="true", NO_PROXY="*", no_proxy="*",
        OCI_AWS_CREDS_CACHE_DIR=os.path.join(str(home), "cache"),
    )
    env.update(extra)
    return env


def run_playbook(home, tasks, verbosity=0, timeout=240):
    """Run a playbook of ``tasks`` (YAML text, indented for ``tasks:``) on localhost; stdout + stderr.

    The client secret is a play variable (``the_secret``, and ``oci_aws_client_secret`` for the lookup), so that
    the playbook's own source, which Ansible may quote in errors, never holds it.
    """
    path = os.path.join(str(home), "playbook.yml")
    with open(os.path.join(str(home), "secret.json"), "w") as handle:
        json.dump({"the_secret": CLIENT_SECRET, "oci_aws_client_secret": CLIENT_SECRET}, handle)
    with open(path, "w") as handle:
        handle.write("- hosts: localhost\n  gather_facts: false\n  vars_files: [secret.json]\n  tasks:\n" + tasks)
    command = [os.path.join(BIN, "ansible-playbook"), path] + (["-" + "v" * verbosity] if verbosity else [])
    done = subprocess.run(command, env=ansible_env(home), capture_output=True, text=True, timeout=timeout, check=False)
    return done.stdout + done.stderr


def module_task(name, module, args, register):
    """A task that runs ``module`` with ``args`` (JSON), may fail, and prints its msg and status."""
    if "client_secret" in args:
        args = dict(args, client_secret="{{ the_secret }}")
    return ("    - name: %s\n      %s: %s\n      register: %s\n      ignore_errors: true\n"
            "    - name: %s says\n      ansible.builtin.debug:\n        msg: \"RESULT {{ %s.failed | default(false) }} "
            "| {{ %s.msg | default('') }} | {{ %s.status | default('') }}\"\n"
            % (name, module, json.dumps(args), register, name, register, register, register))


def lookup_task(name, options, register):
    def jinja(value):
        return json.dumps(value).lower() if isinstance(value, bool) else "'%s'" % value

    terms = ", ".join("%s=%s" % (k, jinja(v)) for k, v in sorted(options.items()) if k != "client_secret")
    return ("    - name: %s\n      ansible.builtin.set_fact:\n        got: \"{{ lookup('multicloud.oci_aws.oci_aws_creds', "
            "%s) }}\"\n      no_log: false\n      register: %s\n      ignore_errors: true\n"
            "    - name: %s says\n      ansible.builtin.debug:\n        msg: \"RESULT {{ %s.failed | default(false) }} "
            "| {{ %s.msg | default('') }}\"\n" % (name, terms, register, name, register, register))


def results(output):
    """The ``RESULT failed | msg | status`` lines that the tasks above print, in order."""
    found = []
    for line in output.splitlines():
        line = line.strip().strip('"')
        marker = line.find("RESULT ")
        if marker >= 0 and "{{" not in line:
            found.append(line[marker + len("RESULT "):])
    return found


def run_runner(tmp_path, options, timeout=60):
    """The credential_process runner as the AWS CLI runs it: ``(returncode, stdout, stderr)``."""
    import ansible.module_utils.basic  # noqa: F401 - runner_bundle takes the module_utils loaded
    from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange import sts  # noqa: F401
    from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.credential_process import runner_bundle

    directory = tmp_path / "runner"
    directory.mkdir(mode=0o700, exist_ok=True)
    runner = directory / "credential_process.pyz"
    runner.write_bytes(runner_bundle())
    settings = directory / "settings.json"
    fd = os.open(str(settings), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump({"version": 1, "options": options}, handle)
    env = ansible_env(tmp_path)
    done = subprocess.run([sys.executable, str(runner), "--settings", str(settings)], env=env, capture_output=True,
                          text=True, timeout=timeout, check=False)
    return done.returncode, done.stdout, done.stderr
