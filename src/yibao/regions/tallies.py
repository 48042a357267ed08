"""Per-division tallies kept up to date by the write transactions (the progress figures' counters).

A tally model holds, for a pooling region and an insurance year, counters per division and per a
few more keys (the day first, then what the figures split by). Its rows are of two kinds:

- ``rolled=False``: a division's own counters, recomputed from the base tables by the app that owns
  them for the divisions a write touched (``replace``), or, where the write knows exactly what it
  changed (a new payment), added to (``add``); both under a lock on those divisions (``lock``),
  taken before anything is counted, so that two writers to one village take turns and each
  counts what the other committed;
- ``rolled=True``: the sum of the own counters of every division below (village → township →
  county → the pooling region), changed by adding the difference the recomputation made
  (``dbutil.bulk_add``: concurrent writers to different villages of one township add safely).

So a division's figures are its own rows plus its rolled rows, whatever its level: a city's
counties are a few hundred rows, a township's villages a few thousand. A tally model names its
extra key fields in ``TALLY_KEYS`` (the first is the day) and its counters in ``TALLY_VALUES``;
the fields ``region``, ``insurance_year``, ``division`` and ``rolled`` are common to all.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable

from django.db import transaction

from yibao.dbutil import bulk_add, bulk_insert, refresh_statistics

from .models import Division

HEAD = ("region_id", "insurance_year", "division_id", "rolled")


def _ancestors(region: str, divisions: Iterable[str], paths: dict[str, str] | None = None) -> dict[str, list[str]]:
    """Each division's ancestors from the pooling region down to its parent (from ``paths``,
    ``{key: path}``, when the caller has read them)."""
    out = {}
    if paths is None:
        paths = dict(Division.objects.filter(key__in=sorted(set(divisions))).values_list("key", "path"))
    for key, path in paths.items():
        parts = [p for p in path.split("/") if p]
        start = parts.index(region) if region in parts else len(parts) - 1
        out[key] = [p for p in parts[start:] if p != key]
    return out


def _nonzero(values: tuple) -> bool:
    return any(values)


def _rolled_up(region: str, own: dict[tuple, tuple], width: int,
               paths: dict[str, str] | None = None) -> dict[tuple, list]:
    """The sums of ``own`` (keys ``(division, *rest)``) into every ancestor's key."""
    above = _ancestors(region, {k[0] for k in own}, paths)
    out: dict[tuple, list] = defaultdict(lambda: [0] * width)
    for (division, *rest), values in own.items():
        for a in above.get(division, [region] if division != region else []):
            sums = out[(a, *rest)]
            for i, v in enumerate(values):
                sums[i] += v
    return out


def lock(divisions: Iterable[str]) -> dict[str, str]:
    """The writers of ``divisions`` take turns from here to the end of the transaction (NO KEY
    UPDATE: rows that refer to the divisions may still be written). Returns their paths."""
    return dict(Division.objects.select_for_update(no_key=True).filter(key__in=sorted(set(divisions)))
                .order_by("key").values_list("key", "path"))


def replace(model, region: str, year: int, count: Callable[[list[str] | None], dict[tuple, tuple]], *,
            divisions: Iterable[str] | None) -> None:
    """Make ``count(divisions)`` (``{(division, *TALLY_KEYS): (*TALLY_VALUES)}`` recomputed from
    the base tables) the own counters of ``divisions`` (``None``: every division of the region and
    year, rolled rows rebuilt too) and carry the difference into their ancestors' rolled rows.
    The divisions are locked before they are counted: a count taken before the lock could miss
    what the writer holding it commits meanwhile. The whole rebuild (``None``) takes no lock: it
    is for a migration or a repair, while nobody writes. Runs inside the caller's write
    transaction."""
    keys, values = tuple(model.TALLY_KEYS), tuple(model.TALLY_VALUES)
    width = len(values)
    fields = (*HEAD, *keys, *values)
    base = model.objects.filter(region_id=region, insurance_year=year)
    with transaction.atomic():
        if divisions is None:
            own = count(None)
            base.delete()
            rows = [(region, year, k[0], False, *k[1:], *v) for k, v in own.items() if _nonzero(v)]
            rows += [(region, year, k[0], True, *k[1:], *v)
                     for k, v in _rolled_up(region, own, width).items() if _nonzero(v)]
            bulk_insert(model, fields, rows)
            refresh_statistics(model)   # PostgreSQL: a rebuilt table's statistics, for the readers' plans
            return
        divisions = sorted(set(divisions))
        if not divisions:
            return
        paths = lock(divisions)
        own = count(divisions)
        mine = base.filter(division_id__in=divisions, rolled=False)
        old = {(r[0], *r[1:1 + len(keys)]): tuple(r[1 + len(keys):])
               for r in mine.values_list("division_id", *keys, *values)}
        own = {k: v for k, v in own.items() if k[0] in divisions}
        difference = {}
        for k in old.keys() | own.keys():
            d = tuple(n - o for n, o in zip(own.get(k, (0,) * width), old.get(k, (0,) * width), strict=True))
            if _nonzero(d):
                difference[k] = d
        if not difference:
            return
        changed = {k[0] for k in difference}
        mine.filter(division_id__in=sorted(changed)).delete()
        bulk_insert(model, fields, [(region, year, k[0], False, *k[1:], *v) for k, v in own.items()
                                    if k[0] in changed and _nonzero(v)])
        bulk_add(model, (*HEAD, *keys), values,
                 [(region, year, k[0], True, *k[1:], *v) for k, v in _rolled_up(region, difference, width, paths).items()
                  if _nonzero(v)])


