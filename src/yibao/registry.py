"""Apps register themselves here: their navigation entries, home-page panels and command-line
subcommands, and how a user reaches the pooling regions whose schemes decide what is offered.

An entry is offered to a user only when the user's role holds its capability and, for an entry
of a scheme ("employee", "resident"), when one of the user's pooling regions runs that scheme
according to the policy files. Adding an app edits no file of another app: its
``AppConfig.ready`` calls ``nav``, ``panel``, ``command`` and ``user_regions``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from yibao.access.permissions import user_can

ALL = frozenset({"*"})  # a user whose scope is every region


@dataclass(frozen=True)
class NavEntry:
    url_name: str
    label: str
    capability: str | None = None
    scheme: str | None = None
    order: int = 100


@dataclass(frozen=True)
class Panel:
    name: str
    template: str
    context: Callable[[Any], dict | None] | None = None  # None from the function hides the panel
    capability: str | None = None
    roles: tuple[str, ...] = ()
    scheme: str | None = None
    order: int = 100


@dataclass(frozen=True)
class Command:
    name: str
    help: str
    configure: Callable[[Any], None]          # adds its arguments to an argparse parser
    run: Callable[[Any], int]                  # runs with the parsed arguments, Django set up
    aliases: tuple[str, ...] = field(default=())


_URLS: dict[str, str] = {}
_ROUTERS: dict[str, Any] = {}
_NAV: dict[str, NavEntry] = {}
_PANELS: dict[str, Panel] = {}
_COMMANDS: dict[str, Command] = {}
_REGION_RESOLVERS: list[Callable[[Any], frozenset[str] | set[str]]] = []


def urls(module: str) -> None:
    """An app's page routes (a urls module), mounted at the site root."""
    _URLS[module] = module


def api_router(prefix: str, router) -> None:
    """An app's JSON API router, mounted at ``/api/v1/<prefix>``."""
    _ROUTERS[prefix] = router


def url_modules() -> list[str]:
    return list(_URLS)


def api_routers() -> list[tuple[str, Any]]:
    return list(_ROUTERS.items())


def nav(url_name: str, label: str, *, capability: str | None = None, scheme: str | None = None,
        order: int = 100) -> None:
    _NAV[url_name] = NavEntry(url_name, label, capability, scheme, order)


def panel(name: str, template: str, *, context=None, capability: str | None = None, roles=(),
          scheme: str | None = None, order: int = 100) -> None:
    _PANELS[name] = Panel(name, template, context, capability, tuple(roles), scheme, order)


def command(name: str, help: str, configure, run) -> None:  # noqa: A002
    _COMMANDS[name] = Command(name, help, configure, run)


def user_regions(resolver: Callable[[Any], frozenset[str] | set[str]]):
    """Register a way to tell a user's pooling regions (``ALL`` for every region)."""
    _REGION_RESOLVERS.append(resolver)
    return resolver


@dataclass(frozen=True)
class InsuredSource:
    """One way a scheme knows who it insures in a year (a scheme may have several: the employee
    scheme's approved bases and flexible workers' choices, and the people its units added)."""

    scheme: str
    one: Callable[[str, int], list[dict]]
    many: Callable[[list[str], int], dict[str, list[dict]]] | None = None
    numbers: Callable[[int], list] | None = None


_INSURED: list[InsuredSource] = []


def insured_lookup(scheme: str, *, many=None, numbers=None):
    """Register a way a scheme tells where a person is insured in a year: ``fn(id_number, year)``
    returns ``[{"scheme", "region", "where"}]``. Registration in the other scheme asks every
    scheme before it enrols anyone (one person, one scheme, one place a year). ``many(id_numbers,
    year)`` is its bulk form for imports ({id_number: places} for those found, in a few queries
    however many are asked); ``numbers(year)`` gives the insured identity numbers as querysets of
    one column (``id_number``) for a caller's set-wise join (the registry comparison)."""

    def decorator(fn: Callable[[str, int], list[dict]]):
        _INSURED.append(InsuredSource(scheme, fn, many, numbers))
        return fn

    return decorator


def _sources(schemes: tuple[str, ...] | None) -> list[InsuredSource]:
    return [s for s in _INSURED if schemes is None or s.scheme in schemes]


def insured_elsewhere(id_number: str, year: int, *, schemes: tuple[str, ...] | None = None) -> list[dict]:
    found: list[dict] = []
    for source in _sources(schemes):
        found.extend(source.one(id_number, year))
    return found


