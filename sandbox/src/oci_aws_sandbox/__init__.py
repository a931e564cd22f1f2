"""oci-aws-sandbox: an offline emulated OCI Identity Domain and AWS IAM/STS/S3 (moto behind a gate that applies
real STS checks), on 127.0.0.1. It imports nothing from the multicloud.oci_aws collection.

What other code may use: ``python -m oci_aws_sandbox up|down|status|serve`` (``__main__``), ``handle`` (start,
attach and drive a running sandbox), ``pytest_plugin`` (the ``sandbox`` and ``fresh_sandbox`` fixtures) and
``procedure`` (the manual procedure, ``Federation``). The developer guide is sandbox/README.md.
"""
