import pytest

from deferbench.run import registry
from deferbench.errors import UserError


def test_empty_selection_means_every_suite():
    assert [s.name for s in registry.select("")] == list(registry.SUITES)


def test_unknown_suite_names_itself_and_the_known_ones():
    with pytest.raises(UserError) as e:
        registry.select("defer_cost,nope")
    assert "'nope'" in str(e.value) and "defer_cost" in str(e.value)


def test_duplicates_run_once():
    assert [s.name for s in registry.select("defer_cost,defer_cost")] == ["defer_cost"]
