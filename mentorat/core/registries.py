"""The lists apps fill in ``AppConfig.ready`` (hooks, panels, seeders, privacy handlers)."""

from collections.abc import Callable


def enlist(*entries: tuple[list, Callable]) -> None:
    """Append each ``(registry, item)`` item to its registry, once: ``ready()`` may run again (tests)."""
    for registry, item in entries:
        if item not in registry:
            registry.append(item)


def enlist_privacy(module) -> None:
    """An app's privacy module: its ``export``, ``erase`` and ``purge`` (retention), and the
    ``FIELDS`` it declares (each text column: personal and erased how, or not personal and why)."""
    from mentorat.core import privacy

    enlist((privacy.EXPORTERS, module.export), (privacy.ERASERS, module.erase), (privacy.RETENTION, module.purge))
    privacy.FIELDS.update(getattr(module, "FIELDS", {}))
