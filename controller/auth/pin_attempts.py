"""Wrong-PIN lockout kept in SQLite, one counter for every PIN the controller checks: staff logins
(``staff:ID``), members' payments and sign-ins (``member:ID``) and sign-ins with a phone that
is no member's (``phone:DIGITS``, so probing a stranger's number is throttled like a member's).

A 4-digit PIN falls to 10,000 guesses, so after ``max_failures`` wrong PINs in a row a subject
is locked for ``lockout_s``. Two rules make the count hold:

- **Counted before the hash.** :meth:`PinAttempts.attempt` checks the lock and counts the try
  as wrong in one short transaction *before* the slow hash, and forgets the count when the PIN
  turns out right. N parallel guesses therefore hash at most ``max_failures`` PINs; checking
  first and counting after the hash let all of them through (41 parallel guesses, all hashed,
  the right one got a token). A crash between the count and the hash leaves one wrong try
  counted: it fails closed.
- **Kept in SQLite** (``pin_attempts``), so a restart keeps a lock (it used to forget staff
  locks). Rows untouched for ``pin_attempts_forget_after_s`` are pruned as new tries come in,
  so strangers' phones cannot grow the table without bound.

A check inside the caller's transaction (a balance payment inside billing's) cannot write its
count there, as the payment's rollback would undo it. It needs no reservation either: the
caller holds the store's lock from BEGIN to the end, so no other check of the subject can run
in between; its outcome is written after that transaction ends (``Store.after_transaction``,
committed or rolled back), still under the lock.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from controller import settings
from controller.auth.lockout import Failures, LockoutPolicy
from controller.store.db import Store
from ktv.errors import KtvError


class PinAttempts:
    """The ``pin_attempts`` table: check-and-count of PIN tries, atomic and persistent."""

    def __init__(
        self,
        store: Store,
        clock: Callable[[], datetime],
        policy: LockoutPolicy,
        *,
        forget_after_s: float = settings.pin_attempts_forget_after_s,
    ) -> None:
        self.store = store
        self.clock = clock
        self.policy = policy
        self.forget_after = timedelta(seconds=forget_after_s)

    def failures(self, subject: str) -> Failures:
        row = self.store.query_one(
            "SELECT failures, locked_until FROM pin_attempts WHERE subject = ?", (subject,)
        )
        if row is None:
            return Failures()
        until = row["locked_until"]
        return Failures(row["failures"], datetime.fromisoformat(until) if until else None)

    def refuse_if_locked(self, subject: str, locked: Callable[[int], KtvError]) -> None:
        """Raise ``locked(wait_s)`` while ``subject`` is locked (reads only)."""
        now = self.clock()
        state = self.failures(subject)
        if state.locked_at(now):
            raise locked(state.wait_s(now))

    def attempt(
        self, subject: str, verify: Callable[[], bool], locked: Callable[[int], KtvError]
    ) -> bool:
        """``verify()`` (the slow hash) unless ``subject`` is locked (then ``locked(wait_s)``
        is raised and nothing is hashed); True when the PIN was right. Counts a wrong PIN,
        forgets the count on a right one."""
        if self.store.in_transaction:
            self.refuse_if_locked(subject, locked)
            right = verify()
            self.store.after_transaction(lambda: self._settle(subject, right))
            return right
        self._reserve(subject, locked)
        right = verify()
        if right:
            self._forget(subject)
        return right

    def _reserve(self, subject: str, locked: Callable[[int], KtvError]) -> None:
        """Refuse a locked subject, else count this try as wrong, in one transaction."""
        with self.store.transaction():
            now = self.clock()
            state = self.failures(subject)
            if state.locked_at(now):
                raise locked(state.wait_s(now))
            self._write(subject, state.after_wrong_pin(now, self.policy), now)

    def _settle(self, subject: str, right: bool) -> None:
        if right:
            if self.failures(subject).count:
                self._forget(subject)
            return
        with self.store.transaction():
            now = self.clock()
            self._write(subject, self.failures(subject).after_wrong_pin(now, self.policy), now)

    def _write(self, subject: str, state: Failures, now: datetime) -> None:
        self.store.execute(
            "DELETE FROM pin_attempts WHERE updated_at < ?"
            " AND (locked_until IS NULL OR locked_until < ?)",
            ((now - self.forget_after).isoformat(), now.isoformat()),
        )
        self.store.execute(
            "INSERT INTO pin_attempts (subject, failures, locked_until, updated_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (subject) DO UPDATE SET"
            " failures = excluded.failures, locked_until = excluded.locked_until,"
            " updated_at = excluded.updated_at",
            (
                subject,
                state.count,
                state.locked_until.isoformat() if state.locked_until else None,
                now.isoformat(),
            ),
        )

    def _forget(self, subject: str) -> None:
        with self.store.transaction():
            self.store.execute("DELETE FROM pin_attempts WHERE subject = ?", (subject,))


def staff_attempts(store: Store, clock: Callable[[], datetime]) -> PinAttempts:
    policy = LockoutPolicy(settings.login_max_failures, settings.login_lockout_s)
    return PinAttempts(store, clock, policy)
