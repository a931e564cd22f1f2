"""The cache key's option groups and the lookup's shortcuts, kept as literals so that a cache hit compiles only what it
needs (Ansible compiles every collection module from source in every forked worker), stay equal to what they stand
for: the groups to each option's ``key`` in the one definition (``_exchange/options.py``), the lookup's check of
``cache_dir`` to ``_validate.check_path_text``."""

import sys

from ansible_collections.multicloud.oci_aws.plugins.module_utils import _credential_key
from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import OptionError
from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.options import EXCHANGE, KEY_OPTIONS, LOOKUP_OPTIONS
from ansible_collections.multicloud.oci_aws.plugins.module_utils._options import names
from ansible_collections.multicloud.oci_aws.plugins.module_utils._validate import check_path_text
from ansible_collections.multicloud.oci_aws.plugins.plugin_utils import _lookup

GROUPS = {"STS_OPTIONS": "sts", "ROLE_OPTIONS": "session", "TOKEN_OPTIONS": "token", "DIGEST_OPTIONS": "digest",
          "FILE_DIGEST_OPTIONS": "file_digest", "NOT_IN_KEY": None}


def test_the_key_groups_are_the_definitions_keys():
    lookup = tuple(option for option in EXCHANGE if option.lookup)
    derived = dict((name, names(lookup, key=key)) for name, key in GROUPS.items())
    literal = dict((name, getattr(_credential_key, name)) for name in GROUPS)
    assert literal == derived, "paste into module_utils/_credential_key.py: %r" % derived
    every = [name for group in literal.values() for name in group]
    assert sorted(every) == sorted(LOOKUP_OPTIONS) and len(every) == len(set(every))  # each option in one group


def test_the_lookups_client_key_options_are_the_exchanges():
    assert _lookup.CLIENT_KEY_OPTIONS == KEY_OPTIONS
    assert _lookup.credentials_key is _credential_key.credentials_key


def test_the_lookups_lock_wait_options_are_the_retry_modules():
    from ansible_collections.multicloud.oci_aws.plugins.module_utils import _retry

    assert (_lookup.LOCK_WAIT_OPTION, _lookup.THROTTLING_OPTION) == (_retry.TIMEOUT_OPTION, _retry.THROTTLING_OPTION)


def _passes(value):
    try:
        check_path_text(value, "cache_dir")
    except OptionError:
        return False
    return True


def test_every_printable_character_passes_the_path_check_and_every_refused_one_is_not_printable():
    """``_lookup._check_cache_dir`` skips ``check_path_text`` for a printable path without white space around it:
    every code point, inside a path, must agree."""
    for code in range(sys.maxunicode + 1):
        character = chr(code)
        value = "/a" + character + "b"
        if value.isprintable():
            assert _passes(value), hex(code)
        elif not _passes(value):
            assert not value.isprintable(), hex(code)


def test_the_lookups_cache_dir_check_refuses_what_check_path_text_refuses_with_its_message():
    for value in ("/a\nb", "/a\u202eb", " /a", "/a ", "", 3, "/a\x00b"):
        expected = None
        try:
            check_path_text(value, "cache_dir")
        except OptionError as exc:
            expected = exc.msg
        try:
            _lookup._check_cache_dir(value)
        except OptionError as exc:
            assert exc.msg == expected
        else:
            raise AssertionError("not refused: %r" % (value,))
    for value in ("/tmp/cache", "~/.cache/x y", "/d\u00e9j\u00e0/\u00a0nbsp"):
        _lookup._check_cache_dir(value)
