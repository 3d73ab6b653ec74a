"""Test-only extensions of the moto AWS emulator. Never imported by the product (src/)."""
