"""Emulated AWS (placeholder until the STS gate lands)."""


class AwsCloud:
    OPTIONS = {}

    def __init__(self, *, account_id, region, ca_bundle, clock):
        self.options = dict(self.OPTIONS)

    def reset(self):
        pass

    def __call__(self, environ, start_response):
        start_response("501 Not Implemented", [("Content-Type", "text/plain")])
        return [b"not implemented yet"]
