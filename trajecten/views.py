"""Pages of the trajectory app."""
