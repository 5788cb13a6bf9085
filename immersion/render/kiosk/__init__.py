"""Library (filtered for the kiosk) -> the pages of every display of the room.

The layout and the markup are the contract with the kiosk runtime (`kiosk.js`),
written down in `docs/kiosk.md`:

* `index.md`: the displays, each a link to its entry page;
* `<display>/index.md`: the entry page, the attract loop of the display: its
  `ik-config`, one `section.ik-slide` per playlist item, the quiet slide;
* `<display>/<kind>/<id>/index.md`: the item pages the playlist reaches, under
  their display so that the display's service worker controls them. Their root
  element, `ik-config`, back link and text-size control are drawn by the theme
  (`theme/kiosk/main.html`) from the page's `ik_config` front matter, so that
  they are the root's own children around the rendered page.

Each page is held until the whole site is rendered: its `ik-config` carries the
build id, a hash of everything the kiosk staging folder holds (so an unchanged
room rebuilds to the same bytes).

Links go only to pages of the same display (else the name is plain text), so a
visitor can never leave the display. Photos are one `<img>` at the narrowest
rendition that fills their slot at the display's resolution, so the service
worker precaches exactly what the display shows.

Markup is safe by construction: every HTML fragment is `markupsafe.Markup` built
by `render/html.py`'s pieces, which treat every plain `str` as text; bodies go
through `safe_markdown`. Nothing an editor writes becomes markup.

The modules, each named after what it produces:

* `layout.py`: photo slots and sizes, screens, `ik-config` and its script element;
* `pieces.py`: what slides and pages share (photos, clips, bodies, links, evidence);
* `slides.py`: the attract loop of an entry page;
* `pages.py`: the item pages a tap opens;
* `site.py`: the renderer: playlists, the index, held pages, the build id;
* `offline.py`: each built display's precache list and service worker.
"""

from __future__ import annotations

from .layout import (
    SLOTS,
    KioskAssets,
    Screen,
    Slot,
    config_script,
    narrowest_covering,
    needed_width,
    slot_for,
)
from .pieces import excerpt
from .site import KioskRenderer

__all__ = [
    "SLOTS",
    "KioskAssets",
    "KioskRenderer",
    "Screen",
    "Slot",
    "config_script",
    "excerpt",
    "narrowest_covering",
    "needed_width",
    "slot_for",
]
