"""``/api/me``: who the token or session belongs to, and what they may do."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from admin.api.schemas import Me
from admin.roles import PERMISSIONS
from admin.security import Principal, current

router = APIRouter(tags=["me"])


@router.get("/me", response_model=Me)
def me(who: Principal = Depends(current)) -> Me:
    return Me(name=who.user.name, role=who.user.role,
              permissions=sorted(PERMISSIONS.get(who.user.role, frozenset())))
