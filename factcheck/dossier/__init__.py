"""The per-claim dossier: one document (HTML and PDF) holding everything about a claim."""
