"""The domain's typed entities: what services decide on, dialect-free.

Conventions (every entity module follows them):

- frozen dataclasses with ``slots=True, kw_only=True``: cheap to import (no model building at
  cold start), immutable (a change is ``dataclasses.replace``), compared by value;
- snake_case fields in the domain's own words; instants are timezone-aware UTC ``datetime``s,
  calendar days ``date``s, money ``Decimal``;
- no storage keys and no wire names here: repositories map items to entities (``from_item`` /
  ``to_item`` live next to the item layout in ``repositories/``), and each wire dialect maps
  entities to its own request/response models (``models`` for Sandtime, ``dialects/<name>``
  for the others);
- behaviour that only reads the entity's own fields (``running``, ``duration``) may live here;
  rules that need other entities, the clock or storage live in ``services``.
"""
