"""End to end: `multicloud.oci_aws.oci_token_policy` and `multicloud.oci_aws.oci_oidc_app`, run as Ansible
runs them (`ansible localhost -m ...`), against the sandbox identity domain under each of the behaviour
switches that the public documentation leaves open, and under lost answers.

- From a fresh domain, oci_token_policy then oci_oidc_app make a client-credentials token request succeed
  whose `iss` is the domain URL and whose `aud` is the audience (one string), with the signing keys
  readable without authentication, whether or not the domain accepts an app's own scope in its create
  request (`create_allows_own_allowed_scope`); the runs after the first write nothing.
- Whether or not the domain returns `clientSecret` on every read (`get_returns_client_secret`, true by
  default), the secret is in no result, diff or output of a run that did not issue it, and never in a diff
  or `app`.
- When the answer to the create request is lost (the app is made, the connection dropped), the run
  ends with exactly one app whether or not the domain honours `opc-retry-token`
  (`create_honours_retry_token`), returns the secret only when it got it, and says so when it did not.
"""

import base64
import json

import oci
import pytest
import requests

from e2e.exchange_support import run_named_module, warnings

APP = "aws-sts-oidc-e2e"
AUDIENCE = "sts.amazon.com"
SCOPE = AUDIENCE + "/"


def run(sandbox, home, module, args, check=False, diff=False):
    """``run_named_module`` with the sandbox's domain URL as ``domain_url`` unless ``args`` gives one."""
    return run_named_module(sandbox, home, module, dict(dict(domain_url=sandbox.domain_url), **args), check=check, diff=diff)


def diff_text(output):
    """What `--diff` printed: everything before the result line."""
    return output.partition("localhost | ")[0]


class Admin:
    """The domain's admin API, signed with the sandbox's OCI API key: what an administrator sees."""

    def __init__(self, sandbox):
        config = oci.config.from_file(sandbox.env["OCI_CONFIG_FILE"], sandbox.env["OCI_CONFIG_PROFILE"])
        self.auth = oci.signer.Signer(config["tenancy"], config["user"], config["fingerprint"],
                                      private_key_file_location=config["key_file"])
        self.sandbox = sandbox

    def get(self, path, **params):
        # verify per request: requests lets REQUESTS_CA_BUNDLE of this machine override a session's.
        answer = requests.get(self.sandbox.domain_url + path, params=params, auth=self.auth,
                              verify=self.sandbox.ca_bundle, timeout=10)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def apps(self):
        """Every app of the domain (id, name, display name, active, and clientSecret when reads return it)."""
        return self.get("/admin/v1/Apps", count=100)["Resources"]


def token(sandbox, client_id, client_secret, scope=SCOPE):
    """``(status, claims, header)`` of a client-credentials token request; claims and header decoded, not verified."""
    answer = requests.post(sandbox.domain_url + "/oauth2/v1/token", auth=(client_id, client_secret),
                           data={"grant_type": "client_credentials", "scope": scope},
                           verify=sandbox.ca_bundle, timeout=10)
    if answer.status_code != 200:
        return answer.status_code, None, None
    header, claims = (json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
                      for part in answer.json()["access_token"].split(".")[:2])
    return 200, claims, header


def writes(sandbox):
    return sandbox.counters()["oci"]["summary"].get("write", 0)


