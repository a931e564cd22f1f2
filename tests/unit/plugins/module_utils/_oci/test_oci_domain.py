import inspect
import os
import re
import sys
from types import SimpleNamespace

import oci
import pytest
from oci._vendor.requests import exceptions as http

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.multicloud.oci_aws.plugins.module_utils import _paths
from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import OciAwsError, OptionError, RetriesExhausted, ServiceError
from ansible_collections.multicloud.oci_aws.plugins.module_utils._retry import Retrier
from ansible_collections.multicloud.oci_aws.plugins.module_utils._oci.auth import ConfigProfile
from ansible_collections.multicloud.oci_aws.plugins.module_utils._oci.domain import (
    DomainClient, classify, connect, connection_options, oci_argument_spec, scrub, service_error
)
from ansible_collections.multicloud.oci_aws.tests.unit.plugins.module_utils.clock_fakes import FakeTime
from ansible_collections.multicloud.oci_aws.tests.unit.plugins.module_utils.oci_fakes import (
    DOMAIN_URL,
    clean_oci_environment,
    write_oci_config,
)

IDCS_ERROR = "urn:ietf:params:scim:api:oracle:idcs:extension:messages:Error"


@pytest.fixture(autouse=True)
def environment(monkeypatch, tmp_path):
    clean_oci_environment(monkeypatch)
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))


@pytest.fixture
def config(tmp_path):
    return write_oci_config(tmp_path, extra="[OTHER]\nuser=ocid1.user.oc1..other\n")


def option_error(**kwargs):
    with pytest.raises(OptionError) as caught:
        connect(**kwargs)
    assert caught.value.option in caught.value.msg
    return caught.value


# -- options --------------------------------------------------------------------------------------

def test_argspec_has_oracle_oci_names_env_fallbacks_and_explicit_no_log():
    spec = oci_argument_spec()
    # oracle.oci's auth options (issue 16: the profile options and auth_purpose were missing).
    assert set(spec) == {"domain_url", "auth_type", "auth_purpose", "config_file_location", "config_profile_name",
                         "cert_bundle", "timeout", "api_user", "api_user_fingerprint", "api_user_key_file",
                         "api_user_key_pass_phrase", "tenancy", "region"}
    assert [name for name, option in spec.items() if option["no_log"]] == ["api_user_key_pass_phrase"]
    assert all(option["no_log"] is False for name, option in spec.items() if name != "api_user_key_pass_phrase")
    assert dict((name, spec[name]["fallback"][1]) for name in spec if name.startswith(("api_user", "tenancy", "region"))) == {
        "api_user": ["OCI_USER_ID"], "api_user_fingerprint": ["OCI_USER_FINGERPRINT"],
        "api_user_key_file": ["OCI_USER_KEY_FILE"], "api_user_key_pass_phrase": ["OCI_USER_KEY_PASS_PHRASE"],
        "tenancy": ["OCI_TENANCY"], "region": ["OCI_REGION"]}
    assert spec["auth_type"]["choices"] == ["api_key", "instance_principal", "resource_principal", "security_token"]
    assert spec["config_file_location"]["fallback"][1] == ["OCI_CONFIG_FILE"]
    assert spec["config_profile_name"]["fallback"][1] == ["OCI_CONFIG_PROFILE"]


def test_argspec_reads_the_oci_environment(monkeypatch):
    monkeypatch.setenv("OCI_CONFIG_FILE", "/x/config")
    monkeypatch.setenv("OCI_CONFIG_PROFILE", "ADMIN")
    result = ArgumentSpecValidator(oci_argument_spec()).validate({"domain_url": DOMAIN_URL})
    options = connection_options(result.validated_parameters)
    assert options == {"domain_url": DOMAIN_URL, "auth_type": "api_key", "config_file_location": "/x/config",
                       "config_profile_name": "ADMIN", "cert_bundle": None, "timeout": 120, "auth_purpose": None,
                       "api_user": None, "api_user_fingerprint": None, "api_user_key_file": None,
                       "api_user_key_pass_phrase": None, "tenancy": None, "region": None}


# -- connect ------------------------------------------------------------------------------------

