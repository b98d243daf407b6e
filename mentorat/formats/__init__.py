"""Our own locale formats (``FORMAT_MODULE_PATH``), over Django's: only what we write differently."""
