"""python -m oci_aws_sandbox {up|down|status|serve} --dir DIR [--profile default|pessimistic]
[--domain-host HOST [--domain-alias HOST]...] [--oci-port PORT]"""

import argparse
import logging
import os
import signal
import sys
import threading

from . import handle as handle_mod
from . import profiles


def serve(directory, profile=None, domain_host=None, oci_port=0, domain_aliases=()):
    from .server import Sandbox

    logging.basicConfig(level=os.environ.get("SANDBOX_LOG_LEVEL", "WARNING"), format="%(asctime)s %(name)s %(message)s")
    sandbox = Sandbox(directory, oci_port=oci_port, domain_host=domain_host, domain_aliases=domain_aliases,
                      profile=profile).start()
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


def up(directory, profile=None, domain_host=None, oci_port=0, domain_aliases=()):
    running = handle_mod.attach(directory)
    if running:
        print("sandbox already running (pid %s); settings in %s/env" % (running.state["pid"], running.directory))
        if profile:
            profiles.apply(running, profile)
            print("  switches of profile %s set (until the next reset)" % profile)
        return 0
    sandbox = handle_mod.start(directory, detach=True, domain_host=domain_host, oci_port=oci_port,
                               domain_aliases=domain_aliases, profile=profile)
    rel = os.path.relpath(sandbox.directory)
    print("sandbox up (pid %s)" % sandbox.state["pid"])
    print("  OCI identity domain  %s  (%s)" % (sandbox.domain_url, sandbox.env["OCI_DOMAIN_ID"]))
    print("  AWS IAM/STS/S3       %s" % sandbox.aws_endpoint)
    print("  control              %s" % sandbox.control_url)
    if profile:
        print("  profile              %s (kept across resets)" % profile)
    print("  client settings      . %s/env   or   -e @%s/vars.yml" % (rel, rel))
    return 0


def down(directory, **_):
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


def status(directory, **_):
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
    parser.add_argument("--domain-host", default=None, metavar="HOST",
                        help="the identity domain's host name, e.g. idcs-<32 hex>.identity.oraclecloud.com (its first "
                             "label becomes the domain id); it must resolve to 127.0.0.1, which is the caller's part "
                             "(default: the domain is https://127.0.0.1:<port>)")
    parser.add_argument("--domain-alias", action="append", default=[], metavar="HOST", dest="domain_aliases",
                        help="another name of the same domain for the TLS certificate, e.g. its Regional URL's host "
                             "(repeatable; it must resolve to 127.0.0.1 too)")
    parser.add_argument("--oci-port", default=0, type=int, metavar="PORT",
                        help="the identity domain's port; 443 gives a URL without a port (default: a free port)")
    parser.add_argument("--profile", choices=sorted(profiles.PROFILES), default=None,
                        help="behaviour switches set at start and after every reset (sandbox/README.md)")
    args = parser.parse_args(argv)
    from .server import check_domain_host
    try:
        args.domain_host = check_domain_host(args.domain_host) if args.domain_host is not None else None
        args.domain_aliases = [check_domain_host(host) for host in args.domain_aliases]
    except ValueError as exc:
        parser.error(str(exc))
    if not 0 <= args.oci_port <= 65535:
        parser.error("--oci-port must be 0 (a free port) to 65535: got %d" % args.oci_port)
    return {"up": up, "down": down, "status": status, "serve": serve}[args.command](
        args.dir, profile=args.profile, domain_host=args.domain_host, oci_port=args.oci_port, domain_aliases=args.domain_aliases)


if __name__ == "__main__":
    sys.exit(main())
