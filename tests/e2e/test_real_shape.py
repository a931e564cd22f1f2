"""The whole federation against an identity domain of the real shape (issue 14, §1).

The sandbox's domain is https://idcs-<32 hex>.identity.oraclecloud.com on port 443, no port in the URL, as a real
domain's: site.yml, the lookup and use_credentials.yml, site.yml again with the URL written the other ways the
console and API show it (upper case, ``:443``, the Regional URL), then teardown.yml. What every other e2e test
cannot show, since their domain is https://127.0.0.1:<port>: the issuer in the domain's Settings and in the tokens'
``iss``, the IAM OIDC provider's URL and ARN, and the trust policy's condition keys all carry the bare host name,
and no run warns about a port.

These tests need the host names to resolve to 127.0.0.1 and port 443: ``tests/utils/run-tests.sh realshape`` runs
them in namespaces of their own (tests/utils/netns-run.sh), which set OCI_AWS_NETNS_HOSTS. Elsewhere they skip,
unless OCI_AWS_REAL_SHAPE_REQUIRED=1 (set by that run), where they fail. The tests are steps of one run, in this
order and in one process (one sandbox and one Site for the module; not for pytest-xdist).
"""

import base64
import json
import os
import re
import socket

import boto3
import pytest
import requests
import yaml

from e2e.site_support import APP_NAME, ROLE_NAME, Site, apps_named, inventory, recap

DOMAIN_HOST = re.compile(r"(idcs-[0-9a-f]{32})\.identity\.oraclecloud\.com\Z")
REGIONAL = "%s.us-ashburn-idcs-1.secure.identity.oraclecloud.com"
PORT_WARNING = "has a port"


def _real_shaped_host():
    """The real-shaped host name this run may serve on 127.0.0.1:443, or (None, why not)."""
    names = os.environ.get("OCI_AWS_NETNS_HOSTS", "").split()
    hosts = [name for name in names if DOMAIN_HOST.match(name)]
    if not hosts:
        return None, ("OCI_AWS_NETNS_HOSTS names no idcs-<32 hex>.identity.oraclecloud.com host: run "
                      "tests/utils/run-tests.sh realshape (a private network and mount namespace)")
    host = hosts[0]
    if REGIONAL % DOMAIN_HOST.match(host).group(1) not in names:
        return None, "OCI_AWS_NETNS_HOSTS lacks the Regional URL's host of %s" % host
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, 443, type=socket.SOCK_STREAM)}
    except OSError as exc:
        return None, "%s does not resolve here (%s)" % (host, exc)
    if addresses != {"127.0.0.1"}:
        return None, "%s resolves to %s, not only to 127.0.0.1" % (host, sorted(addresses))
    return host, None


@pytest.fixture(scope="module")
def real_domain(tmp_path_factory):
    from oci_aws_sandbox import handle as sandbox_handle

    host, why = _real_shaped_host()
    if host is None:
        if os.environ.get("OCI_AWS_REAL_SHAPE_REQUIRED") == "1":
            pytest.fail("the real-shaped run was required, but: " + why)
        pytest.skip(why)
    regional = REGIONAL % DOMAIN_HOST.match(host).group(1)
    sandbox = sandbox_handle.start(str(tmp_path_factory.mktemp("real-sandbox")), domain_host=host, oci_port=443,
                                   domain_aliases=[regional])
    try:
        yield sandbox, host, regional
    finally:
        sandbox.stop()


@pytest.fixture(scope="module")
def site(real_domain, tmp_path_factory):
    sandbox, _host, _regional = real_domain
    return Site(sandbox, tmp_path_factory.mktemp("real-site"))


def output(done):
    return done.stdout + done.stderr


def assert_clean(done, expected=()):
    """The run passed, and warned about nothing but ``expected`` (no port warning above all)."""
    text = output(done)
    assert done.returncode == 0, text[-4000:]
    assert PORT_WARNING not in text, text[-4000:]
    warnings = [line for line in text.splitlines() if "[WARNING]" in line]
    assert [line for line in warnings if not any(part in line for part in expected)] == [], text[-4000:]


def iam(sandbox):
    return boto3.client("iam", endpoint_url=sandbox.aws_endpoint, verify=sandbox.ca_bundle,
                        region_name=sandbox.env["AWS_REGION"], aws_access_key_id=sandbox.env["AWS_ACCESS_KEY_ID"],
                        aws_secret_access_key=sandbox.env["AWS_SECRET_ACCESS_KEY"])


