"""Full-text search across claims, sources and documents: one interface, two engines."""
