"""Request counters and fault injection, as WSGI middleware in front of each emulated cloud.

Every request is named by an *endpoint key* and a *kind*:
- OCI: ``"<METHOD> <path template>"`` (``GET /admin/v1/Apps/{id}``), kind ``read`` (GET, HEAD,
  ``/.search``), ``token`` (``POST /oauth2/v1/token``) or ``write``.
- AWS: ``"<service>:<Action>"`` (``iam:CreateRole``, ``sts:AssumeRoleWithWebIdentity``) for the
  query APIs, ``"s3:<METHOD> bucket|object"`` for S3; kind ``read`` (Get*, List*, Describe*,
  GET/HEAD on S3), ``sts`` (STS calls) or ``write``.

Faults are rules matched against the endpoint key (``fnmatch`` patterns): answer a status with the
real service's error body (and ``Retry-After`` where it sends one), delay the request, or process
it and then drop the connection (the answer is lost, the change is made).
"""

import fnmatch
import io
import json
import random
import re
import socket
import threading
import time
import urllib.parse
from collections import Counter

OCI_ID_SEGMENT = re.compile(r"^(/admin/v1/(?:Apps|AppStatusChanger|Settings))/(?!\.search$)[^/]+$")
SIGV4_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/([^/]+)/([^/]+)/aws4_request")
READ_ACTION = re.compile(r"^(Get|List|Describe|Head)")


def oci_endpoint(environ):
    method = environ["REQUEST_METHOD"]
    path = environ.get("PATH_INFO", "")
    template = OCI_ID_SEGMENT.sub(r"\1/{id}", path)
    if path == "/oauth2/v1/token":
        kind = "token"
    elif method in ("GET", "HEAD") or path.endswith("/.search"):
        kind = "read"
    else:
        kind = "write"
    return "%s %s" % (method, template), kind


def read_body(environ) -> bytes:
    """Read the request body once and put it back for the next WSGI layer."""
    cached = environ.get("sandbox.body")
    if cached is not None:
        return cached
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    body = environ["wsgi.input"].read(length) if length > 0 else b""
    environ["wsgi.input"] = io.BytesIO(body)
    environ["sandbox.body"] = body
    return body


def aws_action(environ):
    """(service, action) of an AWS query-protocol request, or (service, None)."""
    service = None
    match = SIGV4_SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
    if match:
        service = match.group(2)
    action = None
    query = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""))
    if "Action" in query:
        action = query["Action"][0]
    elif environ["REQUEST_METHOD"] == "POST" and "x-www-form-urlencoded" in environ.get("CONTENT_TYPE", ""):
        form = urllib.parse.parse_qs(read_body(environ).decode("utf-8", "replace"))
        if "Action" in form:
            action = form["Action"][0]
    if service is None and action and action.startswith(("AssumeRole", "GetCallerIdentity", "GetSessionToken")):
        service = "sts"
    return service, action


def aws_endpoint(environ):
    service, action = aws_action(environ)
    method = environ["REQUEST_METHOD"]
    if action:
        key = "%s:%s" % (service or "unknown", action)
        if service == "sts":
            kind = "sts"
        elif READ_ACTION.match(action):
            kind = "read"
        else:
            kind = "write"
        return key, kind
    path = environ.get("PATH_INFO", "/").strip("/")
    target = "object" if "/" in path else ("bucket" if path else "service")
    key = "%s:%s %s" % (service or "s3", method, target)
    return key, ("read" if method in ("GET", "HEAD") else "write")


OCI_FAULT_BODIES = {
    429: ("Too many requests. Please retry after some time.", True),
    500: ("An internal error occurred.", False),
    502: ("Bad gateway.", False),
    503: ("The service is temporarily unavailable. Please retry after some time.", True),
    504: ("Gateway timeout.", False),
}

AWS_FAULT_CODES = {
    # status -> (HTTP status actually sent, Code, Message, Type). Query-protocol AWS APIs answer
    # throttling with HTTP 400 and code Throttling; a 429 rule is sent as that.
    400: (400, "Throttling", "Rate exceeded", "Sender"),
    429: (400, "Throttling", "Rate exceeded", "Sender"),
    500: (500, "InternalFailure", "We encountered an internal error. Please try again.", "Receiver"),
    502: (502, "ServiceUnavailable", "Service is unable to handle request.", "Receiver"),
    503: (503, "ServiceUnavailable", "Service is unable to handle request.", "Receiver"),
    504: (504, "ServiceUnavailable", "Service is unable to handle request.", "Receiver"),
}


