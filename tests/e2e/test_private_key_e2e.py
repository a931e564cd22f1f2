"""End to end, private-key client authentication (issue 15): the app made by oci_oidc_app in key mode with the
certificate of a key made by oci_client_key; the module, the lookup and a credential_process profile get credentials
with no client secret anywhere; a rotation while exchanges run beside it fails none; the old key, once its
certificate is removed, fails with the diagnosis that names it."""

import json
import os
import shutil
import subprocess
import threading
import time

import boto3
import pytest

from e2e.exchange_support import LOOKUP, ansible_env, run_module, run_named_module, run_playbook
from e2e.test_exchange_e2e import s3_roundtrip
from oci_aws_sandbox.procedure import ManualProcedure

APP = "aws-sts-key"


def oci(sandbox, home, module, **args):
    failed, result, output = run_named_module(sandbox, home, module, dict(domain_url=sandbox.domain_url, **args),
                                              diff=True)
    assert not failed, output
    return result, output


def client_key(sandbox, home, keys, **args):
    failed, result, output = run_named_module(sandbox, home, "oci_client_key", dict(path=str(keys), name="host1", **args))
    assert not failed, output
    assert "PRIVATE KEY" not in output
    return result


def register(sandbox, home, certificates):
    return oci(sandbox, home, "oci_oidc_app", display_name=APP, client_auth="private_key",
               client_certificates=[dict(alias=c["alias"], certificate=c["certificate"]) for c in certificates])


def setup(sandbox, home, keys):
    oci(sandbox, home, "oci_token_policy")
    key = client_key(sandbox, home, keys)
    app, output = register(sandbox, home, [key["current"]])
    assert "client_secret" not in app
    assert app["app"]["client_type"] == "trusted"
    assert [c["alias"] for c in app["app"]["certificates"]] == [key["current"]["alias"]]
    procedure = ManualProcedure(sandbox)
    role_arn = procedure.create_provider_and_role(condition_sub=app["client_id"])
    return key, app, role_arn, output


def key_options(sandbox, app, role_arn, key_file, **more):
    return dict(domain_url=sandbox.domain_url, client_id=app["client_id"], client_private_key_file=key_file,
                role_arn=role_arn, **more)


def test_key_mode_module_lookup_and_credential_process_with_no_secret_stored(fresh_sandbox, home, tmp_path, monkeypatch):
    keys = home / "keys"
    key, app, role_arn, setup_output = setup(fresh_sandbox, home, keys)
    env = ansible_env(fresh_sandbox, home)
    # The module.
    failed, result = run_module(env, key_options(fresh_sandbox, app, role_arn, key["private_key_file"],
                                                 role_session_name="module"))
    assert not failed, result
    assert s3_roundtrip(fresh_sandbox, result["access_key"], result["secret_key"], result["session_token"]) \
        == result["assumed_role_arn"]
    # The lookup, at -vvvv.
    answer = tmp_path / "answer.json"
    done = run_playbook(ansible_env(fresh_sandbox, home, OCI_AWS_CLIENT_PRIVATE_KEY_FILE=key["private_key_file"]), tmp_path, """
- hosts: localhost
  gather_facts: false
  tasks:
    - ansible.builtin.copy:
        content: "{{ lookup('%s', domain_url='%s', client_id='%s', role_arn='%s', role_session_name='lookup') | to_json }}"
        dest: %s
        mode: "0600"
      no_log: true
""" % (LOOKUP, fresh_sandbox.domain_url, app["client_id"], role_arn, answer), "-vvvv")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    credentials = json.loads(answer.read_text())
    assert credentials["access_key"].startswith("ASIA")
    # A credential_process profile.
    failed, profile = run_module(env, key_options(fresh_sandbox, app, role_arn, key["private_key_file"],
                                                  credential_process_profile="oci", role_session_name="process"))
    assert not failed, profile
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ENDPOINT_URL", fresh_sandbox.aws_endpoint)
    monkeypatch.setenv("AWS_CA_BUNDLE", fresh_sandbox.ca_bundle)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(home / ".aws" / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(home / ".aws" / "credentials"))
    session = boto3.session.Session(profile_name="oci")
    assert s3_roundtrip(fresh_sandbox, None, None, session=session).endswith("/process")
    # No client secret anywhere: the app's secret (read with the admin API, which the collection never does) is in
    # no file under home and in no output; the key is in no output and only in its own file.
    service_secret = [a for a in fresh_sandbox_apps(fresh_sandbox) if a["displayName"] == APP][0]["clientSecret"]
    outputs = setup_output + done.stdout + done.stderr
    assert service_secret not in outputs and "PRIVATE KEY" not in outputs
    for root, _dirs, files in os.walk(str(home)):
        for name in files:
            path = os.path.join(root, name)
            data = open(path, "rb").read()
            assert service_secret.encode() not in data, path
            assert b"PRIVATE KEY" not in data or path == key["private_key_file"], path


