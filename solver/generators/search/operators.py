"""The repair operators (fix patterns of TBar, PraPR and GenProg), by family.

Each family is a function from a `Site` (one suspicious statement with its scope) to the `Edit`s
it proposes there; its name is what `OperatorPriors` learns about.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from solver.generators.search.edits import Edit, render_diff
from solver.generators.search.ops_exceptions import replace_exception_type
from solver.generators.search.ops_guards import insert_guard, insert_raise
from solver.generators.search.ops_names import replace_identifier, replace_method, swap_operands
from solver.generators.search.ops_operators import (
    expand_condition,
    negate_condition,
    reduce_condition,
    replace_arithmetic,
    replace_comparison,
    swap_boolean,
)
from solver.generators.search.ops_results import (
    collection_condition,
    condition_return,
    constant_to_name,
    negate_result,
    unwrap_call,
)
from solver.generators.search.ops_siblings import replace_counterpart
from solver.generators.search.ops_statements import (
    delete_statement,
    insert_increment,
    insert_statement,
)
from solver.generators.search.ops_twins import insert_twin
from solver.generators.search.ops_values import (
    change_return,
    expand_expression,
    reduce_expression,
    replace_constant,
    replace_default,
    shift_by_one,
    unwrap_expression,
    wrap_expression,
)
from solver.generators.search.site import Site

Operator = Callable[[Site], Iterator[Edit]]

OPERATORS: dict[str, Operator] = {
    "comparison": replace_comparison,
    "arithmetic": replace_arithmetic,
    "boolean": swap_boolean,
    "negation": negate_condition,
    "off_by_one": shift_by_one,
    "identifier": replace_identifier,
    "swap": swap_operands,
    "constant": replace_constant,
    "method": replace_method,
    "deletion": delete_statement,
    "insertion": insert_statement,
    "guard": insert_guard,
    "return_value": change_return,
    "expression_expansion": expand_expression,
    "expression_reduction": reduce_expression,
    "wrap": wrap_expression,
    "unwrap": unwrap_expression,
    "condition_expansion": expand_condition,
    "condition_reduction": reduce_condition,
    "increment": insert_increment,
    "exception": replace_exception_type,
    "raise": insert_raise,
    "default_argument": replace_default,
    "counterpart": replace_counterpart,
    "unwrap_call": unwrap_call,
    "negate_result": negate_result,
    "condition_return": condition_return,
    "loop_condition": collection_condition,
    "constant_name": constant_to_name,
    "twin": insert_twin,
}
"""Operator families by name, in the order candidates are generated (ties keep this order)."""


def edits_at(site: Site, families: Iterable[str] | None = None) -> Iterator[Edit]:
    """Every edit the named families (default: all) propose at `site`."""
    for name in families if families is not None else OPERATORS:
        yield from OPERATORS[name](site)


__all__ = ["OPERATORS", "Edit", "Operator", "edits_at", "render_diff"]
