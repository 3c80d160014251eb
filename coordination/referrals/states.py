"""The states of a referral (つなぎ) and the one table of the moves allowed between them."""

from dataclasses import dataclass

from django.db import models


class ReferralState(models.TextChoices):
    DRAFT = "draft", "準備中"
    REQUESTED = "requested", "依頼済"
    ACCEPTED = "accepted", "受理"
    DECLINED = "declined", "辞退"
    STARTED = "started", "利用開始"
    ENDED = "ended", "終了"
    CANCELLED = "cancelled", "取消"


@dataclass(frozen=True)
class Move:
    """One allowed transition: its button label, whether it needs a written reason, and whether
    it is usually itself a contact with the organization (the request, its answer), so the form
    offers to record the contact log in the same step."""

    source: str
    target: str
    label: str
    needs_reason: bool = False
    is_contact: bool = False


S = ReferralState

# Every allowed move, declared once. A status is never edited freely: the services refuse any
# pair that is not here. 取消 is possible from every state before 終了 that is still open.
MOVES: tuple[Move, ...] = (
    Move(S.DRAFT, S.REQUESTED, "依頼した（送付）", is_contact=True),
    Move(S.REQUESTED, S.ACCEPTED, "受理の回答を受けた", is_contact=True),
    Move(S.REQUESTED, S.DECLINED, "辞退の回答を受けた", needs_reason=True, is_contact=True),
    Move(S.ACCEPTED, S.STARTED, "利用が始まった"),
    Move(S.STARTED, S.ENDED, "利用が終わった", needs_reason=False),
    Move(S.DRAFT, S.CANCELLED, "取り消す", needs_reason=True),
    Move(S.REQUESTED, S.CANCELLED, "取り消す", needs_reason=True),
    Move(S.ACCEPTED, S.CANCELLED, "取り消す", needs_reason=True),
    Move(S.STARTED, S.CANCELLED, "取り消す", needs_reason=True),
)

MOVE_BY_PAIR: dict[tuple[str, str], Move] = {(move.source, move.target): move for move in MOVES}

# States in which a referral is still being followed: a withdrawn consent flags these.
OPEN_STATES = frozenset({S.DRAFT, S.REQUESTED, S.ACCEPTED, S.STARTED})
# Waiting for the organization's answer: the home page and the "answer overdue" filter.
WAITING_STATES = frozenset({S.REQUESTED})
FINAL_STATES = frozenset({S.DECLINED, S.ENDED, S.CANCELLED})


def moves_from(state: str) -> list[Move]:
    """The moves allowed from a state, in the table's order."""
    return [move for move in MOVES if move.source == state]


def move_between(source: str, target: str) -> Move | None:
    return MOVE_BY_PAIR.get((source, target))
