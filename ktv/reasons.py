"""The catalogue of machine reasons: every ``reason`` a ``KtvError`` carries, with its meaning.

A reason travels as ``google.rpc.ErrorInfo.reason`` (domain ``ktv.v1``, see ``ktv.rpc_errors``)
and is what clients branch on; the message is for people. Raise sites keep plain strings
(``raise FailedPrecondition("...", reason="ROOM_OCCUPIED")``); ``tests/meta/test_reasons.py``
reads the source and holds it to this file: every reason raised is listed here, every entry is
raised somewhere, names are UPPER_SNAKE_CASE.

Adding a reason is one line in its area: ``"NAME": "what happened; what the caller can do",``.
Names follow AIP-193 and the rest of this file: the subject first, then what is wrong with it
(``BILL_CLOSED``, ``COUPON_USED``), ``BAD_X`` for a malformed or out-of-range field, ``UNKNOWN_X``
for a name that finds nothing, ``X_REQUIRED`` for a missing one, ``INSUFFICIENT_X`` when there
is not enough of something. The gRPC status of each reason is read from its raise sites
(``ktv.reason_scan``) and shown in docs/errors.md, generated from this file:
``python -m ktv.reason_scan --write``.
"""

from __future__ import annotations

# fmt: off
GENERAL = {
    "INVALID_ARGUMENT": "a request field is malformed or out of bounds; the message names it",
    "NOT_FOUND": "what the request names does not exist",
    "ALREADY_EXISTS": "what the request would create exists already",
    "FAILED_PRECONDITION": "the resource is in the wrong state for this action now",
    "CONFLICT": "a concurrent change won; read again and retry",
    "PERMISSION_DENIED": "the caller may not do this",
    "UNAUTHENTICATED": "the call has no valid credential; log in or enroll again",
    "UNAVAILABLE": "a dependency cannot be reached now; retry with backoff",
    "UNSUPPORTED": "this build or device cannot do this (e.g. key change without the filter)",
    "INTERNAL": "a bug: the controller's log has the details; the call may be retried",
    "SHUTTING_DOWN": "the controller is stopping; retry against it after its restart",
    "REQUEST_ID_REQUIRED": "a state-changing call needs a request_id; generate one and retry",
    "BAD_REQUEST_ID": "the request_id is too long (128 characters at most)",
    "REQUEST_ID_REUSED": "this request_id was used for a different request; use a fresh id",
    "BAD_PAGE_SIZE": "page_size is negative",
    "BAD_PAGE_TOKEN": "page_token was not issued by this server; start from the first page",
    "BAD_AMOUNT": "an amount of money is malformed or not positive",
    "AMOUNT_OUT_OF_RANGE": "an amount is beyond its bound (docs/limits.md: per payment, top-up, "
    "price, bill); split it or ask the manager to raise the venue's [limits]",
    "BAD_LIMIT": "a [limits] entry of the venue config is unknown or out of range; fix the file",
    "BAD_TIMESTAMP": "a time is outside 0001-9999 or malformed",
    "TOO_DEEP": "the request nests messages deeper than any real request does",
    "TOO_MANY_ITEMS": "a repeated field has more items than the edge accepts (10,000)",
    "FIELD_TOO_LONG": "a text field is longer than the edge accepts; shorten it",
    "TOO_LARGE": "a file or value given to ktvctl is too large to be what it should be",
    "RESPONSE_TOO_LARGE": "the answer would not fit the transport; ask for it in pages",
    "LIMIT_OUT_OF_RANGE": "a venue-tunable limit is outside the bounds the system allows",
}

