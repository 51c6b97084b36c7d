"""The one error hierarchy of solieu; every message says what to do next."""

from __future__ import annotations


class SolieuError(Exception):
    """Base of every error solieu raises on purpose."""

    exit_code = 1
    #: short class name stored in failures.error
    @property
    def code(self) -> str:
        """Return the short name stored in the failures table."""
        return type(self).__name__


class UsageError(SolieuError):
    """The command was called wrongly (exit 2)."""

    exit_code = 2


class UnsupportedFormat(SolieuError):
    """A file whose type solieu cannot read."""


class UnreadableDocument(SolieuError):
    """A file that is damaged, encrypted or empty."""


class VocabularyError(SolieuError):
    """A vocabulary file under extractors/data/vi is missing or does not follow extractors.vocab.SCHEMA."""


class OCRUnavailable(SolieuError):
    """Tesseract or its Vietnamese data is missing."""


class DatabaseError(SolieuError):
    """The dataset cannot be opened, migrated or written."""


class DatabaseURLError(UsageError):
    """--db / SOLIEU_DB is not a database URL solieu can use (exit 2)."""


class ReadOnlyViolation(SolieuError):
    """A query tried to write to the dataset."""

    exit_code = 2


class GoldFormatError(SolieuError):
    """A gold file does not follow the gold format."""

    exit_code = 2


class NLPModelMissing(SolieuError):
    """pyvi's word-segmentation or part-of-speech model files are missing or unreadable."""
