"""The room touchscreen (点歌屏): a Kivy app over the room agent's core.

Entry point for the agent's CLI: ``room_agent.ui.app.run_touchscreen(room, catalog, desk,
config)``. Pure pieces (``port``, ``karaoke``, ``i18n``, ``search_worker``, ``formatting``)
import no Kivy.
"""

import os as _os

# Kivy's image loaders, read when kivy.core.image is first imported (importing the app does
# that): SDL2's reads every image the app uses; without this Kivy also loads Pillow (~3 MB of
# RSS) for nothing. A deployment that sets KIVY_IMAGE itself keeps its choice.
_os.environ.setdefault("KIVY_IMAGE", "sdl2,tex,dds")