def test_connect_builds_a_signed_client_without_sdk_retries(config):
    client = connect(DOMAIN_URL + ":443/", config_file_location=config)
    assert isinstance(client, DomainClient)
    assert client.url == DOMAIN_URL and client.token_endpoint == DOMAIN_URL + "/oauth2/v1/token"
    base = client._sdk.base_client
    assert base.endpoint == DOMAIN_URL
    assert isinstance(base.signer, oci.signer.Signer)
    assert isinstance(client._sdk.retry_strategy, oci.retry.NoneRetryStrategy)
    assert base.skip_deserialization is True


def test_connect_takes_a_named_profile(config):
    path = os.path.dirname(config)
    write_oci_config(path, profile="ADMIN")
    assert connect(DOMAIN_URL, config_file_location=config, config_profile_name="ADMIN").url == DOMAIN_URL


def test_cert_bundle_is_the_only_trusted_bundle_even_against_the_environment(config, tmp_path, monkeypatch):
    bundle = tmp_path / "ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/certs/ca-certificates.crt")
    session = connect(DOMAIN_URL, config_file_location=config, cert_bundle=str(bundle))._sdk.base_client.session
    assert session.verify == str(bundle)
    assert session.merge_environment_settings(DOMAIN_URL, {}, None, None, None)["verify"] == str(bundle)


def test_bad_domain_url_is_reported_before_the_config_is_read():
    error = option_error(domain_url="http://idcs-1.identity.oraclecloud.com", config_file_location="/nonexistent")
    assert error.option == "domain_url" and "https://" in error.msg


def test_missing_config_file(tmp_path):
    error = option_error(domain_url=DOMAIN_URL, config_file_location=str(tmp_path / "none"))
    assert error.option == "config_file_location"
    assert "does not exist" in error.msg and "oci setup config" in error.msg and "OCI_CONFIG_FILE" in error.msg


def test_missing_default_config_file_names_the_default(tmp_path):
    error = option_error(domain_url=DOMAIN_URL)
    assert error.option == "config_file_location"
    assert os.path.join(str(tmp_path), "home", ".oci", "config") in error.msg


def test_config_file_that_is_a_directory(tmp_path):
    error = option_error(domain_url=DOMAIN_URL, config_file_location=str(tmp_path))
    assert error.option == "config_file_location" and "not a file" in error.msg


def test_unreadable_config_file(config):
    os.chmod(config, 0)
    try:
        if os.access(config, os.R_OK):
            pytest.skip("this user (root) reads files whatever their mode")
        error = option_error(domain_url=DOMAIN_URL, config_file_location=config)
    finally:
        os.chmod(config, 0o600)
    assert error.option == "config_file_location" and "cannot be read" in error.msg


def test_unreadable_config_file_is_reported_as_such_when_access_is_denied(config, monkeypatch):
    """The same path as above for a user that cannot read the file (simulated where tests run as root)."""
    monkeypatch.setattr(_paths.os, "access", lambda path, mode: path != config)
    error = option_error(domain_url=DOMAIN_URL, config_file_location=config)
    assert error.option == "config_file_location" and "cannot be read by this user" in error.msg


def test_unknown_profile_lists_the_profiles(config):
    error = option_error(domain_url=DOMAIN_URL, config_file_location=config, config_profile_name="NOPE")
    assert error.option == "config_profile_name"
    assert "'NOPE'" in error.msg and "DEFAULT, OTHER" in error.msg and "OCI_CONFIG_PROFILE" in error.msg


def test_incomplete_profile(tmp_path):
    """A profile inherits what DEFAULT sets: without DEFAULT, one that has only a user is incomplete."""
    config = tmp_path / "config"
    config.write_text("[ONLY]\nuser=ocid1.user.oc1..aaaaexample\n")
    error = option_error(domain_url=DOMAIN_URL, config_file_location=str(config), config_profile_name="ONLY")
    assert error.option == "config_profile_name"
    assert "not a usable API-key profile" in error.msg and "fingerprint" in error.msg


def test_unparseable_config_file(tmp_path):
    path = tmp_path / "config"
    path.write_text("user=no section header\n")
    error = option_error(domain_url=DOMAIN_URL, config_file_location=str(path))
    assert error.option == "config_file_location" and "cannot be parsed" in error.msg


def test_missing_key_file(tmp_path):
    config = write_oci_config(tmp_path, key_file=str(tmp_path / "gone.pem"))
    error = option_error(domain_url=DOMAIN_URL, config_file_location=config)
    assert error.option == "config_file_location"
    assert "key_file" in error.msg and "does not exist" in error.msg


