# -*- coding: utf-8 -*-
# Copyright: contributors to multicloud.oci_aws
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal to multicloud.oci_aws: not a public API, may change without notice.

The AWS connection options, apart from the connection (``connection.py``) so that the
lookup's options load without it, nor the URL and retry code it brings (``_exchange/options.py``)."""

from __future__ import annotations

from ansible_collections.multicloud.oci_aws.plugins.module_utils._options import Option

# The connection options, with amazon.aws's names and aliases (its ``common.modules`` and ``region``
# doc fragments), in the order a user reads them: the one definition (``_options.Option``) of the
# argspec, the lookup's and the credential_process's options (documented by ``multicloud.oci_aws.aws``).
# ``region`` alone has an environment fallback: botocore reads AWS_DEFAULT_REGION but not AWS_REGION,
# which amazon.aws honours. Credentials have none on purpose: botocore reads them from the environment
# itself, and a fallback would make ``profile`` collide with keys set in the environment. The lookup and
# the credential_process take no AWS keys (the exchange needs none; they would be read from the very
# variables users set from the lookup), and the profile is the host's, not kept in the settings.
CONNECTION = (
    Option("profile", aliases=("aws_profile",), no_log=False, key="sts", process=False),
    Option("region", aliases=("aws_region",), env=("AWS_REGION", "AWS_DEFAULT_REGION"), key="sts"),
    Option("access_key", aliases=("aws_access_key_id", "aws_access_key"), no_log=False, lookup=False, process=False),
    Option("secret_key", aliases=("aws_secret_access_key", "aws_secret_key"), no_log=True, lookup=False, process=False),
    Option("session_token", aliases=("aws_session_token",), no_log=True, lookup=False, process=False),
    Option("endpoint_url", aliases=("aws_endpoint_url",), key="sts"),
    Option("aws_ca_bundle", type="path"),
    Option("validate_certs", type="bool", default=True),
    # botocore.config.Config keyword arguments; its proxies may hold a password: in the cache key as a digest.
    Option("aws_config", type="dict", key="digest"),
    # The AWS calls made, returned as ``resource_actions`` by the modules (``AwsConnection.actions``).
    Option("debug_botocore_endpoint_logs", type="bool", default=False, env=("ANSIBLE_DEBUG_BOTOCORE_LOGS",),
           lookup=False, process=False),
)
