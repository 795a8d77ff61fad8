"""PostgreSQL as Django's backend reads it, with instants loaded by psycopg's compiled code (see
`base`)."""
