"""The benchmark scripts import as modules and quote the right reference figures."""

from bench.awr_gym import official_reference


def test_awr_gym_quotes_the_official_figure_of_the_task_it_ran():
    assert official_reference("HalfCheetah-v5") == "official logs: ~3,446 at 1M samples"
    assert official_reference("Hopper-v5") == "official logs: ~2,660 at 1M samples"
    assert official_reference("Walker2d-v5") == "official logs: ~1,586 at 1M samples"
    assert official_reference("Ant-v5") == "no official figure for Ant-v5"
