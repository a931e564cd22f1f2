"""The AWS query protocol as IAM and STS speak it: request parameters, parameter validation, and
the XML of answers and errors.

Shapes followed:
- Errors: ``<ErrorResponse xmlns="<service namespace>"><Error><Type>Sender</Type><Code>..</Code>
  <Message>..</Message></Error><RequestId>..</RequestId></ErrorResponse>`` with ``text/xml`` and an
  ``x-amzn-RequestId`` header (a raw STS error body is quoted in
  https://github.com/awslabs/aws-sdk-rust/issues/827 and
  https://github.com/mozilla-iam/mozilla-aws-cli/issues/146).
- Parameter validation failures: ``ValidationError`` with ``N validation error(s) detected: ...``,
  each violation ``Value '<v>' at '<member>' failed to satisfy constraint: Member must ...``; the
  value is left out for members the API model marks sensitive (``Value at 'webIdentityToken'``,
  seen in a real STS answer) and written ``null`` for a missing required member.
"""

import re
import urllib.parse
import uuid
from dataclasses import dataclass
from typing import Callable, Mapping, Optional
from xml.sax.saxutils import escape

from .instrument import read_body

STS_NAMESPACE = "https://sts.amazonaws.com/doc/2011-06-15/"
IAM_NAMESPACE = "https://iam.amazonaws.com/doc/2010-05-08/"

_REASONS = {200: "OK", 400: "Bad Request", 403: "Forbidden", 404: "Not Found", 409: "Conflict",
            500: "Internal Server Error"}


class AwsError(Exception):
    """An error answer: code, message and HTTP status (the fault type is always Sender here)."""

    def __init__(self, code: str, message: str, status: int = 400):
        super().__init__("%s: %s" % (code, message))
        self.code = code
        self.message = message
        self.status = status


def request_parameters(environ) -> dict:
    """The query-protocol parameters of a request: query string, then the form body on top."""
    params = {k: v[0] for k, v in urllib.parse.parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True).items()}
    if environ.get("REQUEST_METHOD") == "POST" and "x-www-form-urlencoded" in environ.get("CONTENT_TYPE", ""):
        body = read_body(environ).decode("utf-8", "replace")
        params.update({k: v[0] for k, v in urllib.parse.parse_qs(body, keep_blank_values=True).items()})
    return params


@dataclass(frozen=True)
class Member:
    """One request member and the constraints of the API model (botocore's service-2.json)."""

    param: str  # query parameter name, e.g. RoleSessionName
    required: bool = False
    min_length: Optional[int] = None
    max_length: Optional[int] = None
    pattern: Optional[str] = None
    min_value: Optional[int] = None
    max_value: Optional[int] = None
    sensitive: bool = False

    @property
    def field(self) -> str:
        """The member name as validation messages write it (lower camel case)."""
        return self.param[0].lower() + self.param[1:]

    def _violation(self, value, constraint: str) -> str:
        shown = "Value at" if self.sensitive else "Value %s at" % ("null" if value is None else "'%s'" % value)
        return "%s '%s' failed to satisfy constraint: Member must %s" % (shown, self.field, constraint)

    def violations(self, value: Optional[str]) -> list:
        if value is None:
            return [self._violation(None, "not be null")] if self.required else []
        found = []
        if self.min_length is not None and len(value) < self.min_length:
            found.append(self._violation(value, "have length greater than or equal to %d" % self.min_length))
        if self.max_length is not None and len(value) > self.max_length:
            found.append(self._violation(value, "have length less than or equal to %d" % self.max_length))
        if self.pattern is not None and not re.fullmatch(self.pattern, value, re.ASCII):
            found.append(self._violation(value, "satisfy regular expression pattern: %s" % self.pattern))
        if self.min_value is not None or self.max_value is not None:
            try:
                number = int(value)
            except ValueError:
                return found + [self._violation(value, "be a valid integer")]
            if self.min_value is not None and number < self.min_value:
                found.append(self._violation(value, "have value greater than or equal to %d" % self.min_value))
            if self.max_value is not None and number > self.max_value:
                found.append(self._violation(value, "have value less than or equal to %d" % self.max_value))
        return found


def validate(params: Mapping[str, str], members) -> None:
    """Raise the ``ValidationError`` that lists every constraint `params` violates, if any."""
    found = [v for member in members for v in member.violations(params.get(member.param))]
    if found:
        plural = "" if len(found) == 1 else "s"
        raise AwsError("ValidationError", "%d validation error%s detected: %s" % (len(found), plural, "; ".join(found)))


def xml_text(value) -> str:
    return escape(str(value))


def _respond(start_response: Callable, status: int, body: str, request_id: str):
    data = body.encode("utf-8")
    start_response(
        "%d %s" % (status, _REASONS.get(status, "Error")),
        [("Content-Type", "text/xml"), ("x-amzn-RequestId", request_id), ("Content-Length", str(len(data)))],
    )
    return [data]


def error_response(start_response: Callable, error: AwsError, namespace: str):
    request_id = str(uuid.uuid4())
    body = (
        '<ErrorResponse xmlns="%s">\n  <Error>\n    <Type>Sender</Type>\n    <Code>%s</Code>\n'
        "    <Message>%s</Message>\n  </Error>\n  <RequestId>%s</RequestId>\n</ErrorResponse>\n"
        % (namespace, xml_text(error.code), xml_text(error.message), request_id)
    )
    return _respond(start_response, error.status, body, request_id)


def result_response(start_response: Callable, action: str, namespace: str, result_xml: Optional[str]):
    """``<ActionResponse>`` with ``<ActionResult>`` (when `result_xml` is not None) and metadata."""
    request_id = str(uuid.uuid4())
    result = "" if result_xml is None else "  <%sResult>\n%s  </%sResult>\n" % (action, result_xml, action)
    body = (
        '<%sResponse xmlns="%s">\n%s  <ResponseMetadata>\n    <RequestId>%s</RequestId>\n'
        "  </ResponseMetadata>\n</%sResponse>\n" % (action, namespace, result, request_id, action)
    )
    return _respond(start_response, 200, body, request_id)
