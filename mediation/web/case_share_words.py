"""Words of the case page's 协同调解 section (web/case_shares.py), merged into i18n.TEXT."""

from __future__ import annotations

CASE_SHARE_TEXT: dict[str, dict[str, str]] = {
    "co_mediation": {"zh": "协同调解", "en": "Co-mediation"},
    "no_shares": {"zh": "本案尚未邀请其他单位协同调解。", "en": "The case is not shared with another unit."},
    "referred_from": {"zh": "转入自{unit}", "en": "Referred by {unit}"},
    "share_unit": {"zh": "协同单位", "en": "Partner unit"},
    "share_reason": {"zh": "理由", "en": "Reason"},
    "shared_by": {"zh": "邀请人", "en": "Shared by"},
    "shared_at": {"zh": "邀请时间", "en": "Shared at"},
}
