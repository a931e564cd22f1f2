"""Unit checks of the emulated domain's SCIM pieces (RFC 7644 filters, PATCH paths, projection)."""

import pytest

from oci_aws_sandbox.idcs.errors import ScimError
from oci_aws_sandbox.idcs.schema import APP_SCHEMA
from oci_aws_sandbox.idcs.scim import PatchPath, apply_patch, parse_filter, project

APP = {
    "id": "1", "schemas": ["urn:ietf:params:scim:schemas:oracle:idcs:App"], "displayName": "AWS-STS",
    "name": "abc", "active": True, "accessTokenExpiry": 900, "audience": "sts.amazon.com",
    "description": 'say "hi"', "allowedGrants": ["client_credentials"],
    "scopes": [{"value": "/", "fqs": "sts.amazon.com/", "readOnly": False}, {"value": "Read", "fqs": "sts.amazon.comRead"}],
    "clientSecret": "s",
}


@pytest.mark.parametrize("text, expected", [
    ('displayName eq "aws-sts"', True),  # caseExact false: case-insensitive value
    ('DisplayName EQ "aws-sts"', True),  # attribute names and operators in any case
    ('urn:ietf:params:scim:schemas:oracle:idcs:App:displayName sw "AWS"', True),
    ('scopes.fqs eq "STS.AMAZON.COM/"', False),  # fqs is caseExact
    ('scopes.value eq "read"', False),
    ('scopes[value eq "Read" and fqs ew "Read"]', True),
    ('description co "\\"hi\\""', True),
    ('active eq true and accessTokenExpiry ge 900 and accessTokenExpiry lt 901', True),
    ('active eq false or displayName ne "x" and name eq "zzz"', False),  # and binds tighter than or
    ('(active eq false or displayName ne "x") and name eq "abc"', True),
    ('not (allowedGrants eq "client_credentials")', False),
    ('clientType pr', False),
    ('audience pr and not (clientType pr)', True),
])
def test_filter_evaluation(text, expected):
    assert parse_filter(text).matches(APP, APP_SCHEMA) is expected


@pytest.mark.parametrize("text", [
    'displayName eq', 'displayName xx "a"', '(displayName eq "a"', 'displayName eq unquoted',
    'displayName eq "a" and', 'scopes[value eq "/"', 'displayName eq "a" extra',
])
def test_invalid_filters(text):
    with pytest.raises(ScimError) as caught:
        parse_filter(text)
    assert (caught.value.status, caught.value.scim_type) == (400, "invalidFilter")


def test_patch_paths():
    path = PatchPath('SCOPES[value eq "/"].Description', APP_SCHEMA)
    assert (path.attribute.name, path.sub.name) == ("scopes", "description")
    assert [s["value"] for s in path.selected(APP["scopes"])] == ["/"]
    for text in ('displayName[value eq "x"]', "scopes.nothing", "nothing"):
        with pytest.raises(ScimError) as caught:
            PatchPath(text, APP_SCHEMA)
        assert caught.value.scim_type == "invalidPath"


def test_patch_is_all_or_nothing():
    with pytest.raises(ScimError):
        apply_patch(APP, [{"op": "replace", "path": "description", "value": "new"},
                          {"op": "replace", "path": "clientSecret", "value": "x"}], APP_SCHEMA)
    assert APP["description"] == 'say "hi"'


@pytest.mark.parametrize("attributes, sets, expected", [
    (None, (), {"id", "schemas", "displayName", "name", "active", "accessTokenExpiry", "audience", "description",
                "allowedGrants", "scopes", "clientSecret"}),
    ("audience", (), {"id", "schemas", "displayName", "audience"}),
    (None, ("always",), {"id", "schemas", "displayName"}),
    ("audience", ("always",), {"id", "schemas", "displayName", "audience"}),
])
def test_projection(attributes, sets, expected):
    assert set(project(APP, APP_SCHEMA, attributes, sets)) == expected


def test_projection_of_sub_attributes():
    assert project(APP, APP_SCHEMA)["scopes"][0] == {"value": "/", "fqs": "sts.amazon.com/"}
    assert project(APP, APP_SCHEMA, "scopes.readOnly")["scopes"][0] == {"readOnly": False}
    assert project(APP, APP_SCHEMA, None, ("all",))["scopes"][0]["readOnly"] is False
    assert "clientSecret" not in project(APP, APP_SCHEMA, hidden=("clientSecret",))
