"""A file cache of OCR results keyed by page image, Tesseract version, language and settings."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

ENV_VAR = "SOLIEU_CACHE_DIR"


def default_cache_dir() -> Path:
    """Return $SOLIEU_CACHE_DIR/ocr if set, else the project-local .cache/solieu/ocr."""
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env) / "ocr"
    return Path.cwd() / ".cache" / "solieu" / "ocr"


def cache_key(image_bytes: bytes, size: tuple[int, int], tesseract_version: str, lang: str,
              settings: dict[str, Any]) -> str:
    """Return the sha256 of the rendered page pixels plus everything that changes the OCR result."""
    h = hashlib.sha256()
    h.update(image_bytes)
    meta = {"size": list(size), "tesseract": tesseract_version, "lang": lang, "settings": settings}
    h.update(json.dumps(meta, sort_keys=True).encode())
    return h.hexdigest()


class OCRCache:
    """OCR results stored as one JSON file per page image under a folder (two-level fan-out)."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict[str, Any] | None:
        """Return the stored result for key, or None (also when the entry is unreadable)."""
        try:
            data = json.loads(self._path(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def put(self, key: str, value: dict[str, Any]) -> None:
        """Store a result atomically (write to a temporary file, then rename)."""
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(value, f, ensure_ascii=False)
        os.replace(tmp, path)
