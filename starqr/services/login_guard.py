"""Log-in that cannot be turned against users: growing waits per account and per address.

A hard lock after five failures let anyone lock any account (five anonymous wrong passwords
locked `admin` for 15 minutes), and only existing usernames were ever "locked", which told
which names exist. Instead:

- failures are counted per account name — known or not, hashed, so unknown names behave
  exactly like known ones — and per client address;
- the first FREE_FAILURES cost nothing; each further one doubles the wait before the next
  try (1 s, 2 s, 4 s...), capped low for an account (ACCOUNT_MAX_WAIT: its owner can always
  get in after a short wait) and high for an address (ADDRESS_MAX_WAIT: the guesser waits);
- a success clears the account's count; an address's count fades after FORGET_AFTER.

No Flask here; accounts.authenticate calls it.
"""

import datetime
import hashlib

from starqr.models import LoginThrottle, utcnow

FREE_FAILURES = 5
ACCOUNT_MAX_WAIT = 60
ADDRESS_MAX_WAIT = 15 * 60
FORGET_AFTER = datetime.timedelta(hours=1)


def account_key(username):
    digest = hashlib.sha256((username or "").strip().lower().encode("utf-8")).hexdigest()[:40]
    return f"account:{digest}"


def address_key(address):
    return f"address:{(address or 'unknown')[:100]}"


def _keys(username, address):
    keys = [account_key(username)]
    if address:
        keys.append(address_key(address))
    return keys


def wait_seconds(username, address=None, now=None):
    """Seconds to wait before the next try for this name or address (0: may try now)."""
    now = now or utcnow()
    waits = [
        row.wait_until
        for row in LoginThrottle.select().where(LoginThrottle.key.in_(_keys(username, address)))
        if row.wait_until and row.wait_until > now and row.last_failure_at > now - FORGET_AFTER
    ]
    if not waits:
        return 0
    return max(1, int((max(waits) - now).total_seconds() + 0.999))


def _wait_after(failures, cap):
    if failures <= FREE_FAILURES:
        return 0
    return min(2 ** min(failures - FREE_FAILURES - 1, 20), cap)


def record_failure(username, address=None, now=None):
    """Count a failed log-in for the name and the address; returns the wait now due (seconds)."""
    now = now or utcnow()
    longest = 0
    for key in _keys(username, address):
        cap = ACCOUNT_MAX_WAIT if key.startswith("account:") else ADDRESS_MAX_WAIT
        row = LoginThrottle.get_or_none(LoginThrottle.key == key)
        failures = 1 if row is None or row.last_failure_at < now - FORGET_AFTER else row.failures + 1
        wait = _wait_after(failures, cap)
        until = now + datetime.timedelta(seconds=wait) if wait else None
        (
            LoginThrottle.insert(key=key, failures=failures, last_failure_at=now, wait_until=until)
            .on_conflict(
                conflict_target=[LoginThrottle.key],
                update={
                    LoginThrottle.failures: failures,
                    LoginThrottle.last_failure_at: now,
                    LoginThrottle.wait_until: until,
                },
            )
            .execute()
        )
        longest = max(longest, wait)
    return longest


def record_success(username):
    LoginThrottle.delete().where(LoginThrottle.key == account_key(username)).execute()


def forget_old(now=None):
    """Drop counts older than FORGET_AFTER (called now and then; the table stays small)."""
    now = now or utcnow()
    return LoginThrottle.delete().where(LoginThrottle.last_failure_at < now - FORGET_AFTER).execute()
