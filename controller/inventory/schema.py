"""The ``inventory_*`` tables (area ``inventory`` of the numbered migrations).

The ledger (``inventory_lines``) is append-only (triggers refuse UPDATE and DELETE); stock
on hand is its sum. ``inventory_balances`` is that sum per (item, location, batch), kept in
the same transaction as every line so reading on hand costs no scan; ``verify`` proves the
two agree.
"""

from __future__ import annotations

from controller.store.migrations import Migration, register_migrations

LEDGER = """
CREATE TABLE inventory_items (
    item_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    base_unit TEXT NOT NULL,
    purchase_unit TEXT NOT NULL DEFAULT '',
    purchase_factor INTEGER NOT NULL DEFAULT 1 CHECK (purchase_factor >= 1),
    category TEXT NOT NULL DEFAULT '',
    tracks_expiry INTEGER NOT NULL DEFAULT 0,
    unit_cost_fen INTEGER NOT NULL DEFAULT 0 CHECK (unit_cost_fen >= 0),
    reorder_point INTEGER NOT NULL DEFAULT 0,
    reorder_target INTEGER NOT NULL DEFAULT 0,
    storage_category TEXT NOT NULL DEFAULT ''
);
CREATE TABLE inventory_batches (
    batch_id TEXT PRIMARY KEY,
    item_id TEXT NOT NULL REFERENCES inventory_items (item_id),
    code TEXT NOT NULL,
    best_before TEXT,
    received_at TEXT NOT NULL,
    unit_cost_fen INTEGER NOT NULL
);
CREATE INDEX inventory_batches_item ON inventory_batches (item_id);
CREATE TABLE inventory_documents (
    doc_id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    purpose TEXT NOT NULL DEFAULT '',
    at TEXT NOT NULL,
    staff_id TEXT NOT NULL,
    role TEXT NOT NULL,
    location TEXT NOT NULL DEFAULT '',
    to_location TEXT NOT NULL DEFAULT '',
    reason TEXT NOT NULL DEFAULT '',
    ref TEXT NOT NULL DEFAULT ''
);
CREATE INDEX inventory_documents_at ON inventory_documents (at);
CREATE INDEX inventory_documents_ref ON inventory_documents (ref, kind);
CREATE TABLE inventory_lines (
    line_id INTEGER PRIMARY KEY AUTOINCREMENT,
    doc_id TEXT NOT NULL REFERENCES inventory_documents (doc_id),
    kind TEXT NOT NULL,
    item_id TEXT NOT NULL,
    location TEXT NOT NULL,
    batch_id TEXT NOT NULL,
    quantity INTEGER NOT NULL CHECK (quantity != 0),
    unit_cost_fen INTEGER NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX inventory_lines_doc ON inventory_lines (doc_id);
CREATE INDEX inventory_lines_item ON inventory_lines (item_id, at);
CREATE INDEX inventory_lines_usage ON inventory_lines (kind, at, item_id, quantity);
CREATE TRIGGER inventory_lines_append_only_update BEFORE UPDATE ON inventory_lines
BEGIN SELECT RAISE(ABORT, 'the stock ledger is append-only'); END;
CREATE TRIGGER inventory_lines_append_only_delete BEFORE DELETE ON inventory_lines
BEGIN SELECT RAISE(ABORT, 'the stock ledger is append-only'); END;
CREATE TABLE inventory_balances (
    item_id TEXT NOT NULL,
    location TEXT NOT NULL,
    batch_id TEXT NOT NULL,
    quantity INTEGER NOT NULL,
    PRIMARY KEY (item_id, location, batch_id)
) WITHOUT ROWID;
CREATE TABLE inventory_recipes (
    sku TEXT NOT NULL,
    item_id TEXT NOT NULL REFERENCES inventory_items (item_id),
    quantity INTEGER NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (sku, item_id)
);
CREATE TABLE inventory_recipe_rules (
    sku TEXT PRIMARY KEY,
    allow_negative INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE inventory_sales (
    order_id TEXT PRIMARY KEY,
    tab_id TEXT NOT NULL,
    doc_id TEXT NOT NULL,
    purpose TEXT NOT NULL,
    returned_doc TEXT NOT NULL DEFAULT ''
);
"""

STOCKTAKES = """
CREATE TABLE inventory_stocktakes (
    stocktake_id TEXT PRIMARY KEY,
    location TEXT NOT NULL,
    opened_at TEXT NOT NULL,
    opened_by TEXT NOT NULL,
    status TEXT NOT NULL,
    decided_at TEXT,
    decided_by TEXT NOT NULL DEFAULT '',
    doc_id TEXT NOT NULL DEFAULT ''
);
CREATE TABLE inventory_count_lines (
    stocktake_id TEXT NOT NULL REFERENCES inventory_stocktakes (stocktake_id),
    item_id TEXT NOT NULL REFERENCES inventory_items (item_id),
    expected INTEGER NOT NULL,
    counted INTEGER NOT NULL CHECK (counted >= 0),
    unit_cost_fen INTEGER NOT NULL,
    counted_at TEXT NOT NULL,
    counted_by TEXT NOT NULL,
    PRIMARY KEY (stocktake_id, item_id)
);
"""

