"""Who is calling: the acting user and the units the role may reach.

The gateway authenticates the user and passes an actor with every call;
each service checks the scope again before it reads or changes a record.
A record outside the actor's scope is reported as not found, so a user
learns nothing about another unit's records.
"""
from dataclasses import dataclass

ROLES = ("clerk", "officer", "head", "central", "helpdesk", "admin")
READ_ONLY_ROLES = ("central",)
WIDE_SCOPE_ROLES = ("central", "helpdesk")


class NotFound(LookupError):
    """The record does not exist, or the actor may not see it."""


class Forbidden(PermissionError):
    """The actor's role may not perform this action."""


class InvalidActor(ValueError):
    """The call carried no usable actor."""


@dataclass(frozen=True)
class Actor:
    username: str
    role: str
    unit: str | None
    office: str | None = None
    scope: tuple = ()
    full_name: str | None = None

    def sees_unit(self, unit):
        """True when the actor may read records of provincial UNIT."""
        if self.role in WIDE_SCOPE_ROLES:
            return "all" in self.scope or unit in self.scope
        return unit == self.unit

    def may_change(self, unit):
        return self.role not in READ_ONLY_ROLES and self.sees_unit(unit)

    def require_role(self, *roles, action):
        if self.role not in roles:
            raise Forbidden(
                f"role {self.role!r} may not {action}; "
                f"allowed roles: {', '.join(roles)}"
            )

    def as_dict(self):
        return {"username": self.username, "role": self.role,
                "unit": self.unit, "office": self.office,
                "scope": list(self.scope), "full_name": self.full_name}


def actor_from(data):
    """Build an Actor from the dict the gateway sends; raise InvalidActor."""
    if not isinstance(data, dict):
        raise InvalidActor("actor is missing: every call names the acting user")
    role = data.get("role")
    if role not in ROLES:
        raise InvalidActor(f"actor role {role!r} is unknown; use one of {ROLES}")
    username = data.get("username")
    if not username:
        raise InvalidActor("actor username is missing")
    unit = data.get("unit")
    if role not in WIDE_SCOPE_ROLES and not unit:
        raise InvalidActor(f"actor {username!r} has no unit")
    return Actor(
        username=username, role=role, unit=unit, office=data.get("office"),
        scope=tuple(data.get("scope") or ()), full_name=data.get("full_name"),
    )


def visible(actor, unit):
    """Raise NotFound unless ACTOR may read records of UNIT."""
    if not actor.sees_unit(unit):
        raise NotFound("record not found")


def changeable(actor, unit):
    """Raise NotFound or Forbidden unless ACTOR may change UNIT's records."""
    visible(actor, unit)
    if not actor.may_change(unit):
        raise Forbidden(f"role {actor.role!r} reads records but changes none")
