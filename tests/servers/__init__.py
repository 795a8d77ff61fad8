# How long a test server (the OpenID provider, slapd, Dovecot) may take to start listening. Each
# starts in about a second here; on CI, with the suite on both cores of a slow machine, the
# OpenID provider once had not printed its address after 20 s.
START_TIMEOUT = 60
