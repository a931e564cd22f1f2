"""Probe for measurement 2, in a fresh interpreter: the lookup answered from its cache, 10,000 times.

``mode: prime`` evaluates the lookup once (a miss: the exchange fills the cache) and exits.
``mode: measure`` evaluates it ``evaluations`` times through Ansible's Templar, timing each
evaluation whole and the lookup's own part of it (``lookup_loader.get`` + ``run``), then says
which SDKs the process imported. No credential leaves the process: only timings are printed.
"""

import sys
import time

from bench.inprocess import Controller, Timers, answer, configure_environment, heavy_modules, read_config


def main():
    config = read_config()
    configure_environment(config)
    before = set(sys.modules)
    controller = Controller(config["collections"])
    if config["mode"] == "prime":
        controller.evaluate()
        answer({"primed": True})
        return
    controller.warm_templating()
    timers = Timers()
    first_started = time.perf_counter()
    result = controller.evaluate()
    first = time.perf_counter() - first_started
    shape_ok = isinstance(result, dict) and str(result.get("access_key", "")).startswith("ASIA")
    total, own, run = [], [], []
    for _evaluation in range(config["evaluations"]):
        timers.reset()
        started = time.perf_counter()
        controller.evaluate()
        total.append(time.perf_counter() - started)
        own.append(timers.own_seconds)
        run.append(timers.run_seconds)
    loaded = sorted(name for name in set(sys.modules) - before
                    if name.startswith("ansible_collections.multicloud.oci_aws"))
    answer({"first": first, "total": total, "own": own, "run": run, "answer_shape_ok": shape_ok,
            "heavy_modules": heavy_modules(), "collection_modules": loaded})


if __name__ == "__main__":
    main()
