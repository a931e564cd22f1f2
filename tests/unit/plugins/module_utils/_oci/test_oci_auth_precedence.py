"""oracle.oci's auth options and their precedence (issue 16 §3): an option wins over its environment
variable, which wins over the config profile's key; without a config file, the options (or the
environment) alone authenticate. Run through the real argument spec and the real SDK signer."""

import os

import oci
import pytest
from cryptography.hazmat.primitives import serialization

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import OptionError
from ansible_collections.multicloud.oci_aws.plugins.module_utils._oci.auth import credentials, profile_overrides
from ansible_collections.multicloud.oci_aws.plugins.module_utils._oci.domain import (
    connect, connection_options, oci_argument_spec
)
from ansible_collections.multicloud.oci_aws.tests.unit.plugins.module_utils.oci_fakes import (
    DOMAIN_URL,
    clean_oci_environment,
    private_key_pem,
    write_oci_config,
)

ENV_IDENTITY = dict(OCI_USER_ID="ocid1.user.oc1..fromenv", OCI_USER_FINGERPRINT="aa:bb:cc:dd:ee:ff:00:11:22:33:44:55:66:77:88:99",
                    OCI_TENANCY="ocid1.tenancy.oc1..fromenv", OCI_REGION="eu-frankfurt-1")


@pytest.fixture(autouse=True)
def environment(monkeypatch, tmp_path):
    clean_oci_environment(monkeypatch)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))


def key_file(directory, pass_phrase=None):
    path = os.path.join(str(directory), "env_key.pem")
    key = serialization.load_pem_private_key(private_key_pem(), password=None)
    encryption = (serialization.BestAvailableEncryption(pass_phrase.encode()) if pass_phrase
                  else serialization.NoEncryption())
    with open(path, "wb") as handle:
        handle.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption))
    os.chmod(path, 0o600)
    return path


def connected(params):
    """The DomainClient connect() makes from module parameters, env fallbacks applied by Ansible's argspec."""
    result = ArgumentSpecValidator(oci_argument_spec()).validate(dict(params, domain_url=DOMAIN_URL))
    assert not result.error_messages, result.error_messages
    return connect(**connection_options(result.validated_parameters))


def key_id(client):
    return client._sdk.base_client.signer.api_key


def test_option_wins_over_env_which_wins_over_the_config_file(tmp_path, monkeypatch):
    config = write_oci_config(tmp_path)
    from_file = "ocid1.tenancy.oc1..aaaaexample/ocid1.user.oc1..aaaaexample/11:22:33:44:55:66:77:88:99:00:aa:bb:cc:dd:ee:ff"
    assert key_id(connected(dict(config_file_location=config))) == from_file
    monkeypatch.setenv("OCI_USER_ID", "ocid1.user.oc1..fromenv")
    assert key_id(connected(dict(config_file_location=config))) == from_file.replace(
        "ocid1.user.oc1..aaaaexample", "ocid1.user.oc1..fromenv")
    client = connected(dict(config_file_location=config, api_user="ocid1.user.oc1..fromoption",
                            tenancy="ocid1.tenancy.oc1..fromoption"))
    assert key_id(client) == ("ocid1.tenancy.oc1..fromoption/ocid1.user.oc1..fromoption/"
                              "11:22:33:44:55:66:77:88:99:00:aa:bb:cc:dd:ee:ff")
    # The region (and every key) the same way: the option's, else the env's, else the file's.
    overrides = profile_overrides
    assert credentials(oci, "api_key", config, "DEFAULT", overrides({}))[0]["region"] == "us-ashburn-1"
    monkeypatch.setenv("OCI_REGION", "eu-frankfurt-1")
    params = ArgumentSpecValidator(oci_argument_spec()).validate(dict(domain_url=DOMAIN_URL)).validated_parameters
    assert credentials(oci, "api_key", config, "DEFAULT", overrides(params))[0]["region"] == "eu-frankfurt-1"
    params = ArgumentSpecValidator(oci_argument_spec()).validate(dict(domain_url=DOMAIN_URL, region="ap-tokyo-1")).validated_parameters
    assert credentials(oci, "api_key", config, "DEFAULT", overrides(params))[0]["region"] == "ap-tokyo-1"


