"""The lookup as Ansible loads it: options from arguments, variables and the environment, the
cross-process cache (one exchange, then answers from the cache), and a cache hit that loads neither
the exchange, boto3 nor oci and takes under a millisecond."""

import importlib
import json
import os
import subprocess
import sys
import time

import pytest

try:  # ansible-core 2.19 and later: the process knows whether it is the controller
    from ansible.module_utils import _internal
except ImportError:  # ansible-core 2.16 and 2.17 (the support matrix, README.md)
    _internal = None
if not hasattr(_internal, "is_controller"):  # 2.18 has the package, not the flag
    _internal = None

from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.options import LOOKUP_OPTIONS
from conftest import COLLECTIONS_BASE

ROLE = "arn:aws:iam::123456789012:role/oci-reporting"
OTHER_ROLE = "arn:aws:iam::123456789012:role/oci-other"
SECRET = "idcscs-client-secret-value-0001"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
ENV = dict(OCI_DOMAIN_URL="https://idcs-0123456789abcdef0123456789abcdef.identity.oraclecloud.com",
           OCI_AWS_CLIENT_ID="client-1", OCI_AWS_CLIENT_SECRET=SECRET, AWS_REGION="us-east-1")


class FakeExchange:
    """Stands for `_lookup._exchange`: records the options of each exchange."""

    def __init__(self, lifetime=3600):
        self.calls = []
        self.lifetime = lifetime

    def __call__(self, options, warn, announce=None):
        self.calls.append(dict(options))
        warn("a warning from the exchange")
        expires_at = time.time() + self.lifetime
        return {"access_key": "ASIA%016d" % len(self.calls), "secret_key": SECRET_KEY, "session_token": "token",
                "expiration": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(expires_at)),
                "assumed_role_arn": options["role_arn"], "environment": {}}, expires_at


def _collection_modules():
    return [name for name in sys.modules if name == "ansible_collections" or name.startswith("ansible_collections.")]


class Controller:
    """Ansible's controller side, imported only while these tests run: importing it marks the whole
    process as the controller, which changes how module_utils report warnings to later module tests."""

    def __init__(self):
        from ansible.errors import AnsibleLookupError
        from ansible.parsing.dataloader import DataLoader
        from ansible.plugins.loader import init_plugin_loader, lookup_loader
        from ansible.template import Templar
        try:
            from ansible.template import trust_as_template
        except ImportError:  # before ansible-core 2.19 every template is trusted
            def trust_as_template(value):
                return value

        self.LookupError = AnsibleLookupError
        self.trust = trust_as_template
        self._loader_class, self._templar_class, self._lookups = DataLoader, Templar, lookup_loader
        init_plugin_loader([COLLECTIONS_BASE])

    def lookup(self, terms, variables, kwargs):
        loader = self._loader_class()
        templar = self._templar_class(loader=loader, variables=variables)
        plugin = self._lookups.get("multicloud.oci_aws.oci_aws_creds", loader=loader, templar=templar)
        return plugin.run(list(terms), variables=variables, **kwargs)


@pytest.fixture(scope="module")
def controller():
    """The collection as Ansible loads it (its own finder, as in a playbook run); the test session's
    plain imports of ``ansible_collections`` are put aside meanwhile, and everything restored after."""
    saved = dict((name, sys.modules.pop(name)) for name in _collection_modules())
    was_controller = _internal.is_controller if _internal else None
    made = Controller()
    try:
        yield made
    finally:
        from ansible.utils.collection_loader._collection_finder import _AnsibleCollectionFinder

        _AnsibleCollectionFinder._remove()
        for name in _collection_modules():
            del sys.modules[name]
        sys.modules.update(saved)
        if _internal:
            _internal.is_controller = was_controller


@pytest.fixture
def collection(controller):
    return lambda name: importlib.import_module("ansible_collections.multicloud.oci_aws.plugins." + name)


@pytest.fixture
def _lookup(collection):
    return collection("plugin_utils._lookup")


@pytest.fixture
def env(monkeypatch, tmp_path):
    for name in list(os.environ):
        if name.startswith(("AWS_", "OCI_")):
            monkeypatch.delenv(name)
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("OCI_AWS_CREDS_CACHE_DIR", str(tmp_path / "cache"))
    # The machine's own AWS shared files must not decide where STS is (and so the cache key).
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "aws-credentials"))
    return tmp_path / "cache"


@pytest.fixture
def fake(monkeypatch, env, _lookup):
    exchange = FakeExchange()
    monkeypatch.setattr(_lookup, "_exchange", exchange)
    return exchange


@pytest.fixture
def lookup(controller):
    return lambda *terms, variables=None, **kwargs: controller.lookup(terms, variables or {}, kwargs)


