"""The site engine: the one module that imports mkdocs.

It builds a staging folder (a generated mkdocs.yml beside docs/ and overrides/)
into a site folder, in-process. Keeping mkdocs behind this adapter keeps the
move to its successor (Zensical reads the same mkdocs.yml) a small change.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from .problems import BuildError

# mkdocs-material 9.8 prints an end-of-life banner on every build; editors can do nothing
# about it, and it buries their own warnings.
os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def build_site(config_file: Path, site_dir: Path) -> list[str]:
    """Build the staging site at `config_file` into `site_dir`; return engine warnings."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    collector = _Collect()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(collector)
    previous = logger.propagate
    logger.propagate = False  # our summary reports engine warnings; no raw log lines
    try:
        config = load_config(config_file=str(config_file), site_dir=str(site_dir))
        build(config)
    except MkDocsException as exc:
        raise BuildError(f"the site engine failed: {exc}") from None
    finally:
        logger.removeHandler(collector)
        logger.propagate = previous
    return collector.messages
