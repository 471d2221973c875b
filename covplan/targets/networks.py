"""Targets on each operator's own network, and targets of downlink speed.

A target counts the merged network by default: a place has signal when at least one
operator's best sector reaches the threshold, which is what the best server of every
sector together gives. A target with ``operators = "all"`` (every operator), a list of
operators, or a ``speed_share`` measure needs each operator's own network instead
(:func:`covplan.predict.operators.predict_operators`, in :attr:`MetricContext.networks`).

Such a target is measured through a *view*: per cell, each operator's margin over the
target's condition (RSRP less the threshold, or the downlink speed less ``min_dl_mbps``
where the RSRP reaches the threshold: a speed counts only where there is coverage),
the best over its technologies; then the best over the operators ("at least one") or the
worst ("every operator"). A place counts where the margin is at least 0. The view is
handed to the target's signal measure (roads, villages, people, points of interest) as a
one-technology coverage with a threshold of 0, so every measure counts speed and
operators exactly as it counts signal. A margin of ``v - t`` is at least 0 exactly when
``v >= t`` (floating-point subtraction rounds monotonically), so the "at least one
operator" view of a signal target gives the merged network's figure.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from covplan.errors import CovplanError
from covplan.grid import Raster
from covplan.i18n import N_, Name, Num, Phrase, joined
from covplan.metrics.context import MetricContext
from covplan.metrics.signal import rsrp_tiled, union
from covplan.radio.linklevel import fade_margin_db
from covplan.targets.schema import (
    ALL_OPERATORS,
    ANY_OPERATOR,
    SPEED_MEASURE_OF_LAYER,
    Target,
    TargetSet,
)
from covplan.tiled import TiledArray, TiledRaster

logger = logging.getLogger(__name__)

#: How the operator rows of :func:`operator_table` are named (the first two translated).
AT_LEAST_ONE = N_("at least one operator")
EVERY_OPERATOR = N_("every operator")


def fade_db(target: Target) -> float:
    """The cell-edge fade margin of a speed target (0 at the median)."""
    if target.edge_probability_percent <= 50.0:
        return 0.0
    return fade_margin_db(target.edge_probability_percent / 100.0, target.shadow_sigma_db)


def _operators(target: Target, networks: Mapping[str, Any]) -> tuple[list[str], bool]:
    """The operators a target counts, and whether every one of them must serve."""
    known = sorted(networks)
    if target.operators in ((ANY_OPERATOR,), (ALL_OPERATORS,)):
        return known, target.operators == (ALL_OPERATORS,)
    unknown = [n for n in target.operators if n not in networks]
    if unknown:
        raise CovplanError(
            N_("target {target} names operators {unknown}, which no site of the dataset has. "
               "Fix: use the names of the sites' 'operator' column ({known}), or "
               'operators = "any".')
            if known
            else N_("target {target} names operators {unknown}, which no site of the dataset "
                    "has. Fix: use the names of the sites' 'operator' column (none), or "
                    'operators = "any".'),
            target=repr(target.id), unknown=", ".join(map(repr, unknown)),
            known=", ".join(known))
    return list(target.operators), False


#: ``[r0, r1) x [c0, c1)`` on the grid; ``(0, 0, 0, 0)`` for no cell.
Window = tuple[int, int, int, int]
_NOTHING: Window = (0, 0, 0, 0)


@dataclass(frozen=True, eq=False)
class _Margin:
    """One network's margin over a target's condition, and what it was computed from.

    ``values`` is float32, -inf where the network does not serve, kept as tiles that the
    margins of later scenarios share where they did not change; ``network`` the
    operator's grids it came from; ``window`` where it differs from the previous
    context's margin (None: made afresh).
    """

    values: TiledArray
    network: Mapping[str, Any]
    window: Window | None


def _margin(target: Target, coverage: Mapping[str, Any], window: Window) -> np.ndarray:
    """In ``window``, one network's best margin over the target's condition (-inf: none)."""
    from covplan.metrics._kernels import raise_margin
    from covplan.predict.engine import CoverageGrid, dl_mbps_window

    r0, r1, c0, c1 = window
    best = np.full((r1 - r0, c1 - c0), -np.inf, dtype=np.float32)
    for tech in target.technologies:
        grid = coverage.get(tech)
        if grid is None:
            continue
        if target.speed:
            if not isinstance(grid, CoverageGrid) or grid.sinr_tiles is None:
                raise CovplanError(N_("target {target} counts speed, but the {tech} network "
                                      "was predicted without its SINR"),
                                   target=repr(target.id), tech=tech)
            values = dl_mbps_window(grid, window, fade_db(target))
            # only where the technology counts as coverage: no "high speed" without signal
            # (the prediction reaches a few dB below the threshold, a computing floor)
            weak = ~(rsrp_tiled(grid).window(window) >= target.thresholds.rsrp_dbm(tech))
            values = np.where(weak, np.float32(-np.inf), values)
            goal = np.float32(target.min_dl_mbps)
        else:
            values = rsrp_tiled(grid).window(window)
            goal = np.float32(target.thresholds.rsrp_dbm(tech))
        raise_margin(best, np.ascontiguousarray(values, dtype=np.float32), goal)
    return best


def _reach(technologies: Sequence[str], network: Mapping[str, Any], shape: tuple[int, int]
           ) -> Window:
    """The window outside which ``network`` serves no cell in ``technologies`` (its sites').

    The whole grid when a grid does not tell where its sites reach.
    """
    window = _NOTHING
    for tech in technologies:
        grid = network.get(tech)
        if grid is None:
            continue
        merged = getattr(grid, "merged", None)
        if merged is None:
            return (0, shape[0], 0, shape[1])
        window = union(window, merged.extent)
    return window


def _same_links(old: Any, new: Any) -> bool:
    """Whether every sector in both grids has the same bandwidth, layers and load."""
    if old.link is None or new.link is None:
        return old.link is new.link
    position = {key: i for i, key in enumerate(old.site_keys)}
    pairs = [(position[key], i) for i, key in enumerate(new.site_keys) if key in position]
    if not pairs:
        return True
    before, after = np.array(pairs, dtype=np.int64).T
    return all(np.array_equal(getattr(old.link, name)[before], getattr(new.link, name)[after])
               for name in ("bandwidth_mhz", "mimo_layers", "load"))


def _changed(technologies: Sequence[str], before: Mapping[str, Any],
             after: Mapping[str, Any]) -> Window | None:
    """Where a network's signal, server or speed may differ between two predictions.

    None when that cannot be told (another grid, a technology gone, a sector's link changed).
    """
    from covplan.metrics.signal import changed_tiles, changed_window

    window = _NOTHING
    for tech in technologies:
        old, new = before.get(tech), after.get(tech)
        if old is new:
            continue
        if old is None or new is None:
            return None
        changed = changed_window({tech: old}, {tech: new})  # signal and serving sector
        if changed is None:
            return None
        old_sinr, new_sinr = _sinr_tiles(old), _sinr_tiles(new)
        if old_sinr is not None or new_sinr is not None:
            if old_sinr is None or new_sinr is None or not _same_links(old, new) \
                    or old_sinr.grid != new_sinr.grid:
                return None
            changed = union(changed, changed_tiles(old_sinr.values, new_sinr.values))
        window = union(window, changed)
    return window


def _sinr_tiles(grid: Any) -> TiledRaster | None:
    """A network grid's SINR as tiles (None: none)."""
    tiles = getattr(grid, "sinr_tiles", None)
    if isinstance(tiles, TiledRaster):
        return tiles
    raster = getattr(grid, "sinr_db", None)
    return TiledRaster.of(raster) if isinstance(raster, Raster) else None


def _operator_margin(target: Target, name: str, ctx: MetricContext) -> _Margin:
    """Operator ``name``'s margin for ``target``; after a scenario edit, redone where it changed."""
    assert ctx.networks is not None
    network = ctx.networks[name]
    rows, cols = ctx.grid.shape

    def make() -> _Margin:
        """Where the network's sites reach; -inf elsewhere (a few sites: tiles of one block)."""
        reach = _reach(target.technologies, network, (rows, cols))
        if 2 * (reach[1] - reach[0]) * (reach[3] - reach[2]) > rows * cols:
            return _Margin(TiledArray.of(_margin(target, network, (0, rows, 0, cols))),
                           network, None)
        nothing = TiledArray.filled((rows, cols), -np.inf, np.float32)
        if reach[1] <= reach[0] or reach[3] <= reach[2]:
            return _Margin(nothing, network, None)
        return _Margin(nothing.updated(reach, _margin(target, network, reach)), network, None)

    def update(before: _Margin) -> _Margin:
        window = _changed(target.technologies, before.network, network)
        if window is None:
            return make()
        r0, r1, c0, c1 = window
        if r1 <= r0 or c1 <= c0:
            return _Margin(before.values, network, window)  # never written to: shared
        values = before.values.updated(window, _margin(target, network, window))
        return _Margin(values, network, window)

    return ctx.follow_on(("margin", name, *_condition(target)), make, update)


def _condition(target: Target) -> tuple[Any, ...]:
    """What a network's margin for ``target`` depends on besides the network."""
    return (target.speed, target.technologies,
            target.min_dl_mbps if target.speed else 0.0,
            fade_db(target) if target.speed else 0.0,
            tuple(target.thresholds.rsrp_dbm(t) for t in target.technologies))


def _combined(margins: Sequence[np.ndarray], every: bool) -> np.ndarray:
    """The best (worst with ``every``) of the operators' margins; NaN where none counts."""
    out = margins[0].copy()
    for margin in margins[1:]:
        (np.minimum if every else np.maximum)(out, margin, out=out)
    out[np.isneginf(out)] = np.nan
    return out


def _rule(target: Target, operators: Sequence[str], every: bool) -> Phrase:
    """The condition of a network target, for its results."""
    signal = joined([Phrase.of(N_("{tech} RSRP >= {dbm} dBm"), tech=Name(t),
                               dbm=Name(f"{target.thresholds.rsrp_dbm(t):g}"))
                     for t in target.technologies])
    if target.speed:
        rule = Phrase.of(N_("{tech} downlink >= {mbps} Mb/s where {signal}"),
                         tech=Name("/".join(target.technologies)),
                         mbps=Num(target.min_dl_mbps, 0), signal=signal)
        if target.edge_probability_percent > 50.0:
            rule = Phrase.of(N_("{rule} at {percent} probability (shadowing sigma {sigma} dB)"),
                             rule=rule, percent=Num(target.edge_probability_percent, 0,
                                                    percent=True),
                             sigma=Num(target.shadow_sigma_db, 0))
    else:
        rule = signal
    if target.operators == (ANY_OPERATOR,):
        whose = Phrase(AT_LEAST_ONE)
    elif every:
        whose = Phrase(EVERY_OPERATOR)
    else:
        whose = Phrase.of(N_("operators: {names}"), names=Name(", ".join(operators)))
    return Phrase.of("{rule} ({whose})", rule=rule, whose=whose)


def target_view(target: Target, ctx: MetricContext) -> tuple[Target, MetricContext, Phrase | None]:
    """The signal target and the context that measure ``target`` (module docstring).

    Returns ``(target, ctx, None)`` unchanged for a target of the merged network; else the
    view's one-technology target (threshold 0), its context and the condition in words.

    Raises
    ------
    CovplanError
        When the target needs each operator's network and ``ctx`` has none, or names an
        operator no site has.
    """
    if not target.per_network:
        return target, ctx, None
    networks = ctx.networks
    if networks is None:
        raise CovplanError(N_("target {target} needs each operator's network; evaluate it "
                              "with covplan's evaluator (ScenarioEvaluator), which predicts "
                              "them"), target=repr(target.id))
    operators, every = _operators(target, networks)
    tech = target.technologies[0]
    unit = "Mb/s margin" if target.speed else "dB margin"

    rows, cols = ctx.grid.shape
    whole = (0, rows, 0, cols)

    def make() -> MetricContext:
        if not operators:
            return ctx.derived({tech: Raster(np.full(ctx.grid.shape, np.nan, dtype=np.float32),
                                             ctx.grid, unit)})
        margins = [_operator_margin(target, name, ctx).values.window(whole)
                   for name in operators]
        return ctx.derived({tech: TiledRaster(TiledArray.of(_combined(margins, every)),
                                              ctx.grid, unit)})

    def update(before: MetricContext) -> MetricContext:
        """The previous scenario's view, redone where an operator's margin changed.

        Only the tiles of the changed window are copied: the previous view keeps its own.
        """
        found = [_operator_margin(target, name, ctx) for name in operators]
        windows = [m.window for m in found]
        if not found or any(w is None for w in windows):
            return make()
        window = _NOTHING
        for changed in windows:
            assert changed is not None
            window = union(window, changed)
        combined = rsrp_tiled(before.coverage[tech]).values
        r0, r1, c0, c1 = window
        if r1 > r0 and c1 > c0:
            combined = combined.updated(window, _combined(
                [m.values.window(window) for m in found], every))
        return before.advance({tech: TiledRaster(combined, ctx.grid, unit)}, window,
                              sites=ctx.sites)

    key = ("view", *_condition(target), tuple(operators), every)
    view_ctx: MetricContext = ctx.follow_on(key, make, update)
    thresholds = target.thresholds.updated({f"rsrp_{tech.lower()}_dbm": 0.0})
    measure = SPEED_MEASURE_OF_LAYER[target.layer] if target.speed else target.measure
    view = replace(target, measure=measure, technologies=(tech,), thresholds=thresholds,
                   operators=(ANY_OPERATOR,), min_dl_mbps=np.nan, indoor_loss_db=())
    return view, view_ctx, _rule(target, operators, every)


def has_operator_rows(targets: TargetSet, ctx: MetricContext) -> bool:
    """Whether :func:`operator_table` has rows, known without evaluating anything.

    It has when operators' networks were predicted and a target counts signal.
    """
    return bool(ctx.networks) and any(t.technologies for t in targets.targets)


def operator_table(targets: TargetSet, ctx: MetricContext) -> pd.DataFrame:
    """Every signal and speed target per operator, for at least one and for every operator.

    One row per target and network: ``id``, ``target``, ``target_vi``, ``network`` (an
    operator's name, :data:`AT_LEAST_ONE` or :data:`EVERY_OPERATOR`), ``measured_percent``,
    ``goal_percent``, ``status``, ``covered``, ``total``, ``unit``, ``threshold``. Empty
    without per-operator networks in ``ctx``.
    """
    from covplan.targets.evaluate import evaluate_target

    columns = ["id", "target", "target_vi", "network", "measured_percent", "goal_percent",
               "status", "covered", "total", "unit", "threshold", "threshold_vi"]
    if not has_operator_rows(targets, ctx):
        return pd.DataFrame(columns=columns)
    rows = []
    names = sorted(ctx.networks or {})
    for target in targets.targets:
        if not target.technologies:
            continue
        choices: list[tuple[str, tuple[str, ...]]] = [(n, (n,)) for n in names]
        choices += [(AT_LEAST_ONE, (ANY_OPERATOR,)), (EVERY_OPERATOR, (ALL_OPERATORS,))]
        for label, operators in choices:
            row = evaluate_target(replace(target, operators=operators), ctx)
            rows.append({**{k: row[k] for k in columns if k in row}, "network": label})
    return pd.DataFrame(rows, columns=columns)
