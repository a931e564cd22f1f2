"""Threats 16 to 20 of docs/docsite/rst/security.rst: private-key client authentication.

What an attacker who copies a host's files gets in each mode, replayed assertions, a key that leaks into output
or onto the app, a key file others may read. The federation is made by the manual procedure (the sandbox's
`procedure.py`), then made a trusted client holding each host's certificate, as `oci_oidc_app` makes it.
"""

import base64
import hashlib
import hmac
import json
import os
import shutil

import requests

from conftest import assert_no_secret
from e2e.exchange_support import Federation, ansible_env, counts, run_module, run_named_module
from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.client_auth import ASSERTION_TYPE, PrivateKeyAuth
from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.client_key import ClientKey

PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


def keyed_federation(sandbox, tmp_path, hosts=("web1",)):
    """The federation, its app a trusted client with one key per host (made by the module's code); (federation, {host: pair})."""
    federation = Federation(sandbox).build()
    pairs = {}
    for host in hosts:
        _changed, result = ClientKey(str(tmp_path / host / "keys"), host).run()
        pairs[host] = result
    procedure = federation.procedure
    procedure._admin("PATCH", "/admin/v1/Apps/" + procedure.app["id"], {"schemas": [PATCH], "Operations": [
        {"op": "replace", "path": "clientType", "value": "trusted"},
        {"op": "add", "path": "certificates", "value": [
            {"certAlias": p["current"]["alias"], "x509Base64Certificate": p["current"]["x509_base64"]}
            for p in pairs.values()]},
    ]})
    return federation, pairs


def key_options(federation, pair, **more):
    return federation.options(client_secret=None, client_private_key_file=pair["private_key_file"], **more)


def token_status(sandbox, form):
    response = requests.post(sandbox.domain_url + "/oauth2/v1/token", data=form, verify=sandbox.ca_bundle, timeout=10)
    return response.status_code


def test_copied_host_files_hold_no_secret_and_one_hosts_key_is_revoked_alone(fresh_sandbox, home, tmp_path):
    """16. Secret mode: the settings file of any host holds the app's one secret, usable from anywhere by anyone.
    Key mode: the host's files hold its own key only; removing that host's certificate revokes it, others keep working."""
    federation, pairs = keyed_federation(fresh_sandbox, tmp_path, hosts=("web1", "web2"))
    env = ansible_env(fresh_sandbox, home)
    failed, result = run_module(env, key_options(federation, pairs["web1"], credential_process_profile="oci"))
    assert not failed, result
    written = []
    for root, _dirs, files in os.walk(str(home)):
        written += [os.path.join(root, name) for name in files]
    for path in written:
        with open(path, "rb") as handle:
            assert_no_secret(handle.read(), {"client secret": federation.client_secret}, where=path)
    settings = json.loads((home / ".aws" / "multicloud.oci_aws" / "oci.json").read_text())["options"]
    assert settings["client_private_key_file"] == pairs["web1"]["private_key_file"] and "client_secret" not in settings
    # The attacker's copy of web1's key works until web1's certificate is removed; web2 is not touched by that.
    stolen = tmp_path / "stolen.pem"
    shutil.copy(pairs["web1"]["private_key_file"], str(stolen))
    os.chmod(str(stolen), 0o600)
    procedure = federation.procedure
    procedure._admin("PATCH", "/admin/v1/Apps/" + procedure.app["id"], {"schemas": [PATCH], "Operations": [
        {"op": "remove", "path": 'certificates[certAlias eq "%s"]' % pairs["web1"]["current"]["alias"]}]})
    failed, refused = run_module(env, key_options(federation, {"private_key_file": str(stolen)}))
    assert failed and refused["error_code"] == "invalid_client"
    failed, other = run_module(env, key_options(federation, pairs["web2"]))
    assert not failed, other


