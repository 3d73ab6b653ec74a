"""cfct-build: a hardened CloudTrail log archive as a Customizations for Control Tower package."""

__version__ = "0.1.0"
