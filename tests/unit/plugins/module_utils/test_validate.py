"""Property tests (hypothesis) for every validator of user values.

For each validator, over any text (every Unicode character class, controls and line breaks
included) and over near-misses built from characters that matter (newlines, brackets, spaces,
non-ASCII digits): the validator either returns or raises an OptionError naming its option, never
another exception; what it accepts holds no control character or line break and fits the rule its
message documents, checked by an oracle written here from that rule (not from the module's
regular expression); and a known-good value followed by any white space or line break is refused.
"""

import configparser
import ipaddress
import shlex
import unicodedata

import pytest
from hypothesis import given, settings, strategies as st

from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange import spec as _exchange
from ansible_collections.multicloud.oci_aws.plugins.module_utils._oci import app as _oci_app
from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.connection import AwsConnection
from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.aws_files import check_profile
from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.names import (
    check_description, check_path, check_policy_arn, check_policy_name, check_role_name
)
from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.tags import check_tags
from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.provider import check_thumbprints
from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.policy import normalize_conditions
from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import OptionError
from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.credential_process import ProcessProfile
from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.options import OptionAdapter
from ansible_collections.multicloud.oci_aws.plugins.module_utils._urls import parse_https_url
from ansible_collections.multicloud.oci_aws.plugins.module_utils._validate import (
    SCOPE, check_absolute_path, check_audience, check_path_text, check_pattern, check_secret_text, check_text
)

ASCII_PRINTABLE = set(chr(c) for c in range(0x21, 0x7F))
LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
# Characters that matter to some rule: separators of INI files and command lines, brackets, quotes,
# white space and line breaks, non-ASCII digits and letters, a bidi override.
TRICKY = list("aZ09_-.+=,@:/[]#;'\"\\ %?&*!~") + list(LINE_BREAKS) + ["\t", "\x00", "\x7f", "\u0661", "\u00e9",
                                                                      "\u202e", "\u00a0", "\u0430", "\u2003"]
WHITE_SUFFIX = st.text(alphabet=st.sampled_from(list(" \t") + list(LINE_BREAKS)), min_size=1, max_size=3)


def control_free(value):
    """No control character (Unicode Cc), line break or bidi override."""
    return not any(unicodedata.category(c) in ("Cc", "Zl", "Zp") or "\u202a" <= c <= "\u202e" or
                   "\u2066" <= c <= "\u2069" for c in value) and len(value.splitlines() or [""]) == 1


def words(value):
    return value.isalnum() or value == "_"


def only(value, allowed):
    return all(c in allowed for c in value)


ROLE_ARN_EXAMPLE = "arn:aws:iam::123456789012:role/oci-reporting"


