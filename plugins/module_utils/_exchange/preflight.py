# -*- coding: utf-8 -*-
# Copyright: contributors to multicloud.oci_aws
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal to multicloud.oci_aws: not a public API, may change without notice.

The preflight of step 7: :class:`Expectations` checks an access token's ``iss``, ``aud`` and
``exp`` as STS will, so a mismatch is reported with its fix before STS refuses it.
"""

from __future__ import annotations
from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import Breakpoint, FIX_APP, FIX_POLICY
from ansible_collections.multicloud.oci_aws.plugins.module_utils._urls import OCI_DEFAULT_ISSUERS
from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.token import utc_iso


REQUIRED_CLAIMS = ("iss", "aud", "sub", "exp", "iat")


class Expectations:
    """What AWS will require of the token: its issuer, its single audience, and that it is valid now.

    ``issuer`` is the URL of the IAM OIDC provider (compared character for character, as STS
    does); ``issuer_option`` names where it came from for messages (``issuer`` or ``domain_url``).
    """

    def __init__(self, issuer, audience, issuer_option="issuer"):
        self.issuer = issuer
        self.audience = audience
        self.issuer_option = issuer_option

    def check(self, token, now):
        claims = token.claims
        for name in REQUIRED_CLAIMS:
            if claims.get(name) is None:
                raise Breakpoint("6", "%s has no %r claim, which STS requires: it is not an access token of an "
                                      "identity domain app; request it with the client credentials grant" % (token.origin, name))
        self._check_issuer(token, claims["iss"])
        self._check_audience(token)
        self._check_lifetime(token, now)

    def _check_issuer(self, token, iss):
        if iss == self.issuer:
            return
        if iss in OCI_DEFAULT_ISSUERS:
            raise Breakpoint(
                "3",
                "the token's issuer is %s, the identity domain's default, but AWS expects %s: the domain does not issue "
                "tokens with that issuer (yet). Either its issuer is not set: %s (domain_url: the domain, issuer: %s); "
                "or it was set moments ago and has not taken effect yet (a new issuer may reach the tokens only after "
                "a delay): run again in a minute" % (iss, self.issuer, FIX_POLICY, self.issuer),
                claim="iss",
            )
        if not isinstance(iss, str) or not iss.startswith("https://"):
            raise Breakpoint(
                "3", "the token's issuer %r is not an https URL, which AWS requires: set the domain's issuer to %s; %s"
                     % (iss, self.issuer, FIX_POLICY), claim="iss")
        raise Breakpoint(
            "3",
            "the token's issuer is %s but AWS expects %s (from %s): they must be identical, character for character "
            "(scheme, port and trailing slash included). Set the domain's issuer to %s (%s), or, if the IAM OIDC "
            "provider is registered for %s, set issuer to that" % (iss, self.issuer, self.issuer_option, self.issuer,
                                                                   FIX_POLICY, iss),
            claim="iss",
        )

    def _check_audience(self, token):
        audiences = token.audiences()
        if len(audiences) != 1:
            raise Breakpoint(
                "2.1",
                "the token has %d audiences (%s); the collection sends only a token with exactly one, %s (AWS documents a "
                "single aud and not how STS treats an array): the app has secondary audiences, or the "
                "scope requested names several resources; %s (it removes secondary audiences) and request only the scope "
                "%s/" % (len(audiences), ", ".join(str(a) for a in audiences), self.audience, FIX_APP, self.audience),
                claim="aud",
            )
        if audiences[0] != self.audience:
            raise Breakpoint(
                "2.1",
                "the token's audience is %r but AWS expects %r: the app's primary audience, the IAM OIDC provider's "
                "client IDs and the trust policy's aud condition must all be the same; %s with audience: %s, or, if AWS "
                "is set up for %r, set audience to that" % (audiences[0], self.audience, FIX_APP, self.audience, audiences[0]),
                claim="aud",
            )
        azp = token.claims.get("azp")
        if azp is not None and azp != self.audience:
            raise Breakpoint(
                "2.1", "the token has an azp claim %r, which STS matches against the provider's client IDs instead of "
                       "aud (%r); request the token as the app whose audience is %s" % (azp, self.audience, self.audience),
                claim="azp")

    def _check_lifetime(self, token, now):
        exp = token.expires_at
        if exp is None:
            raise Breakpoint("6", "%s has an exp claim that is not an integer; STS requires integer timestamps" % token.origin)
        if exp <= now:
            raise Breakpoint(
                "6",
                "%s expired at %s (it is %s here): get a fresh token (identity domain tokens last an hour unless the app "
                "says otherwise); if it was just issued, the clock of this host or of the domain is wrong"
                % (token.origin, utc_iso(exp), utc_iso(now)),
                claim="exp",
            )
