"""The domain's typed entities: what services decide on, dialect-free.

Conventions (every entity module follows them):

- ``msgspec.Struct`` classes declared ``class X(Struct, frozen=True, kw_only=True)``: cheap to
  import (creating a Struct class costs ~0.01 ms against ~0.5 ms for a dataclass, which exec()s
  generated code; no model building at cold start), immutable (a change is
  ``msgspec.structs.replace``), compared and hashed by value and type; ``kw_only`` is not
  inherited by subclasses, so every class repeats both options (tests/unit/test_entity_structs.py);
  mutable defaults take ``msgspec.field(default_factory=...)``, and class attributes are not the
  fields' defaults (name a module constant when code needs a default's value);
- snake_case fields in the domain's own words; instants are timezone-aware UTC ``datetime``s,
  calendar days ``date``s, money ``Decimal``;
- no storage keys and no wire names here: repositories map items to entities (``from_item`` /
  ``to_item`` live next to the item layout in ``repositories/``), and each wire dialect maps
  entities to its own request/response models (``models`` for Sandtime, ``dialects/<name>``
  for the others);
- behaviour that only reads the entity's own fields (``running``, ``duration``) may live here;
  rules that need other entities, the clock or storage live in ``services``.
"""
