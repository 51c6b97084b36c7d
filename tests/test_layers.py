"""The import layering of README's Architecture section, read from the source (every import, even in functions)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import ROOT

#: Which of our packages each package may import (itself included), lowest layer first.
MAY_IMPORT: dict[str, set[str]] = {
    "core": {"core"},
    "extractors": {"core", "extractors"},
    "pipeline": {"core", "extractors", "pipeline"},
    "flows": {"core", "extractors", "pipeline", "flows"},
    "solieu": {"core", "extractors", "pipeline", "flows", "solieu"},
}
#: Known violations, (importing module, imported module), each with the reason it is still there.
ALLOWED: dict[tuple[str, str], str] = {}
#: Module import cycles still present, as sorted pairs, with the reason.
ALLOWED_CYCLES: dict[tuple[str, str], str] = {}


def _modules() -> dict[str, Path]:
    out: dict[str, Path] = {}
    for pkg in MAY_IMPORT:
        for path in sorted((ROOT / pkg).rglob("*.py")):
            rel = path.relative_to(ROOT).with_suffix("")
            parts = list(rel.parts)
            if parts[-1] == "__init__":
                parts.pop()
            out[".".join(parts)] = path
    return out


MODULES = _modules()


def _imports(name: str, path: Path) -> set[str]:
    """Return the modules of ours that a module imports, at the top or inside functions."""
    found: set[str] = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{a.name}" for a in node.names)   # `from pipeline import schema`
    return {m for m in found if m in MODULES}


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_point_down(module: str) -> None:
    pkg = module.split(".")[0]
    bad = {m for m in GRAPH[module]
           if m.split(".")[0] not in MAY_IMPORT[pkg] and (module, m) not in ALLOWED}
    assert not bad, f"{module} ({pkg}) may import only {sorted(MAY_IMPORT[pkg])}, not {sorted(bad)}"


def test_allowed_violations_still_exist() -> None:
    # An allow-list entry whose import is gone must go too, so the list never hides a new violation.
    assert all(dst in GRAPH[src] for src, dst in ALLOWED)


def _cycles() -> set[tuple[str, str]]:
    """Return the pairs of modules that reach each other through imports."""
    reach: dict[str, set[str]] = {}
    for start in GRAPH:
        seen: set[str] = set()
        stack = list(GRAPH[start])
        while stack:
            m = stack.pop()
            if m not in seen:
                seen.add(m)
                stack.extend(GRAPH[m])
        reach[start] = seen
    return {tuple(sorted((a, b))) for a in GRAPH for b in reach[a] if a != b and a in reach[b]}  # type: ignore[misc]


def test_no_import_cycles() -> None:
    cycles = _cycles()
    assert cycles <= set(ALLOWED_CYCLES), f"import cycles: {sorted(cycles - set(ALLOWED_CYCLES))}"
    assert set(ALLOWED_CYCLES) <= cycles, "a cycle on the allow-list is gone: take it off"


def test_the_layers_form_no_cycle() -> None:
    order = list(MAY_IMPORT)
    for i, pkg in enumerate(order):
        assert MAY_IMPORT[pkg] <= set(order[: i + 1]), f"{pkg} may import a package above it"
