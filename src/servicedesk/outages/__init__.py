"""System status: outages, degradations and planned maintenance per service (see README.md)."""
