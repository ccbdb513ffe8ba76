"""Every console and API route × every role × subjects outside the role's scope.

Data-driven: the routes come from app.url_map, so a route added anywhere under /console or
/api is covered the day it lands. Each rule is built with ids of FOREIGN subjects (another
town's branch for organisation administrators and viewers, a sibling branch for a
secretary) and requested with every method it accepts. Any 2xx or 3xx where the answer
should be "no" fails the test, with the list of offending requests.

Rules checked:
1. anonymous: nothing under /console or /api answers 2xx (except the log-in page and the
   PUBLIC_ENDPOINTS below); a 3xx may only lead to the log-in page;
2. org_admin, secretary, viewer: any route naming a foreign subject is refused (404/403);
3. viewer: every write (POST/PUT/PATCH/DELETE) is refused even inside the viewer's scope;
4. routes limited with roles_required(...): other roles are refused inside their scope too;
5. admin: every GET answers without a server error (a smoke test of the whole console).

A parameter name the table below does not know is built with a foreign member's id and a
foreign branch's id (ints) or a foreign plaque code (strings), so new routes are still
probed with foreign subjects.
"""

import io
import re
from dataclasses import dataclass

import pytest
from PIL import Image

from starqr.models import ImportBatch, Objection, RubricVersion
from starqr.services import accounts
from starqr.services import commitments
from tests.helpers import (
    issue_code,
    login,
    make_commitment,
    make_member,
    make_org,
    make_period,
    make_post,
    make_tree,
    make_user,
    record,
)

PREFIXES = ("/console", "/api")
# Pages anyone may open without logging in.
PUBLIC_ENDPOINTS = {"console.login"}
PUBLIC_PATTERN = re.compile(r"(openapi|swagger|redoc|api_docs|api\.docs|api\.spec|api\.index)", re.I)
# A user's own account: open to every role, viewers included.
ACCOUNT_ENDPOINTS = {"console.login", "console.logout", "console.password"}
ACCOUNT_PATTERN = re.compile(r"(api_token|token)", re.I)
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
ROLES = ("admin", "org_admin", "secretary", "viewer")


# ---------------------------------------------------------------- the world


@dataclass
class Side:
    """One set of subjects: a branch with a member and everything hanging off them."""

    branch: object
    town: object
    member: object
    post: object
    commitment: object
    branch_commitment: object
    entry: object
    plaque: object
    branch_plaque: object
    photo: str
    objection: object
    user: object
    token: object


def _photo(commitment):
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 120, 10)).save(out, "JPEG")
    from flask import current_app

    return commitments.add_evidence_photo("tester", commitment, out.getvalue(), current_app.config["UPLOAD_FOLDER"])


def _side(app, branch, town, period, username):
    member = make_member(branch)
    commitment = make_commitment(member)
    with app.app_context():
        photo = _photo(commitment)
    plaque = issue_code(member)
    objection = Objection.create(reference=f"OB{member.id:08d}", plaque=plaque, period=period, text="异议")
    user = make_user(username, "viewer", branch)
    token, _text = accounts.create_api_token(user, "t")
    return Side(
        branch=branch,
        town=town,
        member=member,
        post=make_post(member),
        commitment=commitment,
        branch_commitment=make_commitment(branch),
        entry=record(member, period, "study", 2),
        plaque=plaque,
        branch_plaque=issue_code(branch),
        photo=photo,
        objection=objection,
        user=user,
        token=token,
    )