@pytest.mark.parametrize("own_scope_in_create", [False, True], ids=["create-refuses-own-scope", "create-allows-own-scope"])
def test_token_policy_then_app_from_a_fresh_domain(fresh_sandbox, tmp_path, own_scope_in_create):
    sandbox = fresh_sandbox
    sandbox.configure(oci={"create_allows_own_allowed_scope": own_scope_in_create})
    jwks_url = sandbox.domain_url + "/admin/v1/SigningCert/jwk"
    # A fresh domain: the default issuer, and the signing keys need a signature.
    assert requests.get(jwks_url, verify=sandbox.ca_bundle, timeout=10).status_code == 401

    failed, policy, output = run(sandbox, tmp_path, "oci_token_policy", {})
    assert not failed and policy["changed"]
    assert policy["issuer"] == sandbox.domain_url
    # A fresh domain shows the default issuer, or none at all (settings_issuer_absent_until_set, the pessimistic answer).
    absent = sandbox.call("GET", "/config")["oci"]["settings_issuer_absent_until_set"]
    assert policy["previous_issuer"] == (None if absent else "https://identity.oraclecloud.com/")
    assert policy["signing_cert_public_access"] is True
    assert any("has a port" in warning for warning in warnings(output))

    sandbox.reset_counters()
    failed, app, output = run(sandbox, tmp_path, "oci_oidc_app", {"display_name": APP}, diff=True)
    assert not failed and app["changed"], output
    endpoints = sandbox.counters()["oci"]["endpoints"]
    # Created without allowed scopes whatever the switch says, then allowed them, then activated.
    assert (endpoints["POST /admin/v1/Apps"], endpoints["PATCH /admin/v1/Apps/{id}"],
            endpoints["PUT /admin/v1/AppStatusChanger/{id}"]) == (1, 1, 1)
    assert app["issuer"] == sandbox.domain_url and app["scope"] == SCOPE and app["audience"] == AUDIENCE
    assert app["app"]["allowed_scopes"] == [SCOPE] and app["app"]["active"] is True
    assert app["client_secret"] not in diff_text(output)

    status, claims, header = token(sandbox, app["client_id"], app["client_secret"], app["scope"])
    assert status == 200
    assert claims["iss"] == sandbox.domain_url
    assert claims["aud"] == AUDIENCE  # one string: AWS documents no array aud
    assert claims["sub"] == app["client_id"]
    keys = requests.get(jwks_url, verify=sandbox.ca_bundle, timeout=10)  # no authentication at all
    assert keys.status_code == 200
    assert header["kid"] in [key["kid"] for key in keys.json()["keys"]]

    sandbox.reset_counters()
    for module, args in (("oci_token_policy", {}), ("oci_oidc_app", {"display_name": APP})):
        for check in (True, False):
            failed, again, output = run(sandbox, tmp_path, module, args, check=check, diff=True)
            assert not failed and not again["changed"], output
    assert writes(sandbox) == 0
    assert sandbox.counters()["oci"]["summary"] == {"read": 4}


@pytest.mark.parametrize("reads_return_it", [True, False], ids=["reads-return-secret", "reads-withhold-secret"])
def test_secret_never_shown_when_reads_return_it(fresh_sandbox, tmp_path, reads_return_it):
    sandbox = fresh_sandbox
    # True is the default (SDK: clientSecret "returned: default"); both answers are proved (issue 14 §2).
    sandbox.configure(oci={"get_returns_client_secret": reads_return_it})
    admin = Admin(sandbox)

    failed, created, output = run(sandbox, tmp_path, "oci_oidc_app", {"display_name": APP}, diff=True)
    assert not failed and created["changed"]
    secret = created["client_secret"]
    # With the switch on, the domain gives the secret to any read; off, to none.
    assert [app.get("clientSecret") for app in admin.apps()] == [secret if reads_return_it else None]
    assert secret not in diff_text(output)
    assert secret not in json.dumps(created["app"])
    assert output.count(secret) == 1  # the documented return value, once

    # Runs that issue no secret show it nowhere, whatever the reads returned to the module.
    runs = [
        ("oci_oidc_app", {"display_name": APP}, True),
        ("oci_oidc_app", {"display_name": APP}, False),
        ("oci_oidc_app", {"display_name": APP, "description": "changed"}, False),
        ("oci_oidc_app", {"display_name": APP, "secret": "regenerate"}, True),
        ("oci_oidc_app", {"display_name": APP, "client_id": "another_client"}, False),  # fails, naming client_id
    ]
    for module, args, check in runs:
        failed, result, output = run(sandbox, tmp_path, module, args, check=check, diff=True)
        assert "client_secret" not in result
        assert secret not in output, (args, check)
    assert failed and result["option"] == "client_id"

    failed, rotated, output = run(sandbox, tmp_path, "oci_oidc_app", {"display_name": APP, "secret": "regenerate"},
                                  diff=True)
    assert not failed and rotated["changed"]
    new_secret = rotated["client_secret"]
    assert new_secret != secret and secret not in output
    assert new_secret not in diff_text(output) and new_secret not in json.dumps(rotated["app"])
    assert output.count(new_secret) == 1
    assert token(sandbox, created["client_id"], secret)[0] == 401
    assert token(sandbox, created["client_id"], new_secret)[0] == 200

    failed, removed, output = run(sandbox, tmp_path, "oci_oidc_app", {"display_name": APP, "state": "absent"},
                                  diff=True)
    assert not failed and removed["changed"]
    assert new_secret not in output
    assert admin.apps() == []


