"""Versions that mean something: a hash of the code and data that decide the output, stable across machines."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from core.versions import (
    RELEASE,
    extractor_files,
    extractor_version,
    pipeline_files,
    pipeline_version,
    version_of,
)

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture()
def tree(tmp_path: Path) -> Path:
    """A copy of the packages whose files decide the versions."""
    for pkg in ("core", "extractors", "pipeline"):
        shutil.copytree(ROOT / pkg, tmp_path / pkg, ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def _versions(root: Path) -> tuple[str, str]:
    return version_of(extractor_files(root), root), version_of(pipeline_files(root), root)


def test_versions_read_as_release_plus_hash_and_are_those_of_this_installation():
    assert extractor_version().startswith(RELEASE + "+") and len(extractor_version()) == len(RELEASE) + 9
    assert _versions(ROOT) == (extractor_version(), pipeline_version())


def test_the_same_files_elsewhere_with_other_mtimes_give_the_same_versions(tree):
    for p in tree.rglob("*.yaml"):
        os.utime(p, (0, 0))
    assert _versions(tree) == _versions(ROOT)


# what is edited, and which versions must move (extractor, pipeline)
EDITS = [
    ("extractors/data/vi/count_nouns.yaml", "- ao cá   # fish ponds\n", (True, False)),
    ("extractors/numbers.py", "# a comment is a change of code\n", (True, False)),
    ("pipeline/data/legacy_tcvn3.yaml", "# note\n", (False, True)),
    ("pipeline/normalize.py", "# note\n", (False, True)),
    ("core/chars.py", "# note\n", (False, True)),
    ("pipeline/load.py", "# storage, not reading\n", (False, False)),
    ("pipeline/migrations/env.py", "# note\n", (False, False)),
]


@pytest.mark.parametrize(("path", "append", "moves"), EDITS, ids=[e[0] for e in EDITS])
def test_a_change_moves_exactly_the_versions_it_affects(tree, path, append, moves):
    before = _versions(tree)
    with (tree / path).open("a", encoding="utf-8") as fh:
        fh.write(append)
    after = _versions(tree)
    assert (after[0] != before[0], after[1] != before[1]) == moves