@pytest.fixture
def world(app):
    tree = make_tree()
    period = make_period()
    branch_a = tree["branch"]
    sibling = make_org(tree["unit"], "branch", "rural", "仁宝勒格嘎查第二党支部")
    town_b = make_org(tree["banner"], "town", "rural", "川井苏木党委")
    unit_b = make_org(town_b, "unit", "rural", "巴音嘎查", unit_kind="village")
    branch_b = make_org(unit_b, "branch", "rural", "巴音嘎查党支部")
    own = _side(app, branch_a, tree["town"], period, "own_user")
    sibling_side = _side(app, sibling, tree["town"], period, "sibling_user")
    far = _side(app, branch_b, town_b, period, "far_user")
    users = {
        "admin": make_user("m_admin", "admin"),
        "org_admin": make_user("m_org_admin", "org_admin", tree["town"]),
        "secretary": make_user("m_secretary", "secretary", branch_a),
        "viewer": make_user("m_viewer", "viewer", tree["town"]),
    }
    tokens = {role: accounts.create_api_token(user, "matrix")[1] for role, user in users.items()}
    batch = ImportBatch.create(file_sha256="0" * 64, filename="x.csv", period=period, created_by="m_admin")
    foreign = {"admin": None, "org_admin": far, "viewer": far, "secretary": sibling_side}
    return {"own": own, "foreign": foreign, "period": period, "users": users, "tokens": tokens, "batch": batch}


# ---------------------------------------------------------------- building URLs


def _global_values(world):
    rubric = RubricVersion.select().first()
    return {
        "period": world["period"].id,
        "batch": world["batch"].id,
        "import": world["batch"].id,
        "rubric": rubric.key,
        "key": rubric.key,
        "version": rubric.version,
    }


def candidate_values(name, converter, side, world):
    """Values to try for a URL parameter, taken from SIDE's subjects. Returns (values, is_subject)."""
    n = name.lower()
    table = [
        ("photo", [side.photo]),
        ("evidence", [side.photo]),
        ("name", [side.photo]),
        ("commitment", [side.commitment.id, side.branch_commitment.id]),
        ("entry", [side.entry.id]),
        ("ledger", [side.entry.id]),
        ("post", [side.post.id]),
        ("member", [side.member.id]),
        ("objection", [side.objection.id] if converter != "default" else [side.objection.reference]),
        ("token", [side.token.id]),
        ("user", [side.user.id] if converter != "default" else [side.user.username]),
        ("code", [side.plaque.code, side.branch_plaque.code]),
        ("plaque", [side.plaque.id, side.plaque.code]),
        ("branch", [side.branch.id]),
        ("town", [side.town.id]),
        ("organisation", [side.branch.id, side.town.id]),
        ("org", [side.branch.id, side.town.id]),
        ("unit", [side.branch.parent_id]),
        ("node", [side.branch.id, side.town.id]),
        ("subject", [side.member.id, side.branch.id]),
        ("parent", [side.town.id]),
    ]
    for key, values in table:
        if key in n:
            if converter == "int":
                values = [v for v in values if isinstance(v, int)]
            elif converter == "default":
                values = [str(v) for v in values]
            return values, True
    if n in ("fmt", "format", "ext", "extension"):
        return ["svg", "csv", "pdf", "png", "xlsx", "json"], False
    if n in ("kind", "subject_kind"):
        return ["member", "organisation"], False
    globals_ = _global_values(world)
    for key, value in globals_.items():
        if key in n:
            return [value], False
    # Unknown: probe with foreign subjects anyway.
    if converter == "int":
        return [side.member.id, side.branch.id], True
    return [side.plaque.code], True


def build_urls(app, rule, side, world):
    """Every URL for RULE from SIDE's subjects, and whether it names a subject at all."""
    import itertools

    names = sorted(n for n in rule.arguments if n in rule._converters)  # others come from rule.defaults
    choices, names_subject = [], False
    for name in names:
        converter = type(rule._converters[name]).__name__.replace("Converter", "").lower()
        converter = {"integer": "int", "unicode": "default", "path": "default", "any": "any"}.get(converter, converter)
        if converter == "any":
            values, is_subject = (
                list(rule._converters[name].items) if hasattr(rule._converters[name], "items") else [],
                False,
            )
        else:
            values, is_subject = candidate_values(name, converter, side, world)
        names_subject |= is_subject
        choices.append(values)
    urls = []
    for combo in itertools.product(*choices):
        values = dict(rule.defaults or {}, **dict(zip(names, combo)))
        try:
            built = rule.build(values, append_unknown=False)
        except Exception:  # a value the converter refuses: try the next
            continue
        if built:
            urls.append(built[1])
    # fmt-like values that make no sense for a route just 404; keep one URL per distinct path
    return sorted(set(urls)), names_subject