@pytest.mark.parametrize("honoured", [False, True], ids=["retry-token-ignored", "retry-token-honoured"])
def test_lost_create_answer_ends_with_one_app(fresh_sandbox, tmp_path, honoured):
    sandbox = fresh_sandbox
    sandbox.configure(oci={"create_honours_retry_token": honoured})
    admin = Admin(sandbox)
    # The domain makes the app, then the connection drops before the answer (and its secret) arrives.
    sandbox.fault(cloud="oci", endpoint="POST /admin/v1/Apps", mode="lose_response", count=1)

    failed, made, output = run(sandbox, tmp_path, "oci_oidc_app", {"display_name": APP})
    assert not failed and made["changed"], output
    counters = sandbox.counters()["oci"]
    assert counters["endpoints"]["POST /admin/v1/Apps"] == 2  # the lost one, and its retry
    assert counters["faults_injected"] == {"POST /admin/v1/Apps": 1}
    apps = admin.apps()
    assert [(app["displayName"], app["id"], app["active"]) for app in apps] == [(APP, made["id"], True)]
    assert made["app"]["allowed_scopes"] == [SCOPE]
    said = warnings(output)

    if honoured:
        # The retry got the first create's answer again: the secret of the one app, and nothing to say.
        assert said == []
        assert token(sandbox, made["client_id"], made["client_secret"])[0] == 200
    else:
        # The retry was refused as a duplicate: the app was found and converged, its secret is not known,
        # and the run says so and what to do.
        assert "client_secret" not in made
        assert len(said) == 1
        assert "already existed when it was created" in said[0] and "secret=regenerate" in said[0]
        failed, rotated, output = run(sandbox, tmp_path, "oci_oidc_app", {"display_name": APP, "secret": "regenerate"})
        assert not failed and rotated["changed"] and rotated["id"] == made["id"], output
        assert token(sandbox, made["client_id"], rotated["client_secret"])[0] == 200

    sandbox.reset_counters()
    failed, again, output = run(sandbox, tmp_path, "oci_oidc_app", {"display_name": APP})
    assert not failed and not again["changed"] and again["id"] == made["id"], output
    assert writes(sandbox) == 0
    assert len(admin.apps()) == 1


def test_other_switches_issuer_absent_and_fully_qualified_scope_only(fresh_sandbox, tmp_path):
    sandbox = fresh_sandbox
    # A fresh domain whose Settings show no issuer, and a token endpoint that takes only the fully qualified scope.
    sandbox.configure(oci={"settings_issuer_absent_until_set": True, "token_accepts_bare_scope": False})

    failed, policy, output = run(sandbox, tmp_path, "oci_token_policy", {}, check=True, diff=True)
    assert not failed and policy["changed"] and policy["previous_issuer"] is None, output
    failed, policy, output = run(sandbox, tmp_path, "oci_token_policy", {})
    assert not failed and policy["changed"] and policy["previous_issuer"] is None, output
    failed, app, output = run(sandbox, tmp_path, "oci_oidc_app", {"display_name": APP})
    assert not failed and app["changed"], output

    assert token(sandbox, app["client_id"], app["client_secret"], "/")[0] == 400  # the bare value is refused here
    status, claims, _header = token(sandbox, app["client_id"], app["client_secret"], app["scope"])
    assert status == 200 and claims["iss"] == sandbox.domain_url and claims["aud"] == AUDIENCE