def insured_elsewhere_many(id_numbers: list[str], year: int, *,
                           schemes: tuple[str, ...] | None = None) -> dict[str, list[dict]]:
    """``insured_elsewhere`` for many numbers at once: {id_number: places} for those found. A
    source without a bulk form is asked number by number."""
    found: dict[str, list[dict]] = {}
    for source in _sources(schemes):
        answers = source.many(list(id_numbers), year) if source.many else \
            {n: source.one(n, year) for n in id_numbers}
        for number, places in answers.items():
            if places:
                found.setdefault(number, []).extend(places)
    return found


def insured_numbers(year: int, *, schemes: tuple[str, ...]) -> list:
    """The identity numbers the schemes insure in ``year``, as querysets of one column
    (``id_number``; a number may appear in several) for a set-wise join."""
    out: list = []
    for source in _sources(schemes):
        if source.numbers is None:
            raise LookupError(f"{source.scheme}: an insured source without set-wise numbers")
        out.extend(source.numbers(year))
    return out


_BASES_CHANGED: list[Callable[..., None]] = []


def on_bases_changed(listener: Callable[..., None]):
    """Register a listener told when the contribution bases of some of a unit's people change
    from a month on (a published average wage, a backdated staff change, an audit correction):
    ``listener(unit_id=, employee_ids=, from_month=, reason=, actor=)``. The contributions app
    writes its adjusting entries (补差) for declared bills here."""
    _BASES_CHANGED.append(listener)
    return listener


def bases_changed(*, unit_id: int, employee_ids: list[int], from_month, reason: str, actor) -> None:
    """Tell every listener that bases changed; each runs inside the caller's transaction, so the
    change and its consequences commit or roll back together."""
    for listener in _BASES_CHANGED:
        listener(unit_id=unit_id, employee_ids=list(employee_ids), from_month=from_month, reason=reason, actor=actor)


_WAGE_PREVIEWS: list[Callable[..., dict | None]] = []


def on_wage_preview(preview: Callable[..., dict | None]):
    """Register what an app shows before a newly published average wage is recorded:
    ``preview(user, region=, annual_amount=, published_on=)`` returns ``{"title", "lines", "url",
    "error"}`` (``lines`` the summary, ``url`` the full preview, ``error`` a refusal to show) or
    None. The contributions app shows the bases changing and the region's monthly bill change."""
    _WAGE_PREVIEWS.append(preview)
    return preview


def wage_previews(user, *, region: str, annual_amount, published_on) -> list[dict]:
    """What every app registered shows for a wage about to be recorded (nothing is written)."""
    out = []
    for preview in _WAGE_PREVIEWS:
        found = preview(user, region=region, annual_amount=annual_amount, published_on=published_on)
        if found:
            out.append(found)
    return out


# --- reading -------------------------------------------------------------------------------------

@functools.cache
def schemes_by_region() -> dict[str, frozenset[str]]:
    """The schemes each pooling region runs, from its policy file."""
    from yibao.policy import get_engine

    return {r["code"]: frozenset(r.get("schemes", [])) for r in get_engine().regions()}


def regions_of(user) -> frozenset[str]:
    cached = getattr(user, "_registry_regions", None)
    if cached is not None:
        return cached
    regions: set[str] = set()
    for resolver in _REGION_RESOLVERS:
        found = resolver(user) or set()
        if found == ALL:
            regions = set(ALL)
            break
        regions |= set(found)
    result = frozenset(regions)
    try:
        user._registry_regions = result
    except AttributeError:
        pass
    return result


def runs_scheme(user, scheme: str | None) -> bool:
    """Whether one of the user's pooling regions runs ``scheme`` (always, for no scheme)."""
    if scheme is None:
        return True
    regions = regions_of(user)
    if regions == ALL:
        return any(scheme in s for s in schemes_by_region().values())
    table = schemes_by_region()
    return any(scheme in table.get(r, ()) for r in regions)


def _offered(user, capability: str | None, scheme: str | None, roles=()) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if roles and user.role not in roles:
        return False
    if capability is not None and not user_can(user, capability):
        return False
    return runs_scheme(user, scheme)


def navigation_for(user) -> list[NavEntry]:
    return sorted((e for e in _NAV.values() if _offered(user, e.capability, e.scheme)), key=lambda e: e.order)


def panels_for(user) -> list[tuple[Panel, dict]]:
    """The home-page panels offered to ``user``, each with its context."""
    out = []
    for p in sorted(_PANELS.values(), key=lambda p: p.order):
        if not _offered(user, p.capability, p.scheme, p.roles):
            continue
        context = p.context(user) if p.context else {}
        if context is not None:
            out.append((p, context))
    return out


def commands() -> list[Command]:
    return sorted(_COMMANDS.values(), key=lambda c: c.name)

