# -*- coding: utf-8 -*-
# Copyright: contributors to multicloud.oci_aws
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal to multicloud.oci_aws: not a public API, may change without notice.

Getting and using AWS credentials (steps 6 and 7). This docstring is the whole file on purpose:
Ansible ships a package's ``__init__.py`` in every module that uses the package.

- ``options.py``             the exchange's options, named once (module argspec, lookup, credential_process)
- ``spec.py``                ``ExchangeSpec``: every option checked before any request
- ``token.py``               STEP 6: the access token (``Token``, ``GivenToken``, ``FileToken``, and
                             ``ClientCredentials``, the client-credentials grant)
- ``preflight.py``           ``Expectations``: the token's iss, aud and exp checked as STS will check them
- ``sts.py``                 STEP 7: ``Exchange``, AssumeRoleWithWebIdentity (retries, renewal on expiry,
                             each STS refusal explained as the step to fix)
- ``credentials.py``         ``Credentials`` and their output forms (``version1`` for credential_process)
- ``aws_files.py``           the shared credentials and config files: sections, masked diffs, ``FileChange``
- ``credential_process.py``  the AWS CLI's credential_process: settings, the zipped runner, its ``main``
- ``assume.py``              what the ``oci_aws_assume`` module does (``Assume``)
"""
