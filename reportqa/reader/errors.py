"""The reader's error, importable without torch."""


class ReaderError(RuntimeError):
    """The reader cannot be loaded or run; the message says what to do."""
