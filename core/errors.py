"""The one error hierarchy of solieu; every message says what to do next."""

from __future__ import annotations


class SolieuError(Exception):
    """Base of every error solieu raises on purpose."""

    exit_code = 1
    #: True when retrying the same bytes cannot help (bad format, damaged, over a limit): a nightly run then
    #: skips the file until it changes; False for what may pass (a missing tool, a timeout, a locked disk).
    permanent = False
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

    permanent = True


class UnreadableDocument(SolieuError):
    """A file that is damaged, encrypted or empty."""

    permanent = True


class NeedsOCR(UnreadableDocument):
    """A file whose only text is in pictures, ingested with --ocr never (another mode reads it: retried)."""

    permanent = False


class ConversionFailed(SolieuError):
    """LibreOffice is missing or did not finish converting a file in time (worth another try later)."""


class VocabularyError(SolieuError):
    """A vocabulary file under extractors/data/vi is missing or does not follow extractors.vocab.SCHEMA."""
class LimitExceeded(UnreadableDocument):
    """A document went over a safety limit (size, pages, pixels, time); the message names the knob to raise."""


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
