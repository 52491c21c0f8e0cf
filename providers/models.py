"""providers: built in its own issue; the app is registered so its migrations have a home."""
