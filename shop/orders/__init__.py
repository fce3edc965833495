"""The shopper's side of an order after checkout: its page, who may see it, and its mails."""