def test_key_file_that_is_not_a_key(tmp_path):
    not_a_key = tmp_path / "not-a-key.pem"
    not_a_key.write_text("hello\n")
    config = write_oci_config(tmp_path, key_file=str(not_a_key))
    error = option_error(domain_url=DOMAIN_URL, config_file_location=config)
    assert error.option == "config_file_location"
    assert "not a usable private key" in error.msg and str(not_a_key) in error.msg


def test_security_token_profile(tmp_path):
    token = tmp_path / "token"
    token.write_text("eyJhbGciOiJSUzI1NiJ9.e30.sig\n")
    config = write_oci_config(tmp_path, extra="security_token_file=%s\n" % token)
    client = connect(DOMAIN_URL, auth_type="security_token", config_file_location=config)
    assert isinstance(client._sdk.base_client.signer, oci.auth.signers.SecurityTokenSigner)


def test_security_token_without_token_file(config):
    error = option_error(domain_url=DOMAIN_URL, auth_type="security_token", config_file_location=config)
    assert error.option == "auth_type"
    assert "security_token_file" in error.msg and "oci session authenticate --profile-name DEFAULT" in error.msg


def test_security_token_file_missing(tmp_path):
    config = write_oci_config(tmp_path, extra="security_token_file=%s\n" % (tmp_path / "gone"))
    error = option_error(domain_url=DOMAIN_URL, auth_type="security_token", config_file_location=config)
    assert error.option == "auth_type" and "security_token_file" in error.msg and "does not exist" in error.msg


def test_resource_principal_without_its_environment():
    error = option_error(domain_url=DOMAIN_URL, auth_type="resource_principal")
    assert error.option == "auth_type" and "OCI_RESOURCE_PRINCIPAL_VERSION" in error.msg


def test_instance_principal_where_there_is_none(monkeypatch):
    def no_metadata_service():
        raise http.ConnectionError("169.254.169.254 unreachable")

    monkeypatch.setattr(oci.auth.signers, "InstancePrincipalsSecurityTokenSigner", no_metadata_service)
    error = option_error(domain_url=DOMAIN_URL, auth_type="instance_principal")
    assert error.option == "auth_type" and "compute instance" in error.msg and "ConnectionError" in error.msg


def test_unknown_auth_type(config):
    error = option_error(domain_url=DOMAIN_URL, auth_type="password", config_file_location=config)
    assert error.option == "auth_type"


def test_bad_cert_bundle_path(config, tmp_path):
    error = option_error(domain_url=DOMAIN_URL, config_file_location=config, cert_bundle=str(tmp_path / "ca.pem"))
    assert error.option == "cert_bundle" and "does not exist" in error.msg


def test_missing_sdk_is_reported_with_the_fix(monkeypatch, config):
    monkeypatch.setitem(sys.modules, "oci", None)
    with pytest.raises(OciAwsError) as caught:
        connect(DOMAIN_URL, config_file_location=config)
    assert "pip install" in caught.value.msg and sys.executable in caught.value.msg


def test_config_profile_load_directly(config):
    profile = ConfigProfile.load(oci, config, "DEFAULT")
    assert profile.config["tenancy"] == "ocid1.tenancy.oc1..aaaaexample"
    assert isinstance(profile.api_key_signer(), oci.signer.Signer)


# -- the SDK behind DomainClient ---------------------------------------------------------------------

def sdk_error(status, detail=None, request_id="req-1", retry_after=None, message_id=None, scim_type=None):
    """An ``oci.exceptions.ServiceError`` built the way the SDK builds it for a SCIM error answer."""
    headers = {"opc-request-id": request_id} if request_id else {}
    if retry_after is not None:
        headers["retry-after"] = str(retry_after)
    body = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"], "status": str(status)}
    if detail:
        body["detail"] = detail
    if message_id:
        body[IDCS_ERROR] = {"messageId": message_id}
    if scim_type:
        body["scimType"] = scim_type
    return oci.exceptions.ServiceError(status, None, headers, None, deserialized_data=body)


def _expected_kwargs(method):
    source = inspect.getsource(getattr(oci.identity_domains.IdentityDomainsClient, method))
    return set(re.findall(r'"(\w+)"', re.search(r"expected_kwargs = \[(.*?)\]", source, re.S).group(1)))


