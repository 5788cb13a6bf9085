"""The room as it reports on itself: the displays' heartbeats and play events."""
