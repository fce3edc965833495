"""Recording audit rows. Called inside the service that makes the change; flushes only."""

from shop.audit.models import AuditEntry
from shop.extensions import db


def record_audit(actor, cooperative, action: str, target, details: dict | None = None) -> None:
    db.session.add(
        AuditEntry(
            actor_id=actor.id if actor is not None else None,
            cooperative_id=cooperative.id if cooperative is not None else None,
            action=action,
            target_type=type(target).__name__,
            target_id=getattr(target, "id", None),
            details=details or {},
        )
    )
    db.session.flush()
