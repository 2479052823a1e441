"""A small real-shaped county used by the demo, the tests and the benchmarks.

永嘉县 with two towns, a community and a village with grids, a police station, two
departments and a shared court; one user of every role (password below).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from mediation.db import Database
from mediation.directory.accounts import create_unit, create_user, hash_password

PASSWORD = "mediation-demo"

UNITS = (
    # code, name, kind, parent, abbreviation
    ("330324", "永嘉县", "county", None, "永嘉"),
    ("330324001", "瓯北街道", "town", "330324", None),
    ("330324001001", "江北社区", "community", "330324001", None),
    ("330324001001-G1", "江北社区第一网格", "grid", "330324001001", None),
    ("330324001001-G2", "江北社区第二网格", "grid", "330324001001", None),
    ("330324001-PS", "瓯北派出所", "station", "330324001", None),
    ("330324002", "桥头镇", "town", "330324", None),
    ("330324002001", "菇溪村", "community", "330324002", None),
    ("330324002001-G1", "菇溪村网格", "grid", "330324002001", None),
    ("330324-SJ", "永嘉县市场监督管理局", "department", "330324", None),
    ("330324-RS", "永嘉县人力资源和社会保障局", "department", "330324", None),
    ("330324-FT", "瓯北共享法庭", "court", "330324", None),
    # A partner across the provincial border (DESIGN §9.5): the 浙闽 "铁盟" liaison post co-mediates with us.
    ("350722", "浦城县", "county", None, "浦城"),
    ("350722-LM", "浙闽边界“铁盟”联调站", "station", "350722", None),
)

USERS = (
    # username, display name, roles, unit
    ("grid1", "陈网格", ("grid_worker",), "330324001001-G1"),
    ("grid2", "周网格", ("grid_worker",), "330324002001-G1"),
    ("mediator1", "林调解", ("mediator",), "330324001001"),
    ("mediator2", "吴调解", ("mediator",), "330324002001"),
    ("police1", "黄警官", ("police",), "330324001001"),
    ("police2", "蔡警官", ("police",), "330324002001"),
    ("station1", "郑所长", ("police",), "330324001-PS"),
    ("dept_sj", "市场监管联络员", ("department",), "330324-SJ"),
    ("dept_rs", "人社联络员", ("department",), "330324-RS"),
    ("court1", "徐法官", ("court",), "330324-FT"),
    ("supervisor1", "赵主任", ("supervisor",), "330324001"),
    ("county_sup", "钱主任", ("supervisor",), "330324"),
    ("admin", "系统管理员", ("admin",), "330324"),
    ("partner1", "叶调解", ("mediator",), "350722-LM"),
    ("partner_sup", "范站长", ("supervisor",), "350722-LM"),
)


@dataclass(frozen=True)
class SampleCounty:
    county: str = "330324"
    town: str = "330324001"
    community: str = "330324001001"
    grid: str = "330324001001-G1"
    other_town: str = "330324002"
    village: str = "330324002001"
    village_grid: str = "330324002001-G1"
    station: str = "330324001-PS"
    market_department: str = "330324-SJ"
    labour_department: str = "330324-RS"
    court: str = "330324-FT"
    partner_county: str = "350722"
    partner_post: str = "350722-LM"  # the liaison post cases are shared with


@lru_cache(maxsize=1)
def _password_hash() -> str:
    """Every sample user shares one password: hash it once (argon2 is slow on purpose)."""
    return hash_password(PASSWORD)


def build_sample_county(db: Database) -> SampleCounty:
    """Create the units and users (in an empty database)."""
    for code, name, kind, parent, abbreviation in UNITS:
        create_unit(db, code=code, name=name, kind=kind, parent=parent, abbreviation=abbreviation)
    for username, display_name, roles, unit in USERS:
        create_user(db, username=username, password=PASSWORD, roles=list(roles), unit=unit,
                    display_name=display_name, password_hash=_password_hash())
    return SampleCounty()