def test_the_environment_alone_authenticates_without_a_config_file(tmp_path, monkeypatch):
    for name, value in ENV_IDENTITY.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("OCI_USER_KEY_FILE", key_file(tmp_path))
    assert not os.path.exists(str(tmp_path / "home" / ".oci" / "config"))
    client = connected({})
    assert key_id(client) == "%(OCI_TENANCY)s/%(OCI_USER_ID)s/%(OCI_USER_FINGERPRINT)s" % ENV_IDENTITY


def test_an_encrypted_key_and_its_pass_phrase_from_the_environment(tmp_path, monkeypatch):
    for name, value in ENV_IDENTITY.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("OCI_USER_KEY_FILE", key_file(tmp_path, pass_phrase="correct horse battery"))
    monkeypatch.setenv("OCI_USER_KEY_PASS_PHRASE", "correct horse battery")
    assert key_id(connected({})).startswith(ENV_IDENTITY["OCI_TENANCY"])
    # A wrong pass phrase: named by its option, never shown.
    with pytest.raises(OptionError) as caught:
        connected(dict(api_user_key_pass_phrase="wrong staple 1234"))
    assert caught.value.option == "api_user_key_file"
    assert "api_user_key_pass_phrase (env OCI_USER_KEY_PASS_PHRASE)" in caught.value.msg
    assert "wrong staple" not in caught.value.msg and "correct horse" not in caught.value.msg


def test_without_a_config_file_a_missing_setting_is_named_by_its_option(tmp_path, monkeypatch):
    for name, value in ENV_IDENTITY.items():
        if name != "OCI_REGION":
            monkeypatch.setenv(name, value)
    monkeypatch.setenv("OCI_USER_KEY_FILE", key_file(tmp_path))
    with pytest.raises(OptionError) as caught:
        connected({})
    assert caught.value.option == "region"
    assert "region (env OCI_REGION) missing" in caught.value.msg and "no OCI config file" in caught.value.msg


def test_a_config_file_asked_for_must_exist_even_with_the_env_identity(tmp_path, monkeypatch):
    for name, value in ENV_IDENTITY.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("OCI_USER_KEY_FILE", key_file(tmp_path))
    monkeypatch.setenv("OCI_CONFIG_FILE", str(tmp_path / "nowhere"))
    with pytest.raises(OptionError) as caught:
        connected({})
    assert caught.value.option == "config_file_location" and "nowhere" in caught.value.msg


def test_a_missing_key_file_given_by_option_names_that_option(tmp_path):
    config = write_oci_config(tmp_path)
    with pytest.raises(OptionError) as caught:
        connected(dict(config_file_location=config, api_user_key_file=str(tmp_path / "missing.pem")))
    assert caught.value.option == "api_user_key_file" and "OCI_USER_KEY_FILE" in caught.value.msg


def test_auth_type_from_the_environment_and_auth_purpose(tmp_path, monkeypatch):
    monkeypatch.setenv("OCI_ANSIBLE_AUTH_TYPE", "resource_principal")
    result = ArgumentSpecValidator(oci_argument_spec()).validate({"domain_url": DOMAIN_URL})
    assert result.validated_parameters["auth_type"] == "resource_principal"
    with pytest.raises(OptionError) as caught:
        connect(**connection_options(result.validated_parameters))
    assert caught.value.option == "auth_type" and "OCI_RESOURCE_PRINCIPAL_VERSION" in caught.value.msg
    with pytest.raises(OptionError) as caught:
        connect(DOMAIN_URL, config_file_location=write_oci_config(tmp_path), auth_purpose="service_principal")
    assert caught.value.option == "auth_purpose" and "instance_principal" in caught.value.msg
