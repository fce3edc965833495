"""The ledger's accounts and entry kinds in words, for the pages that show the journal."""

from flask_babel import lazy_gettext as _l

from shop.ledger.models import Account, EntryKind

ACCOUNT_LABELS = {
    Account.GATEWAY_CLEARING: _l("Owed by Midtrans"),
    Account.MEMBER_PENDING: _l("Members' pending earnings"),
    Account.MEMBER_AVAILABLE: _l("Members' available balance"),
    Account.FEE_REVENUE: _l("Cooperative fee revenue"),
    Account.SHIPPING_REVENUE: _l("Shipping revenue"),
    Account.GATEWAY_FEES: _l("Midtrans fees"),
    Account.PAYOUTS_IN_TRANSIT: _l("Payouts in transit"),
    Account.BANK: _l("Bank"),
    Account.SIMPANAN_POKOK: _l("Simpanan pokok"),
    Account.SIMPANAN_WAJIB: _l("Simpanan wajib"),
    Account.SIMPANAN_SUKARELA: _l("Simpanan sukarela"),
    Account.SHU_SHARED: _l("SHU shared with members"),
}

ENTRY_KIND_LABELS = {
    EntryKind.SETTLEMENT: _l("Payment settled"),
    EntryKind.GATEWAY_FEE: _l("Midtrans fee"),
    EntryKind.COMPLETION: _l("Order completed"),
    EntryKind.REFUND: _l("Refund"),
    EntryKind.PAYOUT_APPROVED: _l("Payout approved"),
    EntryKind.PAYOUT_PAID: _l("Payout transferred"),
    EntryKind.PAYOUT_REJECTED: _l("Payout rejected"),
    EntryKind.PAYOUT_RETURNED: _l("Payout returned by the bank"),
    EntryKind.SAVINGS_DEPOSIT: _l("Simpanan deposit"),
    EntryKind.SAVINGS_WITHDRAWAL: _l("Simpanan sukarela withdrawal"),
    EntryKind.SHU_DISTRIBUTION: _l("SHU shared"),
}
