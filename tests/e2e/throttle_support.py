"""A fleet running ``oci_aws_assume`` once per host against a rate-limited STS (the sandbox's ``sts_rate_limit``):
the playbook and the reading of the sandbox's ``rate_limited`` counters, shared by tests/e2e/test_throttled_fleet.py
and bench/throttle.py (measurement 7)."""

import os
import re
import statistics

PLAYBOOK = """---
# Every host of the inventory exchanges once with oci_aws_assume (local connection); options from the environment.
- name: Throttled fleet
  hosts: fleet
  gather_facts: false
  tasks:
    - name: The exchange
      multicloud.oci_aws.oci_aws_assume:
        domain_url: "{{ lookup('ansible.builtin.env', 'OCI_DOMAIN_URL') }}"
        client_id: "{{ lookup('ansible.builtin.env', 'OCI_AWS_CLIENT_ID') }}"
        client_secret: "{{ lookup('ansible.builtin.env', 'OCI_AWS_CLIENT_SECRET') }}"
        role_arn: "{{ lookup('ansible.builtin.env', 'OCI_AWS_ROLE_ARN') }}"
        timeout: "{{ lookup('ansible.builtin.env', 'OCI_AWS_TIMEOUT') | default(60, true) }}"
      register: assumed
      no_log: true  # the result holds the credentials
    - name: A session of the role
      ansible.builtin.assert:
        that: assumed.access_key is match('ASIA')
        quiet: true
"""


def inventory(hosts):
    return "[fleet]\n" + "".join("host%04d ansible_connection=local\n" % n for n in range(hosts))


def write(directory, hosts):
    """(playbook path, inventory path) in ``directory``."""
    paths = os.path.join(directory, "throttle.yml"), os.path.join(directory, "throttle-%d.ini" % hosts)
    for path, text in zip(paths, (PLAYBOOK, inventory(hosts))):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
    return paths


def hosts_ok(stdout):
    """Hosts of the play recap with no failure and nothing unreachable."""
    return len(re.findall(r"^host\d+ +: ok=2 +changed=\d+ +unreachable=0 +failed=0 ", stdout, re.M))


class Timeline:
    """The sandbox's ``aws.rate_limited`` counters: when each STS call came, admitted or throttled."""

    def __init__(self, counters, bucket=0.1):
        limited = counters["aws"]["rate_limited"]
        self.admitted = limited["admitted"]
        self.throttled = limited["throttled"]
        self.events = limited["events"]
        self.bucket = bucket

    @property
    def span(self):
        """Seconds from the first STS call to the last admitted one."""
        admitted = [t for t, ok in self.events if ok]
        return admitted[-1] - self.events[0][0] if admitted else 0.0

    def histogram(self):
        """Requests per ``bucket`` seconds, from the first to the last: a list of counts."""
        if not self.events:
            return []
        counts = [0] * (int(self.events[-1][0] / self.bucket) + 1)
        for t, _ok in self.events:
            counts[int(t / self.bucket)] += 1
        return counts

    def busiest_at(self):
        """Seconds from the first call to the start of the busiest bucket."""
        counts = self.histogram()
        return counts.index(max(counts)) * self.bucket if counts else 0.0

    def burstiness(self):
        """(largest bucket, the mean of the non-empty ones, share of requests in the busiest 10 % of buckets).
        Lockstep retries pile up in a few buckets; jittered ones spread over all of them."""
        counts = self.histogram()
        busy = [c for c in counts if c]
        if not busy:
            return 0, 0.0, 0.0
        top = sorted(counts, reverse=True)[:max(1, len(counts) // 10)]
        return max(counts), statistics.mean(busy), sum(top) / float(sum(counts))
