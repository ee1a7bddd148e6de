"""Webhooks: integrators subscribe to domain events; signed deliveries with retries.

Deliveries are created from the outbox (so a rolled-back change never sends one) and sent
by the worker with exponential backoff until they succeed or run out of attempts.
"""
