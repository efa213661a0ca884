"""Laptop tooling for Sandglass: the template reader, the API Gateway emulation, the dev server
and helpers shared by tests and benchmarks. Never shipped to Lambda."""
