"""Emulated OCI Identity Domain: SCIM Apps and Settings, OCI request signatures, the OAuth token
endpoint, discovery and JWKS. See `domain.py` for the endpoints and the behaviour switches.
"""

from .domain import IdentityDomain

__all__ = ["IdentityDomain"]
