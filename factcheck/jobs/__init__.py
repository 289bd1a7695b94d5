"""Background jobs: work that must not run inside a request, run by ``factcheck worker``.

A job is written in the same transaction as the change that causes it (a
transactional outbox: :func:`factcheck.jobs.queue.enqueue`), claimed by one
worker at a time under a lease, retried with backoff, and marked failed after
its last try, for an admin to retry. docs/worker.md explains it all.
"""
