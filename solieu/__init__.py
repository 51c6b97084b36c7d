"""solieu: figures stated in Vietnamese district reports, as a dataset (`from solieu import Dataset`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from solieu.dataset import Dataset

__all__ = ["Dataset"]


def __getattr__(name: str) -> Any:
    # Lazy: `import solieu` stays cheap; pandas and SQLAlchemy load on first use of Dataset.
    if name == "Dataset":
        from solieu.dataset import Dataset

        return Dataset
    raise AttributeError(f"module 'solieu' has no attribute {name!r}")
