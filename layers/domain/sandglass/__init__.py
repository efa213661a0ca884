"""Sandglass domain package: models, services, storage and HTTP glue shared by every function."""