def _arn_oracle(value):
    head = "arn:aws"
    if not value.startswith(head) or ":iam::" not in value or ":role/" not in value:
        return False
    partition, rest = value[len("arn:"):].split(":iam::", 1)
    account, role = rest.split(":role/", 1)
    name = role.rsplit("/", 1)[-1]
    return (only(partition[3:], set("abcdefghijklmnopqrstuvwxyz-")) and len(account) == 12 and
            only(account, set("0123456789")) and only(role, ASCII_PRINTABLE) and
            1 <= len(name) <= 64 and only(name, set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+=,.@_-")))


ASCII_NAME = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+=,.@_-")
SCOPE_CHARS = ASCII_PRINTABLE - set('"\\')
AUDIENCE_CHARS = SCOPE_CHARS - set(",[]")


def _process_dir(value):
    return ProcessProfile.check_options(OptionAdapter.from_dict({"credential_process_dir": value}))


# name: (validator(value, option) -> anything, option, known-good value, oracle(value) -> bool (None: no oracle),
#        whether accepted values may hold line breaks)
VALIDATORS = {
    "profile": (check_profile, "credentials_profile", "ci/deploy@prod",
                lambda v: 1 <= len(v) <= 128 and all(words(c) or c in ".+=,@:/-" for c in v)),
    "role_arn": (lambda v, o: check_pattern(v, o, _exchange._ROLE_ARN, "an ARN"), "role_arn", ROLE_ARN_EXAMPLE,
                 _arn_oracle),
    "role_session_name": (lambda v, o: check_pattern(v, o, _exchange._SESSION_NAME, "a name"), "role_session_name",
                          "ansible-oci-aws", lambda v: 2 <= len(v) <= 64 and only(v, ASCII_NAME)),
    "exchange client_id": (lambda v, o: check_pattern(v, o, _exchange._CLIENT_ID, "an ID"), "client_id",
                           "6a0e2f6d3c1b4f0f9d2f7d0e8c6b5a41", lambda v: 1 <= len(v) <= 255 and only(v, ASCII_PRINTABLE)),
    "scope": (lambda v, o: check_pattern(v, o, SCOPE, "scopes"), "scope", "sts.amazon.com/ other/x",
              lambda v: all(t and only(t, SCOPE_CHARS) for t in v.split(" "))),
    "audience": (check_audience, "audience", "sts.amazon.com", lambda v: 1 <= len(v) <= 255 and only(v, AUDIENCE_CHARS)),
    "role_name": (check_role_name, "role_name", "oci-reporting", lambda v: 1 <= len(v) <= 64 and only(v, ASCII_NAME)),
    "policy_name": (check_policy_name, "inline_policies.x", "read-only",
                    lambda v: 1 <= len(v) <= 128 and only(v, ASCII_NAME)),
    "iam path": (check_path, "path", "/division/team/",
                 lambda v: v == "/" or (3 <= len(v) <= 512 and v[0] == v[-1] == "/" and only(v, ASCII_PRINTABLE))),
    "policy_arn": (check_policy_arn, "policy_arns", "arn:aws:iam::aws:policy/ReadOnlyAccess",
                   lambda v: v.startswith("arn:aws") and ":policy/" in v and only(v, ASCII_PRINTABLE)),
    "display_name": (lambda v, o: _oci_app._check_display_name(v), "display_name", "Fédération AWS",
                     lambda v: v == v.strip() and v != ""),
    "app client_id": (lambda v, o: _oci_app._check_client_id(v), "client_id", "aws_sts_oidc_01",
                      lambda v: 1 <= len(v) <= 255 and only(v, set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                                                   "0123456789_"))),
    "app scope value": (lambda v, o: _oci_app._check_scopes([dict(value=v)]), "scopes", "/read",
                        lambda v: len(v) >= 1 and only(v, SCOPE_CHARS)),
    "thumbprint": (lambda v, o: check_thumbprints([v]), "thumbprints", "9e99a48a9960b14926bb7f3b02e22da2b0ab7280",
                   lambda v: len(v) == 40 and only(v, set("0123456789abcdefABCDEF"))),
    "tag value": (lambda v, o: check_tags({"team": v}, o), "tags", "Équipe données 42",
                  lambda v: len(v) <= 256 and all(words(c) or unicodedata.category(c) == "Zs" or c in ".:/=+@-"
                                                  for c in v)),
    "condition key": (lambda v, o: normalize_conditions({"StringLike": {v: "x"}}, "idp.example.com", {}), "conditions",
                      "aws:PrincipalTag/team", lambda v: 1 <= len(v) <= 256 and only(v, ASCII_PRINTABLE)),
    "text": (check_text, "subjects", "a client id", lambda v: v == v.strip() and v != ""),
    "secret": (check_secret_text, "client_secret", "idcscs-0f6c1d2e-secret", lambda v: v != ""),
    "path text": (check_path_text, "aws_config_file", "/home/me/.aws/config", lambda v: v != ""),
    "credential_process_dir": (lambda v, o: _process_dir(v), "credential_process_dir", "/home/me/my dir/oci",
                               lambda v: v.startswith("/") or v.startswith("~")),
    "region": (lambda v, o: AwsConnection.from_options({"region": v}), "region", "us-gov-west-1",
               lambda v: 1 <= len(v) <= 32 and only(v, set("abcdefghijklmnopqrstuvwxyz0123456789-")) and
               v[0] != "-" and v[-1] != "-"),
    "aws profile": (lambda v, o: AwsConnection.from_options({"profile": v}), "profile", "my team profile",
                    lambda v: v == v.strip()),
    "aws_ca_bundle": (lambda v, o: AwsConnection.from_options({"aws_ca_bundle": v}), "aws_ca_bundle", "/etc/ssl/ca.pem",
                      lambda v: v == v.strip()),
    "endpoint_url": (lambda v, o: AwsConnection.from_options({"endpoint_url": v}), "endpoint_url",
                     "https://sts.eu-west-1.amazonaws.com", lambda v: v[:8].lower() == "https://" or v[:7].lower() == "http://"),
    "url": (lambda v, o: parse_https_url(v, o, allow_path=True), "token_url",
            "https://idcs-0123.identity.oraclecloud.com/oauth2/v1/token",
            lambda v: v.startswith(("https://", "HTTPS://", "Https://")) or v[:8].lower() == "https://"),
}
# Free-text fields where the service keeps line breaks (IAM's rule for descriptions): they refuse
# other control characters, and are checked separately below.
MULTILINE = {
    "iam description": (check_description, "description", "Role for reporting\nowned by the data team",
                        lambda v: len(v) <= 1000 and all(c in "\t\n\r" or "\x20" <= c <= "\x7e" or "\xa1" <= c <= "\xff"
                                                         for c in v)),
    "app description": (lambda v, o: _oci_app._check_description(v), "description", "Fédération\nAWS",
                        lambda v: True),
}

# Connection options where an empty value means "not set" (botocore's default applies).
UNSET_WHEN_EMPTY = ("region", "endpoint_url", "aws profile", "aws_ca_bundle")
# Where the service keeps spaces at the ends (IAM tag values), only other white space is refused there.
SPACES_KEPT = ("tag value",)
ANY_TEXT = st.one_of(st.text(max_size=300), st.text(alphabet=st.sampled_from(TRICKY), max_size=40))


def _outcome(validator, option, value):
    """(accepted, error): the validator must return or raise OptionError naming ``option``, nothing else."""
    try:
        validator(value, option)
    except OptionError as exc:
        assert exc.option == option, exc.option
        assert option.split(".")[0] in exc.msg
        return False, exc
    return True, None


def _near(good):
    """Known-good values changed by one tricky character inserted, appended or substituted."""
    return st.tuples(st.integers(0, len(good)), st.sampled_from(TRICKY), st.booleans()).map(
        lambda t: good[:t[0]] + t[1] + good[t[0] + (1 if t[2] and t[0] < len(good) else 0):])


@pytest.mark.parametrize("name", sorted(VALIDATORS))
@settings(max_examples=250, deadline=None)
@given(data=st.data())
def test_accepted_values_are_single_line_and_fit_the_documented_rule(name, data):
    validator, option, good, oracle = VALIDATORS[name]
    value = data.draw(st.one_of(ANY_TEXT, _near(good)))
    accepted, _error = _outcome(validator, option, value)
    if accepted and not (name in UNSET_WHEN_EMPTY and value == ""):
        assert control_free(value), value
        assert oracle(value), value


@pytest.mark.parametrize("name", sorted(VALIDATORS))
@settings(max_examples=60, deadline=None)
@given(suffix=WHITE_SUFFIX)
def test_a_good_value_is_accepted_and_with_a_white_suffix_refused(name, suffix):
    validator, option, good, _oracle = VALIDATORS[name]
    if name in SPACES_KEPT:
        suffix = suffix.replace(" ", "\n")
    assert _outcome(validator, option, good)[0]
    accepted, error = _outcome(validator, option, good + suffix)
    assert not accepted
    assert option.split(".")[0] in error.msg


@pytest.mark.parametrize("name", sorted(VALIDATORS) + sorted(MULTILINE))
@settings(max_examples=50, deadline=None)
@given(value=st.one_of(st.none(), st.integers(), st.booleans(), st.lists(st.text(max_size=3), max_size=2),
                       st.dictionaries(st.text(max_size=3), st.text(max_size=3), max_size=2)))
def test_values_of_other_types_are_refused_with_an_option_error(name, value):
    validator, option, _good, _oracle = VALIDATORS.get(name) or MULTILINE[name]
    if name == "app client_id" and value is None:
        return  # None means "let the domain generate one"
    if name == "app description" and value is None:
        return  # None means "leave the description alone"
    if name == "credential_process_dir" and value is None:
        return  # None means the default directory
    if name in UNSET_WHEN_EMPTY and not value:
        return
    if name == "tag value" and isinstance(value, int):
        return  # numbers become strings, as IAM takes them
    if name == "condition key" and isinstance(value, (list, dict)):
        return  # not a possible mapping key
    accepted, _error = _outcome(validator, option, value)
    assert not accepted


@pytest.mark.parametrize("name", sorted(MULTILINE))
@settings(max_examples=250, deadline=None)
@given(data=st.data())
def test_free_text_keeps_line_breaks_but_no_other_control_character(name, data):
    validator, option, good, oracle = MULTILINE[name]
    assert _outcome(validator, option, good)[0]
    value = data.draw(st.one_of(ANY_TEXT, _near(good)))
    accepted, _error = _outcome(validator, option, value)
    if accepted:
        assert control_free(value.replace("\n", "").replace("\t", "").replace("\r", "")), value
        assert oracle(value), value
    for control in ("\x00", "\x1b", "\x7f"):
        assert not _outcome(validator, option, good + control)[0]


@settings(max_examples=300, deadline=None)
@given(directory=st.one_of(st.text(max_size=60), st.text(alphabet=st.sampled_from(TRICKY + ["/", "é"]), max_size=30))
       .map(lambda v: "/" + v))
def test_an_accepted_process_dir_gives_back_one_line_that_botocore_splits_into_the_same_parts(directory):
    """The credential_process line, read back as botocore does (RawConfigParser, then shlex.split), is the same command."""
    accepted, _error = _outcome(lambda v, o: _process_dir(v), "credential_process_dir", directory)
    if not accepted:
        return
    profile = ProcessProfile("ci", "/nonexistent/config", check_absolute_path(directory, "credential_process_dir"))
    python = "/opt/py thon/bin/python3"
    line = profile.command(python)
    text = "[profile ci]\ncredential_process = %s\n[profile other]\nregion = eu-west-1\n" % line
    parser = configparser.RawConfigParser()
    parser.read_string(text)
    assert parser.sections() == ["profile ci", "profile other"]
    assert shlex.split(parser.get("profile ci", "credential_process")) == [
        python, profile.runner, "--settings", profile.settings_file]


@settings(max_examples=300, deadline=None)
@given(host=st.one_of(st.text(max_size=40), st.text(alphabet=st.sampled_from(list("0123456789.:[]abcxf%-") +
                                                                             ["\u0661", "\u0660", "\uff11", "\u00e9"]),
                                                    max_size=25)))
def test_an_accepted_url_host_is_a_dns_name_or_a_valid_ip_address(host):
    """A host that parses as a number is a real IPv4 address; brackets hold a real IPv6 address; else ASCII DNS labels."""
    url = "https://%s/x" % host
    accepted, _error = _outcome(lambda v, o: parse_https_url(v, o, allow_path=True), "issuer_url", url)
    if not accepted:
        return
    parsed = parse_https_url(url, "issuer_url", allow_path=True)
    assert only(parsed.host, ASCII_PRINTABLE)
    if parsed.host.startswith("["):
        ipaddress.IPv6Address(parsed.host[1:-1])
    elif parsed.host.replace(".", "").isdigit():
        assert str(ipaddress.IPv4Address(parsed.host)) == parsed.host
    else:
        labels = parsed.host.split(".")
        assert all(1 <= len(label) <= 63 and only(label, set("abcdefghijklmnopqrstuvwxyz0123456789-")) and
                   label[0] != "-" and label[-1] != "-" for label in labels)
        assert not labels[-1].isdigit()


@pytest.mark.parametrize("url, words", [
    ("https://\u0661\u0662\u0667.\u0660.\u0660.\u0661", "printable ASCII"),
    ("https://999.1.1.1", "not an IPv4 address"),
    ("https://1.2.3", "not an IPv4 address"),
    ("https://010.0.0.1", "not an IPv4 address"),
    ("https://example.com.", "trailing dot"),
    ("https://b\u00fccher.example", "xn--bcher-kva.example"),
    ("https://[fe80::1%25eth0]", "IPv6"),
    ("https://[::1", "not a valid URL"),
    ("https://example.com:0", "port 0"),
    ("https://example.com:\u0661\u0662", "printable ASCII"),
    ("https://" + "a" * 3000 + ".com", "2048"),
    ("https://ex\x00ample.com", "printable ASCII"),
    ("https://%s.com" % ("a" * 64), "valid host"),
])
def test_hostile_urls_are_refused_naming_the_option(url, words):
    with pytest.raises(OptionError) as caught:
        parse_https_url(url, "domain_url")
    assert caught.value.option == "domain_url" and "domain_url" in caught.value.msg
    assert words in caught.value.msg
    assert len(caught.value.msg) < 600


@pytest.mark.parametrize("url, origin", [
    ("https://[::1]:8443", "https://[::1]:8443"),
    ("https://[2001:DB8:0:0::1]", "https://[2001:db8::1]"),
    ("https://127.0.0.1:8443", "https://127.0.0.1:8443"),
    ("https://xn--bcher-kva.example", "https://xn--bcher-kva.example"),
])
def test_ip_literals_and_idna_names_are_accepted(url, origin):
    assert parse_https_url(url, "domain_url").origin == origin


def test_the_audience_rule_is_one_for_every_caller():
    """Issue 12's remark: the exchange, the app and the provider refuse and accept the same audiences."""
    from ansible_collections.multicloud.oci_aws.plugins.module_utils import _validate
    from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws import provider as _aws_oidc_provider
    assert _aws_oidc_provider.check_audience is _validate.check_audience
    assert _oci_app.DEFAULT_AUDIENCE == _exchange.DEFAULT_AUDIENCE == _validate.DEFAULT_AUDIENCE
    app = _oci_app.AppSpec("x", audience="api.example.com", scopes=[dict(value="/read")])
    assert app.fq_scopes == [_validate.scope_for("api.example.com", "/read")]
    for value in ("[sts.amazon.com]", "a]b", "sts.amazon.com\n", "a,b", "a b", "\u00e9t\u00e9"):
        with pytest.raises(OptionError):
            _oci_app.AppSpec("x", audience=value)
        with pytest.raises(OptionError):
            check_audience(value)