def covered_rules(app):
    return [r for r in app.url_map.iter_rules() if r.rule.startswith(PREFIXES)]


def methods_of(rule):
    return sorted(rule.methods - {"HEAD", "OPTIONS"})


def _request(client, method, url, token=None):
    headers = {"Authorization": f"Bearer {token}"} if token and url.startswith("/api") else {}
    kwargs = {"headers": headers}
    if method in WRITE_METHODS:
        kwargs["data"] = {}
        if url.startswith("/api"):
            kwargs = {"headers": headers, "json": {}}
    return getattr(client, method.lower())(url, **kwargs)


def _ok(status):
    return 200 <= status < 400


def _view_roles(app, endpoint):
    view = app.view_functions[endpoint]
    while view is not None:
        roles = getattr(view, "allowed_roles", None)
        if roles:
            return set(roles)
        view = getattr(view, "__wrapped__", None)
    return None


def _report(violations):
    return "access that should be denied:\n" + "\n".join(violations[:80])


# ---------------------------------------------------------------- the checks


def test_every_route_is_covered(app):
    """The matrix must see the console (if this fails, the prefixes changed)."""
    endpoints = {r.endpoint for r in covered_rules(app)}
    assert {"console.member", "console.member_points", "console.branch"} <= endpoints


def test_anonymous_is_refused_everywhere(app, client, world):
    violations = []
    for rule in covered_rules(app):
        if rule.endpoint in PUBLIC_ENDPOINTS or PUBLIC_PATTERN.search(rule.endpoint):
            continue
        urls, _ = build_urls(app, rule, world["own"], world)
        for url in urls:
            for method in methods_of(rule):
                response = _request(client, method, url)
                status = response.status_code
                if 200 <= status < 300:
                    violations.append(f"anonymous {method} {url} -> {status}")
                elif 300 <= status < 400 and (
                    url.startswith("/api") or not response.location.split("?")[0].endswith("/console/login")
                ):
                    violations.append(f"anonymous {method} {url} -> {status} {response.location}")
    assert not violations, _report(violations)


@pytest.mark.parametrize("role", ["org_admin", "secretary", "viewer"])
def test_foreign_subjects_are_refused(app, client, world, role):
    user = world["users"][role]
    login(client, user.username)
    side = world["foreign"][role]
    violations, probed = [], 0
    for rule in covered_rules(app):
        if rule.endpoint in ACCOUNT_ENDPOINTS:
            continue
        urls, names_subject = build_urls(app, rule, side, world)
        if not names_subject:
            continue
        for url in urls:
            for method in methods_of(rule):
                probed += 1
                status = _request(client, method, url, world["tokens"][role]).status_code
                if _ok(status):
                    violations.append(f"{role} {method} {url} -> {status}")
                assert status < 500, f"{role} {method} {url} -> {status}"
    assert probed > 20
    assert not violations, _report(violations)


def test_viewer_cannot_write_even_in_scope(app, client, world):
    login(client, "m_viewer")
    violations = []
    for rule in covered_rules(app):
        if rule.endpoint in ACCOUNT_ENDPOINTS or ACCOUNT_PATTERN.search(rule.endpoint):
            continue
        writes = [m for m in methods_of(rule) if m in WRITE_METHODS]
        if not writes:
            continue
        urls, _ = build_urls(app, rule, world["own"], world)
        for url in urls:
            for method in writes:
                status = _request(client, method, url, world["tokens"]["viewer"]).status_code
                if _ok(status):
                    violations.append(f"viewer {method} {url} -> {status}")
    assert not violations, _report(violations)


