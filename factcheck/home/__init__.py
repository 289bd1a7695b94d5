"""The desk's home page: what waits for the signed-in person."""
