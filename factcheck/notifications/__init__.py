"""Following claims, in-app notifications and notification e-mail (docs/notifications.md)."""
