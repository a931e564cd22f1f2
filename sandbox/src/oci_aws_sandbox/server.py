"""One sandbox: the emulated OCI Identity Domain and AWS (IAM, STS, S3) over HTTPS, and the
control API over HTTP, all on 127.0.0.1, in one process with one thread per request.

`Sandbox(directory).start()` binds free ports (or the given ones), builds both clouds, writes
the client files into `directory` (`env`, `vars.yml`, `oci/config`, `state.json`) and serves
until `stop()`.

`domain_host` gives the identity domain a host name instead of 127.0.0.1, e.g. the real shape
`idcs-<32 hex>.identity.oraclecloud.com` (whose first label then is the domain's id); with
`oci_port=443` its URL has no port, as a real domain's. The sandbox still listens on 127.0.0.1:
making the name resolve there (a hosts file in a private mount namespace, see
`tests/utils/netns-run.sh` of the collection) is the caller's part. The TLS certificate names it,
and every name of `domain_aliases` (other names of the same domain, e.g. its Regional URL's host
`idcs-<id>.<region>-idcs-1.secure.identity.oraclecloud.com`, served alike).
"""

import json
import logging
import os
import re
import secrets
import ssl
import threading

from werkzeug.serving import WSGIRequestHandler, make_server

from . import profiles
from .aws import AwsCloud
from .clock import Clock
from .control import ControlApp
from .idcs import IdentityDomain
from .instrument import Instruments, InstrumentedApp, aws_endpoint, check_rate_limit, oci_endpoint
from .pki import ensure_keys

HOST = "127.0.0.1"
ACCOUNT_ID = "123456789012"
REGION = "us-east-1"
OCI_REGION = "us-ashburn-1"
CONFIG_PROFILE = "DEFAULT"
# Dummy IAM credentials for the admin side of the sandbox (moto accepts any).
AWS_ADMIN_KEY_ID = "AKIASANDBOXADMIN0000"
AWS_ADMIN_SECRET = "sandbox-admin-secret-not-a-real-key"


# The first label of a real domain's host: its id (the `tenant` and `client_tenantname` of its tokens).
_DOMAIN_ID = re.compile(r"idcs-[0-9a-f]{32}\Z")
_HOST_NAME = re.compile(r"(?=.{1,253}\Z)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+\Z")


def check_domain_host(host):
    """`host` lower-cased if it is a DNS name of at least two labels (not an address); ValueError otherwise."""
    host = (host or "").lower()
    if not _HOST_NAME.match(host) or host.replace(".", "").isdigit():
        raise ValueError("a domain host name must be a DNS name (not an address) such as idcs-<32 hex>.identity.oraclecloud.com: got %r"
                         % host)
    return host


def url_of(host, port):
    """https://host, with `:port` unless it is 443."""
    return "https://%s" % host if port == 443 else "https://%s:%d" % (host, port)


class _Handler(WSGIRequestHandler):
    protocol_version = "HTTP/1.1"
    clock = None  # the sandbox's clock (set per sandbox): the Date header follows it, as a real origin's follows its own

    def date_time_string(self, timestamp=None):
        if timestamp is None and self.clock is not None:
            timestamp = self.clock.now()
        return super().date_time_string(timestamp)

    def log_request(self, code="-", size="-"):
        logging.getLogger("sandbox.http").debug("%s %s %s", self.command, self.path, code)


