"""Wire dialects other than Sandtime's: each maps the typed domain to its reference's wire format."""
