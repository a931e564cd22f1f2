# -*- coding: utf-8 -*-
# Copyright: contributors to multicloud.oci_aws
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """The one audience of the federation, documented once for every plugin that takes it.

    Its default is ``module_utils/_validate.py: DEFAULT_AUDIENCE`` (a unit test ties the two), its
    one validator ``_validate.check_audience``.
    """

    DOCUMENTATION = r"""
options:
  audience:
    description:
      - The audience of the federation, one value for all of its parts. It is the primary audience of the identity
        domain app's resource server (the C(aud) claim of its tokens; the scope a client requests is this value followed
        by C(/)), a client ID of the IAM OIDC provider, the value of the role trust policy's C(aud) condition, and the
        C(aud) that the exchange requires of a token before sending it to STS.
      - Exactly one value of 1 to 255 printable ASCII characters, without spaces, commas, quotes, backslashes or
        brackets; several audiences would make the token's C(aud) claim an array, which STS rejects.
    type: str
    default: sts.amazon.com
"""
