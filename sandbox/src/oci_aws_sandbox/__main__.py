"""python -m oci_aws_sandbox {up|down|status|serve} --dir DIR [--profile default|pessimistic]"""

import argparse
import logging
import os
import signal
import sys
import threading

from . import handle as handle_mod
from . import profiles


def serve(directory, profile=None):
    from .server import Sandbox

    logging.basicConfig(level=os.environ.get("SANDBOX_LOG_LEVEL", "WARNING"), format="%(asctime)s %(name)s %(message)s")
    sandbox = Sandbox(directory, profile=profile).start()
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    signal.signal(signal.SIGINT, lambda *_: stopped.set())
    print("sandbox serving: OCI %s, AWS %s, control %s" % (sandbox.oci_url, sandbox.aws_url, sandbox.control_url), flush=True)
    stopped.wait()
    sandbox.stop()
    try:
        os.unlink(os.path.join(sandbox.directory, "state.json"))
    except FileNotFoundError:
        pass
    return 0


def up(directory, profile=None):
    running = handle_mod.attach(directory)
    if running:
        print("sandbox already running (pid %s); settings in %s/env" % (running.state["pid"], running.directory))
        if profile:
            profiles.apply(running, profile)
            print("  switches of profile %s set (until the next reset)" % profile)
        return 0
    sandbox = handle_mod.start(directory, detach=True, profile=profile)
    rel = os.path.relpath(sandbox.directory)
    print("sandbox up (pid %s)" % sandbox.state["pid"])
    print("  OCI identity domain  %s  (%s)" % (sandbox.domain_url, sandbox.env["OCI_DOMAIN_ID"]))
    print("  AWS IAM/STS/S3       %s" % sandbox.aws_endpoint)
    print("  control              %s" % sandbox.control_url)
    if profile:
        print("  profile              %s (kept across resets)" % profile)
    print("  client settings      . %s/env   or   -e @%s/vars.yml" % (rel, rel))
    return 0


def down(directory, profile=None):
    running = handle_mod.attach(directory)
    if not running:
        print("no sandbox running in %s" % directory)
        return 0
    running.stop()
    for name in ("env", "vars.yml", "state.json"):
        try:
            os.unlink(os.path.join(running.directory, name))
        except FileNotFoundError:
            pass
    print("sandbox stopped")
    return 0


def status(directory, profile=None):
    running = handle_mod.attach(directory)
    if not running:
        print("no sandbox running in %s" % directory)
        return 1
    print("sandbox running (pid %s): OCI %s, AWS %s, control %s" % (
        running.state["pid"], running.domain_url, running.aws_endpoint, running.control_url))
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m oci_aws_sandbox")
    parser.add_argument("command", choices=["up", "down", "status", "serve"])
    parser.add_argument("--dir", default=".sandbox", help="state directory (default: .sandbox)")
    parser.add_argument("--profile", choices=sorted(profiles.PROFILES), default=None,
                        help="behaviour switches set at start and after every reset (sandbox/README.md)")
    args = parser.parse_args(argv)
    return {"up": up, "down": down, "status": status, "serve": serve}[args.command](args.dir, args.profile)


if __name__ == "__main__":
    sys.exit(main())
