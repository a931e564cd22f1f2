"""Threats to the files the collection writes on hosts and on the controller (threat model: files)."""

import os
import stat

import pytest

from ansible_collections.multicloud.oci_aws.plugins.module_utils._paths import UnsafePath, check_trusted, make_private_dirs


def _mode(path):
    return stat.S_IMODE(os.lstat(path).st_mode)


def test_parents_created_under_umask_0000_are_private(tmp_path):
    """Threat 4: missing parents made world-writable let another user swap the directory."""
    target = tmp_path / "a" / "b" / "c"
    old = os.umask(0)
    try:
        created = make_private_dirs(str(target), "credential_process_dir")
    finally:
        os.umask(old)
    assert created == [str(tmp_path / "a"), str(tmp_path / "a" / "b"), str(target)]
    assert [_mode(p) for p in created] == [0o700, 0o700, 0o700]


def test_group_writable_parent_is_refused_and_nothing_created(tmp_path):
    """Threat 4: a parent that others can write to (not sticky) is refused before anything is made."""
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o775)
    with pytest.raises(UnsafePath) as caught:
        make_private_dirs(str(shared / "mine" / "deeper"), "credential_process_dir")
    assert str(shared) in caught.value.msg and "credential_process_dir" in caught.value.msg
    assert not (shared / "mine").exists()


def test_sticky_world_writable_parent_is_accepted_and_keeps_its_mode(tmp_path):
    """Threat 5: a 1777 directory such as /tmp is used as it is, never chmod-ed."""
    sticky = tmp_path / "tmp"
    sticky.mkdir()
    sticky.chmod(0o1777)
    make_private_dirs(str(sticky / "cache"), "the credential cache")
    assert _mode(sticky) == 0o1777
    check_trusted(str(sticky / "cache"), "the credential cache")
