"""The Sonderplan dialect: `POST /v2/time-entry` and the reads that check it (docs/sonderplan.md)."""