def test_the_options_are_the_exchanges_and_the_caches(fake, lookup):
    lookup(ROLE)
    options = fake.calls[0]
    # Every option of the one definition that the lookup takes, and its cache's (DOCUMENTATION: test_options.py).
    assert set(options) == set(LOOKUP_OPTIONS) | {"cache", "cache_dir", "cache_refresh_margin"}
    assert (options["client_secret"], options["role_arn"], options["region"]) == (SECRET, ROLE, "us-east-1")
    assert (options["audience"], options["duration_seconds"], options["cache_refresh_margin"]) == ("sts.amazon.com", 3600, 600)


def test_one_exchange_then_the_cache_until_the_margin(fake, env, lookup):
    first = lookup(ROLE)
    assert lookup(ROLE) == first == lookup(role_arn=ROLE)
    assert len(fake.calls) == 1
    assert first[0]["assumed_role_arn"] == ROLE
    assert sorted(os.listdir(str(env)))[0].endswith(".json")
    fake.lifetime = 500  # less than the 600 s margin: never reused
    lookup(OTHER_ROLE)
    lookup(OTHER_ROLE)
    assert len(fake.calls) == 3


@pytest.mark.parametrize("change", [
    dict(role_arn=OTHER_ROLE), dict(client_secret="another-secret"), dict(duration_seconds=900),
    dict(role_session_name="other"), dict(policy_arns=["arn:aws:iam::aws:policy/RO"]), dict(region="eu-west-1"),
    dict(audience="api.example.com"), dict(scope="x/"), dict(endpoint_url="https://sts.example.com"),
    dict(issuer="https://idcs-x.identity.oraclecloud.com"), dict(client_id="client-2"),
])
def test_whatever_changes_the_credentials_changes_the_key(fake, change, lookup):
    lookup(role_arn=ROLE)
    lookup(**dict(dict(role_arn=ROLE), **change))
    assert len(fake.calls) == 2


def test_the_key_holds_secrets_only_as_digests(fake, env, _lookup, lookup):
    lookup(ROLE, client_secret=SECRET)
    for name in os.listdir(str(env)):
        assert SECRET not in name
        with open(os.path.join(str(env), name)) as handle:
            assert SECRET not in handle.read()
    options = dict(fake.calls[0])
    key = _lookup.credentials_key(options)
    assert key == _lookup.credentials_key(dict(options, cert_bundle="/other/ca.pem", aws_ca_bundle="/other/aws.pem"))
    assert key != _lookup.credentials_key(dict(options, token="a.b.c"))
    proxies = {"proxies": {"https": "http://user:proxy-password@proxy:3128"}}
    assert key != _lookup.credentials_key(dict(options, aws_config=proxies))


def test_a_new_token_in_the_token_file_is_a_new_key(tmp_path, _lookup):
    token_file = tmp_path / "token"
    token_file.write_text("first")
    options = dict(token_file=str(token_file))
    first = _lookup.credentials_key(options)
    token_file.write_text("second\n")
    assert _lookup.credentials_key(options) != first


def test_caching_can_be_turned_off(fake, env, lookup):
    lookup(ROLE, cache=False)
    lookup(ROLE, cache=False)
    assert len(fake.calls) == 2 and not env.exists()


def test_variables_are_templated_as_ansible_would(fake, monkeypatch, lookup, controller):
    monkeypatch.delenv("OCI_AWS_CLIENT_SECRET")
    # As a playbook's variables are: templates trusted, as Ansible marks what it reads from YAML.
    variables = {"vault_secret": SECRET, "oci_aws_client_secret": controller.trust("{{ vault_secret }}"),
                 "oci_aws_role_arn": controller.trust("{{ 'arn:aws:iam::123456789012:role/' ~ 'oci-reporting' }}")}
    lookup(variables=variables)
    assert (fake.calls[0]["client_secret"], fake.calls[0]["role_arn"]) == (SECRET, ROLE)


def test_one_answer_per_role(fake, lookup):
    answers = lookup(ROLE, OTHER_ROLE)
    assert [a["assumed_role_arn"] for a in answers] == [ROLE, OTHER_ROLE]


def test_a_term_wins_over_role_arn_from_a_variable(fake, lookup, controller):
    """Issue 16 item 2: playbooks/vars/example.yml sets oci_aws_role_arn; a term in the call still chooses the role."""
    answers = lookup(OTHER_ROLE, variables={"oci_aws_role_arn": controller.trust(ROLE)})
    assert [a["assumed_role_arn"] for a in answers] == [OTHER_ROLE]
    assert lookup(variables={"oci_aws_role_arn": controller.trust(ROLE)})[0]["assumed_role_arn"] == ROLE


