"""Ansible's templating in a bench probe, set up as ``ansible-playbook`` sets it up on the controller.

A probe evaluates ``{{ lookup('multicloud.oci_aws.oci_aws_creds') }}`` through Ansible's own
Templar, so that what is measured is what a task pays; ``Timers`` wraps the two calls Ansible makes
per evaluation (``lookup_loader.get`` and ``LookupModule.run``) to tell the lookup's own time from
Jinja's. Importing this module imports neither boto3 nor oci.
"""

import json
import os
import sys
import time

LOOKUP = "multicloud.oci_aws.oci_aws_creds"
EXPRESSION = "{{ lookup('%s') }}" % LOOKUP


def read_config():
    with open(sys.argv[1]) as handle:
        return json.load(handle)


def answer(data):
    sys.stdout.write(json.dumps(data))
    sys.stdout.flush()


class Controller:
    """The collection loader, a DataLoader and a Templar, as on the controller."""

    def __init__(self, collections):
        from ansible.plugins.loader import init_plugin_loader  # pylint: disable=import-outside-toplevel

        init_plugin_loader([collections])
        from ansible.parsing.dataloader import DataLoader  # pylint: disable=import-outside-toplevel
        from ansible.template import Templar, trust_as_template  # pylint: disable=import-outside-toplevel

        self.templar = Templar(loader=DataLoader(), variables={})
        self.trust = trust_as_template
        self.expression = trust_as_template(EXPRESSION)

    def evaluate(self, expression=None):
        return self.templar.template(self.expression if expression is None else self.trust(expression))

    def warm_templating(self):
        """Templating and a builtin lookup once, as the controller's main process has them before it forks."""
        self.evaluate("{{ lookup('ansible.builtin.env', 'HOME') }}")


class Timers:
    """Seconds spent in ``lookup_loader.get`` for this lookup and in its ``run``, last evaluation."""

    def __init__(self):
        from ansible.plugins import loader  # pylint: disable=import-outside-toplevel

        self.loader = loader.lookup_loader
        self.get_seconds = 0.0
        self.run_seconds = 0.0
        self.config_seconds = 0.0
        self.source_seconds = 0.0
        original_get = self.loader.get
        original_config = self.loader._load_config_defs
        original_source = self.loader._load_module_source
        timers = self

        def get(name, *args, **kwargs):
            started = time.perf_counter()
            try:
                instance = original_get(name, *args, **kwargs)
            finally:
                if name == LOOKUP:
                    timers.get_seconds = time.perf_counter() - started
            if name == LOOKUP and instance is not None:
                timers._wrap_run(type(instance))
            return instance

        def load_config_defs(name, module, path):
            started = time.perf_counter()
            try:
                return original_config(name, module, path)
            finally:
                timers.config_seconds += time.perf_counter() - started

        def load_module_source(*args, **kwargs):
            started = time.perf_counter()
            try:
                return original_source(*args, **kwargs)
            finally:
                timers.source_seconds += time.perf_counter() - started

        self.loader.get = get
        self.loader._load_config_defs = load_config_defs
        self.loader._load_module_source = load_module_source

    def _wrap_run(self, cls):
        if getattr(cls.run, "_bench_timed", False):
            return
        original_run = cls.run
        timers = self

        def run(instance, *args, **kwargs):
            started = time.perf_counter()
            try:
                return original_run(instance, *args, **kwargs)
            finally:
                timers.run_seconds = time.perf_counter() - started

        run._bench_timed = True
        cls.run = run

    def reset(self):
        self.get_seconds = self.run_seconds = self.config_seconds = self.source_seconds = 0.0

    @property
    def own_seconds(self):
        return self.get_seconds + self.run_seconds


def heavy_modules():
    """Which of the SDKs a process has imported."""
    return sorted(name for name in ("boto3", "botocore", "oci", "requests") if name in sys.modules)


def configure_environment(config):
    """The lookup's options and the sandbox's settings, given by the orchestrator."""
    os.environ.update(config["env"])
