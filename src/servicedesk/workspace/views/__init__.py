"""The agent's pages: queues, a ticket, logging a call. Thin: services write, selectors read."""
