"""Threat 1: answers that are not what the API documents (a misbehaving proxy or cloud) must not leak the
credentials they carry, nor end in a bare exception or a traceback, in any front door.

A local fake HTTPS endpoint with its own CA (network_support.FakeEndpoint) answers STS with cut-off XML that
holds a real-looking SecretAccessKey, an HTML page, XML without Credentials or without AccessKeyId; the token
endpoint with HTML, JSON without an access_token and a 2 MiB body; the identity domain's admin API with
garbage. The module (through ansible-playbook at -v0 and -vvvv), the lookup and the credential_process
runner must each report one typed error naming the endpoint, the HTTP status and what was wrong, and
nothing of the body.
"""

import json

import pytest

from conftest import assert_no_secret
from network_support import (
    FAKE_SECRET_KEY,
    SECRETS,
    FakeEndpoint,
    answer,
    exchange_options,
    lookup_task,
    module_task,
    oci_config,
    results,
    run_playbook,
    run_runner,
    sts_xml,
)

ASSUME = "multicloud.oci_aws.oci_aws_assume"
POLICY = "multicloud.oci_aws.oci_token_policy"
HTML = ("<!DOCTYPE html><html><head><meta charset=utf-8><title>Proxy</title></head><body><p>Session expired"
        "<br>debug: SecretAccessKey=%s</body></html>" % FAKE_SECRET_KEY)

# (name, where the broken answer is, the words the message must hold)
MODULE_CASES = [
    ("sts_cut_off_xml", "sts", ["AWS sts:AssumeRoleWithWebIdentity at https://127.0.0.1", "HTTP 200", "not XML"]),
    ("sts_html", "sts", ["sts:AssumeRoleWithWebIdentity", "HTTP 200", "not XML"]),
    ("sts_no_credentials", "sts", ["sts:AssumeRoleWithWebIdentity", "HTTP 200", "no Credentials element"]),
    ("sts_no_access_key", "sts", ["sts:AssumeRoleWithWebIdentity", "HTTP 200", "no AccessKeyId"]),
    ("token_html", "token", ["the token endpoint https://127.0.0.1", "HTTP 200", "not JSON"]),
    ("token_no_access_token", "token", ["the token endpoint", "HTTP 200", "no access_token"]),
    ("token_huge", "token", ["the token endpoint", "HTTP 200", "more than 1048576 bytes"]),
    ("oci_html", "oci", ["GET /admin/v1/Settings/Settings", "HTTP 200", "not a JSON object"]),
    ("oci_error_page", "oci", ["GET /admin/v1/Settings/Settings", "HTTP 400", "not a JSON error (not shown)"]),
]


def _broken(server, name):
    """Script ``server`` for case ``name``; ``(token_url, sts_url)``."""
    token = server.good_token()
    sts = server.url + "/sts/" + name
    if name == "sts_cut_off_xml":
        server.script("/sts/" + name, answer(200, sts_xml(cut=sts_xml().index(FAKE_SECRET_KEY) + len(FAKE_SECRET_KEY) + 40)))
    elif name == "sts_html":
        server.script("/sts/" + name, answer(200, HTML, "text/html"))
    elif name == "sts_no_credentials":
        server.script("/sts/" + name, answer(200, sts_xml(credentials=False)))
    elif name == "sts_no_access_key":
        server.script("/sts/" + name, answer(200, sts_xml(access_key=False)))
    elif name == "token_html":
        token = server.script("/token/" + name, answer(200, HTML, "text/html"))
    elif name == "token_no_access_token":
        token = server.script("/token/" + name, answer(200, json.dumps({"token": FAKE_SECRET_KEY}), "application/json"))
    elif name == "token_huge":
        token = server.script("/token/" + name, answer(200, json.dumps({"padding": FAKE_SECRET_KEY * 60000}),
                                                       "application/json"))
    return token, sts