def fresh_sandbox_apps(sandbox):
    """Every app as the admin API shows it, its clientSecret included (switch get_returns_client_secret)."""
    import oci as oci_sdk  # the sandbox's admin signer, as the fidelity tests use it
    import requests
    sandbox.configure(oci={"get_returns_client_secret": True})
    try:
        config = oci_sdk.config.from_file(sandbox.env["OCI_CONFIG_FILE"], sandbox.env["OCI_CONFIG_PROFILE"])
        response = requests.get(sandbox.domain_url + "/admin/v1/Apps", auth=oci_sdk.signer.Signer.from_config(config),
                                verify=sandbox.ca_bundle, timeout=10)
        return response.json()["Resources"]
    finally:
        sandbox.configure(oci={"get_returns_client_secret": False})


def test_rotation_while_exchanges_run_fails_none_and_the_old_key_is_then_refused_by_name(fresh_sandbox, home, tmp_path):
    keys = home / "keys"
    # The first key, made 100 days ago (the module's code with its clock set back), then registered.
    from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.client_key import ClientKey
    ClientKey(str(keys), "host1", now=time.time() - 100 * 86400).run()
    key, app, role_arn, _output = setup(fresh_sandbox, home, keys)
    old = key["current"]
    env = ansible_env(fresh_sandbox, home)
    failed, profile = run_module(env, key_options(fresh_sandbox, app, role_arn, key["private_key_file"],
                                                  credential_process_profile="oci"))
    assert not failed, profile
    config = (home / ".aws" / "config").read_text()
    command = [line.split("=", 1)[1].strip() for line in config.splitlines() if line.startswith("credential_process")][0]
    results, stop = [], threading.Event()

    def exchanges():
        while not stop.is_set():
            done = subprocess.run(command, shell=True, env=env, capture_output=True, text=True, timeout=60, check=False)
            results.append((done.returncode, done.stderr[-500:]))

    loop = threading.Thread(target=exchanges)
    loop.start()
    try:
        time.sleep(1)
        due = client_key(fresh_sandbox, home, keys, max_key_age=90)
        assert due["changed"] and [c["role"] for c in due["certificates"]] == ["current", "next"]
        register(fresh_sandbox, home, due["certificates"])
        time.sleep(1)
        promoted = client_key(fresh_sandbox, home, keys, max_key_age=90, stage="promote")
        assert promoted["current"]["x5t"] == due["certificates"][1]["x5t"]
        shutil.copy(os.path.join(str(keys), "host1.previous.pem"), str(tmp_path / "old.pem"))
        time.sleep(1)
        result, diff = register(fresh_sandbox, home, [promoted["current"]])
        assert old["alias"] in diff and old["x5t"] in diff, "the diff shows the certificate removed"
        client_key(fresh_sandbox, home, keys, stage="prune")
        time.sleep(1)
    finally:
        stop.set()
        loop.join(120)
    failures = [r for r in results if r[0] != 0]
    print("exchanges during the rotation: %d, failed: %d" % (len(results), len(failures)))
    assert len(results) >= 3 and not failures, failures[:2]
    assert [c["alias"] for c in result["app"]["certificates"]] == [promoted["current"]["alias"]]
    # The old key: refused, and the diagnosis names its certificate and the fix.
    os.chmod(str(tmp_path / "old.pem"), 0o600)
    failed, refused = run_module(env, key_options(fresh_sandbox, app, role_arn, str(tmp_path / "old.pem")))
    assert failed and refused["error_code"] == "invalid_client" and refused["step"] == "2"
    assert old["x5t"] in refused["msg"] and "registered on the app" in refused["msg"]
    assert "PRIVATE KEY" not in json.dumps(refused)


