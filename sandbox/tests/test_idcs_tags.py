"""Fidelity of the emulated App ``tags`` as the official `oci` SDK sees them.

The SDK model (`oci/identity_domains/models/app.py` and `tags.py`) documents ``tags`` as a
multi-valued complex attribute, readWrite, ``returned: request`` (absent unless asked for), with
``key`` and ``value`` sub-attributes, both required and ``caseExact: false``, searchable. The
collection marks what it creates with the tag ``managed-by: multicloud.oci_aws``; these tests show
that the sandbox keeps, returns, appends and filters that attribute as the SDK expects.
"""

import oci
import pytest
from oci.identity_domains import models

from test_idcs_sdk import client, patch, sts_app  # noqa: F401 pylint: disable=unused-import

MARK = models.Tags(key="managed-by", value="multicloud.oci_aws")


def test_tags_round_trip_through_the_sdk_model_and_are_returned_on_request_only(client):  # noqa: F811
    created = client.create_app(app=sts_app(tags=[MARK]), attributes="displayName,tags").data
    assert [(t.key, t.value) for t in created.tags] == [("managed-by", "multicloud.oci_aws")]
    assert isinstance(created.tags[0], models.Tags)
    plain = client.get_app(created.id).data
    assert plain.tags is None, "tags is returned: request: a read that does not ask for it has none"
    asked = client.get_app(created.id, attributes="tags").data
    assert [(t.key, t.value) for t in asked.tags] == [("managed-by", "multicloud.oci_aws")]


def test_patch_add_appends_a_tag_and_keeps_the_others(client):  # noqa: F811
    app = client.create_app(app=sts_app(tags=[models.Tags(key="owner", value="web-team")])).data
    client.patch_app(app.id, patch_op=patch(("add", "tags", [{"key": "managed-by", "value": "multicloud.oci_aws"}])))
    tags = client.get_app(app.id, attributes="tags").data.tags
    assert sorted((t.key, t.value) for t in tags) == [("managed-by", "multicloud.oci_aws"), ("owner", "web-team")]


def test_tags_are_searchable_and_compared_regardless_of_case(client):  # noqa: F811
    marked = client.create_app(app=sts_app("marked", tags=[MARK])).data
    client.create_app(app=sts_app("unmarked", audience="other.audience"))
    found = client.list_apps(filter='tags[key eq "MANAGED-BY" and value eq "Multicloud.OCI_AWS"]').data.resources
    assert [a.id for a in found] == [marked.id]


def test_a_tag_without_its_key_or_with_an_unknown_sub_attribute_is_refused(client):  # noqa: F811
    with pytest.raises(oci.exceptions.ServiceError) as caught:
        client.create_app(app={"schemas": ["urn:ietf:params:scim:schemas:oracle:idcs:App"], "displayName": "x",
                               "basedOnTemplate": {"value": "CustomWebAppTemplateId"},
                               "tags": [{"key": "a", "colour": "b"}]})
    assert caught.value.status == 400
