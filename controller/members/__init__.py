"""Membership: members with a PIN, stored value (储值), points, coupons, tiers, tags, campaigns.

Pure domain modules (``model``, ``wallet``, ``points``, ``coupons``, ``tiers``, ``campaigns``)
import no grpc or sqlite; ``store`` is the SQLite adapter, ``desk`` the service (one
transaction per action), ``stored_value`` the billing payment provider, ``api`` the gRPC
adapter. See docs/members.md.
"""
