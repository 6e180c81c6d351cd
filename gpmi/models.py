"""Models of the gpmi app (built in a later issue)."""