@pytest.mark.parametrize("role", ["org_admin", "secretary", "viewer"])
def test_role_limited_routes_refuse_other_roles(app, client, world, role):
    login(client, world["users"][role].username)
    violations = []
    for rule in covered_rules(app):
        allowed = _view_roles(app, rule.endpoint)
        if allowed is None or role in allowed:
            continue
        urls, _ = build_urls(app, rule, world["own"], world)
        for url in urls:
            for method in methods_of(rule):
                status = _request(client, method, url, world["tokens"][role]).status_code
                if _ok(status):
                    violations.append(f"{role} {method} {url} -> {status} (allowed: {sorted(allowed)})")
    assert not violations, _report(violations)


def test_in_scope_reads_work_for_every_role(app, client, world):
    """The other side of the matrix: scope checks must not lock people out of their own pages."""
    own = world["own"]
    pages = [
        f"/console/branches/{own.branch.id}",
        f"/console/members/{own.member.id}",
        f"/console/commitments/{own.commitment.id}",
        f"/console/branches/{own.branch.id}/plaques",
    ]
    for role in ROLES:
        client = app.test_client()
        login(client, world["users"][role].username)
        for page in pages:
            assert client.get(page).status_code == 200, (role, page)
    client = app.test_client()
    login(client, "m_secretary")
    assert client.get(f"/console/members/{own.member.id}/points").status_code == 200


def test_admin_gets_answer_without_server_error(app, client, world):
    login(client, "m_admin")
    failures = []
    for rule in covered_rules(app):
        if "GET" not in rule.methods or rule.endpoint in ("console.logout",):
            continue
        urls, _ = build_urls(app, rule, world["own"], world)
        for url in urls:
            status = _request(client, "GET", url, world["tokens"]["admin"]).status_code
            if status >= 500:
                failures.append(f"admin GET {url} -> {status}")
    assert not failures, "\n".join(failures)


def test_dashboard_counts_only_the_scope(app, world):
    """The dashboard's objection figures (and scan figures) stay inside the viewer's subtree."""
    import datetime
    from starqr.models import ScanCount
    from starqr.services import access, dashboard

    far = world["foreign"]["org_admin"]
    Objection.update(created_at=datetime.datetime(2020, 1, 1)).where(Objection.id == far.objection.id).execute()
    today = datetime.date.today()
    for side in (world["own"], far):
        ScanCount.create(plaque=side.plaque, day=today, count=7)
    with app.app_context():
        everything = dashboard.objection_summary(access.actor_for(world["users"]["admin"]))
        assert everything["open"] == 3 and everything["oldest_open"].id == far.objection.id
        for role in ("org_admin", "viewer"):
            actor = access.actor_for(world["users"][role])
            summary = dashboard.objection_summary(actor)
            assert summary["open"] == 2, role  # own branch and its sibling, not the other town's
            assert summary["oldest_open"].id != far.objection.id, role
            assert [p.id for p, _ in dashboard.top_plaques(actor)] == [world["own"].plaque.id], role
            assert sum(n for _, n in dashboard.scans_over_time(actor)) == 7, role
        secretary = access.actor_for(world["users"]["secretary"])
        assert dashboard.objection_summary(secretary)["open"] == 1


@pytest.mark.parametrize("role", ["org_admin", "viewer", "secretary"])
def test_ledger_listing_of_a_foreign_subject_is_refused_by_the_service(app, world, role):
    """The rule lives in the service: a door that forgot to check still cannot list a foreign subject's points."""
    from starqr.errors import NotFound
    from starqr.services import access, points_events

    actor = access.actor_for(world["users"][role])
    with pytest.raises(NotFound):
        points_events.ledger_entries(actor, "member", world["foreign"][role].member.id)
    own = world["own"]
    assert [e.id for e in points_events.ledger_entries(actor, "member", own.member.id)] == [own.entry.id]
