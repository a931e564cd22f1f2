"""A tiny HTTPS OpenID Connect issuer for tests: discovery document, JWKS and token minting.

It lets tests exercise the AWS gate without the emulated OCI domain, and misbehave in ways a real
issuer can (JWKS answering 401 or 503, slow answers, an untrusted certificate, a discovery
document without ``jwks_uri``). By default it serves with the sandbox's TLS certificate, which the
AWS half trusts through the sandbox CA.

    with OidcIssuer(ensure_keys(sandbox.directory)) as issuer:
        token = issuer.mint(aud="sts.amazon.com", sub="client")

Behaviour is changed through attributes (read on every request; `reset()` restores them):
`jwks_status`, `discovery_status`, `delay`, `discovery` (extra or replaced discovery fields, ``None``
values remove a field), `published` (the kids the JWKS lists).
"""

import json
import ssl
import threading
import time

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from .pki import SandboxKeys

HOST = "127.0.0.1"


class OidcIssuer:
    def __init__(self, keys: SandboxKeys, *, path: str = "", cert_path: str = None, key_path: str = None):
        self._tls = (cert_path or keys.server_cert_path, key_path or keys.server_key_path)
        self.path = path
        self.signing_keys = {
            "rsa-1": ("RS256", rsa.generate_private_key(public_exponent=65537, key_size=2048)),
            "ec-1": ("ES256", ec.generate_private_key(ec.SECP256R1())),
        }
        self.reset()
        self._server = None
        self._thread = None

    def reset(self) -> None:
        """Behave well again: every key published, every document served."""
        self.published = set(self.signing_keys)
        self.jwks_status = 200
        self.discovery_status = 200
        self.discovery = {}
        self.delay = 0.0

    # -- lifecycle -------------------------------------------------------------------------------
    def start(self) -> "OidcIssuer":
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(*self._tls)
        self._server = make_server(HOST, 0, self._app, threaded=True, ssl_context=context)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="oidc-issuer", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def url(self) -> str:
        """The issuer (token ``iss``, IAM provider URL)."""
        return "https://%s:%d%s" % (HOST, self._server.server_port, self.path)

    # -- tokens ----------------------------------------------------------------------------------
    def claims(self, now: float = None, **overrides) -> dict:
        """Default claims of a client-credentials token (``iat`` = `now`, valid one hour)."""
        now = int(time.time() if now is None else now)
        claims = {"iss": self.url, "sub": "sandbox-client", "aud": "sts.amazon.com", "iat": now, "exp": now + 3600,
                  "jti": "jti-%d" % now}
        claims.update(overrides)
        return {k: v for k, v in claims.items() if v is not None}

    def mint(self, claims: dict = None, *, kid: str = "rsa-1", key=None, algorithm: str = None, **overrides) -> str:
        """A signed JWT. `key`/`algorithm` override the key behind `kid` (to forge a signature)."""
        default_algorithm, default_key = self.signing_keys.get(kid, ("RS256", None))
        payload = claims if claims is not None else self.claims(**overrides)
        headers = {"kid": kid} if kid is not None else {}
        return jwt.encode(payload, key or default_key, algorithm=algorithm or default_algorithm, headers=headers)

    def jwks(self) -> dict:
        keys = []
        for kid in sorted(self.published):
            algorithm, private_key = self.signing_keys[kid]
            jwk = json.loads(jwt.algorithms.get_default_algorithms()[algorithm].to_jwk(private_key.public_key()))
            jwk.update({"kid": kid, "use": "sig", "alg": algorithm})
            keys.append(jwk)
        return {"keys": keys}

    # -- HTTP ------------------------------------------------------------------------------------
    def _app(self, environ, start_response):
        request = Request(environ)
        if self.delay:
            time.sleep(self.delay)
        if request.path == self.path + "/.well-known/openid-configuration":
            document = {"issuer": self.url, "jwks_uri": self.url + "/jwks",
                        "id_token_signing_alg_values_supported": ["RS256", "ES256"]}
            document.update(self.discovery)
            document = {k: v for k, v in document.items() if v is not None}
            response = self._json(document, self.discovery_status)
        elif request.path == self.path + "/jwks":
            response = self._json(self.jwks(), self.jwks_status)
        else:
            response = self._json({"error": "not found"}, 404)
        return response(environ, start_response)

    @staticmethod
    def _json(document, status):
        if status != 200:
            document = {"error": "status %d" % status}
        return Response(json.dumps(document), status=status, mimetype="application/json")
