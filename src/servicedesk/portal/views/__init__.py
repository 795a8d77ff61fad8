"""The requester's pages. Thin: read through selectors, write through `tickets.services`."""
