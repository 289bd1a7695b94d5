"""Reader submissions: claims readers suggest and errors they report, and the editors' queue."""
