"""Money reports for a cooperative and statements for its members."""
