"""The values the engine returns, as dataclasses built from the C ABI's JSON."""
from dataclasses import dataclass, field
from datetime import datetime
from typing import List, Optional, Tuple


def parse_time(text):
    """RFC 3339 as the library writes it ("2026-01-02T03:04:05Z") -> aware datetime."""
    if not text:
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@dataclass(frozen=True)
class Credentials:
    """An issued credential and its lease. secret_key and session_token are
    left out of repr(); Python cannot wipe its own copies of them, so keep
    them no longer than needed."""
    lease_id: str
    lease_duration: int  # seconds
    renewable: bool
    access_key: str
    secret_key: str = field(repr=False)
    session_token: str = field(default="", repr=False)
    expiration: Optional[datetime] = None  # STS credentials
    arn: str = ""
    user_name: str = ""  # iam_user

    @classmethod
    def from_json(cls, d):
        return cls(lease_id=d["lease_id"], lease_duration=d["lease_duration"], renewable=d["renewable"],
                   access_key=d["access_key"], secret_key=d["secret_key"], session_token=d.get("session_token", ""),
                   expiration=parse_time(d.get("expiration")), arn=d.get("arn", ""), user_name=d.get("user_name", ""))


@dataclass(frozen=True)
class Lease:
    """A lease as the store keeps it: never a secret."""
    id: str
    mount: str
    role: str
    credential_type: str
    user_name: str
    access_key_id: str
    arn: str
    issued_at: datetime
    expires_at: datetime
    max_expires_at: datetime
    renewable: bool
    state: str  # "active" | "irrevocable"
    revoke_attempts: int
    last_error: str

    @classmethod
    def from_json(cls, d):
        times = {k: parse_time(d[k]) for k in ("issued_at", "expires_at", "max_expires_at")}
        rest = {k: v for k, v in d.items() if k not in times}
        return cls(**rest, **times)


@dataclass(frozen=True)
class ForceRevokeReport:
    revoked: List[str]
    dropped: List[Tuple[str, str]]  # (lease id, why AWS cleanup failed)

    @classmethod
    def from_json(cls, d):
        return cls(revoked=d["revoked"], dropped=[(x["lease_id"], x["error"]) for x in d["dropped"]])


@dataclass(frozen=True)
class TidyReport:
    rolled_back: List[str]
    settling: List[str]  # dead issuances whose CreateUser may still land: looked at again later
    orphans: List[str]
    deleted: List[str]
    failed: List[Tuple[str, str]]
    irrevocable: List[Lease]

    @classmethod
    def from_json(cls, d):
        return cls(rolled_back=d["rolled_back"], settling=d["settling"], orphans=d["orphans"], deleted=d["deleted"],
                   failed=[(x["name"], x["error"]) for x in d["failed"]],
                   irrevocable=[Lease.from_json(x) for x in d["irrevocable"]])
