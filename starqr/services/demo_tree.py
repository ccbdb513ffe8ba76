"""The demo banner's organisation tree, through the tree import (组织树) like a county's own file.

One banner modelled on Urad Middle Banner: 9 towns and sumu with 87 嘎查村, 12 communities,
and four groups (government organs, state and non-public enterprises, social organisations),
each unit with one branch. The file is generated in memory as XLSX and imported by
`imports.tree.run`; what the file's eight columns cannot carry (addresses, office phones,
feature projects) is written afterwards through `members.edit_branch`, as a secretary would.
"""

from dataclasses import dataclass, field

from starqr.db import database
from starqr.models import Organisation
from starqr.services import demo_mongolian as mongolian
from starqr.services import demo_names as names
from starqr.services import members as member_service
from starqr.services import vocabulary as words
from starqr.services.imports import by_columns, tree, write_xlsx
from starqr.services.imports import tree_columns as columns

BANNER_CODE = "150824"


@dataclass
class Org:
    code: str
    name_zh: str
    name_mn: str
    parent: str  # the parent's code ("" for the banner)
    level: str
    domain: str
    venue_area_m2: object = None  # this and the names: the tree columns' record fields (Org.cells: the rest)
    secretary_name: str = ""
    details: dict = field(default_factory=dict)  # edit_branch fields beyond the file's columns
    weight: float = 0.0  # branches: relative member count
    id: int = None  # filled in after the import

    def cells(self):
        """The tree-file cells no field of this Org fills by the column's record_field."""
        return {
            columns.CODE: self.code,
            columns.PARENT: self.parent,
            columns.LEVEL: words.LEVEL_NAMES[self.level],
            columns.DOMAIN: words.DOMAIN_NAMES[self.domain],
        }


def _branch(rng, code, parent, domain, name_zh, name_mn, venue, weight, area_range):
    secretary = rng.choice(names.HAN_SURNAMES) + rng.choice(names.HAN_GIVEN) + rng.choice(names.HAN_GIVEN)
    details = dict(
        venue_address=venue,
        feature_projects="\n".join(rng.sample(names.FEATURE_PROJECTS, rng.randrange(1, 3))),
        office_phone=f"0478-{rng.randrange(6200000, 6299999)}",
    )
    return Org(code, name_zh, name_mn, parent, "branch", domain, rng.randrange(*area_range), secretary, details, weight)


def generate(rng):
    """[Org] of the banner in file order (parents before children)."""
    banner_zh, banner_mn = names.BANNER
    orgs = [
        Org(
            BANNER_CODE,
            banner_zh + "委员会",
            banner_mn,
            "",
            "banner",
            "organ",
            details=dict(venue_address=f"{banner_zh}海流图镇乌拉特大街1号"),
        )
    ]
    village_names = [(p[0] + s[0], p[1] + s[1]) for p in names.VILLAGE_PREFIXES for s in names.VILLAGE_SUFFIXES]
    rng.shuffle(village_names)
    towns = []
    for t, (town_zh, town_mn) in enumerate(names.TOWNS):
        town = Org(
            f"{BANNER_CODE}{100 + t}",
            f"{town_zh}党委",
            town_mn,
            BANNER_CODE,
            "town",
            "rural",
            details=dict(venue_address=f"{town_zh}政府院内"),
        )
        orgs.append(town)
        towns.append((town, town_zh))
    counters = {}

    def unit_code(parent):
        counters[parent.code] = counters.get(parent.code, 0) + 1
        return f"{parent.code}{counters[parent.code]:03d}"

    for n in range(87):  # 嘎查村, spread over the towns
        town, town_zh = towns[n % len(towns)]
        vzh, vmn = village_names[n]
        kind_zh = "嘎查" if rng.random() < 0.6 else "村"
        code = unit_code(town)
        orgs.append(Org(code, f"{vzh}{kind_zh}", f"{vmn} {names.GACHA_MN}", town.code, "unit", "rural"))
        orgs.append(
            _branch(
                rng,
                code + "01",
                code,
                "rural",
                f"{vzh}{kind_zh}党支部",
                f"{vmn} {names.GACHA_MN} {names.BRANCH_MN}",
                f"{town_zh}{vzh}{kind_zh}党群服务中心",
                1.0,
                (120, 900),
            )
        )
    for n, cname in enumerate(names.COMMUNITY_NAMES):
        town, town_zh = towns[0] if n < 8 else towns[n % len(towns)]
        code = unit_code(town)
        community_mn = mongolian.community(cname)
        orgs.append(Org(code, f"{cname}社区", community_mn, town.code, "unit", "community"))
        orgs.append(
            _branch(
                rng,
                code + "01",
                code,
                "community",
                f"{cname}社区党支部",
                f"{community_mn} {names.BRANCH_MN}",
                f"{town_zh}{cname}社区党群服务中心",
                1.3,
                (200, 1200),
            )
        )
    groups = [
        ("旗直机关工委", "organ", names.ORGAN_NAMES, 0.7),
        ("旗国资委党委", "state_enterprise", names.STATE_ENTERPRISES, 1.1),
        ("非公有制经济组织党委", "private_enterprise", names.PRIVATE_ENTERPRISES, 0.4),
        ("社会组织党委", "social", names.SOCIAL_ORGANISATIONS, 0.3),
    ]
    for g, (group_zh, domain, unit_names, weight) in enumerate(groups):
        group = Org(
            f"{BANNER_CODE}{200 + g}",
            group_zh,
            mongolian.group(group_zh, banner_mn),
            BANNER_CODE,
            "town",
            domain,
            details=dict(venue_address=f"{banner_zh}政务服务中心"),
        )
        orgs.append(group)
        for uname in unit_names:
            full = "乌拉特中" + uname if uname.startswith("旗") else uname
            unit_mn = mongolian.unit(uname, banner_mn)
            code = unit_code(group)
            orgs.append(Org(code, full, unit_mn, group.code, "unit", domain))
            orgs.append(
                _branch(
                    rng,
                    code + "01",
                    code,
                    domain,
                    f"{full}党支部",
                    f"{unit_mn} {names.BRANCH_MN}",
                    f"{full}办公楼",
                    weight,
                    (60, 300),
                )
            )
    return orgs


def load(orgs, admin, fail):
    """Import ORGS as a tree file as ADMIN, then their details; sets each Org's id."""
    header, rows = by_columns(columns.COLUMNS, orgs, Org.cells)
    data = write_xlsx(rows, header=header)
    plan = tree.run(data, "演示组织树.xlsx", admin, dry_run=False)
    if not plan.ok:
        fail("tree import", plan.error_lines())
    by_code = {o.code: o for o in Organisation.select().where(Organisation.code.is_null(False))}
    with database.atomic():  # each edit its own savepoint, one commit
        for org in orgs:
            found = by_code[org.code]
            org.id = found.id
            if org.details:
                member_service.edit_branch(admin, found, org.details)
    return plan