class RateLimit:
    """A token bucket: ``per_second`` requests a second on average, ``burst`` at once (the real services'
    throttles are undocumented token buckets; AWS describes its EC2 API throttling as one, "bucket size" and
    "refill rate", EC2 API reference, throttling.html). ``retry_after`` (seconds, or None) is sent as a
    ``Retry-After`` header with each refusal; neither STS nor OCI documents one, so the default sends none."""

    def __init__(self, spec, monotonic=time.monotonic):
        if not isinstance(spec, dict) or set(spec) - {"per_second", "burst", "retry_after"}:
            raise ValueError("a rate limit is {\"per_second\": R, \"burst\": B, \"retry_after\": s}: got %r" % (spec,))
        self.per_second = float(spec.get("per_second") or 0)
        self.burst = float(spec.get("burst", 1))
        if self.per_second <= 0 or self.burst < 1:
            raise ValueError("per_second must be > 0 and burst >= 1: got %r" % (spec,))
        self.retry_after = spec.get("retry_after")
        self.spec = dict(spec)
        self._monotonic = monotonic
        self.tokens = self.burst
        self.at = monotonic()

    def admit(self):
        now = self._monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.per_second)
        self.at = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


def check_rate_limit(value):
    """``None`` (off) or a valid :class:`RateLimit` spec, else ValueError (``POST /config`` answers 400)."""
    if value is not None:
        RateLimit(value)
    return value


# (cloud, kind) -> the switch that limits it: STS calls (aws) and token requests (oci).
RATE_LIMITED = {("aws", "sts"): "sts_rate_limit", ("oci", "token"): "token_rate_limit"}


class FaultRule:
    """One fault rule. ``count`` None means unlimited; ``probability`` < 1 samples requests."""

    _ids = iter(range(1, 1 << 30))

    def __init__(self, spec: dict):
        self.id = next(self._ids)
        self.cloud = spec.get("cloud", "*")
        self.endpoint = spec.get("endpoint", "*")
        self.mode = spec.get("mode") or ("status" if spec.get("status") else "delay")
        if self.mode not in ("status", "delay", "lose_response"):
            raise ValueError("mode must be status, delay or lose_response")
        self.status = int(spec.get("status") or 0)
        if self.mode == "status" and self.status not in OCI_FAULT_BODIES and self.status not in AWS_FAULT_CODES:
            raise ValueError("status must be one of 400, 429, 500, 502, 503, 504")
        self.retry_after = spec.get("retry_after")
        self.delay = float(spec.get("delay") or 0)
        count = spec.get("count")
        self.remaining = None if count is None else int(count)
        self.probability = float(spec.get("probability", 1.0))
        self.random = random.Random(spec.get("seed"))
        self.fired = 0

    def matches(self, cloud, key):
        return fnmatch.fnmatchcase(cloud, self.cloud) and fnmatch.fnmatchcase(key, self.endpoint)

    def describe(self):
        return {
            "id": self.id, "cloud": self.cloud, "endpoint": self.endpoint, "mode": self.mode,
            "status": self.status, "retry_after": self.retry_after, "delay": self.delay,
            "remaining": self.remaining, "probability": self.probability, "fired": self.fired,
        }


class Instruments:
    """Counters and fault rules shared by both clouds (one per sandbox)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.counts = {"oci": Counter(), "aws": Counter()}
        self.kinds = {"oci": {}, "aws": {}}
        self.faults_fired = {"oci": Counter(), "aws": Counter()}
        self.rules = []
        self.limits = {}
        self.rate_started = None
        self.rate_events = {"oci": [], "aws": []}

    def reset_counters(self):
        with self.lock:
            for cloud in self.counts:
                self.counts[cloud].clear()
                self.faults_fired[cloud].clear()
                self.rate_events[cloud] = []
            self.rate_started = None
            self.limits = {}

    def throttle(self, cloud, kind, options):
        """The :class:`RateLimit` that refuses this request, or None (admitted, or no limit set).

        Each limited request is recorded as ``[seconds since the first limited request, admitted]`` in
        the counters' ``rate_limited`` section, for histograms of when hosts (re)try."""
        switch = RATE_LIMITED.get((cloud, kind))
        spec = options.get(switch) if switch else None
        if spec is None:
            return None
        with self.lock:
            limit = self.limits.get(cloud)
            if limit is None or limit.spec != spec:
                limit = self.limits[cloud] = RateLimit(spec)
            admitted = limit.admit()
            now = time.monotonic()
            if self.rate_started is None:
                self.rate_started = now
            self.rate_events[cloud].append([round(now - self.rate_started, 4), admitted])
            if not admitted:
                self.faults_fired[cloud][switch] += 1
            return None if admitted else limit

    def clear_faults(self):
        with self.lock:
            self.rules = []

    def add_fault(self, spec):
        rule = FaultRule(spec)
        with self.lock:
            self.rules.append(rule)
        return rule.describe()

    def snapshot(self):
        with self.lock:
            out = {}
            for cloud, counts in self.counts.items():
                summary = Counter()
                for key, number in counts.items():
                    summary[self.kinds[cloud][key]] += number
                out[cloud] = {
                    "endpoints": dict(sorted(counts.items())),
                    "kinds": {key: self.kinds[cloud][key] for key in sorted(counts)},
                    "summary": dict(summary),
                    "total": sum(counts.values()),
                    "faults_injected": dict(self.faults_fired[cloud]),
                }
                events = self.rate_events[cloud]
                out[cloud]["rate_limited"] = {
                    "admitted": sum(1 for _t, ok in events if ok),
                    "throttled": sum(1 for _t, ok in events if not ok),
                    "events": [list(e) for e in events],
                }
            out["faults"] = [rule.describe() for rule in self.rules]
            return out

    def record(self, cloud, key, kind):
        """Count one request and return the fault rule to apply to it, if any."""
        with self.lock:
            self.counts[cloud][key] += 1
            self.kinds[cloud][key] = kind
            for rule in self.rules:
                if rule.remaining == 0 or not rule.matches(cloud, key):
                    continue
                if rule.probability < 1.0 and rule.random.random() >= rule.probability:
                    continue
                if rule.remaining is not None:
                    rule.remaining -= 1
                rule.fired += 1
                self.faults_fired[cloud][key] += 1
                return rule
            return None


