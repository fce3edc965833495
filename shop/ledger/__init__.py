"""The money: a double-entry ledger, member balances, refunds and payouts (DESIGN.md, Money)."""
