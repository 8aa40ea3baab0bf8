"""The room touchscreen (点歌屏): a Kivy app over the room agent's core.

Entry point for the agent's CLI: ``room_agent.ui.app.run_touchscreen(room, catalog, desk,
config)``. Pure pieces (``port``, ``karaoke``, ``i18n``, ``search_worker``, ``formatting``)
import no Kivy.
"""
