"""The offline cloud sandbox of multicloud.oci_aws: an emulated OCI Identity Domain and AWS
IAM/STS/S3 (moto behind a gate that applies real STS checks). See sandbox/README.md."""