PURCHASING = """
CREATE TABLE inventory_suppliers (
    supplier_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    contact TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    lead_days INTEGER NOT NULL DEFAULT 2
);
CREATE TABLE inventory_supplier_prices (
    supplier_id TEXT NOT NULL REFERENCES inventory_suppliers (supplier_id),
    item_id TEXT NOT NULL REFERENCES inventory_items (item_id),
    price_fen INTEGER NOT NULL CHECK (price_fen >= 0),
    PRIMARY KEY (supplier_id, item_id)
);
CREATE TABLE inventory_pos (
    po_id TEXT PRIMARY KEY,
    supplier_id TEXT NOT NULL REFERENCES inventory_suppliers (supplier_id),
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    expected_on TEXT,
    sent_at TEXT,
    closed_at TEXT,
    note TEXT NOT NULL DEFAULT ''
);
CREATE TABLE inventory_po_lines (
    po_id TEXT NOT NULL REFERENCES inventory_pos (po_id),
    item_id TEXT NOT NULL REFERENCES inventory_items (item_id),
    ordered INTEGER NOT NULL CHECK (ordered > 0),
    price_fen INTEGER NOT NULL,
    received INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (po_id, item_id)
);
"""

STORAGE = """
CREATE TABLE inventory_bottles (
    bottle_id TEXT PRIMARY KEY,
    label_code TEXT NOT NULL UNIQUE,
    phone TEXT NOT NULL,
    member_id TEXT NOT NULL DEFAULT '',
    item_id TEXT NOT NULL REFERENCES inventory_items (item_id),
    remaining INTEGER NOT NULL CHECK (remaining >= 0),
    opened INTEGER NOT NULL,
    location TEXT NOT NULL,
    stored_at TEXT NOT NULL,
    expires_on TEXT NOT NULL,
    status TEXT NOT NULL,
    reminded_for TEXT NOT NULL DEFAULT ''
);
CREATE INDEX inventory_bottles_phone ON inventory_bottles (phone);
CREATE INDEX inventory_bottles_expiry ON inventory_bottles (status, expires_on);
CREATE TABLE inventory_bottle_events (
    event_id INTEGER PRIMARY KEY AUTOINCREMENT,
    bottle_id TEXT NOT NULL REFERENCES inventory_bottles (bottle_id),
    kind TEXT NOT NULL,
    quantity INTEGER NOT NULL DEFAULT 0,
    at TEXT NOT NULL,
    staff_id TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    doc_id TEXT NOT NULL DEFAULT ''
);
CREATE INDEX inventory_bottle_events_bottle ON inventory_bottle_events (bottle_id, event_id);
CREATE TRIGGER inventory_bottle_events_append_only BEFORE UPDATE ON inventory_bottle_events
BEGIN SELECT RAISE(ABORT, 'the storage log is append-only'); END;
CREATE TABLE inventory_bottle_checks (
    check_id TEXT PRIMARY KEY,
    at TEXT NOT NULL,
    staff_id TEXT NOT NULL,
    matched INTEGER NOT NULL,
    missing TEXT NOT NULL,
    extra TEXT NOT NULL
);
"""

SALE_COSTS = """
CREATE TABLE inventory_sale_costs (
    order_id TEXT NOT NULL,
    sku TEXT NOT NULL,
    quantity INTEGER NOT NULL,
    cost_fen INTEGER NOT NULL,
    PRIMARY KEY (order_id, sku)
) WITHOUT ROWID;
"""

SERVED_VALUE = """
ALTER TABLE inventory_bottle_events ADD COLUMN value_fen INTEGER NOT NULL DEFAULT 0;
ALTER TABLE inventory_bottle_events ADD COLUMN cost_fen INTEGER NOT NULL DEFAULT 0;
"""

register_migrations(
    "inventory",
    [
        Migration(1, "stock items, batches, documents, the ledger, balances, recipes", sql=LEDGER),
        Migration(2, "stocktakes and count sheets", sql=STOCKTAKES),
        Migration(3, "suppliers, prices, purchase orders", sql=PURCHASING),
        Migration(4, "bottle storage (存酒), its log and monthly checks", sql=STORAGE),
        Migration(
            5, "cost of each order line at the time of sale (FEFO batch costs)", sql=SALE_COSTS
        ),
        Migration(
            6,
            "a served expired bottle's list value and cost, fixed when it is served",
            sql=SERVED_VALUE,
        ),
    ],
)