AUTH = {
    "UNKNOWN_WALL_KEY": "no wall-board key has this id; list them (GET /api/wall-keys)",
    "NO_CREDENTIAL": "the call carries no credential; log in (staff) or use the room's",
    "BAD_AUTH_HEADER": "authorization metadata is not 'Bearer <token>'",
    "BAD_TOKEN": "the token is unknown or revoked; log in again",
    "TOKEN_EXPIRED": "the token has expired; log in again",
    "BAD_LOGIN": "staff id or PIN missing or wrong (one answer for both, on purpose)",
    "PIN_LOCKED": "too many wrong PINs for this staff id or phone; wait the time given",
    "BAD_STAFF_ID": "the staff id is malformed: 1-32 letters, digits, '.', '_' or '-'",
    "BAD_PIN": "the PIN is malformed (digits only, within the length bounds)",
    "BAD_ROLE": "the role is not one the system knows",
    "BAD_NAME": "a person's name is empty or too long",
    "NO_RULE": "the method is open to no one (a server-side configuration gap)",
    "ROLE_NOT_ALLOWED": "the caller's role may not call this method",
    "WRONG_ROOM": "a room's device or guest may act only for its own room",
    "BAD_ENROLLMENT_CODE": "the enrollment code is malformed or unknown; ask the desk for one",
    "CODE_USED": "the enrollment code was already used; ask the desk for a new one",
    "CODE_EXPIRED": "the enrollment code has expired; ask the desk for a new one",
    "AGENT_NEEDS_CERTIFICATE": "a room agent must use the agent port with its certificate",
    "NOT_A_ROOM_CERTIFICATE": "the client certificate names no room",
    "CERTIFICATE_REVOKED": "the room's certificate was replaced or revoked; enroll again",
}

ROOMS = {
    "BAD_LAYOUT": "a room's floor-plan place is out of bounds (floor label, grid cell, size)",
    "ROOM_NOT_FOUND": "no room with this id",
    "ROOM_EXISTS": "a room with this id exists already",
    "BAD_ROOM_ID": "the room id is missing or malformed (e.g. A08)",
    "BAD_ROOM_NAME": "the room name is not rooms/{room_id}",
    "BAD_DISPLAY_NAME": "the display name is too long or has control characters",
    "BAD_TIER": "the room tier is missing or not one of the venue's tiers",
    "EMPTY_UPDATE": "an update names nothing to change",
    "BAD_TARGET_STATE": "staff may set only IDLE, RESERVED or MAINTENANCE",
    "BAD_ROOM_STATE": "the room cannot move from its state to the one asked; see the message",
    "ROOM_NOT_AVAILABLE": "a session opens only on an IDLE or RESERVED room",
    "ROOM_HELD": "the room is locked at the desk (锁房: held back from sale); release it first",
    "BAD_LOCK": "a room lock needs a reason (1-200 characters) and an until_time in the future",
    "BAD_SESSION": "the session name is missing",
    "NO_SUCH_OPEN_SESSION": "the room is not in use by the session named; refresh the board",
    "BAD_ALERT_KIND": "the alert kind is not one the system knows",
    "BAD_POWER_MODE": "a room's power mode must be ON, OFF or AUTO",
    "DAY_NOT_STARTED": "the business day asked for has not started yet: no energy to report",
    "BAD_HEALTH_WINDOW": "the device-health window is 1-90 days",
    "NOT_ACKNOWLEDGEABLE": "this alert clears by itself when its condition ends",
    "EMPTY_MESSAGE": "an emergency needs a message for the rooms",
    "WATCH_LAGGING": "the watcher fell too far behind; watch again for a fresh snapshot",
    "NO_HELLO": "an agent link must start with hello, within 10 s",
    "DUPLICATE_HELLO": "hello was sent twice on one link",
    "REPLACED": "a newer link for this room replaced this one; do not reconnect this one",
    "BAD_EVENT_ID": "a room event has no event_id or one longer than 128 characters",
    "BAD_EVENT": "a room event carries no payload the controller knows",
}

