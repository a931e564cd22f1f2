"""The control API (SANDBOX_CONTROL_URL): counters, faults, clock, behaviour switches, reset.

    GET    /health            {"status": "ok", ...}
    GET    /counters          per-cloud endpoint counts, kinds, summary by kind, faults fired
    POST   /counters/reset
    GET    /faults            active fault rules
    POST   /faults            add a rule: {"cloud": "oci"|"aws", "endpoint": "<fnmatch pattern>",
                              "mode": "status"|"delay"|"lose_response", "status": 429|500|503|...,
                              "retry_after": s, "delay": s, "count": n (omit: unlimited),
                              "probability": 0..1, "seed": n}
    DELETE /faults            remove every rule
    GET    /clock, POST /clock  {"offset": seconds}: shift the time both clouds see
    GET    /config, POST /config  {"oci": {...}, "aws": {...}}: behaviour switches for answers that
                              the reference notes leave open (see each cloud's OPTIONS and
                              sandbox/README.md), e.g. {"aws": {"iam_propagation_seconds": 8}}:
                              STS and IAM reads see IAM writes 8 s (sandbox clock) after them
    POST   /iam/settle        set-up back door: every IAM write made so far visible to STS and IAM reads
                              now, whatever iam_propagation_seconds says (real IAM has none; for the
                              sandbox's own set-up and tests that arrange IAM with boto3, never the
                              collection); answers {"settled": <entities that had writes pending>}
    POST   /reset             everything back to a fresh sandbox (state, counters, faults, clock, config)
"""

import json

from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response


def _json(data, status=200):
    return Response(json.dumps(data, indent=1, sort_keys=True), status=status, mimetype="application/json")


class ControlApp:
    def __init__(self, sandbox):
        self.sandbox = sandbox
        self.urls = Map(
            [
                Rule("/health", endpoint="health", methods=["GET"]),
                Rule("/counters", endpoint="counters", methods=["GET"]),
                Rule("/counters/reset", endpoint="counters_reset", methods=["POST"]),
                Rule("/faults", endpoint="faults", methods=["GET", "POST", "DELETE"]),
                Rule("/clock", endpoint="clock", methods=["GET", "POST"]),
                Rule("/config", endpoint="config", methods=["GET", "POST"]),
                Rule("/iam/settle", endpoint="iam_settle", methods=["POST"]),
                Rule("/reset", endpoint="reset", methods=["POST"]),
            ]
        )

    def __call__(self, environ, start_response):
        request = Request(environ)
        try:
            endpoint, _args = self.urls.bind_to_environ(environ).match()
            response = getattr(self, "on_" + endpoint)(request)
        except (NotFound, MethodNotAllowed) as exc:
            response = _json({"error": exc.name}, exc.code)
        except HTTPException as exc:
            response = _json({"error": exc.description}, exc.code or 400)
        except (ValueError, TypeError, KeyError) as exc:
            response = _json({"error": str(exc)}, 400)
        return response(environ, start_response)

    def on_health(self, request):
        return _json(self.sandbox.describe())

    def on_counters(self, request):
        return _json(self.sandbox.instruments.snapshot())

    def on_counters_reset(self, request):
        self.sandbox.instruments.reset_counters()
        return _json({"reset": True})

    def on_faults(self, request):
        if request.method == "POST":
            spec = request.get_json(force=True)
            specs = spec if isinstance(spec, list) else [spec]
            return _json({"added": [self.sandbox.instruments.add_fault(s) for s in specs]}, 201)
        if request.method == "DELETE":
            self.sandbox.instruments.clear_faults()
            return _json({"cleared": True})
        return _json(self.sandbox.instruments.snapshot()["faults"])

    def on_clock(self, request):
        if request.method == "POST":
            self.sandbox.clock.set_offset(float(request.get_json(force=True)["offset"]))
        return _json({"offset": self.sandbox.clock.offset, "now": self.sandbox.clock.now()})

    def on_config(self, request):
        if request.method == "POST":
            self.sandbox.configure(request.get_json(force=True))
        return _json(self.sandbox.options())

    def on_iam_settle(self, request):
        return _json({"settled": self.sandbox.aws.settle_iam()})

    def on_reset(self, request):
        self.sandbox.reset()
        return _json({"reset": True})
