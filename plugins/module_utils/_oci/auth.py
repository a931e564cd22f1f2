# -*- coding: utf-8 -*-
# Copyright: contributors to multicloud.oci_aws
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal to multicloud.oci_aws: not a public API, may change without notice.

How the collection authenticates to OCI, with ``oracle.oci``'s option names, environment variables and
precedence: the config file and its profile (:class:`ConfigProfile`, every problem an :class:`OptionError`
naming the option), each of its keys overridden by an option or, when the option is not set, its environment
variable (:data:`PROFILE_OPTIONS`; without a config file these alone authenticate), or an instance or resource
principal; :func:`credentials` returns the SDK config and signer for :func:`..domain.connect`. ``oci`` is passed
in, never imported here.
"""

from __future__ import annotations

import configparser
import os
from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import OptionError
from ansible_collections.multicloud.oci_aws.plugins.module_utils._paths import readable_file

AUTH_TYPES = ("api_key", "instance_principal", "resource_principal", "security_token")
# oracle.oci's auth_purpose, for auth_type=instance_principal only.
AUTH_PURPOSES = ("service_principal",)
DEFAULT_CONFIG_FILE = "~/.oci/config"
DEFAULT_PROFILE = "DEFAULT"
# The keys of a config profile that an option (or, when the option is not set, its environment variable)
# overrides, as in oracle.oci: (option, key of the profile, environment variable, secret).
PROFILE_OPTIONS = (
    ("api_user", "user", "OCI_USER_ID", False),
    ("api_user_fingerprint", "fingerprint", "OCI_USER_FINGERPRINT", False),
    ("api_user_key_file", "key_file", "OCI_USER_KEY_FILE", False),
    ("api_user_key_pass_phrase", "pass_phrase", "OCI_USER_KEY_PASS_PHRASE", True),
    ("tenancy", "tenancy", "OCI_TENANCY", False),
    ("region", "region", "OCI_REGION", False),
)
OPTION_OF_KEY = dict((key, "%s (env %s)" % (option, env)) for option, key, env, _secret in PROFILE_OPTIONS)


def profile_overrides(options):
    """The profile keys that ``options`` (a mapping of option names, env fallbacks applied) set."""
    return dict((key, options.get(option)) for option, key, _env, _secret in PROFILE_OPTIONS
                if options.get(option) not in (None, ""))


def credentials(oci, auth_type, config_file_location, profile, overrides=None, auth_purpose=None):
    """(config, signer) for ``auth_type``; every failure is an :class:`OptionError`.

    ``overrides`` (from :func:`profile_overrides`) replace the keys of the config profile, which may then be
    absent altogether (no config file at the default place and ``config_file_location`` not set).
    """
    if auth_type not in AUTH_TYPES:
        raise OptionError("auth_type", "auth_type must be one of %s: got %r" % (", ".join(AUTH_TYPES), auth_type))
    if auth_purpose is not None and auth_purpose not in AUTH_PURPOSES:
        raise OptionError("auth_purpose", "auth_purpose must be one of %s: got %r" % (", ".join(AUTH_PURPOSES), auth_purpose))
    if auth_purpose is not None and auth_type != "instance_principal":
        raise OptionError("auth_purpose", "auth_purpose applies to auth_type=instance_principal only (auth_type is %s): "
                                          "remove auth_purpose" % auth_type)
    if auth_type == "instance_principal":
        return {}, _instance_principal_signer(oci, auth_purpose)
    if auth_type == "resource_principal":
        return {}, _resource_principal_signer(oci)
    profile_config = ConfigProfile.load(oci, config_file_location, profile, overrides)
    if auth_type == "security_token":
        return profile_config.config, profile_config.security_token_signer()
    return profile_config.config, profile_config.api_key_signer()


def _instance_principal_signer(oci, auth_purpose=None):
    try:
        if auth_purpose:
            return oci.auth.signers.InstancePrincipalsSecurityTokenSigner(purpose=auth_purpose)
        return oci.auth.signers.InstancePrincipalsSecurityTokenSigner()
    except Exception as exc:  # pylint: disable=broad-except
        # The SDK raises anything from requests errors to KeyError when no metadata service answers.
        raise OptionError(
            "auth_type",
            "auth_type=instance_principal works only on an OCI compute instance that a dynamic group "
            "covers, and no instance principal token could be obtained here (%s); use auth_type=api_key "
            "with an OCI config file elsewhere" % type(exc).__name__,
        )


def _resource_principal_signer(oci):
    if not os.environ.get("OCI_RESOURCE_PRINCIPAL_VERSION"):
        raise OptionError(
            "auth_type",
            "auth_type=resource_principal needs the OCI_RESOURCE_PRINCIPAL_* environment that OCI Functions, "
            "Data Science and similar services provide; OCI_RESOURCE_PRINCIPAL_VERSION is not set here: "
            "use auth_type=api_key with an OCI config file elsewhere",
        )
    try:
        return oci.auth.signers.get_resource_principals_signer()
    except (EnvironmentError, ValueError, oci.exceptions.ClientError) as exc:
        raise OptionError("auth_type", "auth_type=resource_principal: the resource principal environment is "
                                       "incomplete or invalid (%s)" % exc)


class ConfigProfile:
    """One profile of an OCI config file, with the keys the options override, checked enough to name the
    option and the fix. ``path`` is None when the options alone make the profile (no config file)."""

    def __init__(self, oci, path, profile, config, overridden=()):
        self._oci = oci
        self.path = path
        self.profile = profile
        self.config = config
        self.overridden = frozenset(overridden)

    @classmethod
    def load(cls, oci, location, profile, overrides=None):
        overrides = dict(overrides or {})
        if not location and overrides and not os.path.exists(os.path.expanduser(DEFAULT_CONFIG_FILE)):
            # No config file asked for, none at the default place: the options (or their env) are the profile.
            return cls(oci, None, profile, dict(overrides), overrides)
        path = readable_file(location or DEFAULT_CONFIG_FILE, "config_file_location", "the OCI config file",
                             "create it with `oci setup config`, or set config_file_location (env OCI_CONFIG_FILE) "
                             "to an existing one, or give api_user, api_user_fingerprint, api_user_key_file, tenancy "
                             "and region (env OCI_USER_ID, OCI_USER_FINGERPRINT, OCI_USER_KEY_FILE, OCI_TENANCY, "
                             "OCI_REGION) without a config file")
        try:
            config = oci.config.from_file(file_location=path, profile_name=profile)
        except oci.exceptions.ProfileNotFound:
            raise OptionError(
                "config_profile_name",
                "profile %r is not in the OCI config file %s (profiles there: %s): set config_profile_name "
                "(env OCI_CONFIG_PROFILE) to one of them" % (profile, path, ", ".join(_profiles(path)) or "none"),
            )
        except oci.exceptions.InvalidKeyFilePath:
            raise OptionError(
                "config_file_location",
                "profile %r of the OCI config file %s (config_file_location) names a key_file that does not exist: "
                "fix key_file there (it must be the path of the API signing key's PEM file)" % (profile, path),
            )
        except (configparser.Error, ValueError, oci.exceptions.ClientError) as exc:
            raise OptionError(
                "config_file_location",
                "the OCI config file %s (config_file_location) cannot be parsed (%s: %s): fix it or recreate it "
                "with `oci setup config`"
                % (path, type(exc).__name__, first_line(exc)),
            )
        config.update(overrides)
        return cls(oci, path, profile, config, overrides)

    def _where(self):
        if self.path is None:
            return "the API-key settings given by options (no OCI config file)"
        return "profile %r (config_profile_name) of the OCI config file %s (config_file_location)" % (self.profile, self.path)

    def _origin(self, key):
        """Where ``key`` came from: the option that overrode it, else the profile."""
        if key in self.overridden or (self.path is None and key in OPTION_OF_KEY):
            return OPTION_OF_KEY[key]
        return "%s of %s" % (key, self._where())

    def _with_key(self, build):
        """``build(key_file)``; a key file that is missing, unreadable or not a private key is an OptionError."""
        key_file = self.config.get("key_file")
        option = "api_user_key_file" if "key_file" in self.overridden else "config_file_location"
        if not key_file:
            raise OptionError("config_profile_name", "%s has no key_file: add the path of the API signing key, or set "
                                                     "api_user_key_file (env OCI_USER_KEY_FILE)" % self._where())
        path = readable_file(key_file, option, "the API signing key, %s" % self._origin("key_file"),
                             "fix the path of the API signing key's PEM file")
        try:
            return build(path)
        except self._oci.exceptions.InvalidPrivateKey as exc:
            # The SDK's text names the problem, never the pass phrase.
            raise OptionError(
                option,
                "the API signing key %s (%s) is not a usable private key (%s): check the file, and its pass phrase "
                "(%s) if the key is encrypted"
                % (path, self._origin("key_file"), first_line(exc), self._origin("pass_phrase")),
            )

    def api_key_signer(self):
        try:
            self._oci.config.validate_config(self.config)
        except self._oci.exceptions.InvalidConfig as exc:
            problems = ", ".join("%s %s" % (self._origin(key), why) for key, why in sorted(exc.errors.items()))
            if self.path is None:
                first = sorted(exc.errors)[0]
                raise OptionError(
                    OPTION_OF_KEY.get(first, first).split(" ")[0],
                    "%s are not a usable API-key identity (%s): set each of api_user, api_user_fingerprint, "
                    "api_user_key_file, tenancy and region (or their environment variables), or use an OCI config "
                    "file (config_file_location, env OCI_CONFIG_FILE)" % (self._where(), problems),
                )
            raise OptionError(
                "config_profile_name",
                "%s is not a usable API-key profile (%s): fix it (see `oci setup config`), set the options that "
                "override it, or choose another profile with config_profile_name" % (self._where(), problems),
            )
        config = self.config
        return self._with_key(lambda path: self._oci.signer.Signer(
            config["tenancy"], config["user"], config["fingerprint"], path, pass_phrase=config.get("pass_phrase")))

    def security_token_signer(self):
        token_file = self.config.get("security_token_file")
        if not token_file or self.path is None:
            raise OptionError(
                "auth_type",
                "auth_type=security_token needs security_token_file in %s: run `oci session authenticate "
                "--profile-name %s` to create a session" % (self._where(), self.profile),
            )
        path = readable_file(token_file, "auth_type", "the security_token_file of %s" % self._where(),
                             "run `oci session authenticate --profile-name %s` again" % self.profile)
        with open(path) as handle:
            token = handle.read().strip()
        return self._with_key(lambda key_file: self._oci.auth.signers.SecurityTokenSigner(
            token, self._oci.signer.load_private_key_from_file(key_file, self.config.get("pass_phrase"))))


def _profiles(path):
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(path)
    except configparser.Error:
        return []
    return (["DEFAULT"] if parser.defaults() else []) + parser.sections()


def first_line(exc):
    text = str(exc).strip()
    return text.splitlines()[0] if text else ""
