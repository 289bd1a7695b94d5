"""Importing fact checks from other tools: ClaimReview JSON-LD and the claims CSV (docs/imports.md)."""
