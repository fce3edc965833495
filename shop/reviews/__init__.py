"""Ratings and reviews of what a shopper bought, and the counts cards show (issue 13)."""
