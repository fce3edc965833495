"""How to pay a pending transaction, step by step, for each bank, QRIS and each store: data,
translated when shown. The number to enter is shown above the steps, so they refer to it.
"""

from flask_babel import lazy_gettext as _l

ATM_STEP = _l("At an ATM: choose Other transactions, then Transfer, then Virtual Account.")
ENTER_VA = _l("Enter the virtual account number shown above.")
CHECK_AND_CONFIRM = _l(
    "Check that the name and the amount are those of this order, then confirm with your PIN."
)
KEEP_RECEIPT = _l("Keep the receipt. This page shows the payment within a few minutes.")

STEPS = {
    "bca": (
        _l("Open BCA mobile (m-BCA) and choose m-Transfer, then BCA Virtual Account."),
        ENTER_VA,
        CHECK_AND_CONFIRM,
        _l("At a BCA ATM: choose Other transactions, Transfer, To BCA Virtual Account."),
        KEEP_RECEIPT,
    ),
    "bni": (
        _l("Open BNI Mobile Banking and choose Transfer, then Virtual Account Billing."),
        ENTER_VA,
        CHECK_AND_CONFIRM,
        _l("At a BNI ATM: choose Other menu, Transfer, Virtual Account Billing."),
        KEEP_RECEIPT,
    ),
    "bri": (
        _l("Open BRImo and choose BRIVA."),
        ENTER_VA,
        CHECK_AND_CONFIRM,
        _l("At a BRI ATM: choose Other transactions, Payment, Other, BRIVA."),
        KEEP_RECEIPT,
    ),
    "permata": (
        _l("Open PermataMobile X and choose Pay bills, then Virtual Account."),
        ENTER_VA,
        CHECK_AND_CONFIRM,
        ATM_STEP,
        KEEP_RECEIPT,
    ),
    "mandiri": (
        _l("Open Livin' by Mandiri and choose Pay, then Multipayment (e-commerce)."),
        _l("Enter the company code (biller code) shown above, then the bill key."),
        CHECK_AND_CONFIRM,
        _l("At a Mandiri ATM: choose Pay/Buy, Others, Multi Payment, then the same codes."),
        KEEP_RECEIPT,
    ),
    "qris": (
        _l("Open any e-wallet or banking app that can pay with QRIS."),
        _l("Scan the QR code above, or save it and upload it in the app."),
        CHECK_AND_CONFIRM,
        KEEP_RECEIPT,
    ),
    "indomaret": (
        _l("Go to any Indomaret and tell the cashier you want to pay for Midtrans."),
        _l("Show the payment code above to the cashier."),
        _l("Pay the amount in cash and keep the receipt."),
    ),
    "alfamart": (
        _l("Go to any Alfamart, Alfamidi or Dan+Dan and tell the cashier you pay for Midtrans."),
        _l("Show the payment code above to the cashier."),
        _l("Pay the amount in cash and keep the receipt."),
    ),
}


def steps_for(key: str | None) -> tuple:
    """The steps for a bank, "qris" or a store; none for a method that needs no steps here."""
    return STEPS.get(key or "", ())