class Sandbox:
    def __init__(self, directory, oci_port=0, aws_port=0, control_port=0, domain_host=None, domain_aliases=(),
                 profile=None):
        self.profile = profile  # a name of profiles.PROFILES: its switches are set at start and after every reset
        self.directory = os.path.abspath(directory)
        os.makedirs(self.directory, mode=0o700, exist_ok=True)
        self.domain_host = check_domain_host(domain_host) if domain_host else None
        names = ([self.domain_host] if self.domain_host else []) + [check_domain_host(h) for h in domain_aliases]
        self.keys = ensure_keys(self.directory, names)
        self.clock = Clock()
        self.instruments = Instruments()
        first_label = self.domain_host.split(".", 1)[0] if self.domain_host else ""
        self.domain_id = first_label if _DOMAIN_ID.match(first_label) else "idcs-" + secrets.token_hex(16)
        self.tenancy = "ocid1.tenancy.oc1..aaaaaaaa" + secrets.token_hex(26)
        self.user = "ocid1.user.oc1..aaaaaaaa" + secrets.token_hex(26)
        self._ports = (oci_port, aws_port, control_port)
        self._servers = []
        self._threads = []
        self.idcs = None
        self.aws = None

    # -- lifecycle -------------------------------------------------------------------------
    def _tls_context(self):
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.load_cert_chain(self.keys.server_cert_path, self.keys.server_key_path)
        return context

    def _bind(self, port, tls):
        server = make_server(
            HOST, port, _placeholder, threaded=True, request_handler=type("Handler", (_Handler,), {"clock": self.clock}),
            ssl_context=self._tls_context() if tls else None,
        )
        server.daemon_threads = True
        self._servers.append(server)
        return server

    def start(self):
        oci_server = self._bind(self._ports[0], tls=True)
        aws_server = self._bind(self._ports[1], tls=True)
        control_server = self._bind(self._ports[2], tls=False)
        self.oci_url = url_of(self.domain_host or HOST, oci_server.server_port)
        self.aws_url = "https://%s:%d" % (HOST, aws_server.server_port)
        self.control_url = "http://%s:%d" % (HOST, control_server.server_port)
        api_key_id = "%s/%s/%s" % (self.tenancy, self.user, self.keys.api_key_fingerprint)
        self.idcs = IdentityDomain(
            domain_id=self.domain_id,
            base_url=self.oci_url,
            keys=self.keys,
            api_keys={api_key_id: self.keys.api_key.public_key()},
            clock=self.clock,
        )
        self.aws = AwsCloud(account_id=ACCOUNT_ID, region=REGION, ca_bundle=self.keys.ca_cert_path, clock=self.clock)
        oci_server.app = InstrumentedApp(self.idcs, "oci", self.instruments, oci_endpoint)
        aws_server.app = InstrumentedApp(self.aws, "aws", self.instruments, aws_endpoint)
        control_server.app = ControlApp(self)
        for server in self._servers:
            thread = threading.Thread(target=server.serve_forever, name="sandbox-%d" % server.server_port, daemon=True)
            thread.start()
            self._threads.append(thread)
        self._apply_profile()
        self.write_client_files()
        return self

    def stop(self):
        for server in self._servers:
            server.shutdown()
            server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)

    # -- control ---------------------------------------------------------------------------
    def reset(self):
        self.idcs.reset()
        self.aws.reset()
        self.instruments.reset_counters()
        self.instruments.clear_faults()
        self.clock.reset()
        self._apply_profile()

    def _apply_profile(self):
        if self.profile:
            self.configure(profiles.get(self.profile))

    def options(self):
        return {"oci": dict(self.idcs.options), "aws": dict(self.aws.options)}

    def configure(self, settings):
        for cloud, target in (("oci", self.idcs), ("aws", self.aws)):
            for key, value in (settings.get(cloud) or {}).items():
                if key not in target.OPTIONS:
                    raise KeyError("unknown %s option %r; known: %s" % (cloud, key, ", ".join(sorted(target.OPTIONS))))
                if key.endswith("_rate_limit"):
                    check_rate_limit(value)
                target.options[key] = value

    def describe(self):
        return {"status": "ok", "pid": os.getpid(), "profile": self.profile or "default", **self.client_settings()}

    # -- client files ----------------------------------------------------------------------
    def client_settings(self):
        d = self.directory
        return {
            "OCI_DOMAIN_URL": self.oci_url,
            "OCI_DOMAIN_ID": self.domain_id,
            "OCI_CONFIG_FILE": os.path.join(d, "oci", "config"),
            "OCI_CONFIG_PROFILE": CONFIG_PROFILE,
            "SANDBOX_CA_BUNDLE": self.keys.ca_cert_path,
            "AWS_ENDPOINT_URL": self.aws_url,
            "AWS_CA_BUNDLE": self.keys.ca_cert_path,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
            "AWS_ACCESS_KEY_ID": AWS_ADMIN_KEY_ID,
            "AWS_SECRET_ACCESS_KEY": AWS_ADMIN_SECRET,
            "REQUESTS_CA_BUNDLE": self.keys.ca_cert_path,
            "SANDBOX_CONTROL_URL": self.control_url,
            "SANDBOX_AWS_ACCOUNT_ID": ACCOUNT_ID,
        }

    def write_client_files(self):
        d = self.directory
        config = (
            "[%s]\nuser=%s\nfingerprint=%s\ntenancy=%s\nregion=%s\nkey_file=%s\n"
            % (CONFIG_PROFILE, self.user, self.keys.api_key_fingerprint, self.tenancy, OCI_REGION, self.keys.api_key_path)
        )
        _private_write(os.path.join(d, "oci", "config"), config)
        settings = self.client_settings()
        env = "".join("export %s=%s\n" % (k, _shell_quote(v)) for k, v in settings.items())
        env += "unset AWS_PROFILE AWS_SESSION_TOKEN\n"
        _private_write(os.path.join(d, "env"), "# written by `python -m oci_aws_sandbox up --dir DIR`; source it: . DIR/env\n"
                       + env)
        yaml_lines = ["---", "# written by `python -m oci_aws_sandbox up --dir DIR`; pass it with -e @DIR/vars.yml"]
        yaml_lines += ["%s: %s" % (k.lower(), json.dumps(v)) for k, v in settings.items()]
        _private_write(os.path.join(d, "vars.yml"), "\n".join(yaml_lines) + "\n")
        _private_write(os.path.join(d, "state.json"), json.dumps({"pid": os.getpid(), **settings}, indent=1))


def _placeholder(environ, start_response):
    start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
    return [b"starting"]


def _shell_quote(value):
    return "'" + str(value).replace("'", "'\"'\"'") + "'"


def _private_write(path, text):
    os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
    tmp = path + ".tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    os.replace(tmp, path)
