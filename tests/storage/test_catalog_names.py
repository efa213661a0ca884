"""Catalog names are unique case-insensitively: properties of the folding and of the stored markers."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sandglass.entities.catalog import Tag, Task, name_digest, name_key
from sandglass.errors import Conflict
from sandglass.repositories.catalog import TAGS, TASKS, CatalogRepository
from sandglass.storage.transaction import UnitOfWork

names = st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=40).filter(lambda n: n.strip())


def variants(name: str) -> list[str]:
    return [name.upper(), name.lower(), name.swapcase(), f"  {name}\t", name.title(), " ".join(name.split())]


@given(st.text(st.characters(min_codepoint=32, max_codepoint=126), min_size=1, max_size=40).filter(lambda n: n.strip()))
def test_case_and_spacing_variants_of_a_latin_name_fold_to_one_key(name):
    for variant in variants(name):
        assert name_key(variant) == name_key(name), variant


@given(names)
def test_folding_is_idempotent_and_case_blind(name):
    assert name_key(name_key(name)) == name_key(name)
    assert name_digest(name.casefold()) == name_digest(name)
    assert name_key(f" {name} ") == name_key(name)


@given(names, names)
def test_distinct_keys_give_distinct_digests(a, b):
    assert (name_key(a) == name_key(b)) == (name_digest(a) == name_digest(b))


@pytest.fixture
def repository(gateway):
    return CatalogRepository()


def _create(repository, kind, org_id, entity) -> bool:
    tx = UnitOfWork(repository.table)
    repository.stage_create(tx, kind, org_id, entity)
    try:
        tx.commit()
        return True
    except Conflict:
        return False


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=names, second=names)
def test_the_second_tag_is_refused_exactly_when_the_names_fold_alike(repository, first, second):
    org_id = str(uuid.uuid4())
    assert _create(repository, TAGS, org_id, Tag(id=str(uuid.uuid4()), name=first))
    stored = _create(repository, TAGS, org_id, Tag(id=str(uuid.uuid4()), name=second))
    assert stored == (name_key(first) != name_key(second))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=names)
def test_a_case_variant_is_refused_in_the_same_project_and_free_in_another(repository, name):
    org_id, project, other = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())
    assert _create(repository, TASKS, org_id, Task(id=str(uuid.uuid4()), project_id=project, name=name))
    for variant in variants(name):
        if name_key(variant) == name_key(name):
            assert not _create(repository, TASKS, org_id, Task(id=str(uuid.uuid4()), project_id=project, name=variant))
    assert _create(repository, TASKS, org_id, Task(id=str(uuid.uuid4()), project_id=other, name=name.swapcase()))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=names, second=names)
def test_a_rename_moves_the_marker(repository, first, second):
    """After renaming A from `first` to `second`, `first` is free and `second` taken (unless they fold alike)."""
    org_id = str(uuid.uuid4())
    tag = Tag(id=str(uuid.uuid4()), name=first)
    assert _create(repository, TAGS, org_id, tag)
    tx = UnitOfWork(repository.table)
    renamed = Tag(id=tag.id, name=second, version=2)
    repository.stage_replace(tx, TAGS, org_id, tag, renamed, Conflict("stale"))
    tx.commit()
    assert not _create(repository, TAGS, org_id, Tag(id=str(uuid.uuid4()), name=second.swapcase() if name_key(second.swapcase()) == name_key(second) else second))
    assert _create(repository, TAGS, org_id, Tag(id=str(uuid.uuid4()), name=first)) == (name_key(first) != name_key(second))