def token_claims(sandbox, site, token_url):
    """The claims of a token the domain issues to the app site.yml made, asked at ``token_url``."""
    from ansible_collections.multicloud.oci_aws.plugins.module_utils._validate import DEFAULT_AUDIENCE, scope_for

    with open(site.secret_file) as handle:
        stored = yaml.safe_load(handle)
    answer = requests.post(token_url, data={"grant_type": "client_credentials", "scope": scope_for(DEFAULT_AUDIENCE)},
                           auth=(stored["oci_aws_client_id"], stored["oci_aws_client_secret"]),
                           verify=sandbox.ca_bundle, timeout=30)
    assert answer.status_code == 200, answer.text
    payload = answer.json()["access_token"].split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def test_the_sandbox_serves_the_real_shape(real_domain):
    sandbox, host, _regional = real_domain
    assert sandbox.domain_url == "https://" + host
    assert sandbox.env["OCI_DOMAIN_ID"] == host.split(".")[0]
    discovery = requests.get(sandbox.domain_url + "/.well-known/openid-configuration", verify=sandbox.ca_bundle,
                             timeout=30)
    assert discovery.status_code == 200
    assert discovery.json()["token_endpoint"].startswith("https://%s/" % host)


def test_site_registers_the_issuer_without_a_port_everywhere(real_domain, site):
    sandbox, host, _regional = real_domain
    done = site.run("site.yml")
    assert_clean(done)
    assert recap(done)["failed"] == 0
    issuer = "https://" + host
    # The IAM OIDC provider: its URL, its ARN, and the role's condition keys carry the bare host name.
    client = iam(sandbox)
    arns = [p["Arn"] for p in client.list_open_id_connect_providers()["OpenIDConnectProviderList"]]
    assert arns == ["arn:aws:iam::%s:oidc-provider/%s" % (sandbox.account_id, host)]
    assert client.get_open_id_connect_provider(OpenIDConnectProviderArn=arns[0])["Url"] == host
    trust = client.get_role(RoleName=ROLE_NAME)["Role"]["AssumeRolePolicyDocument"]
    if isinstance(trust, str):
        trust = json.loads(trust)
    keys = set()
    for statement in trust["Statement"]:
        assert statement["Principal"] == {"Federated": arns[0]}
        for condition in statement.get("Condition", {}).values():
            keys.update(condition)
    assert keys == {host + ":aud", host + ":sub"}
    # The token's iss: what step 3 wrote into the domain's Settings.
    assert token_claims(sandbox, site, issuer + "/oauth2/v1/token")["iss"] == issuer
    with open(site.secret_file) as handle:
        assert yaml.safe_load(handle)["oci_aws_domain_url"] == issuer


def test_use_credentials_through_the_lookup_without_a_port_warning(real_domain, site):
    done = site.run("use_credentials.yml")
    assert_clean(done)
    assert "assumed-role/%s/" % ROLE_NAME in done.stdout


def test_the_domain_url_written_otherwise_gives_the_same_issuer(real_domain, site):
    """site.yml again with domain_url as the console or API may also show it, all at once: the Regional URL, upper
    case, ``:443``. Nothing changes (no second issuer, no second IAM provider, no write), and a token asked at the
    Regional URL carries the same iss."""
    sandbox, host, regional = real_domain
    url = "HTTPS://%s:443" % regional.upper()
    sandbox.reset_counters()
    done = site.run("site.yml", "-e", "oci_oidc_provider_domain_url=%s" % url)
    assert_clean(done)
    assert recap(done)["changed"] == 0, done.stdout[-3000:]
    assert sandbox.writes() == 0
    assert len(iam(sandbox).list_open_id_connect_providers()["OpenIDConnectProviderList"]) == 1
    assert token_claims(sandbox, site, "https://%s/oauth2/v1/token" % regional)["iss"] == "https://" + host


def test_teardown_removes_everything(real_domain, site):
    sandbox, _host, _regional = real_domain
    done = site.run("teardown.yml", "-e", "oci_oidc_provider_absent_restore_settings=true")
    # Asked for: the domain-wide issuer goes back to the service default.
    assert_clean(done, expected=["issuer=default gives the domain back the service default issuer"])
    assert inventory(sandbox) == dict(apps=0, active=[], providers=0, roles=[])
    assert apps_named(sandbox, APP_NAME) == []
    assert not os.path.exists(site.secret_file)
