"""Members are paid out of their available balance: request, approval, transfer."""
