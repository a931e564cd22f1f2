"""The credential_process runner's cache (``credential_process.process_credentials``): the lookup's
``_credential_cache`` and ``_credential_key``, with a margin above botocore's advisory refresh."""

import json
import os
import stat

from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange import credential_process
from ansible_collections.multicloud.oci_aws.plugins.module_utils._credential_cache import CredentialCache
from ansible_collections.multicloud.oci_aws.plugins.module_utils._credential_key import credentials_key

OPTIONS = {"domain_url": "https://idcs.example.com", "client_id": "app", "client_secret": "s3cret-value",
           "role_arn": "arn:aws:iam::123456789012:role/r", "duration_seconds": 3600, "region": "us-east-1"}
NOW = 1_800_000_000.0


def fake_exchange(monkeypatch, expires_in=3600):
    calls = []

    def exchange(options, announce=None):
        calls.append(options)
        return {"access_key": "ASIA%d" % len(calls), "secret_key": "sk", "session_token": "st",
                "expiration": "2027-01-01T00:00:00Z", "assumed_role_arn": "arn"}, NOW + expires_in
    monkeypatch.setattr(credential_process, "_exchange", exchange)
    return calls


def test_margin_is_above_botocore_advisory_refresh():
    assert credential_process.RUNNER_MARGIN > credential_process.BOTOCORE_ADVISORY_REFRESH
    assert credential_process.MIN_PROCESS_DURATION > credential_process.RUNNER_MARGIN


def test_one_exchange_per_window_then_a_new_one_at_the_margin(tmp_path, monkeypatch):
    calls = fake_exchange(monkeypatch)
    warnings = []
    clock = [NOW]
    for _n in range(5):
        value = credential_process.process_credentials(dict(OPTIONS), str(tmp_path / "c"), warnings.append,
                                                       clock=lambda: clock[0])
    assert len(calls) == 1 and value["access_key"] == "ASIA1" and warnings == []
    clock[0] = NOW + 3600 - credential_process.RUNNER_MARGIN  # 16 minutes left: botocore would refresh soon
    value = credential_process.process_credentials(dict(OPTIONS), str(tmp_path / "c"), warnings.append,
                                                   clock=lambda: clock[0])
    assert len(calls) == 2 and value["access_key"] == "ASIA2"


def test_same_key_rules_and_files_as_the_lookup(tmp_path, monkeypatch):
    fake_exchange(monkeypatch)
    directory = tmp_path / "c"
    credential_process.process_credentials(dict(OPTIONS), str(directory), print, clock=lambda: NOW)
    (entry,) = [p for p in directory.iterdir() if p.suffix == ".json"]
    assert entry.name == credentials_key(OPTIONS) + ".json"
    assert stat.S_IMODE(os.stat(directory).st_mode) == 0o700 and stat.S_IMODE(os.stat(entry).st_mode) == 0o600
    assert "s3cret-value" not in entry.name and "s3cret-value" not in entry.read_text()
    # The lookup's cache reads the runner's entry.
    assert CredentialCache(str(directory), clock=lambda: NOW).read(credentials_key(OPTIONS))["access_key"] == "ASIA1"


def test_unusable_cache_directory_means_an_exchange_with_a_warning(tmp_path, monkeypatch):
    calls = fake_exchange(monkeypatch)
    directory = tmp_path / "open"
    directory.mkdir(mode=0o755)
    os.chmod(directory, 0o755)
    warnings = []
    for _n in range(2):
        credential_process.process_credentials(dict(OPTIONS), str(directory), warnings.append, clock=lambda: NOW)
    assert len(calls) == 2 and len(warnings) == 2 and "open to other users" in warnings[0]
    assert "s3cret-value" not in "".join(warnings) and os.listdir(directory) == []


def test_settings_name_the_cache_directory(tmp_path):
    profile = credential_process.ProcessProfile("p", str(tmp_path / "config"), str(tmp_path / "d"))
    assert profile.cache_dir == str(tmp_path / "d" / "cache")
    chosen = credential_process.ProcessProfile("p", str(tmp_path / "config"), str(tmp_path / "d"), str(tmp_path / "x"))
    assert chosen.cache_dir == str(tmp_path / "x")


def test_settings_without_cache_dir_use_cache_beside_them(tmp_path):
    settings = tmp_path / "p.json"
    settings.write_text(json.dumps({"version": 1, "options": {"client_id": "a", "token": "dropped"}}))
    os.chmod(settings, 0o600)
    options, cache_dir = credential_process.read_settings(str(settings))
    assert options == {"client_id": "a"} and cache_dir == str(tmp_path / "cache")
