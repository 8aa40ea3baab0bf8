"""Billing: price plans, room time, orders, bills, payments and refunds.

The modules here are the pure domain (no grpc, no sqlite): every rule is a function of
values, so the same code answers the gRPC service, ``ktvctl`` and the tests.
"""