class FakeSdk:
    """Stands in for ``IdentityDomainsClient`` (skip_deserialization: data is plain JSON).

    Records each call; answers from a per-method queue (an exception to raise or data to return).
    Refuses keyword arguments that the real method would refuse.
    """

    def __init__(self):
        self.calls = []
        self.answers = {}
        self.base_client = SimpleNamespace(call_api=self._method("call_api"))

    def answer(self, method, *answers):
        self.answers.setdefault(method, []).extend(answers)

    def _method(self, name):
        def call(*args, **kwargs):
            if name != "call_api":
                unknown = set(kwargs) - _expected_kwargs(name)
                assert not unknown, "%s would refuse %s" % (name, unknown)
            self.calls.append((name, args, kwargs))
            queue = self.answers.get(name) or [{}]
            answer = queue.pop(0) if len(queue) > 1 else queue[0]
            if isinstance(answer, BaseException):
                raise answer
            return SimpleNamespace(data=answer)
        return call

    def __getattr__(self, name):
        if name.startswith("_") or not hasattr(oci.identity_domains.IdentityDomainsClient, name):
            raise AttributeError(name)
        return self._method(name)

    def names(self):
        return [call[0] for call in self.calls]


@pytest.fixture
def clock():
    return FakeTime()


def domain_client(sdk, clock, jitter=0.0, **kwargs):
    retrier = Retrier(sleep=clock.sleep, monotonic=clock.monotonic, uniform=lambda low, high: high * jitter, **kwargs)
    return DomainClient(sdk, DOMAIN_URL, retrier)


def test_transient_answers_are_retried_honouring_retry_after(clock):
    sdk = FakeSdk()
    sdk.answer("get_app", sdk_error(429, "Too many requests", retry_after=3), sdk_error(503, retry_after=1),
               {"id": "app-1"})
    assert domain_client(sdk, clock).get_app("app-1", ["id"]) == {"id": "app-1"}
    assert sdk.names() == ["get_app"] * 3
    assert clock.sleeps == [3, 1]


def test_backoff_is_used_when_longer_than_retry_after(clock):
    sdk = FakeSdk()
    sdk.answer("get_app", sdk_error(500), sdk_error(502, retry_after=0), sdk_error(504), {"id": "x"})
    domain_client(sdk, clock, jitter=1.0, base_delay=1).get_app("x", ["id"])
    assert clock.sleeps == [1, 2, 4]


def test_retries_are_bounded(clock):
    sdk = FakeSdk()
    sdk.answer("list_apps", sdk_error(503, "Service busy", retry_after=2))
    with pytest.raises(RetriesExhausted) as caught:
        domain_client(sdk, clock, max_attempts=3).find_apps('displayName eq "x"', ["id"])
    assert len(sdk.calls) == 3 and clock.sleeps == [2, 2]
    assert "HTTP 503: Service busy" in caught.value.msg and "3 attempts" in caught.value.msg
    assert caught.value.details["endpoint"] == DOMAIN_URL + " GET /admin/v1/Apps"


def test_connection_reset_is_retried(clock):
    sdk = FakeSdk()
    sdk.answer("get_setting", oci.exceptions.RequestException(http.ConnectionError("reset by peer")),
               {"issuer": DOMAIN_URL})
    assert domain_client(sdk, clock).get_settings(["issuer"]) == {"issuer": DOMAIN_URL}
    assert len(sdk.calls) == 2


def test_tls_failure_is_not_retried_and_names_cert_bundle(clock):
    sdk = FakeSdk()
    sdk.answer("get_setting", oci.exceptions.RequestException(http.SSLError(
        "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate in certificate chain "
        "(_ssl.c:1006)")))
    with pytest.raises(OciAwsError) as caught:
        domain_client(sdk, clock).get_settings(["issuer"])
    assert len(sdk.calls) == 1
    assert "cert_bundle" in caught.value.msg
    assert "certificate verify failed: self-signed certificate in certificate chain" in caught.value.msg


def test_other_request_failure_after_retries_is_reported(clock):
    sdk = FakeSdk()
    sdk.answer("get_setting", oci.exceptions.RequestException(http.ConnectTimeout("timed out")))
    with pytest.raises(RetriesExhausted) as caught:
        domain_client(sdk, clock, max_attempts=2).get_settings(["issuer"])
    assert "no answer (ConnectTimeout)" in caught.value.msg