def test_a_captured_assertion_cannot_be_replayed(fresh_sandbox, tmp_path):
    """17. An assertion seen on the wire or in a log: a fresh jti each, 60 s of life; the domain refuses it again."""
    federation, pairs = keyed_federation(fresh_sandbox, tmp_path)
    auth = PrivateKeyAuth(federation.client_id, pairs["web1"]["private_key_file"], fresh_sandbox.domain_url)
    form = {"grant_type": "client_credentials", "scope": "sts.amazon.com/"}
    auth.apply(form, {})
    assert form["client_assertion_type"] == ASSERTION_TYPE
    assert token_status(fresh_sandbox, form) == 200
    assert token_status(fresh_sandbox, form) == 401, "replayed"
    second = dict(form)
    auth.apply(second, {})
    assert second["client_assertion"] != form["client_assertion"] and token_status(fresh_sandbox, second) == 200


def test_the_private_key_never_reaches_output_or_the_app(fresh_sandbox, home, tmp_path):
    """18. oci_client_key at -vvvv, its results, and a key pasted into client_certificates: no key anywhere."""
    failed, result, output = run_named_module(fresh_sandbox, home, "oci_client_key", dict(path=str(tmp_path / "k")))
    assert not failed and "PRIVATE KEY" not in output and "PRIVATE KEY" not in json.dumps(result)
    with open(result["private_key_file"]) as handle:
        key_text = handle.read()
    pasted = dict(alias="host1", certificate=key_text)  # the whole file, key included
    failed, refused, output = run_named_module(fresh_sandbox, home, "oci_oidc_app", dict(
        domain_url=fresh_sandbox.domain_url, display_name="aws-sts-key", client_auth="private_key",
        client_certificates=[pasted]))
    assert failed and "holds a private key" in refused["msg"]
    body = key_text.split("-----BEGIN PRIVATE KEY-----")[1].split("-----END")[0].strip().splitlines()[1]
    assert body not in output and "PRIVATE KEY-----" not in output


def test_a_key_file_others_may_read_is_refused_before_any_request(fresh_sandbox, home, tmp_path):
    """19. A key left 0644, or in a directory others may write: refused naming the option, no token request."""
    federation, pairs = keyed_federation(fresh_sandbox, tmp_path)
    env = ansible_env(fresh_sandbox, home)
    os.chmod(pairs["web1"]["private_key_file"], 0o644)
    fresh_sandbox.reset_counters()
    failed, result = run_module(env, key_options(federation, pairs["web1"]))
    assert failed and result["option"] == "client_private_key_file" and "chmod 600" in result["msg"]
    os.chmod(pairs["web1"]["private_key_file"], 0o600)
    os.chmod(os.path.dirname(pairs["web1"]["private_key_file"]), 0o777)
    failed, result = run_module(env, key_options(federation, pairs["web1"]))
    assert failed and "writable by others" in result["msg"]
    assert counts(fresh_sandbox) == (0, 0)


def test_an_assertion_without_the_key_is_refused(fresh_sandbox, tmp_path):
    """20. Someone who knows the client id and the (public) certificate but not the key: HS256 keyed with the
    certificate, alg none, or an RS256 signature by another key are all refused."""
    federation, pairs = keyed_federation(fresh_sandbox, tmp_path)
    _c, other = ClientKey(str(tmp_path / "attacker"), "web1").run()
    forged = PrivateKeyAuth(federation.client_id, other["private_key_file"], fresh_sandbox.domain_url,
                            alias=pairs["web1"]["current"]["alias"])
    form = {"grant_type": "client_credentials", "scope": "sts.amazon.com/"}
    forged.apply(form, {})
    assert token_status(fresh_sandbox, form) == 401
    _head, claims, _sig = form["client_assertion"].split(".")
    for alg in ("HS256", "none"):
        header = base64.urlsafe_b64encode(json.dumps({"alg": alg, "kid": pairs["web1"]["current"]["alias"]}).encode()
                                          ).rstrip(b"=").decode()
        signing = header + "." + claims
        mac = hmac.new(pairs["web1"]["current"]["certificate"].encode(), signing.encode(), hashlib.sha256).digest()
        signature = "" if alg == "none" else base64.urlsafe_b64encode(mac).rstrip(b"=").decode()
        assert token_status(fresh_sandbox, dict(form, client_assertion=signing + "." + signature)) == 401, alg