def _drop_connection(environ):
    sock = environ.get("werkzeug.socket")
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


class _Throttled:
    """A refusal of a :class:`RateLimit`, answered as a 429 fault rule is (OCI: 429; STS: 400 Throttling)."""

    id = 0
    status = 429

    def __init__(self, limit):
        self.retry_after = limit.retry_after
        self.fired = next(_THROTTLED_IDS)


_THROTTLED_IDS = iter(range(1, 1 << 62))


class ConnectionDropped(Exception):
    """Raised after the socket was shut down so that the server writes nothing more."""


class InstrumentedApp:
    """WSGI middleware: count, then apply a matching fault rule, then call the cloud's app."""

    def __init__(self, app, cloud, instruments: Instruments, endpoint_of):
        self.app = app
        self.cloud = cloud
        self.instruments = instruments
        self.endpoint_of = endpoint_of

    def __call__(self, environ, start_response):
        key, kind = self.endpoint_of(environ)
        environ["sandbox.endpoint"] = key
        rule = self.instruments.record(self.cloud, key, kind)
        limit = self.instruments.throttle(self.cloud, kind, getattr(self.app, "options", {}))
        if limit is not None:
            return self._fault_response(_Throttled(limit), start_response)
        if rule is None:
            return self.app(environ, start_response)
        if rule.delay and rule.mode != "lose_response":
            time.sleep(rule.delay)
        if rule.mode == "delay":
            return self.app(environ, start_response)
        if rule.mode == "lose_response":
            # Process the request fully (the change is made), then lose the answer.
            body = b"".join(self.app(environ, lambda *a, **k: None))
            del body
            if rule.delay:
                time.sleep(rule.delay)
            _drop_connection(environ)
            raise ConnectionDropped("answer dropped by fault rule %d" % rule.id)
        return self._fault_response(rule, start_response)

    def _fault_response(self, rule, start_response):
        headers = []
        if self.cloud == "oci":
            detail, sends_retry_after = OCI_FAULT_BODIES.get(rule.status, ("Error.", False))
            status = rule.status
            body = json.dumps(
                {
                    "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
                    "detail": detail,
                    "status": str(status),
                }
            ).encode()
            headers.append(("Content-Type", "application/scim+json"))
            headers.append(("opc-request-id", "sandbox-fault-%d-%d" % (rule.id, rule.fired)))
            if sends_retry_after and rule.retry_after is not None:
                headers.append(("Retry-After", str(rule.retry_after)))
        else:
            status, code, message, err_type = AWS_FAULT_CODES[rule.status]
            request_id = "sandbox-fault-%d-%d" % (rule.id, rule.fired)
            body = (
                '<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>%s</Type>'
                "<Code>%s</Code><Message>%s</Message></Error><RequestId>%s</RequestId></ErrorResponse>"
                % (err_type, code, message, request_id)
            ).encode()
            headers.append(("Content-Type", "text/xml"))
            headers.append(("x-amzn-RequestId", request_id))
            if rule.retry_after is not None:
                headers.append(("Retry-After", str(rule.retry_after)))
        headers.append(("Content-Length", str(len(body))))
        reason = {400: "Bad Request", 429: "Too Many Requests", 500: "Internal Server Error",
                  502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"}.get(status, "Error")
        start_response("%d %s" % (status, reason), headers)
        return [body]