def test_non_transient_error_carries_detail_status_code_and_request_id(clock):
    sdk = FakeSdk()
    sdk.answer("patch_app", sdk_error(400, "Missing required attribute(s): value", request_id="req-400",
                                      message_id="error.common.validation.missingReqAttributes"))
    with pytest.raises(ServiceError) as caught:
        domain_client(sdk, clock).patch_app("app-1", [{"op": "replace", "path": "audience", "value": "x"}])
    assert len(sdk.calls) == 1 and clock.sleeps == []
    error = caught.value
    assert error.msg == (DOMAIN_URL + " PATCH /admin/v1/Apps/{id} failed: HTTP 400: Missing required attribute(s): "
                         "value (error code error.common.validation.missingReqAttributes) (opc-request-id req-400)")
    assert error.details == dict(status=400, error_code="error.common.validation.missingReqAttributes",
                                 request_id="req-400", detail="Missing required attribute(s): value")


@pytest.mark.parametrize("status, hint", [(401, "auth_type"), (403, "Identity Domain Administrator")])
def test_auth_errors_carry_a_hint(status, hint):
    error = service_error(sdk_error(status, "Not authorized"), "GET /x")
    assert "HTTP %d: Not authorized" % status in error.msg and hint in error.msg


@pytest.mark.parametrize("operation, named, not_named", [
    ("https://d PATCH /admin/v1/Settings/Settings", "Identity Domain Administrator or Security Administrator",
     "Application Administrator"),
    ("https://d PUT /admin/v1/AppStatusChanger/{id}", "Identity Domain Administrator or Application Administrator",
     "Security Administrator"),
    ("https://d POST /admin/v1/Apps", "Application Administrator or Security Administrator", None),
])
def test_a_403_names_the_roles_that_may_call_the_endpoint(operation, named, not_named):
    error = service_error(sdk_error(403, "You do not have the permission"), operation)
    assert "HTTP 403" in error.msg and named in error.msg
    if not_named:
        assert not_named not in error.msg


@pytest.mark.parametrize("active", [True, False])
def test_activation_refused_to_the_role_goes_through_a_patch_of_active(clock, active):
    sdk = FakeSdk()
    sdk.answer("put_app_status_changer", sdk_error(403, "You do not have the permission"))
    domain_client(sdk, clock).set_app_active("app-1", active)
    assert sdk.names() == ["put_app_status_changer", "patch_app"]
    assert sdk.calls[1][2]["patch_op"]["Operations"] == [{"op": "replace", "path": "active", "value": active}]


def test_activation_refused_otherwise_is_not_patched(clock):
    sdk = FakeSdk()
    sdk.answer("put_app_status_changer", sdk_error(400, "no"))
    with pytest.raises(ServiceError):
        domain_client(sdk, clock).set_app_active("app-1", True)
    assert sdk.names() == ["put_app_status_changer"]


def test_error_without_detail_or_request_id():
    error = service_error(sdk_error(409, request_id=None, scim_type="uniqueness"), "POST /admin/v1/Apps")
    assert error.msg == "POST /admin/v1/Apps failed: HTTP 409: no detail given (error code uniqueness)"
    assert "request_id" not in error.details


def test_error_with_an_oci_message_instead_of_scim_detail():
    exc = oci.exceptions.ServiceError(404, "NotAuthorizedOrNotFound", {"opc-request-id": "r"}, "Not found")
    error = service_error(exc, "GET /x")
    assert "HTTP 404: Not found (error code NotAuthorizedOrNotFound) (opc-request-id r)" in error.msg


def test_classify():
    assert classify(sdk_error(429, retry_after="7")).retry_after == 7
    assert classify(sdk_error(503, "busy")).description == "HTTP 503: busy"
    assert classify(sdk_error(409)) is None
    assert classify(ValueError("x")) is None


def test_reads_are_scrubbed_of_secrets(clock):
    sdk = FakeSdk()
    app = {"id": "app-1", "name": "c", "clientSecret": "s3cr3t", "hashedClientSecret": "h4sh"}
    sdk.answer("get_app", dict(app))
    sdk.answer("list_apps", {"Resources": [dict(app)], "totalResults": 1})
    client = domain_client(sdk, clock)
    assert client.get_app("app-1", ["id"]) == {"id": "app-1", "name": "c"}
    assert client.find_apps('displayName eq "a"', ["id", "name"]) == [{"id": "app-1", "name": "c"}]
    assert sdk.calls[1][2] == {"filter": 'displayName eq "a"', "attributes": "id,name", "count": 10}
    assert scrub(None) == {}