def test_a_term_wins_over_role_arn_from_the_environment(fake, monkeypatch, lookup):
    monkeypatch.setenv("OCI_AWS_ROLE_ARN", ROLE)
    assert [a["assumed_role_arn"] for a in lookup(OTHER_ROLE, ROLE)] == [OTHER_ROLE, ROLE]
    assert [a["assumed_role_arn"] for a in lookup()] == [ROLE]


def test_a_token_file_in_the_call_wins_over_the_client_from_variables_and_the_environment(fake, tmp_path, lookup,
                                                                                          controller):
    """The lookup's EXAMPLES (docs run): token_file= in the call, with oci_aws_client_id set as the docs' previous
    task tells, and OCI_AWS_CLIENT_ID/SECRET in the environment (env fixture), failed "give one source of the token"."""
    token_file = tmp_path / "token"
    token_file.write_text("a.token.value")
    lookup(ROLE, token_file=str(token_file), variables={"oci_aws_client_id": controller.trust("client-2")})
    assert (fake.calls[0]["token_file"], fake.calls[0]["client_id"], fake.calls[0]["client_secret"]) == (
        str(token_file), None, None)
    lookup(ROLE, cache=False)
    assert (fake.calls[1]["token_file"], fake.calls[1]["client_id"]) == (None, "client-1")


def test_two_token_sources_in_the_call_still_conflict(env, tmp_path, lookup, controller):
    token_file = tmp_path / "token"
    token_file.write_text("a.token.value")
    with pytest.raises(controller.LookupError) as info:
        lookup(ROLE, token_file=str(token_file), client_id="client-2")
    assert "give one source of the token" in str(info.value) and SECRET not in str(info.value)


@pytest.mark.parametrize("terms, kwargs, words", [
    ((ROLE,), dict(role_arn=OTHER_ROLE), "not both"),
    ((), {}, "role_arn is required"),
    ((ROLE,), dict(cache_refresh_margin=3600), "cache_refresh_margin must be"),
])
def test_bad_input_is_a_lookup_error(fake, terms, kwargs, words, lookup, controller):
    with pytest.raises(controller.LookupError) as info:
        lookup(*terms, **kwargs)
    assert words in str(info.value)
    assert fake.calls == []


def test_errors_of_the_exchange_are_lookup_errors_without_secrets(env, monkeypatch, collection, _lookup, lookup, controller):
    def refuse(options, warn, announce=None):
        raise collection("module_utils._errors").OptionError("role_arn", "role_arn must be the ARN of an IAM role")

    monkeypatch.setattr(_lookup, "_exchange", refuse)
    with pytest.raises(controller.LookupError) as info:
        lookup("not-an-arn")
    assert str(info.value) == "role_arn must be the ARN of an IAM role"


def test_an_unexpected_exception_is_a_lookup_error_naming_its_type_only(env, monkeypatch, _lookup, lookup, controller):
    """Issue 11 item 1: the lookup's boundary; the text of an unexpected exception may quote an answer."""
    def crash(options, warn, announce=None):
        raise KeyError("<SecretAccessKey>%s</SecretAccessKey>" % SECRET_KEY)

    monkeypatch.setattr(_lookup, "_exchange", crash)
    with pytest.raises(controller.LookupError) as info:
        lookup(ROLE, cache=False)
    assert "unexpected KeyError during the lookup multicloud.oci_aws.oci_aws_creds" in str(info.value)
    assert SECRET_KEY not in str(info.value) and info.value.__cause__ is None


def test_the_real_exchange_checks_options_before_any_request(env, monkeypatch, lookup, controller):
    monkeypatch.setenv("OCI_DOMAIN_URL", "http://insecure.example.com")
    with pytest.raises(controller.LookupError) as info:
        lookup(ROLE)
    assert "domain_url must start with https://" in str(info.value) and SECRET not in str(info.value)


def test_an_unusable_cache_directory_is_bypassed_with_a_warning(fake, env, monkeypatch, tmp_path, lookup):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    warnings = []
    lookup(ROLE)  # loads the plugin
    monkeypatch.setattr(sys.modules["ansible_collections.multicloud.oci_aws.plugins.lookup.oci_aws_creds"].display,
                        "warning", warnings.append)
    lookup(ROLE, cache_dir=str(blocker / "cache"))
    lookup(ROLE, cache_dir=str(blocker / "cache"))
    assert len(fake.calls) == 3
    assert any("credential cache is not used" in w for w in warnings)


