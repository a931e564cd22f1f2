# -*- coding: utf-8 -*-
# Copyright: contributors to multicloud.oci_aws
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal to multicloud.oci_aws: not a public API, may change without notice.

The AWS IAM side of the procedure (step 5). This docstring is the whole file on purpose: Ansible
ships a package's ``__init__.py`` in every module that uses the package.

- ``federation.py``   STEP 5: the IAM OIDC provider for the issuer and the roles that trust it
                      (``FederationSpec``, ``Federation``, ``Outcome``); built from the parts below
- ``provider.py``     the IAM OIDC provider (``ProviderSpec``, ``ProviderManager``)
- ``thumbprints.py``  the SHA-1 thumbprints of the issuer's TLS chain
- ``role.py``         an IAM role, its inline and managed policies (``RoleSpec``, ``RoleManager``)
- ``policy.py``       policy documents and the trust policy in one place: build it (``TrustSpec``,
                      ``web_identity_trust_policy``), normalise it (``canonical``, ``policies_equal``),
                      check it, explain a refusal (``trust_findings``)
- ``names.py``        IAM names, paths, ARNs, session durations
- ``tags.py``         IAM tags and the purge logic
- ``plan.py``         ``Call`` and ``Plan``: what a manager will do, shown in check mode, applied otherwise
- ``connection.py``   the shared AWS options, ``AwsConnection``, ``AwsClient``, ``translate``
"""
