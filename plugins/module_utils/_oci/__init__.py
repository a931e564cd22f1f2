# -*- coding: utf-8 -*-
# Copyright: contributors to multicloud.oci_aws
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal to multicloud.oci_aws: not a public API, may change without notice.

The OCI Identity Domain side of the procedure (steps 1 to 4). This docstring is the whole file on
purpose: Ansible ships a package's ``__init__.py`` in every module that uses the package.

- ``auth.py``          config file and profile, instance/resource principals: the SDK config and signer
- ``domain.py``        the shared OCI options, ``connect`` and :class:`DomainClient` (the admin calls,
                       retried and translated into typed errors), ``scrub``
- ``app.py``           STEPS 1-2: the confidential OIDC app and its resource server (audience, scope),
                       the client secret and its policy — ``AppSpec``, ``AppManager``
- ``token_policy.py``  STEPS 3-4: the domain's token settings (the issuer, public signing keys)
                       — ``TokenPolicyManager``
"""
