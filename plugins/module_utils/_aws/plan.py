# -*- coding: utf-8 -*-
# Copyright: contributors to multicloud.oci_aws
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal to multicloud.oci_aws: not a public API, may change without notice.

The plan engine of the IAM managers: a :class:`Plan` is the list of :class:`Call` s that bring
one resource to the wanted state; it is computed from real reads, shown in check mode, applied
otherwise.
"""

from __future__ import annotations
from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import ServiceError
from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.connection import has_code


class Call:
    """One planned write request, sent only outside check mode.

    ``done_if`` is an error code that means the request's goal is reached already: ``NoSuchEntity``
    for a removal whose first attempt succeeded but whose answer was lost before a retry.
    """

    def __init__(self, operation, eventual=(), done_if=None, **params):
        self.operation = operation
        self.eventual = eventual
        self.done_if = done_if
        self.params = params

    def send(self, client):
        try:
            return client.call(self.operation, eventual=self.eventual, **self.params)
        except ServiceError as exc:
            if self.done_if is None or not has_code(exc, self.done_if):
                raise
            return {}

    def __repr__(self):
        return "Call(%s)" % self.operation


class Plan:
    """What converging one resource takes: its state before and after, and the calls between."""

    def __init__(self, before, after, calls):
        self.before = before
        self.after = after
        self.calls = list(calls)

    @property
    def changed(self):
        return bool(self.calls)

    def created_elsewhere(self, exc):
        """Whether ``exc`` says that the resource this plan creates exists after all.

        That happens when it was made concurrently, or by an earlier attempt whose answer was
        lost; the caller then reads it again and converges it instead.
        """
        return self.before is None and has_code(exc, "EntityAlreadyExists")

    def apply(self, client, check_mode, arn_of, replan=None):
        """Make the calls on ``client`` (none in check mode); return the resource after them.

        ``arn_of(answer)`` reads the new resource's ARN from the create's answer; ``replan()`` gives
        a new plan when the create finds the resource made elsewhere.
        """
        if check_mode:
            return self.after
        try:
            answers = [call.send(client) for call in self.calls]
        except ServiceError as exc:
            if replan is None or not self.created_elsewhere(exc):
                raise
            # This plan becomes the new one, so that the result (changed, diff) says what was done after all.
            new = replan()
            after = new.apply(client, check_mode, arn_of)
            self.before, self.after, self.calls = new.before, new.after, new.calls
            return after
        if self.before is None and answers:
            self.after.arn = arn_of(answers[0])
        return self.after