BILLING = {
    "QUANTITY_TOO_LARGE": "one line orders more than a line may (venue: [limits])",
    "ORDER_TOO_LONG": "an order has more lines than one order may (venue: [limits])",
    "BILL_TOO_LONG": "the bill would have more lines than a bill may; check out and open anew",
    "LINE_TOO_LARGE": "one line's amount is beyond the bound of a line",
    "BILL_TOO_LARGE": "the bill's total would pass the bound of a bill",
    "TOO_MANY_PAYMENTS": "the bill has as many payments as a bill may carry",
    "BAD_DISCOUNT": "a discount is malformed or beyond 0-100 % / the bill's amount",
    "BAD_PRODUCT": "a product's code, name, price or category is malformed or too long",
    "PRICE_OUT_OF_RANGE": "a price or rate is beyond the bound of a price",
    "MENU_FULL": "the menu has as many products as a menu may",
    "PLAN_TOO_LARGE": "the price plan file is larger than a plan may be",
    "NO_PRICE_PLAN": "no price plan imported yet: ktvctl price import FILE",
    "UNKNOWN_PLAN": "no price plan with this version",
    "PLAN_VERSION_EXISTS": "this plan version exists with other prices; bump the version",
    "UNKNOWN_TIER": "the plan prices no such room tier",
    "UNKNOWN_BAND": "the plan has no such time band",
    "UNKNOWN_PACKAGE": "the plan has no such package",
    "PACKAGE_NOT_VALID_NOW": "the package is not sold at this time, day or tier",
    "UNKNOWN_SESSION": "the plan has no such 场次 (session slot)",
    "SESSION_NOT_RUNNING": "the 场次 is not on now, or not sold for this tier",
    "ROOM_OCCUPIED": "the room already has an open session or is already on this bill",
    "NO_OPEN_SESSION": "the room has no open session; open one at the desk first",
    "BAD_GUESTS": "a room opens with at least one guest",
    "BAD_DURATION": "a duration is malformed or not positive (e.g. 3h, 90m, 1h30m)",
    "PREPAID_TOO_LONG": "one 买钟/续钟 sale buys more minutes than the plan allows",
    "SESSION_TIME_LIMIT": "the session would pass the total time it may buy",
    "PREPAY_REQUIRED": "the payment does not cover the time bought; pay the full price",
    "ROOM_GIFT": "a room cannot give itself free time; the desk can",
    "ROOM_PAYS_STORED_VALUE": "a room pays only from stored value; other tenders at the desk",
    "UNKNOWN_PRODUCT": "no product with this SKU on the menu",
    "SOLD_OUT": "the product is not available now",
    "EMPTY_ORDER": "an order needs at least one item",
    "BAD_QUANTITY": "a quantity is missing, not positive or too large",
    "BAD_PRICE": "a price is negative",
    "BAD_ORDER_ACTION": "the order action must be DELIVER, CANCEL or COMP",
    "REASON_REQUIRED": "a cancel, comp, discount, refund or adjustment needs a reason",
    "UNKNOWN_BILL": "no bill with this id",
    "BAD_BILL_NAME": "the bill name is not bills/{id}, or a room asked for another bill",
    "ROOM_NOT_ON_BILL": "the room is not on this bill",
    "UNKNOWN_ORDER": "no order with this id on the bill",
    "UNKNOWN_PAYMENT": "no payment with this id (on the bill, or no such phone payment)",
    "BILL_CLOSED": "the bill is closed; nothing more can be added or paid",
    "BILL_NOT_PAID": "the bill still has money due; take the rest first",
    "APPROVAL_REQUIRED": "over the role's cap (discount, comp, refund): a manager approves "
    "with their staff id and PIN at the same call",
    "SELF_APPROVAL": "approving your own over-cap action needs the self-approval right",
    "APPROVER_CAPPED": "the approver's own role is capped below this amount",
    "BAD_CAPS": "the venue config's [caps] table is malformed; fix the file",
    "ACCOUNT_REQUIRED": "签单 (signed credit) needs the named account it is signed to",
    "NO_TENDER": "say how the guest pays (cash, wechat, ...)",
    "BAD_TENDER": "a payment's tender is missing or not one the system knows",
    "OVERPAYMENT": "only cash may exceed what is due (it gives change)",
    "REFERENCE_REQUIRED": "a card or QR payment needs the POS terminal's reference",
    "BAD_REFUND": "only a payment can be refunded",
    "REFUND_TOO_LARGE": "the refund is more than what is left of the payment",
    "NO_MEMBERSHIP": "stored-value payments need the membership module, not installed",
    "PAYMENT_DECLINED": "the payment gateway declined the payment",
    "UNKNOWN_PROVIDER": "this phone payment provider is not configured ([payments] phone)",
    "NOTHING_DUE": "the bill has nothing left to pay",
    "UNKNOWN_ISSUE": "no payment issue with this id",
    "ISSUE_SETTLED": "the payment issue was refunded or resolved already",
    "BAD_NOTIFICATION": "a payment gateway's notification is malformed or not for this merchant",
    "BAD_SIGNATURE": "a payment gateway's notification does not verify (forged or altered)",
    "BAD_PAYMENT_CONFIG": "[payments.wechat] / [payments.alipay] keys are missing or unreadable",
    "PHONE_PAY_OFF": "the venue does not let phones pay ([guests] may_pay = false)",
    "GATEWAY_UNAVAILABLE": "the payment gateway cannot be reached or answered unverifiably; retry",
    "BAD_WIDTH": "the receipt width must be 58 or 80 (mm)",
}

