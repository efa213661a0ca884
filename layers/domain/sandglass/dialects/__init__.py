"""Wire dialects other than Sandtime's: each package maps the typed domain entities to and from its
own reference's shapes (models, errors, paging); the services, entities and storage know none of them."""
