"""module_utils/_paths: the StrictModes-style check, private directories, the one atomic write."""

import os
import stat

import pytest

from ansible_collections.multicloud.oci_aws.plugins.module_utils import _paths
from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import OciAwsError
from ansible_collections.multicloud.oci_aws.plugins.module_utils._paths import (
    TEMP_PREFIX, atomic_write, check_trusted, make_private_dirs, open_to_others
)
from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import UnsafePath


def mode(path):
    return stat.S_IMODE(os.lstat(str(path)).st_mode)


def open_dir(path, dir_mode=0o777):
    path.mkdir()
    path.chmod(dir_mode)
    return path


def test_a_trusted_path_and_its_missing_tail_are_accepted(tmp_path):
    check_trusted(str(tmp_path), "x")
    check_trusted(str(tmp_path / "missing" / "deeper"), "x")
    (tmp_path / "file").write_text("x")
    (tmp_path / "file").chmod(0o644)
    check_trusted(str(tmp_path / "file"), "x")


def test_the_message_names_what_the_component_and_the_fix(tmp_path):
    shared = open_dir(tmp_path / "shared", 0o775)
    with pytest.raises(UnsafePath) as info:
        check_trusted(str(shared / "a"), "credential_process_dir")
    assert info.value.msg == ("refusing to use credential_process_dir %s: %s is writable by its group (mode 0775) and "
                              "not sticky; remove that write permission (chmod go-w %s) or choose another path"
                              % (shared / "a", shared, shared))
    assert info.value.details == dict(path=str(shared / "a"), component=str(shared),
                                      why="is writable by its group (mode 0775) and not sticky",
                                      fix="remove that write permission (chmod go-w %s) or choose another path" % shared)
    assert isinstance(info.value, OciAwsError)


def test_a_file_others_can_write_is_refused(tmp_path):
    (tmp_path / "settings.json").write_text("{}")
    (tmp_path / "settings.json").chmod(0o646)
    with pytest.raises(UnsafePath) as info:
        check_trusted(str(tmp_path / "settings.json"), "the settings file")
    assert "writable by others (mode 0646)" in info.value.msg


def test_a_sticky_file_is_not_a_sticky_directory(tmp_path):
    (tmp_path / "f").write_text("x")
    (tmp_path / "f").chmod(0o1666)
    with pytest.raises(UnsafePath):
        check_trusted(str(tmp_path / "f"), "x")


def test_a_file_in_the_middle_of_a_path_is_refused(tmp_path):
    (tmp_path / "f").write_text("x")
    with pytest.raises(UnsafePath) as info:
        make_private_dirs(str(tmp_path / "f"), "the credential cache")
    assert "is not a directory" in info.value.msg
    with pytest.raises(UnsafePath):
        check_trusted(str(tmp_path / "f" / "below"), "x")


def test_a_link_in_a_directory_others_can_write_is_refused_though_its_target_is_fine(tmp_path):
    """The link itself can be replaced by whoever can write its directory: the path as written is checked too."""
    target = tmp_path / "private"
    target.mkdir(mode=0o700)
    shared = open_dir(tmp_path / "shared")
    (shared / "link").symlink_to(target)
    with pytest.raises(UnsafePath) as info:
        check_trusted(str(shared / "link" / "file"), "aws_shared_credentials_file")
    assert str(shared) in info.value.msg


def test_a_link_to_a_directory_others_can_write_is_refused(tmp_path):
    shared = open_dir(tmp_path / "shared")
    (tmp_path / "link").symlink_to(shared)
    with pytest.raises(UnsafePath) as info:
        check_trusted(str(tmp_path / "link" / "file"), "x")
    assert "%s is writable by others" % shared in info.value.msg


def test_a_link_between_trusted_directories_is_accepted(tmp_path):
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    check_trusted(str(tmp_path / "link" / "file"), "x")


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root (os.lchown)")
def test_a_link_of_another_user_is_refused(tmp_path):
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    os.lchown(str(tmp_path / "link"), 65534, 65534)
    with pytest.raises(UnsafePath) as info:
        check_trusted(str(tmp_path / "link"), "x")
    assert "belongs to another user (uid 65534)" in info.value.msg


def test_a_component_that_cannot_be_read_is_an_unsafe_path(tmp_path, monkeypatch):
    def denied(path):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(_paths.os, "lstat", denied)
    with pytest.raises(UnsafePath) as info:
        check_trusted(str(tmp_path), "the credential cache")
    assert "cannot check the credential cache" in info.value.msg and "Permission denied" in info.value.msg


def test_check_mode_creates_nothing_and_says_what_it_would(tmp_path):
    target = tmp_path / "a" / "b"
    assert make_private_dirs(str(target), "x", check_mode=True) == [str(tmp_path / "a"), str(target)]
    assert not (tmp_path / "a").exists()
    assert make_private_dirs(str(tmp_path), "x", check_mode=True) == []