MEMBERS = {
    "BALANCE_TOO_LARGE": "the top-up (with its bonus) would pass the bound of a balance",
    "TOO_MANY_COUPONS": "more coupons in one call than a call may issue",
    "UNKNOWN_MEMBER": "no member matches the phone, card, id or name given",
    "AMBIGUOUS_MEMBER": "several members match; use the phone or card number",
    "EMPTY_QUERY": "look a member up by phone, card or name",
    "BAD_QUERY": "the member query is too long",
    "BAD_MEMBER_NAME": "the member name is not members/{member_id}, or came with a query too",
    "BAD_PHONE": "not a mainland mobile number (1[3-9] and 9 more digits)",
    "BAD_CARD_NUMBER": "the card number must be 4-32 letters or digits",
    "BAD_DATE": "a date is not YYYY-MM-DD",
    "BAD_TAG": "the member tag is not one the system knows",
    "PHONE_TAKEN": "this phone number belongs to another member",
    "CARD_TAKEN": "this card number belongs to another member",
    "NO_PIN": "the member has no PIN yet; set one at the desk",
    "WRONG_PIN": "wrong phone number or PIN (one answer for both, on purpose)",
    "MEMBER_REQUIRED": "a stored-value payment needs the member and PIN",
    "BAD_REFERENCE": "the stored-value payment reference is not a member ledger entry",
    "INSUFFICIENT_BALANCE": "the member's stored value does not cover the amount",
    "UNKNOWN_ENTRY": "no member ledger entry with this id",
    "NOT_A_PAYMENT": "only a stored-value payment entry can be refunded",
    "LEDGER_MISMATCH": "ktvctl: some balances disagree with the ledger; see the list printed",
    "BAD_POINTS": "redeem a positive number of points",
    "INSUFFICIENT_POINTS": "the member has fewer points than the redemption needs",
    "NOT_REDEEMABLE": "this product cannot be bought with points",
    "ROOM_REQUIRED": "say which room's bill gets the redeemed product",
    "UNKNOWN_COUPON": "no coupon with this code",
    "BAD_COUPON": "a coupon's value, kind or dates are out of range",
    "NOT_YOUR_COUPON": "the coupon belongs to another member",
    "COUPON_USED": "the coupon was already used",
    "COUPON_NOT_VALID_NOW": "the coupon is outside its validity dates",
    "COUPON_MIN_SPEND": "the bill does not reach the coupon's minimum spend",
    "COUPON_STACKING": "only one coupon per bill unless every coupon is stackable",
    "COUPON_REPEATED": "the same coupon was given twice",
    "NO_BENEFIT": "give coupons, points or the tier discount; nothing applies",
    "BENEFIT_TOO_LARGE": "the member benefits exceed what is still due on the bill",
    "BILL_OPEN": "a bill is credited to members only after checkout",
    "BILL_MERGED": "the bill was merged into another one; credit that one",
    "BAD_CAMPAIGN": "campaign must be birthday, win_back, or an event name with a tag",
}

REPORTS = {
    "BAD_DAY": "a business day is not YYYY-MM-DD, or a range ends before it starts",
    "RANGE_TOO_LONG": "a range report covers at most 400 business days; ask for less",
    "BAD_PERIOD": "a report's period must be DAY, WEEK, MONTH, QUARTER or RANGE",
    "SHIFT_OPEN": "the cash drawer has an open shift: hand it over before another starts",
    "NO_SHIFT": "the cash drawer has no open shift: start one (ktvctl shift start)",
    "NOT_YOUR_SHIFT": "only the shift's own cashier or a manager hands it over",
    "VARIANCE_REASON_REQUIRED": "the counted cash is not what the drawer should hold: say why",
    "DAY_NOT_OVER": "a business day can be closed only after the next day's cut-off",
}

OPERATIONS = {
    "DATA_DIR_IN_USE": "a controller is running on this data directory; stop it first",
    "TLS_REQUIRED": "no venue TLS: run ktv-controller init (or --insecure-dev to develop)",
    "SCHEMA_TOO_NEW": "the database is newer than this controller; upgrade the controller",
    "JOB_EXISTS": "a scheduled job with this name exists already",
    "UNKNOWN_JOB": "no scheduled job with this name",
    "BAD_SCHEDULE": "use 'daily HH:MM', 'monthly DAY HH:MM' or 'every N[s|m|h]'",
}