def test_a_profile_or_variable_that_moves_sts_is_another_key(fake, env, monkeypatch, tmp_path, lookup):
    """Issue 11 item 9: `profile` (its endpoint_url) and AWS_ENDPOINT_URL were not in the key: one entry served both."""
    (tmp_path / "aws-config").write_text("[profile private]\nendpoint_url = https://sts.vpce.example.com\n"
                                         "[profile eu]\nregion = eu-west-1\n")
    monkeypatch.delenv("AWS_REGION")
    lookup(ROLE)
    lookup(ROLE, profile="private")
    lookup(ROLE, profile="eu")
    monkeypatch.setenv("AWS_PROFILE", "eu")
    lookup(ROLE)  # the same endpoint as profile=eu: answered from the cache
    monkeypatch.delenv("AWS_PROFILE")
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", "https://sts.emulator.example.com")
    lookup(ROLE)
    assert len(fake.calls) == 4
    assert [c.get("profile") for c in fake.calls] == [None, "private", "eu", None]


def test_cache_problems_are_warnings_and_the_credentials_still_come(fake, env, monkeypatch, _lookup, lookup):
    """Issue 11 items 7 and 8: a symlinked lock and a full disk are shown as warnings, the answer is still given."""
    warnings = []
    lookup(OTHER_ROLE)  # loads the plugin
    monkeypatch.setattr(sys.modules["ansible_collections.multicloud.oci_aws.plugins.lookup.oci_aws_creds"].display,
                        "warning", warnings.append)
    options = dict(fake.calls[0], role_arn=ROLE)
    os.symlink("/nonexistent", os.path.join(str(env), _lookup.credentials_key(options) + ".lock"))
    assert lookup(ROLE)[0]["secret_key"] == SECRET_KEY
    assert any("symbolic link" in w and "not cached" in w for w in warnings)
    os.unlink(os.path.join(str(env), _lookup.credentials_key(options) + ".lock"))

    def full(path, data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(sys.modules["ansible_collections.multicloud.oci_aws.plugins.module_utils._credential_cache"],
                        "atomic_write", full)
    assert lookup(ROLE)[0]["secret_key"] == SECRET_KEY
    assert any("No space left on device" in w and "uncached" in w for w in warnings)
    assert all(SECRET_KEY not in w and SECRET not in w for w in warnings)
    assert len(fake.calls) == 3


HIT = r"""
import json, statistics, sys, time
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.loader import init_plugin_loader, lookup_loader
from ansible.template import Templar
init_plugin_loader([sys.argv[1]])
loader = DataLoader()
templar = Templar(loader=loader, variables={})
times = []
for _ in range(int(sys.argv[2])):
    started = time.perf_counter()
    answer = lookup_loader.get("multicloud.oci_aws.oci_aws_creds", loader=loader, templar=templar).run(
        [sys.argv[3]], variables={})
    times.append(time.perf_counter() - started)
loaded = [m for m in ("boto3", "botocore", "oci", "requests",
                      "ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.sts") if m in sys.modules]
prefix = "ansible_collections.multicloud.oci_aws.plugins."
compiled = sorted(name[len(prefix):] for name, module in list(sys.modules.items())
                  if name.startswith(prefix) and not hasattr(module, "__path__"))
print(json.dumps({"median_ms": statistics.median(times) * 1000, "loaded": loaded, "access_key": answer[0]["access_key"],
                  "compiled": compiled}))
"""
# The collection modules a cache hit may import (packages aside), each compiled from source by Ansible in every forked
# worker, i.e. for every host and task: the lookup, its cache-hit path, the cache's directory check and the key's
# STS endpoint. The options' definitions, validators, errors, the cache's miss side and the exchange are imported
# only on a miss or an error; a module added here costs every evaluation (bench/README.md, measurement 1).
HIT_MODULES = ["lookup.oci_aws_creds", "module_utils._credential_cache", "module_utils._credential_key",
               "module_utils._paths", "module_utils._sts_endpoint", "plugin_utils._lookup"]


def test_a_cache_hit_loads_no_sdk_and_only_its_own_modules(fake, env, lookup):
    """A cache hit imports neither boto3 nor the oci SDK, and of the collection only HIT_MODULES (its time is measured by ``make bench``, bench/cache_hit.py,
    not here: a timed assertion fails under load)."""
    primed = lookup(ROLE)[0]
    done = subprocess.run([sys.executable, "-c", HIT, COLLECTIONS_BASE, "20", ROLE], capture_output=True, text=True,
                          env=dict(os.environ), timeout=120, check=True)
    measured = json.loads(done.stdout.strip().splitlines()[-1])
    assert measured["access_key"] == primed["access_key"]
    assert measured["loaded"] == []
    assert measured["compiled"] == HIT_MODULES
