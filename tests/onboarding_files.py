"""Tree and roster files for onboarding tests: 1 banner, 3 towns, 20 villages/communities, 30 branches."""

import datetime

from starqr.services import imports, onboarding
from starqr.services.imports import roster, tree

TREE_HEADER = [c.name for c in tree.COLUMNS]
ROSTER_HEADER = [c.name for c in roster.COLUMNS]
CHIEF_PASSWORD = "a-long-password-1"
DOMAINS = ["农村牧区", "社区", "机关", "国企", "非公企业", "社会组织"]


def tree_rows():
    rows = [["150824", "测试旗委员会", "ᠬᠣᠰᠢᠭᠤ", "", "旗", "机关", "", ""]]
    for t in range(3):
        rows.append([f"T{t}", f"第{t + 1}镇党委", "", "150824", "苏木镇", "农村牧区", "", ""])
    branches = []
    for u in range(20):
        domain = DOMAINS[u % 6]
        rows.append([f"U{u:02d}", f"单位{u:02d}", "", f"T{u % 3}", "嘎查村社区", domain, "", ""])
    for b in range(30):
        domain = DOMAINS[b % 6]
        unit = (
            next(u for u in range(20) if DOMAINS[u % 6] == domain and (u + b) % 2 == 0)
            if any(DOMAINS[u % 6] == domain and (u + b) % 2 == 0 for u in range(20))
            else b % 6
        )
        rows.append(
            [f"B{b:02d}", f"单位{unit:02d}第{b}党支部", "", f"U{unit:02d}", "支部", domain, 100 + b, f"书记{b}"]
        )
        branches.append(f"B{b:02d}")
    return rows, branches


def banner_with_tree():
    """A banner set up with its administrator "chief" (CHIEF_PASSWORD) and the tree of tree_rows()
    imported: (rows, branches)."""
    onboarding.init_banner("测试旗委员会", "chief", password=CHIEF_PASSWORD)
    rows, branches = tree_rows()
    assert tree.run(xlsx(rows, TREE_HEADER), "tree.xlsx", "chief", dry_run=False).ok
    return rows, branches


def roster_rows(branches, count=500):
    rows = []
    for n in range(count):
        joined = datetime.date(1980 + n % 40, 1 + n % 12, 1 + n % 28)
        rows.append(
            [
                f"M{n:05d}",
                f"党员{n:05d}",
                "",
                branches[n % len(branches)],
                ["普通党员", "骨干党员", "流动党员", "特殊党员"][n % 4],
                joined.isoformat(),
                (joined + datetime.timedelta(days=366)).isoformat(),
                "",
            ]
        )
    return rows


def xlsx(rows, header):
    return imports.write_xlsx(rows, header=header)


def csv(rows, header, encoding="utf-8-sig"):
    return imports.write_csv(rows, header=header, encoding=encoding)