def test_an_existing_directory_keeps_its_mode(tmp_path):
    for existing in (0o755, 0o711, 0o1777, 0o500):
        directory = tmp_path / ("d%o" % existing)
        directory.mkdir()
        directory.chmod(existing)
        assert make_private_dirs(str(directory), "x") == []
        assert mode(directory) == existing


def test_a_directory_that_cannot_be_made_is_an_error_naming_what(tmp_path, monkeypatch):
    def refused(path, mode=0o777):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(_paths.os, "mkdir", refused)
    with pytest.raises(OciAwsError) as info:
        make_private_dirs(str(tmp_path / "new"), "credential_process_dir")
    assert info.value.msg == "cannot create credential_process_dir %s: Permission denied" % (tmp_path / "new")


def test_a_link_planted_where_a_directory_is_made_is_refused(tmp_path, monkeypatch):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    real_mkdir = os.mkdir

    def planted(path, dir_mode=0o777):
        if path == str(tmp_path / "cache"):
            os.symlink(str(elsewhere), path)
            raise FileExistsError(17, "File exists")
        return real_mkdir(path, dir_mode)

    monkeypatch.setattr(_paths.os, "mkdir", planted)
    with pytest.raises(UnsafePath) as info:
        make_private_dirs(str(tmp_path / "cache" / "x"), "the credential cache")
    assert "appeared as something other than a directory" in info.value.msg
    assert list(elsewhere.iterdir()) == []


def test_a_directory_removed_right_after_it_was_made_is_refused(tmp_path, monkeypatch):
    real_mkdir = os.mkdir

    def vanishing(path, dir_mode=0o777):
        real_mkdir(path, dir_mode)
        if path == str(tmp_path / "cache"):
            os.rmdir(path)

    monkeypatch.setattr(_paths.os, "mkdir", vanishing)
    with pytest.raises(UnsafePath) as info:
        make_private_dirs(str(tmp_path / "cache" / "x"), "the credential cache")
    assert "%s disappeared after it was created" % (tmp_path / "cache") in info.value.msg
    assert not (tmp_path / "cache").exists()


def test_a_writable_file_is_not_called_not_sticky(tmp_path):
    (tmp_path / "file").write_text("x")
    (tmp_path / "file").chmod(0o666)
    with pytest.raises(UnsafePath) as info:
        check_trusted(str(tmp_path / "file"), "x")
    assert info.value.details["why"] == "is writable by others (mode 0666)"


def test_atomic_write_makes_a_0600_file_whatever_the_umask_and_leaves_no_temporary(tmp_path):
    path = tmp_path / "file"
    path.write_bytes(b"old")
    path.chmod(0o644)
    old = os.umask(0)
    try:
        atomic_write(str(path), b"new")
    finally:
        os.umask(old)
    assert path.read_bytes() == b"new" and mode(path) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["file"]


def test_atomic_write_removes_its_temporary_file_on_failure(tmp_path, monkeypatch):
    def broken(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(_paths.os, "rename", broken)
    with pytest.raises(OSError):
        atomic_write(str(tmp_path / "file"), b"secret")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(TEMP_PREFIX)] == []


def test_open_to_others_is_the_mode_of_a_listable_non_sticky_directory(tmp_path):
    for dir_mode, expected in ((0o700, None), (0o755, 0o755), (0o711, 0o711), (0o1777, None)):
        directory = tmp_path / ("d%o" % dir_mode)
        directory.mkdir()
        directory.chmod(dir_mode)
        assert open_to_others(str(directory)) == expected
    assert open_to_others(str(tmp_path / "missing")) is None


# -- the one readable-file check -----------------------------------------------------------------------------

def test_one_readable_file_check_one_message_for_the_exchange_and_the_admin_modules(tmp_path):
    """The exchange's cert_bundle (``_http.check_ca_bundle``) and the OCI modules' (``_oci.domain.connect``) once
    had two checks with two messages; both are now ``_paths.readable_file``."""
    from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import OptionError
    from ansible_collections.multicloud.oci_aws.plugins.module_utils._http import check_ca_bundle
    from ansible_collections.multicloud.oci_aws.plugins.module_utils._oci.domain import connect

    missing = str(tmp_path / "missing.pem")
    errors = []
    for check in (lambda: check_ca_bundle(missing),
                  lambda: connect("https://idcs-x.identity.oraclecloud.com", cert_bundle=missing)):
        with pytest.raises(OptionError) as caught:
            check()
        errors.append(caught.value)
    expected = "cert_bundle %s is not a readable file: " % missing
    assert [(e.option, e.msg[:len(expected)]) for e in errors] == [("cert_bundle", expected)] * 2
    assert not hasattr(_paths, "check_readable")


def test_readable_file_expands_the_home_and_refuses_a_directory(tmp_path, monkeypatch):
    from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import OptionError

    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "token").write_text("x")
    assert _paths.readable_file("~/token", "token_file", "a token") == str(tmp_path / "token")
    with pytest.raises(OptionError) as caught:
        _paths.readable_file(str(tmp_path), "token_file", "a file holding the access token")
    assert "is not a file; give the path of a file holding the access token" in caught.value.msg
