"""Webhooks: admins register endpoints; events are delivered to them, signed, by the worker.

docs/worker.md describes the events, their payloads and how to verify a signature.
"""