INVENTORY = {
    "FRACTIONAL_QUANTITY": "the item is counted in whole base units; the quantity is not whole",
    "UNKNOWN_UNIT": "the item is not counted in this unit; use its base or purchase unit",
    "UNKNOWN_LOCATION": "no such stock location (store = 库房, bar = 吧台)",
    "BAD_ITEM": "a stock item's id, name, unit, factor, cost or reorder level is out of bounds",
    "UNKNOWN_ITEM": "no stock item with this id; define it first (ktvctl stock item)",
    "INSUFFICIENT_STOCK": "the location holds less of the item than the document takes",
    "OUT_OF_STOCK": "a product of the order is sold out at the bar; nothing was ordered",
    "BEST_BEFORE_REQUIRED": "the item tracks expiry: a receipt needs its best-before date",
    "EXPIRED_ON_ARRIVAL": "the best-before date is already past; refuse the goods",
    "BAD_DOCUMENT": "a stock document needs lines (and a transfer two different locations)",
    "BAD_BATCH": "a batch code is too long",
    "MANAGER_REQUIRED": "only a manager may do this (items, recipes, approvals, closing orders)",
    "BASE_UNIT_FIXED": "the item has stock movements: its base unit cannot change",
    "BAD_RECIPE": "a recipe names the product's sku and each stock item once, at most 20",
    "PO_NOT_OPEN": "the purchase order is not sent or already finished: it takes no delivery",
    "NOT_ON_PO": "the delivery has an item the purchase order does not list",
    "BAD_INVENTORY_CONFIG": "[inventory] of the venue config is malformed; the message says how",
    "BAD_ACTION": "an expired bottle's action is extend, forfeit or serve",
    "BAD_CHANNEL": "a purchase order goes by file or email",
    "BAD_FORMAT": "a purchase order exports as text, csv or xlsx",
    "UNKNOWN_DOCUMENT": "no stock document with this id",
    "STOCKTAKE_OPEN": "the location is being counted; approve or reject that count first",
    "STOCKTAKE_CLOSED": "the stocktake was approved or rejected; open a new one",
    "UNKNOWN_STOCKTAKE": "no stocktake with this id",
    "BAD_SUPPLIER": "a supplier's id, name, contact or lead time is out of bounds",
    "UNKNOWN_SUPPLIER": "no supplier with this id",
    "NOT_SUPPLIED": "the supplier has no price for the item; add it to the supplier first",
    "UNKNOWN_PO": "no purchase order with this id",
    "NO_SUPPLIER_EMAIL": "the supplier has no e-mail address: send by file (print) instead",
    "UNKNOWN_BOTTLE": "no stored bottle with this label code",
    "BAD_LABEL": "a bottle's label code is too long (32 characters at most)",
    "LABEL_TAKEN": "the label code is on another stored bottle; use a fresh label",
    "BOTTLE_NOT_STORED": "the bottle was withdrawn, forfeited, served or found missing",
    "INSUFFICIENT_STORED": "the bottle holds less than the withdrawal asks; nothing was taken",
    "BOTTLE_EXPIRED": "the bottle's storage expired: extend, forfeit or serve it first",
    "BOTTLE_NOT_EXPIRED": "the bottle keeps until its expiry; only then can it be forfeited",
    "OVER_RECEIPT": "more delivered than outstanding on the order: refused; receive the extra "
    "without the order",
}

ROOM_AGENT = {
    "EMERGENCY": "the room is stopped for an emergency; nothing plays until it ends",
    "TIME_UP": "the room's time is up; extend (续钟) to go on",
    "ROOM_LOCKED": "the room is not open for guests (no session)",
    "NOTHING_PLAYING": "nothing is playing, so there is nothing to control",
    "NOT_ENROLLED": "this room is not enrolled with a controller; enroll it",
    "NO_CONTROLLER": "the controller has not been found on the network yet; retry",
    "FONT_MISSING": "the CJK font is not installed (Debian fonts-noto-cjk)",
    "FONT_NOT_SAVED": "the simplified-Chinese face could not be saved to the data dir",
    "UNKNOWN_EFFECT": "this room has no atmosphere sound (气氛) by that name",
    "EFFECT_RATE_LIMITED": "atmosphere sounds come no faster than the venue allows; wait a moment",
    "NO_PIN_FACTORY": "pins are configured but no real GPIO pin factory loads (install lgpio) "
    "and mock pins were not asked for (--mock-pins)",
}

