# -*- coding: utf-8 -*-
# A bench-only callback (never shipped): loads the lookup plugin in the controller's main process
# before any worker is forked, so that workers inherit it instead of each loading it again.
# bench/fanout.py enables it for the "preloaded" variant to measure what that loading costs.
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.plugins.callback import CallbackBase
from ansible.plugins.loader import lookup_loader


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "bench_preload"
    CALLBACK_NEEDS_ENABLED = True

    def v2_playbook_on_start(self, playbook):
        lookup_loader.get("multicloud.oci_aws.oci_aws_creds")