def test_throttling_and_lost_answers_to_every_other_write(fresh_sandbox, tmp_path):
    sandbox = fresh_sandbox
    admin = Admin(sandbox)
    # Each write made but its answer lost once; the first two requests to every admin endpoint answered 429.
    for endpoint in ("PATCH /admin/v1/Settings/{id}", "PATCH /admin/v1/Apps/{id}", "PUT /admin/v1/AppStatusChanger/{id}",
                     "POST /admin/v1/AppClientSecretRegenerator", "DELETE /admin/v1/Apps/{id}"):
        sandbox.fault(cloud="oci", endpoint=endpoint, mode="lose_response", count=1)
    sandbox.fault(cloud="oci", endpoint="* /admin/*", status=429, retry_after=0, count=2)

    failed, policy, output = run(sandbox, tmp_path, "oci_token_policy", {})
    assert not failed and policy["changed"] and policy["issuer"] == sandbox.domain_url, output
    failed, made, output = run(sandbox, tmp_path, "oci_oidc_app", {"display_name": APP})
    assert not failed and made["changed"] and made["app"]["active"], output
    failed, rotated, output = run(sandbox, tmp_path, "oci_oidc_app", {"display_name": APP, "secret": "regenerate"})
    assert not failed and rotated["changed"], output
    fired = sandbox.counters()["oci"]["faults_injected"]
    assert sum(fired.values()) == 2 + 4  # two 429s, and the four lost answers so far
    # The regeneration whose answer was lost was made again: the secret returned is the one that works.
    assert token(sandbox, made["client_id"], made["client_secret"])[0] == 401
    assert token(sandbox, made["client_id"], rotated["client_secret"])[0] == 200
    assert [app["id"] for app in admin.apps()] == [made["id"]]

    sandbox.reset_counters()
    for module, args in (("oci_token_policy", {}), ("oci_oidc_app", {"display_name": APP})):
        failed, again, output = run(sandbox, tmp_path, module, args)
        assert not failed and not again["changed"], output
    assert writes(sandbox) == 0

    failed, removed, output = run(sandbox, tmp_path, "oci_oidc_app", {"display_name": APP, "state": "absent"})
    assert not failed and removed["changed"], output
    # The delete was retried after its lost answer and found the app gone: the goal is met.
    assert sandbox.counters()["oci"]["endpoints"]["DELETE /admin/v1/Apps/{id}"] == 2
    assert admin.apps() == []


def test_a_run_that_fails_half_way_is_completed_by_the_next(fresh_sandbox, tmp_path):
    sandbox = fresh_sandbox
    admin = Admin(sandbox)
    sandbox.fault(cloud="oci", endpoint="PUT /admin/v1/AppStatusChanger/{id}", status=500)

    failed, broken, output = run(sandbox, tmp_path, "oci_oidc_app", {"display_name": APP})
    assert failed, output
    assert "PUT /admin/v1/AppStatusChanger/{id}" in broken["msg"] and "HTTP 500" in broken["msg"]
    assert "6 attempts" in broken["msg"]
    assert [app["active"] for app in admin.apps()] == [False]  # made and allowed its scope, not activated

    sandbox.clear_faults()
    failed, completed, output = run(sandbox, tmp_path, "oci_oidc_app", {"display_name": APP}, diff=True)
    assert not failed and completed["changed"], output
    assert completed["app"]["active"] and "client_secret" not in completed
    failed, rotated, output = run(sandbox, tmp_path, "oci_oidc_app", {"display_name": APP, "secret": "regenerate"})
    assert not failed and token(sandbox, rotated["client_id"], rotated["client_secret"])[0] == 200
    assert len(admin.apps()) == 1