MEDIA_INDEX = {
    "CATALOG_MISSING": "the song catalog file does not exist; build it with the indexer",
    "CATALOG_READONLY": "the catalog is open read-only",
    "CATALOG_TOO_NEW": "the catalog is newer than this software; upgrade it",
    "CATALOG_SCHEMA_MISMATCH": "the catalog is older: open it writable once to migrate",
    "SONG_NOT_FOUND": "no song with this id in the catalog",
    "LIBRARY_MISSING": "the library folder does not exist: mount the library's disk or NAS",
    "LIBRARY_EMPTY": "the library folder holds no media files: is the library mounted?",
    "LIBRARY_UNMARKED": "the library folder has no marker although the catalog came from a "
    "marked one: mount the library, or scan with --adopt if this folder is the library",
    "LIBRARY_MISMATCH": "the library folder is another library (its marker): use that "
    "library's catalog, or --adopt",
    "LIBRARY_NOT_MOUNTED": "the library folder is not on the mount the venue requires: mount it",
    "LIBRARY_REMOVALS_REFUSED": "the scan would remove more songs than allowed (10 %): check "
    "the library, or scan with --allow-removals",
    "CATALOG_DELTA_BASE": "the catalog delta is for another version than the room has; the "
    "room fetches the whole file instead",
    "BAD_CATALOG_OFFSET": "a catalog chunk was asked for past the end of its file; start over",
    "CATALOG_NOT_PUBLISHED": "this controller serves no catalog (serve --catalog PATH)",
    "NO_PREVIOUS_CATALOG": "the room keeps no previous catalog version to roll back to",
    "CATALOG_VERSION_GONE": "that catalog version is no longer kept; ask for the latest offer",
}
# fmt: on

WEB = {
    "SIGN_IN_REQUIRED": "the HTTP request has no staff session; sign in (POST /api/session)",
    "SESSION_IDLE": "the staff web session went unused past the idle timeout; sign in again",
    "CSRF_REFUSED": "a state-changing HTTP request did not come from the venue's own page "
    "(Origin / Sec-Fetch-Site, X-CSRF-Token equal to the ktv_csrf cookie)",
    "NOT_JSON": "the HTTP body is not Content-Type: application/json",
    "BODY_TOO_LARGE": "the HTTP body is over the API's bound (64 KiB); nothing was read",
    "BAD_JSON": "the HTTP body is not the request's proto3 JSON (malformed, unknown field, "
    "wrong type); the message names it",
    "UNKNOWN_METHOD": "/api/v1/{Service}/{Method} names no RPC the HTTP API serves",
    "BAD_WEB_SETTING": "a [web] entry of the venue config is unknown or out of range; fix the file",
    "BAD_GUEST_WEB_SETTING": "a [guest_web] entry of the venue config is unknown, out of range "
    "or inconsistent (tls = true needs [acme] or cert_file/key_file); fix the file",
    "GUEST_CERT_MISSING": "the guest listener's certificate file does not exist yet; run "
    "`ktv-controller cert` ([acme]) or set [guest_web] cert_file/key_file",
    "BAD_ACME_SETTING": "an [acme] entry of the venue config (or a line of its DNS credentials "
    "file) is unknown or malformed; fix the file",
    "ACME_NOT_CONFIGURED": "`ktv-controller cert` found no [acme] table in the venue config",
    "ACME_CREDENTIALS_MISSING": "the DNS provider's credentials file named by [acme] does not "
    "exist; write the provider's NAME=value lines, mode 0600",
    "ACME_CREDENTIALS_EXPOSED": "the DNS provider's credentials file is readable by group or "
    "others; chmod 600 it",
    "ACME_FAILED": "lego could not obtain or renew the certificate (or is not installed); the "
    "message has its last log line",
}

