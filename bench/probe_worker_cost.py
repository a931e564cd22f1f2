"""Probe for measurement 1's bound: what one evaluation of the lookup costs in a fresh worker process.

``ansible-playbook`` forks one worker process per host and task; each evaluates the task's
templates afresh. This probe sets up templating as the controller's main process has it, then
forks ``forks`` children per scenario, each evaluating one template once (a cache hit), and
reports the medians of:

- ``total``: the whole evaluation of the template;
- ``get``: Ansible loading the plugin (``lookup_loader.get``), of which ``config`` is reading
  the plugin's DOCUMENTATION and doc fragments (YAML) into option definitions and ``source`` is
  compiling and executing its module source (collection code is compiled from source, no .pyc);
- ``run``: the lookup's ``run`` (options, cache key, cache read).

Scenarios: ``cold`` (the plugin not loaded in the parent: what a worker of ansible-playbook
sees), ``preloaded`` (the parent loaded the plugin before forking) and ``builtin``
(``ansible.builtin.env``, loaded in the parent: what templating any lookup costs per worker).
"""

import os
import statistics
import time

from bench.inprocess import LOOKUP, Controller, Timers, answer, configure_environment, read_config

FIELDS = ("total", "get", "config", "source", "run")


def in_children(count, work):
    """Run ``work()`` in ``count`` forked children, one after the other; their answers."""
    answers = []
    for _child in range(count):
        reader, writer = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: one evaluation, its timings down the pipe, then out without cleanup
            os.close(reader)
            try:
                os.write(writer, (",".join("%.9f" % v for v in work())).encode())
            finally:
                os._exit(0)
        os.close(writer)
        with os.fdopen(reader, "rb") as handle:
            data = handle.read().decode()
        os.waitpid(pid, 0)
        if not data:
            raise RuntimeError("a forked evaluation failed")
        answers.append([float(v) for v in data.split(",")])
    return dict((name, statistics.median(a[i] for a in answers)) for i, name in enumerate(FIELDS))


def main():
    config = read_config()
    configure_environment(config)
    controller = Controller(config["collections"])
    controller.warm_templating()
    timers = Timers()
    expression = "{{ lookup('%s') }}" % LOOKUP

    def evaluate(template):
        def work():
            timers.reset()
            started = time.perf_counter()
            controller.evaluate(template)
            total = time.perf_counter() - started
            return total, timers.get_seconds, timers.config_seconds, timers.source_seconds, timers.run_seconds
        return work

    forks = config["forks"]
    results = {"forks": forks}
    results["cold"] = in_children(forks, evaluate(expression))
    results["builtin"] = in_children(forks, evaluate("{{ lookup('ansible.builtin.env', 'HOME') }}"))
    # What a controller that loaded the plugin before forking would give its workers.
    timers.loader.get(LOOKUP)
    results["preloaded"] = in_children(forks, evaluate(expression))
    answer(results)


if __name__ == "__main__":
    main()