def test_find_apps_with_no_match(clock):
    sdk = FakeSdk()
    sdk.answer("list_apps", {"totalResults": 0})
    assert domain_client(sdk, clock).find_apps('displayName eq "a"', ["id"]) == []


def test_create_uses_one_retry_token_for_all_attempts(clock):
    sdk = FakeSdk()
    sdk.answer("create_app", sdk_error(503), oci.exceptions.RequestException(http.ReadTimeout("lost")),
               {"id": "app-1", "name": "c", "clientSecret": "s3cr3t"})
    client = domain_client(sdk, clock)
    app, secret = client.create_app({"displayName": "a"}, ["id", "name"])
    assert (app, secret) == ({"id": "app-1", "name": "c"}, "s3cr3t")
    tokens = set(call[2]["opc_retry_token"] for call in sdk.calls)
    assert len(sdk.calls) == 3 and len(tokens) == 1
    assert sdk.calls[0][2]["attributes"] == "id,name,clientSecret"
    assert sdk.calls[0][2]["app"] == {"displayName": "a"}
    sdk.answers["create_app"] = [{"id": "app-2"}]
    assert client.create_app({"displayName": "b"}, ["id"]) == ({"id": "app-2"}, None)
    assert sdk.calls[-1][2]["opc_retry_token"] not in tokens


def test_writes_use_patch_ops_and_the_status_changer(clock):
    sdk = FakeSdk()
    client = domain_client(sdk, clock)
    client.patch_app("app-1", [{"op": "remove", "path": "secondaryAudiences"}])
    client.set_app_active("app-1", False)
    client.delete_app("app-1")
    client.patch_settings([{"op": "replace", "path": "issuer", "value": DOMAIN_URL}])
    patch_schema = ["urn:ietf:params:scim:api:messages:2.0:PatchOp"]
    assert sdk.calls == [
        ("patch_app", ("app-1",), {"patch_op": {"schemas": patch_schema, "Operations": [
            {"op": "remove", "path": "secondaryAudiences"}]}, "attributes": "id"}),
        ("put_app_status_changer", ("app-1",), {"app_status_changer": {
            "schemas": ["urn:ietf:params:scim:schemas:oracle:idcs:AppStatusChanger"], "active": False}}),
        ("delete_app", ("app-1",), {"force_delete": True}),
        ("patch_setting", ("Settings",), {"patch_op": {"schemas": patch_schema, "Operations": [
            {"op": "replace", "path": "issuer", "value": DOMAIN_URL}]}, "attributes": "id"}),
    ]
    assert "put_setting" not in sdk.names()


def test_settings_read_asks_for_the_attributes(clock):
    sdk = FakeSdk()
    sdk.answer("get_setting", {"issuer": "https://x"})
    assert domain_client(sdk, clock).get_settings(["issuer", "signingCertPublicAccess"]) == {"issuer": "https://x"}
    assert sdk.calls == [("get_setting", ("Settings",), {"attributes": "issuer,signingCertPublicAccess"})]


def test_regenerate_secret_through_the_signed_transport(clock):
    sdk = FakeSdk()
    sdk.answer("call_api", {"appId": "app-1", "clientSecret": "n3w"})
    assert domain_client(sdk, clock).regenerate_secret("app-1") == "n3w"
    (name, args, kwargs), = sdk.calls
    assert kwargs["resource_path"] == "/admin/v1/AppClientSecretRegenerator" and kwargs["method"] == "POST"
    assert kwargs["body"] == {"schemas": ["urn:ietf:params:scim:schemas:oracle:idcs:AppClientSecretRegenerator"],
                              "appId": "app-1"}
    assert kwargs["header_params"]["content-type"] == "application/json"


def test_regenerate_secret_without_a_secret_in_the_answer(clock):
    sdk = FakeSdk()
    sdk.answer("call_api", {"appId": "app-1"})
    with pytest.raises(ServiceError) as caught:
        domain_client(sdk, clock).regenerate_secret("app-1")
    assert "no clientSecret" in caught.value.msg