GUESTS = {
    "BAD_NICKNAME": "a phone's nickname is empty, over 16 characters or has control characters",
    "UNKNOWN_GUEST_CODE": "no room has this join code; scan the room's QR code again",
    "GUEST_CODE_EXPIRED": "the join code was replaced, revoked or its session ended; scan the "
    "code on the room's screen again",
    "BAD_GUEST_CREDENTIAL": "the phone's room pass is unknown or revoked; scan the room's QR again",
    "GUEST_SESSION_ENDED": "the session the phone joined has ended (checkout); scan the new code",
    "TOO_MANY_JOINS": "too many joins from this address or with this code; wait and retry",
    "RATE_LIMITED": "the caller is over its rate (a phone adding songs too fast); wait and retry",
    "BAD_GUEST_SETTING": "a [guests] entry of the venue config is unknown or out of range; fix it",
    "PHONE_NOT_ALLOWED": "the venue does not let phones do this ([guests] may_*); ask the staff",
    "SONG_ID_REQUIRED": "the request names no song; pick one from the search",
    "PHONE_ORDER_TOO_LARGE": "one line of a phone's order is over the venue's bound for phones "
    "([guests] order_max_quantity); ask the staff",
    "ENTRY_ID_REQUIRED": "the request names no queue entry",
    "NOT_YOUR_SONG": "a phone removes only the songs it added",
    "BAD_CONTROL": "the room control is not one of RoomControl's values",
    "ROOM_OFFLINE": "the room's player is not connected to the controller: phones cannot change "
    "it now (the touchscreen still works); retry later",
    "ROOM_NOT_ANSWERING": "the room's player did not answer in time; retry (the same request_id "
    "is safe)",
    "ROOM_REFUSED": "the room's player refused (song unknown there, room locked...); the message "
    "says why",
}

CLUB = {
    "TOO_MANY_CODES": "this phone was sent its sign-in codes' allowance for now (3 in 10 "
    "minutes); use the last code or wait",
    "BAD_SIGN_IN_CODE": "a sign-in code is 6 digits",
    "WRONG_CODE": "the phone number or one-time code is wrong",
    "SIGN_IN_CODE_EXPIRED": "no live sign-in code for this phone (expired, used or never "
    "sent); ask for a new one",
    "SIGN_IN_CODE_LOCKED": "this sign-in code had too many wrong tries; ask for a new one",
    "MEMBER_NOT_SIGNED_IN": "no member is signed in on this phone in this session; sign in "
    "with phone + PIN or a code",
    "GUESTS_ONLY": "this is a guest phone's call; staff use MembersService",
    "BAD_SONG": "a song id is 1-64 printable ASCII characters",
    "SAVED_SONGS_FULL": "我的歌单 is full (200 songs); remove one first",
    "NO_QUEUE": "the room's queue cannot be reached from phones now (no GuestService queue path)",
    "BAD_DRAW": "a draw's window, eligibility, prize, winner count or seed is malformed or "
    "out of range; the message names it",
    "UNKNOWN_DRAW": "no draw with this name",
    "DRAW_NOT_DUE": "a draw runs only after its window ends",
}

AREAS: dict[str, dict[str, str]] = {
    "General": GENERAL,
    "Authentication and access": AUTH,
    "Rooms, board and agent link": ROOMS,
    "Billing": BILLING,
    "Members": MEMBERS,
    "Reports, day close and shift handover": REPORTS,
    "Controller operations": OPERATIONS,
    "Inventory": INVENTORY,
    "Room agent": ROOM_AGENT,
    "Media index": MEDIA_INDEX,
    "HTTP API and web sessions": WEB,
    "Guests' phones": GUESTS,
    "Members on the phone and draws": CLUB,
}

REASONS: dict[str, str] = {
    name: meaning for area in AREAS.values() for name, meaning in area.items()
}

# Reasons of 0.1 that changed in 0.2: a client branching on the old name should branch on the
# new one (or both while it talks to older controllers). Never reuse an old name.
RENAMED: dict[str, str] = {
    "NO_SESSION": "NO_OPEN_SESSION",  # SignIn said NO_SESSION, billing NO_OPEN_SESSION
    "NOT_ENOUGH_POINTS": "INSUFFICIENT_POINTS",  # like INSUFFICIENT_BALANCE
    "BAD_BILL": "BAD_BILL_NAME",  # CreditBill's malformed bills/{id}
    "UNKNOWN_TAB": "UNKNOWN_BILL",  # a tab is the bill's internal name
    "ROOM_NOT_ON_TAB": "ROOM_NOT_ON_BILL",  # likewise
    "LOCKED_OUT": "PIN_LOCKED",  # staff logins and member PINs lock the same way
    "MISSING_REQUEST_ID": "REQUEST_ID_REQUIRED",  # like REASON_REQUIRED, ROOM_REQUIRED
}


def meaning(reason: str) -> str:
    """One line on ``reason`` ('' for one not in the catalogue); old names mean their new one."""
    return REASONS.get(RENAMED.get(reason, reason), "")
