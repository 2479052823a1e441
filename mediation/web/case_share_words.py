"""Words of co-mediation on the web (DESIGN §9.5): the case page's 协同调解 section (web/case_shares.py) and the
new-case form's referring unit (web/intake.py), merged into i18n.TEXT."""

from __future__ import annotations

CASE_SHARE_TEXT: dict[str, dict[str, str]] = {
    "co_mediation": {"zh": "协同调解", "en": "Co-mediation"},
    "no_shares": {"zh": "本案尚未邀请其他单位协同调解。", "en": "The case is not shared with another unit."},
    "referred_from": {"zh": "转入自{unit}", "en": "Referred by {unit}"},
    "share_unit": {"zh": "协同单位", "en": "Partner unit"},
    "share_reason": {"zh": "理由", "en": "Reason"},
    "shared_by": {"zh": "邀请人", "en": "Shared by"},
    "shared_at": {"zh": "邀请时间", "en": "Shared at"},
    # The new-case form: a referral_in case names the unit that referred it, and may be filed into another's unit.
    "referred_by": {"zh": "转出单位（转入案件填写）", "en": "Referred by (referral_in cases)"},
    "other_units_referral": {"zh": "其他单位（仅限转入案件，并填写本单位为转出单位）",
                             "en": "Other units (referral_in cases naming your unit as the referrer)"},
}
