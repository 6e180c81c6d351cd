"""Models of the spi app (built in a later issue)."""
