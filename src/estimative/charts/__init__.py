"""Figures: matplotlib charts of every analysis, and the model graph. They take results and
return figures; nothing here computes an analysis."""
