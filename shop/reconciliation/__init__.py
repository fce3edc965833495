"""The daily reconciliation of each cooperative's ledger against the gateway: what does not
agree is kept as an exception until a later run no longer finds it."""