def test_site_yml_in_key_mode_stores_no_client_secret_anywhere(fresh_sandbox, tmp_path):
    from e2e.site_support import Site, recap

    site = Site(fresh_sandbox, tmp_path)
    with open(site.vars_file, "a") as handle:
        handle.write("oci_oidc_provider_client_auth: private_key\n")
    inventory = os.path.join(site.directory, "inventory.ini")
    with open(inventory, "w") as handle:
        handle.write("[oci_aws_clients]\n" + "".join(
            "web%d ansible_connection=local ansible_python_interpreter=%s oci_aws_client_key_dir=%s\n"
            % (n, __import__("sys").executable, os.path.join(site.directory, "hosts", "web%d" % n)) for n in (1, 2)))
    done = site.run("site.yml", "-i", inventory, "-vvvv")
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-3000:]
    again = site.run("site.yml", "-i", inventory)
    assert again.returncode == 0 and recap(again)["changed"] == 0, again.stdout[-3000:]
    app = [a for a in fresh_sandbox_apps(fresh_sandbox) if a["displayName"] == "aws-sts-oidc"][0]
    assert app["clientType"] == "trusted"
    aliases = sorted(c["certAlias"] for c in app["certificates"])
    assert [a.split("-")[0] for a in aliases] == ["controller", "web1", "web2"]
    secret = app["clientSecret"]
    output = done.stdout + done.stderr + again.stdout + again.stderr
    assert secret not in output and "PRIVATE KEY" not in output
    assert not os.path.exists(site.secret_file)
    key_files = []
    for root, _dirs, files in os.walk(site.directory):
        for name in files:
            path = os.path.join(root, name)
            data = open(path, "rb").read()
            assert secret.encode() not in data, path
            if b"PRIVATE KEY" in data:
                key_files.append(os.path.relpath(path, site.directory))
    assert sorted(key_files) == ["home/.config/multicloud.oci_aws/keys/controller.pem", "hosts/web1/web1.pem",
                                 "hosts/web2/web2.pem"], key_files


def test_site_yml_rotation_stages_while_exchanges_run_fail_none(fresh_sandbox, tmp_path):
    """The three rotation runs of site.yml (present with max_key_age, promote, prune) while a loop of full exchanges
    (token with web1's key file read anew each time, then STS) runs beside them."""
    from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.client_key import ClientKey
    from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.options import OptionAdapter
    from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.spec import ExchangeSpec
    from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.sts import Exchange
    from e2e.site_support import ROLE_NAME, Site

    site = Site(fresh_sandbox, tmp_path)
    with open(site.vars_file, "a") as handle:
        handle.write("oci_oidc_provider_client_auth: private_key\noci_aws_federation_max_key_age: 90\n")
    web1 = os.path.join(site.directory, "hosts", "web1")
    ClientKey(web1, "web1", now=time.time() - 100 * 86400).run()  # a key made 100 days ago
    inventory = os.path.join(site.directory, "inventory.ini")
    with open(inventory, "w") as handle:
        handle.write("[oci_aws_clients]\nweb1 ansible_connection=local ansible_python_interpreter=%s "
                     "oci_aws_client_key_dir=%s\n" % (__import__("sys").executable, web1))
    # The first run: web1's old key is due, so its next key is made and both are registered.
    first = site.run("site.yml", "-i", inventory)
    assert first.returncode == 0, first.stdout[-4000:]
    app = [a for a in fresh_sandbox_apps(fresh_sandbox) if a["displayName"] == "aws-sts-oidc"][0]
    options = dict(domain_url=fresh_sandbox.domain_url, client_id=app["name"], role_arn="arn:aws:iam::%s:role/%s" % (
        fresh_sandbox.account_id, ROLE_NAME), client_private_key_file=os.path.join(web1, "web1.pem"),
        cert_bundle=fresh_sandbox.ca_bundle, endpoint_url=fresh_sandbox.aws_endpoint, aws_ca_bundle=fresh_sandbox.ca_bundle,
        region=fresh_sandbox.env["AWS_REGION"], duration_seconds=900)
    results, stop = [], threading.Event()

    def exchanges():
        while not stop.is_set():
            try:
                Exchange(ExchangeSpec.from_options(OptionAdapter.from_dict(options))).run()
                results.append(None)
            except Exception as exc:  # pylint: disable=broad-except
                results.append(getattr(exc, "msg", repr(exc))[:300])

    loop = threading.Thread(target=exchanges)
    loop.start()
    try:
        for stage in ("promote", "prune"):
            done = site.run("site.yml", "-i", inventory, "-e", "oci_aws_federation_key_stage=" + stage)
            assert done.returncode == 0, (stage, done.stdout[-4000:])
    finally:
        stop.set()
        loop.join(120)
    failures = [r for r in results if r is not None]
    print("site.yml rotation: %d exchanges, %d failed" % (len(results), len(failures)))
    assert len(results) >= 3 and not failures, failures[:2]
    app = [a for a in fresh_sandbox_apps(fresh_sandbox) if a["displayName"] == "aws-sts-oidc"][0]
    assert len([c for c in app["certificates"] if c["certAlias"].startswith("web1-")]) == 1
    assert sorted(os.listdir(web1)) == ["web1.pem"]


