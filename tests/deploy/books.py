"""What the proof checks in the database afterwards, in SQL of its own (not the app's
services, whose correctness is what is being checked)."""

from sqlalchemy import Connection, text

# Orders in these states gave their stock back (shop.checkout: expiry, cancellation, denial).
STOCK_RETURNED = ("expired", "cancelled", "denied")
AFTER_PAYMENT = ("paid", "packed", "shipped", "delivered", "completed")


def orders_by_number(connection: Connection, numbers: list[str]) -> dict[str, list[tuple]]:
    rows = connection.execute(
        text("SELECT number, status, contact_email FROM orders WHERE number = ANY(:numbers)"),
        {"numbers": numbers},
    ).all()
    found: dict[str, list[tuple]] = {number: [] for number in numbers}
    for number, status, email in rows:
        found[number].append((status, email))
    return found


def orders_per_email(connection: Connection) -> dict[str, int]:
    rows = connection.execute(text("SELECT contact_email, count(*) FROM orders GROUP BY 1"))
    return dict(rows.all())


def stock_differences(connection: Connection, initial: dict[int, int]) -> dict[int, tuple]:
    """Variants whose stock is not the initial stock less the units of the orders holding
    it: {variant id: (initial, held by orders, now)}."""
    held = dict(
        connection.execute(
            text(
                "SELECT l.variant_id, sum(l.quantity) FROM order_lines l"
                " JOIN orders o ON o.id = l.order_id"
                " WHERE o.status NOT IN ('expired', 'cancelled', 'denied') GROUP BY 1"
            )
        ).all()
    )
    now = dict(connection.execute(text("SELECT id, stock FROM product_variants")).all())
    return {
        variant: (start, held.get(variant, 0), now[variant])
        for variant, start in initial.items()
        if start - held.get(variant, 0) != now[variant]
    }


def sold_count_differences(connection: Connection) -> dict[int, tuple]:
    """Products whose sold_count is not the units of their paid orders: {id: (paid, count)}."""
    paid = dict(
        connection.execute(
            text(
                "SELECT l.product_id, sum(l.quantity) FROM order_lines l"
                " JOIN orders o ON o.id = l.order_id WHERE o.status = ANY(:paid) GROUP BY 1"
            ),
            {"paid": list(AFTER_PAYMENT)},
        ).all()
    )
    counted = dict(connection.execute(text("SELECT id, sold_count FROM products")).all())
    return {
        product: (paid.get(product, 0), count)
        for product, count in counted.items()
        if paid.get(product, 0) != count
    }


def mails_by_status(connection: Connection) -> dict[str, int]:
    return dict(
        connection.execute(text("SELECT status, count(*) FROM outgoing_mails GROUP BY 1")).all()
    )


def order_statuses(connection: Connection) -> dict[str, int]:
    return dict(connection.execute(text("SELECT status, count(*) FROM orders GROUP BY 1")).all())