def add(model, region: str, year: int, change: dict[tuple, tuple], *, paths: dict[str, str] | None = None) -> None:
    """Add ``change`` (``{(division, *TALLY_KEYS): (*TALLY_VALUES)}``: exactly what a write did to
    the base tables, known without counting) to the divisions' own counters and their ancestors'
    rolled ones, under the divisions' lock (``paths``: the caller holds it, these are what
    ``lock`` returned). Runs inside the caller's write transaction."""
    keys, values = tuple(model.TALLY_KEYS), tuple(model.TALLY_VALUES)
    change = {k: tuple(v) for k, v in change.items() if _nonzero(v)}
    if not change:
        return
    if paths is None:
        paths = lock(k[0] for k in change)
    rows = [(region, year, k[0], False, *k[1:], *v) for k, v in change.items()]
    rows += [(region, year, k[0], True, *k[1:], *v)
             for k, v in _rolled_up(region, change, len(values), paths).items() if _nonzero(v)]
    bulk_add(model, (*HEAD, *keys), values, rows)


def stored(model, region: str, year: int) -> dict[tuple, tuple]:
    """Every non-zero row of the region and year: ``{(division, rolled, *keys): values}``."""
    keys, values = tuple(model.TALLY_KEYS), tuple(model.TALLY_VALUES)
    out = {}
    for r in model.objects.filter(region_id=region, insurance_year=year).values_list(
            "division_id", "rolled", *keys, *values):
        v = tuple(r[2 + len(keys):])
        if _nonzero(v):
            out[tuple(r[:2 + len(keys)])] = v
    return out


def expected(model, region: str, year: int, own: dict[tuple, tuple]) -> dict[tuple, tuple]:
    """What ``stored`` should give for ``own`` recomputed from the base tables."""
    width = len(model.TALLY_VALUES)
    out = {(k[0], False, *k[1:]): tuple(v) for k, v in own.items() if _nonzero(v)}
    out.update({(k[0], True, *k[1:]): tuple(v) for k, v in _rolled_up(region, own, width).items() if _nonzero(v)})
    return out


def differences(model, region: str, year: int, own: dict[tuple, tuple]) -> list[str]:
    """The rows where the stored tallies differ from ``own`` recomputed (empty: they agree)."""
    have, want = stored(model, region, year), expected(model, region, year, own)
    out = []
    for k in sorted(have.keys() | want.keys(), key=str):
        if have.get(k) != want.get(k):
            out.append(f"{model._meta.db_table} {region} {year} {k}: stored {have.get(k)}, recomputed {want.get(k)}")
    return out


def sums(model, region: str, year: int, divisions: Iterable[str], *, by: tuple[str, ...] = ("division_id",),
         until=None, **filters) -> list[tuple]:
    """The counters of ``divisions`` (own and rolled rows: each division's whole subtree), summed
    by ``by``; with ``until``, only the days on or before it."""
    from django.db.models import Sum

    qs = model.objects.filter(region_id=region, insurance_year=year, division_id__in=list(divisions), **filters)
    if until is not None:
        qs = qs.filter(day__lte=until)
    return list(qs.order_by().values_list(*by).annotate(**{f"s_{v}": Sum(v) for v in model.TALLY_VALUES}))
