"""The decision tree (decision.tree): it rolls back to the MEU, renders, and its policy
leaves are conditional expectations.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from estimative import Network, UsageError
from estimative.decision import (
    decision_tree,
    expected_utilities,
    weight_map,
)


# ------------------------------------------------------------------------------ tree
def test_tree_rolls_back_to_meu_and_renders(
    oil: Network, umbrella: Network, tmp_path: Path
) -> None:
    from estimative.charts.decision import (
        decision_tree_figure,
        save_figure,
        save_text,
        weight_map_figure,
    )

    tree = decision_tree(oil)
    assert tree.stages == ("test", "seismic_result", "drill", "oil_amount")
    assert tree.value == pytest.approx(22.5)
    assert tree.n_leaves == 24  # impossible branches (a result without a test) are pruned
    for path, _leaf in tree.root.leaves():
        for node in path:
            if node.kind == "chance":
                assert sum(c.probability for c in node.children) == pytest.approx(1.0)
    leaf_utils = sorted({round(leaf.value, 9) for _, leaf in tree.root.leaves()})
    assert leaf_utils == [-80, -70, -10, 0, 40, 50, 190, 200]  # payoffs net of the test's cost
    md = tree.to_markdown()
    assert "| test | seismic_result | drill | oil_amount |" in md and "**yes (EU 22.5)**" in md
    policy_tree = decision_tree(oil, shape="policies")
    assert policy_tree.value == pytest.approx(20.0) and policy_tree.stages == (
        "policy",
        "oil_amount",
    )
    for fmt in ("svg", "png"):
        out = save_figure(decision_tree_figure(tree), tmp_path / f"tree.{fmt}")
        assert out.stat().st_size > 1000
    save_text(md, tmp_path / "tree.md")
    assert (tmp_path / "tree.md").read_text() == md
    save_figure(weight_map_figure(weight_map(oil, "drilling", "test_cost")), tmp_path / "map.svg")
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "map.svg",
        "tree.md",
        "tree.png",
        "tree.svg",
    ]
    with pytest.raises(UsageError, match="cannot write a figure"):
        save_figure(decision_tree_figure(tree), tmp_path / "tree.gif")


def test_policy_tree_leaves_are_conditional_expectations(example_with_utilities: Path) -> None:
    net = Network.from_file(example_with_utilities)
    tree = decision_tree(net, outcomes=["armed_clash"])
    eu = expected_utilities(net, baseline=False)
    for child in tree.root.children:
        assert child.value == pytest.approx(eu[child.branch])
        pol = net.spec.policy(child.branch)
        for leaf in child.children:
            p = net.query("armed_clash", policy=pol.id)[leaf.branch]
            assert leaf.probability == pytest.approx(p)
    assert tree.root.value == pytest.approx(eu.eu.max())
