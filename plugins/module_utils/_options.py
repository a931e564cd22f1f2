# -*- coding: utf-8 -*-
# Copyright: contributors to multicloud.oci_aws
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal to multicloud.oci_aws: not a public API, may change without notice.

Options defined once and read the same way by every consumer (community.hashi_vault's option
adapter is the model):

- :class:`Option` is one option's definition: its type, default, aliases and ``no_log``, which
  consumers take it (``lookup``, ``process`` for the credential_process settings) and what part it
  plays in the lookup's cache key (``key``). The module argspec (:func:`argument_spec`), the lookup's
  option groups and the credential_process settings are derived from these tuples; the lookup's
  DOCUMENTATION is tested against them.
- :class:`OptionAdapter` reads option values from a module (``from_ansible_module``), a plugin
  (``from_ansible_plugin``) or a mapping (``from_dict``: module params, a settings file).
"""

from __future__ import annotations

import typing as t

from ansible.module_utils.common.parameters import env_fallback

# What an option is to the lookup's cache key (plugin_utils/_lookup.py): where the STS call goes
# ("sts"), the role session asked for ("session"), who asks ("token"), a secret or a document that
# enters only as a SHA-256 digest ("digest"), a file whose content enters as a digest ("file_digest"),
# or not in the key (None: which CAs to trust, how long to wait).
KEY_GROUPS = ("sts", "session", "token", "digest", "file_digest", None)


class Option:
    """One option: its argspec (``type``, ``default``, ``aliases``, ``no_log``, ``elements``, ``env``
    fallback of a module) and who takes it: ``lookup`` (the lookup documents it), ``process`` (the
    credential_process settings keep it), ``required`` (the module requires it)."""

    def __init__(self, name: str, type: str = "str", default: t.Any = None,  # pylint: disable=redefined-builtin
                 aliases: t.Sequence[str] = (), no_log: bool | None = None, elements: str | None = None,
                 env: t.Sequence[str] = (), key: str | None = None, lookup: bool = True, process: bool = True,
                 required: bool = False) -> None:
        if key not in KEY_GROUPS:
            raise ValueError("option %s: key must be one of %r" % (name, KEY_GROUPS))
        self.name = name
        self.type = type
        self.default = default
        self.aliases = tuple(aliases)
        self.no_log = no_log
        self.elements = elements
        self.env = tuple(env)
        self.key = key
        self.lookup = lookup
        self.process = process
        self.required = required

    def argspec(self) -> dict[str, t.Any]:
        """This option's entry of a module argument spec."""
        spec = dict(type=self.type)
        for name in ("default", "elements", "no_log"):
            if getattr(self, name) is not None:
                spec[name] = getattr(self, name)
        if self.required:
            spec["required"] = True
        if self.aliases:
            spec["aliases"] = list(self.aliases)
        if self.env:
            spec["fallback"] = (env_fallback, list(self.env))
        return spec

    def __repr__(self) -> str:
        return "Option(%r)" % self.name


def argument_spec(options: t.Iterable[Option]) -> dict[str, dict[str, t.Any]]:
    """The module argument spec of ``options`` (a tuple of :class:`Option`)."""
    return dict((option.name, option.argspec()) for option in options)


def names(options: t.Iterable[Option], **where: t.Any) -> tuple[str, ...]:
    """The names of ``options`` whose attributes equal ``where`` (``names(OPTIONS, lookup=True)``)."""
    return tuple(o.name for o in options if all(getattr(o, k) == v for k, v in where.items()))


class OptionAdapter:
    """One way to read options, whoever holds them: ``get(name)`` gives the value, None meaning not set."""

    def __init__(self, getter: t.Callable[[str], t.Any]) -> None:
        self._getter = getter

    @classmethod
    def from_dict(cls, options: t.Mapping[str, t.Any]) -> OptionAdapter:
        """From a mapping: a module's ``params``, the lookup's options, a credential_process settings file."""
        return cls(options.get)

    @classmethod
    def from_ansible_module(cls, module: t.Any) -> OptionAdapter:
        """From an ``AnsibleModule`` (its validated ``params``)."""
        return cls.from_dict(module.params)

    @classmethod
    def from_ansible_plugin(cls, plugin: t.Any) -> OptionAdapter:
        """From a plugin whose options were set (``set_options``): an option it does not define is not set."""
        def getter(name: str) -> t.Any:
            return plugin.get_option(name) if name in plugin.option_definitions else None
        return cls(getter)

    def get(self, name: str, default: t.Any = None) -> t.Any:
        value = self._getter(name)
        return default if value is None else value

    def as_dict(self, names: t.Iterable[str]) -> dict[str, t.Any]:
        return dict((name, self.get(name)) for name in names)
