"""The house rule "domain logic is pure", as data: the domain modules, and the edge libraries
none of them may import (directly or through anything they import).

``tests/meta/test_purity.py`` imports each module in a fresh interpreter with these libraries
blocked. A new pure module belongs here; a module that needs one of them is an adapter and
does not.
"""

from __future__ import annotations

# The adapters' libraries: RPC, UI, playback, pins, discovery, storage.
EDGE_LIBRARIES = (
    "grpc",
    "kivy",
    "vlc",
    "gpiozero",
    "zeroconf",
    "sqlite3",
    "_sqlite3",
    "sqlite_utils",
)

DOMAIN_MODULES = (
    # shared
    "ktv.errors",
    "ktv.limits",
    "ktv.room_id",
    "ktv.lazy",
    "ktv.text",
    # controller: billing (pricing, bills, money)
    "controller.billing.bill",
    "controller.devices.energy",
    "controller.devices.health",
    "controller.billing.caps",
    "controller.billing.clock",
    "controller.billing.events",
    "controller.billing.intents",
    "controller.billing.ledger",
    "controller.billing.money",
    "controller.billing.payments",
    "controller.billing.plan",
    "controller.billing.pricing",
    "controller.billing.receipt",
    "controller.billing.records",
    "controller.billing.settlement",
    "controller.billing.stock",
    "controller.billing.tab",
    "controller.billing.tenders",
    "controller.billing.till",
    # controller: inventory (units, FEFO, reorder levels, storage rules)
    "controller.inventory.ledger",
    "controller.inventory.model",
    "controller.inventory.purchasing",
    "controller.inventory.settings",
    "controller.inventory.storage_rules",
    # controller: members, rooms (occupancy alerts), auth, scheduler
    "controller.club.draws",
    "controller.club.settings",
    "controller.guests.model",
    "controller.members.campaigns",
    "controller.members.coupons",
    "controller.members.model",
    "controller.members.points",
    "controller.members.rewards",
    "controller.members.tiers",
    "controller.members.wallet",
    "controller.reports.engine",
    "controller.reports.facts",
    "controller.reports.model",
    "controller.reports.periods",
    "controller.rooms.alerts",
    "controller.rooms.commands",
    "controller.rooms.events",
    "controller.rooms.model",
    "controller.rooms.sensors",
    "controller.auth.lockout",
    "controller.auth.model",
    "controller.auth.permissions",
    "controller.scheduler.timing",
    "controller.web.settings",
    "controller.web.sessions",
    # song index: model, ranking, search keys, charts
    "media_index.charts",
    "media_index.guard",
    "media_index.model",
    "media_index.ranking",
    "media_index.records",
    "media_index.search_keys",
    "media_index.singer_region",
    # room agent: queue, session, presence, time left, lyrics timing, playback plans
    "room_agent.core.devices",
    "room_agent.core.events",
    "room_agent.core.ports",
    "room_agent.core.presence",
    "room_agent.core.queue",
    "room_agent.core.room",
    "room_agent.core.room_time",
    "room_agent.core.scenes",
    "room_agent.core.singing",
    "room_agent.core.time_left",
    "room_agent.core.views",
    "room_agent.library.policy",
    "room_agent.link.backoff",
    "room_agent.lyrics.ass",
    "room_agent.lyrics.clock",
    "room_agent.lyrics.lrc",
    "room_agent.lyrics.model",
    "room_agent.player.alignment",
    "room_agent.player.loudness",
    "room_agent.player.shadow",
    "room_agent.player.stereo",
    "room_agent.player.sync",
    "room_agent.tv.notices",
    "room_agent.tv.overlay",
    "room_agent.tv.standby",
    "room_agent.ui.formatting",
    "room_agent.ui.karaoke",
)

# Not pure (they run transactions), but they reach SQLite only through the store layer
# (``controller.store.db.Store`` and the records classes): no sqlite3 connection of their own.
STORE_LAYER_ONLY = ("controller.members.loyalty",)
