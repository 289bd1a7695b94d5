"""Archived snapshots of web pages: fetching them safely, keeping them as WARC records, serving them."""
