"""The Jupyter explorer: an `anywidget <https://anywidget.dev>`_ whose front end is the same
``explore.js`` as the offline page, and whose every number is computed here in Python.

A click in the browser only changes the widget's state (``evidence``, ``policy``,
``scenario``, ``selected``); Python observes the change, queries the network and sends back
``view`` (every node's posterior, the states the conditions fix, the headline outcomes) and,
for the selected node, ``interval`` (each state's interval over parameter draws). Where no
widget front end runs (a static notebook viewer, nbconvert), the output falls back to the
graph as static SVG with the current bars.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

import anywidget
import numpy as np
import traitlets

from .._random import make_rng
from ..checks import check_count, check_level
from ..errors import EstimativeError
from ..network import Network, graph_geometry, graph_svg
from ..spec import BASELINE
from ..uncertainty import draw_cpts, query_interval
from .data import NO_SCENARIO, menus, node_details, view_state
from .page import static_text


class Explorer(anywidget.AnyWidget):
    """The interactive network view of :func:`explore`: click a state to observe it (click
    again to clear), pick a policy (do()) and a scenario, click a node for its CPT, sources and
    intervals; every node's bars follow.

    Examples
    --------
    >>> w = explore(Network.from_file("models/example"), draws=200)
    >>> w.toggle("misread_intent", "yes").view["marginals"]["armed_clash"]
    [0.875, 0.125]
    """

    _esm = static_text("explore.js") + "\nexport default { render };\n"
    _css = static_text("explore.css")

    mode = traitlets.Unicode("widget").tag(sync=True)
    graph = traitlets.Dict().tag(sync=True)
    meta = traitlets.Dict().tag(sync=True)
    details = traitlets.Dict().tag(sync=True)
    level = traitlets.Float(0.9).tag(sync=True)
    policy = traitlets.Unicode(BASELINE).tag(sync=True)
    scenario = traitlets.Unicode(NO_SCENARIO).tag(sync=True)
    evidence = traitlets.Dict().tag(sync=True)
    selected = traitlets.Unicode("").tag(sync=True)
    view = traitlets.Dict().tag(sync=True)
    interval = traitlets.Dict().tag(sync=True)

    def __init__(
        self, net: Network, *, draws: int, rng: np.random.Generator, level: float, **kw: Any
    ) -> None:
        self._net = net
        self._cpts = draw_cpts(net, draws, rng=rng)
        self._good: dict[str, Any] = {"policy": BASELINE, "scenario": NO_SCENARIO, "evidence": {}}
        super().__init__(
            graph=graph_geometry(net),
            meta=menus(net),
            details=node_details(net),
            level=level,
            **kw,
        )
        self.view = view_state(net, policy=self.policy, scenario=self.scenario)

    # ------------------------------------------------------------------ state changes
    @traitlets.observe("policy", "scenario", "evidence")
    def _conditions_changed(self, change: Mapping[str, Any]) -> None:
        net = self._net
        do = {} if self.policy == BASELINE else dict(net.spec.policy(self.policy).do)
        clash = sorted(set(do) & set(self.evidence))
        try:
            if clash:
                raise EstimativeError(
                    f"{', '.join(clash)} is set by the policy {self.policy} (do()); "
                    "an observation of it would be overridden",
                )
            view = view_state(
                net, policy=self.policy, scenario=self.scenario, given=dict(self.evidence)
            )
        except EstimativeError as err:
            message = str(err).splitlines()[0]
            with self.hold_trait_notifications():
                self.policy = self._good["policy"]
                self.scenario = self._good["scenario"]
                self.evidence = dict(self._good["evidence"])
            self.view = {**self.view, "error": message}
            return
        self._good = {
            "policy": self.policy,
            "scenario": self.scenario,
            "evidence": dict(self.evidence),
        }
        self.view = view
        self._interval_of(self.selected)

    @traitlets.observe("selected")
    def _selected_changed(self, change: Mapping[str, Any]) -> None:
        self._interval_of(self.selected)

    def _interval_of(self, variable: str) -> None:
        if not variable:
            self.interval = {}
            return
        net = self._net
        rows = []
        for state in net.states[variable]:
            iv = query_interval(
                net,
                variable,
                state,
                given=dict(self.evidence),
                policy=None if self.policy == BASELINE else self.policy,
                scenario=self.scenario or None,
                draws=self._cpts,
                level=self.level,
            )
            rows.append({"state": state, "point": iv.point, "low": iv.low, "high": iv.high})
        self.interval = {variable: rows}

    # ------------------------------------------------------------------ what a click does
    def toggle(self, variable: str, state: str) -> Explorer:
        """Do what a click on ``variable``'s ``state`` does: observe it, or clear the finding
        when it is already observed. Returns the widget.

        >>> w = explore(Network.from_file("models/example"), draws=100)
        >>> w.toggle("misread_intent", "yes").toggle("misread_intent", "yes").evidence
        {}
        """
        net = self._net
        net.state_index(variable, state)  # the unknown-variable or -state error
        ev = dict(self.evidence)
        if ev.get(variable) == state:
            del ev[variable]
        else:
            ev[variable] = state
        self.evidence = ev
        return self

    # ------------------------------------------------------------------ without a front end
    def static_html(self) -> str:
        """The current view as static HTML: the headline outcomes and the graph as SVG with the
        current bars (what a notebook shows where widgets do not run)."""
        esc = html.escape
        meta, view = self.meta, self.view
        labels = {o["id"]: o["label"] for o in meta["outcomes"]}
        head = "".join(
            f"<li>{esc(labels[r['id']])}: <b>{100 * r['point']:.1f}%</b></li>"
            for r in view.get("headline", [])
        )
        cond = ", ".join(
            x
            for x in (
                f"policy {self.policy}",
                f"scenario {self.scenario}" if self.scenario else "",
                ", ".join(f"{k}={v}" for k, v in self.evidence.items()),
            )
            if x
        )
        svg = graph_svg(self.graph, view.get("marginals"), fixed=view.get("fixed"))
        return (
            f"<div class='estimative-explore-static'><p><b>{esc(meta['title'])}</b> "
            f"(hash <code>{esc(meta['model_hash'])}</code>): {esc(cond)}</p><ul>{head}</ul>"
            f"<div style='overflow:auto;max-height:720px'>{svg}</div></div>"
        )

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        bundle = super()._repr_mimebundle_(**kwargs)
        if bundle is None:
            return None
        data, md = bundle if isinstance(bundle, tuple) else (bundle, {})
        return {**data, "text/html": self.static_html()}, md


def explore(
    net: Network,
    *,
    draws: int = 500,
    rng: np.random.Generator | None = None,
    level: float = 0.9,
) -> Explorer:
    """An interactive view of ``net`` for Jupyter (JupyterLab, VS Code, Colab): the graph left
    to right with every node's posterior as bars; click a state to observe it (again to clear),
    pick a policy and a scenario, click a node for its CPT, provenance and intervals.

    Parameters
    ----------
    net : Network
        The model.
    draws : int
        Parameter draws behind the selected node's intervals (drawn once, then shared).
    rng : numpy.random.Generator, optional
        Where the draws come from (default: ``make_rng(0)``, so a rerun shows the same intervals).
    level : float
        The credible level of the intervals.

    Returns
    -------
    Explorer
        The widget; its ``view`` holds what it shows (``view["marginals"][variable]``).

    Examples
    --------
    >>> net = Network.from_file("models/example")
    >>> w = explore(net, draws=100)
    >>> w.policy = "private_channel"
    >>> w.view["marginals"]["armed_clash"][1] == net.query("armed_clash", policy="private_channel")["yes"]
    True
    """
    draws = check_count(draws, name="draws", minimum=10, example=500)
    level = check_level(level)
    return Explorer(net, draws=draws, rng=rng if rng is not None else make_rng(0), level=level)
