"""Tests of documents: adding them, reading them with their claims highlighted."""
