"""Commentary per client on the age analysis: each note kept with its author and time; the
newest one at a date is the one shown, so a note carries forward until someone changes it."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import Connection, func, insert, select

from config.errors import InputError
from sync import audit
from sync.reports.models import CustomerCommentRow
from sync.tables import inserted_id, table_of

COMMENTS = table_of(CustomerCommentRow)
MAX_TEXT = 2000


class CommentError(InputError, ValueError):
    """A comment that cannot be stored (empty, too long, unknown customer)."""


def add_comment(conn: Connection, *, company_code: str, customer: str, text: str,
                author: str, now: datetime | None = None) -> int:
    """Store a new note on a customer's line (audited); returns its id."""
    text = text.strip()
    if not text:
        raise CommentError("a comment needs some text")
    if len(text) > MAX_TEXT:
        raise CommentError(f"a comment holds at most {MAX_TEXT} characters, not {len(text)}")
    at = now or datetime.now(timezone.utc)
    new_id = inserted_id(conn.execute(insert(COMMENTS).values(
        company_code=company_code, customer=customer, text=text, author=author,
        created_at=at)))
    audit.record(conn, [audit.event(action="commented", entity="customer",
                                    key=f"{company_code}/{customer}", actor=author,
                                    detail={"comment_id": new_id}, at=at)])
    return int(new_id)


def comments_as_at(conn: Connection, until: datetime) -> dict[tuple[str, str], str]:
    """The newest note per customer written before ``until``."""
    newest = select(COMMENTS.c.company_code, COMMENTS.c.customer,
                    func.max(COMMENTS.c.id).label("id")) \
        .where(COMMENTS.c.created_at < until) \
        .group_by(COMMENTS.c.company_code, COMMENTS.c.customer).subquery()
    query = select(COMMENTS.c.company_code, COMMENTS.c.customer, COMMENTS.c.text) \
        .join(newest, COMMENTS.c.id == newest.c.id)
    return {(r[0], r[1]): r[2] for r in conn.execute(query)}


def history(conn: Connection, company_code: str, customer: str) -> list[dict]:
    """Every note on a customer, newest first."""
    rows = conn.execute(select(COMMENTS).where(COMMENTS.c.company_code == company_code,
                                               COMMENTS.c.customer == customer)
                        .order_by(COMMENTS.c.id.desc()))
    return [dict(r._mapping) for r in rows]