@pytest.fixture(scope="module")
def broken_runs(tmp_path_factory):
    """Every case through the module (and two through the lookup), at -v0 and -vvvv: ``{verbosity: output}``."""
    home = tmp_path_factory.mktemp("answers")
    servers = []
    tasks = []
    try:
        for name, where, _words in MODULE_CASES:
            server = FakeEndpoint(home / ("pki-" + name))
            servers.append(server)
            if where == "oci":
                body = HTML if name == "oci_html" else "<html><body>Bad request %s</body></html>" % FAKE_SECRET_KEY
                server.script("/admin/v1/Settings/Settings",
                              answer(200 if name == "oci_html" else 400, body, "text/html"))
                args = dict(domain_url=server.url, cert_bundle=server.ca_bundle,
                            config_file_location=oci_config(home, server))
                tasks.append(module_task(name, POLICY, args, "r_" + name))
                continue
            token, sts = _broken(server, name)
            tasks.append(module_task(name, ASSUME, exchange_options(server, token, sts), "r_" + name))
        for name in ("sts_cut_off_xml", "token_html"):
            server = FakeEndpoint(home / ("pki-lookup-" + name))
            servers.append(server)
            token, sts = _broken(server, name)
            tasks.append(lookup_task("lookup_" + name, exchange_options(server, token, sts, cache=False), "l_" + name))
        text = "".join(tasks)
        outputs = dict((verbosity, run_playbook(home, text, verbosity)) for verbosity in (0, 4))
    finally:
        for server in servers:
            server.stop()
    return outputs


def _result(output, index):
    found = results(output)
    assert len(found) == len(MODULE_CASES) + 2, output[-3000:]
    failed, _sep, rest = found[index].partition(" | ")
    return failed == "True", rest


@pytest.mark.parametrize("verbosity", [0, 4])
@pytest.mark.parametrize("index", range(len(MODULE_CASES)), ids=[case[0] for case in MODULE_CASES])
def test_broken_answers_fail_the_module_with_a_typed_error_and_no_body(broken_runs, verbosity, index):
    """Threat 1: STS / the token endpoint / the identity domain answer with something their API does not
    document, holding credentials; the module fails naming the endpoint, the status and the defect, and no
    byte of the answer (the fake SecretAccessKey) appears in the output, nor a traceback."""
    output = broken_runs[verbosity]
    name, _where, words = MODULE_CASES[index]
    failed, message = _result(output, index)
    assert failed, message
    for word in words:
        assert word in message, (name, message)
    assert "not shown" in message
    assert_no_secret(output, SECRETS, "the output of ansible-playbook -%s" % ("v" * verbosity if verbosity else "v0"))
    assert "Traceback" not in output


@pytest.mark.parametrize("verbosity", [0, 4])
@pytest.mark.parametrize("offset, words", [
    (0, ["sts:AssumeRoleWithWebIdentity", "HTTP 200", "not XML"]),
    (1, ["the token endpoint", "HTTP 200", "not JSON"]),
], ids=["sts_cut_off_xml", "token_html"])
def test_broken_answers_fail_the_lookup_with_a_typed_error_and_no_body(broken_runs, verbosity, offset, words):
    """Threat 1: the same broken answers through the lookup: its error names the endpoint, status and defect,
    never the body, and no traceback is printed even at -vvvv."""
    output = broken_runs[verbosity]
    failed, message = _result(output, len(MODULE_CASES) + offset)
    assert failed
    for word in words:
        assert word in message, message
    assert_no_secret(output, SECRETS, "the lookup's output")
    assert "Traceback" not in output


@pytest.mark.parametrize("name", ["sts_cut_off_xml", "sts_html", "sts_no_access_key", "token_no_access_token"])
def test_broken_answers_reach_the_aws_cli_as_one_line_without_credentials(tmp_path, name):
    """Threat 1: the credential_process runner (whose stderr the AWS CLI shows) given a broken answer writes
    one error line naming the endpoint and the defect: no traceback, no credentials, nothing on stdout."""
    server = FakeEndpoint(tmp_path / "pki")
    try:
        token, sts = _broken(server, name)
        code, stdout, stderr = run_runner(tmp_path, exchange_options(server, token, sts))
    finally:
        server.stop()
    assert code == 1 and stdout == ""
    assert stderr.startswith("multicloud.oci_aws credential_process: ") and stderr.count("\n") == 1, stderr
    assert "not what its API documents" in stderr
    assert "Traceback" not in stderr
    assert_no_secret(stderr, SECRETS, "the runner's stderr")