def test_a_host_clock_behind_the_domains_is_named_as_the_cause(fresh_sandbox, home):
    keys = home / "keys"
    key, app, role_arn, _output = setup(fresh_sandbox, home, keys)
    fresh_sandbox.shift_clock(600)  # the domain's clock 10 minutes ahead: the host's assertion has expired there
    failed, refused = run_module(ansible_env(fresh_sandbox, home), key_options(fresh_sandbox, app, role_arn,
                                                                               key["private_key_file"]))
    assert failed and refused["step"] == "6" and refused["error_code"] == "invalid_client"
    assert "s ahead of this host's" in refused["msg"] and "NTP" in refused["msg"]
    assert 590 <= refused["clock_offset"] <= 610


def _keyed_app(sandbox, tmp_path, client_type="trusted"):
    """The manual procedure's federation, its app given one certificate by the admin API; (federation, pair)."""
    from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.client_key import ClientKey
    from oci_aws_sandbox.procedure import Federation

    federation = Federation(sandbox).build()
    _changed, pair = ClientKey(str(tmp_path / "keys"), "host1").run()
    federation.procedure._admin("PATCH", "/admin/v1/Apps/" + federation.procedure.app["id"], {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [
            {"op": "replace", "path": "clientType", "value": client_type},
            {"op": "add", "path": "certificates", "value": [
                {"certAlias": pair["current"]["alias"], "x509Base64Certificate": pair["current"]["x509_base64"]}]}]})
    return federation, pair


def _exchange(sandbox, federation, **key_options_):
    from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.options import OptionAdapter
    from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.spec import ExchangeSpec
    from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.sts import Exchange

    options = federation.options(client_secret=None, cert_bundle=sandbox.ca_bundle, endpoint_url=sandbox.aws_endpoint,
                                 aws_ca_bundle=sandbox.ca_bundle, region=sandbox.env["AWS_REGION"], **key_options_)
    return Exchange(ExchangeSpec.from_options(OptionAdapter.from_dict(options))).run()


@pytest.mark.parametrize("switches", [
    {},
    {"client_assertion_audience_lenient": True},
    {"client_assertion_requires_trusted_client": False, "client_assertion_requires_jti": False},
])
def test_the_collection_works_under_each_reading_of_the_docs(fresh_sandbox, tmp_path, switches):
    """The open details (aud form, trusted or confidential client, jti) in either answer: the same assertion works."""
    fresh_sandbox.configure(oci=switches)
    client_type = "confidential" if switches.get("client_assertion_requires_trusted_client") is False else "trusted"
    federation, pair = _keyed_app(fresh_sandbox, tmp_path, client_type)
    assert _exchange(fresh_sandbox, federation, client_private_key_file=pair["private_key_file"]).access_key


def test_a_key_you_provide_named_by_alias_or_by_a_certificate_file(fresh_sandbox, tmp_path):
    """A key file without its certificate: kid (client_certificate_alias) alone, or x5t from client_certificate_file."""
    federation, pair = _keyed_app(fresh_sandbox, tmp_path)
    with open(pair["private_key_file"]) as handle:
        text = handle.read()
    key_only, cert_only = tmp_path / "key.pem", tmp_path / "cert.pem"
    key_only.write_text(text.split("-----BEGIN CERTIFICATE-----")[0])
    os.chmod(str(key_only), 0o600)
    cert_only.write_text(pair["current"]["certificate"])
    assert _exchange(fresh_sandbox, federation, client_private_key_file=str(key_only),
                     client_certificate_alias=pair["current"]["alias"]).access_key
    assert _exchange(fresh_sandbox, federation, client_private_key_file=str(key_only),
                     client_certificate_file=str(cert_only)).access_key
