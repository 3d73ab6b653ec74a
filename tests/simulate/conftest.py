from emulator.fixtures import aws_credentials, emulated_aws

__all__ = ["aws_credentials", "emulated_aws"]
