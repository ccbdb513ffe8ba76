"""Is queued work stuck? Read through services/jobs_health (lane l14's heartbeat and leases)."""

from starqr.models import ImportBatch
from starqr.services import access, jobs_health
from starqr.services.imports.errors import RowError

STUCK_AFTER_SECONDS = 120  # a queued job whose consumer has not been seen for two minutes


def queue_state(actor, now=None, translate=None):
    """{"stuck", "pending", "running", "last_seen" (UTC or None), "age_seconds", "failed": [(batch, reason)]}.

    stuck: work waits and the task consumer has not beaten for STUCK_AFTER_SECONDS (or never).
    failed: the recently failed batches ACTOR may see (an organisation administrator: their own),
    each with its reason through TRANSLATE (a gettext; None: Chinese).
    """
    health = jobs_health.job_health(now)
    consumer = health["scheduler"]
    age = consumer["age_seconds"]
    waiting = health["pending"] > 0
    stuck = waiting and (consumer["state"] == "never" or age is None or age > STUCK_AFTER_SECONDS)
    failed = []
    if health["failed_recently"]:
        query = access.import_batches(actor).where(ImportBatch.id.in_(health["failed_recently"]))
        for batch in query.order_by(ImportBatch.id.desc()):
            failed.append((batch, failure_reason(batch, translate)))
    return {
        "stuck": stuck,
        "pending": health["pending"],
        "running": health["running"],
        "last_seen": consumer["last_beat"],
        "age_seconds": age,
        "failed": failed,
    }


def failure_reason(batch, translate=None):
    """A failed batch's reason in one sentence (its first recorded error), through TRANSLATE (a
    gettext; None: Chinese); an old record that holds text only reads as it was stored."""
    errors = batch.errors or []
    if not errors:
        return None
    first = errors[0]
    return RowError.from_dict(first).text(translate) if isinstance(first, dict) else str(first)
