"""Inventory and supply: the stock ledger (base units, batches, best-before, FEFO), sales that
deduct stock through billing's stock hook, stocktakes, purchasing and bottle storage (存酒).

Pure rules live in :mod:`model`, :mod:`ledger`, :mod:`purchasing` and :mod:`storage_rules`;
:mod:`store` owns the ``inventory_*`` tables; :mod:`desk` and its parts run one SQLite
transaction per action; :mod:`api` is the gRPC edge (docs/inventory.md).
"""
