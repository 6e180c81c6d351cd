"""Models of the trajecten app (built in a later issue)."""
