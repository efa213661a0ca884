"""Repositories: entity-level persistence over the one table. Services depend on these."""
