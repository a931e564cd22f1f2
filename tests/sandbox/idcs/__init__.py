"""Emulated OCI Identity Domain (placeholder until the emulator lands)."""


class IdentityDomain:
    OPTIONS = {}

    def __init__(self, *, domain_id, base_url, keys, api_keys, clock):
        self.options = dict(self.OPTIONS)

    def reset(self):
        pass

    def __call__(self, environ, start_response):
        start_response("501 Not Implemented", [("Content-Type", "text/plain")])
        return [b"not implemented yet"]
