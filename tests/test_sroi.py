"""SROI: a worked example computed by hand, currencies, files, proxies, results, sensitivity, rendering."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import attrs
import numpy as np
import pytest

from vises.contract.records import FinancialProxy
from vises.errors import SroiError, ValidationError
from vises.sroi import (
    DiscountBand,
    Input,
    InputKind,
    Outcome,
    Proxy,
    QuantityRef,
    Stakeholder,
    ValueMap,
    Variation,
    evaluate,
    load_model,
    sensitivity,
)
from vises.sroi.render import render, write_output

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "sroi" / "cisp_value_map.toml"


def worked_map(**changes) -> ValueMap:
    """Two outcomes, two stakeholders, two funders (one in kEUR, in kind), 5 % discounting."""
    model = ValueMap(
        code="worked",
        label={"en": "Worked example"},
        currency="EUR",
        discount_rate=0.05,
        stakeholders=(
            Stakeholder(code="participants", label={"en": "Participants"}, size=10),
            Stakeholder(code="state", label={"en": "State"}),
        ),
        inputs=(
            Input(funder="region", amount=10_000),
            Input(funder="city", amount=5, currency="kEUR", kind=InputKind.IN_KIND),
        ),
        outcomes=(
            Outcome(
                code="work",
                stakeholder="participants",
                quantity=10,
                proxy=Proxy(value=1000, unit="person"),
                deadweight=0.2,
                displacement=0.1,
                attribution=0.25,
                duration=3,
                drop_off=0.5,
            ),
            Outcome(
                code="savings",
                stakeholder="state",
                quantity=4,
                proxy=Proxy(value=2500, currency="EUR"),
                deadweight=0.5,
                duration=2,
                drop_off=0.1,
                start=2,
            ),
        ),
    )
    return attrs.evolve(model, **changes)


def test_worked_example_by_hand():
    r = evaluate(worked_map(), proxies={})
    # work: 10 × 1000 = 10 000; × 0.8 = 8 000; × 0.9 = 7 200; × 0.75 = 5 400 in year 1,
    #       then 2 700 (× 0.5) and 1 350 in years 2 and 3.
    # savings: 4 × 2 500 = 10 000; × 0.5 = 5 000, first felt in year 2 (start = 2), 4 500 in year 3.
    assert r.by_outcome[0].impact_by_year == pytest.approx((5400.0, 2700.0, 1350.0))
    assert r.by_outcome[1].impact_by_year == pytest.approx((0.0, 5000.0, 4500.0))
    pv_work = 5400 / 1.05 + 2700 / 1.05**2 + 1350 / 1.05**3  # 5142.857 + 2448.980 + 1166.181
    pv_savings = 5000 / 1.05**2 + 4500 / 1.05**3  # 4535.147 + 3887.269
    assert pv_work == pytest.approx(8758.0175, abs=1e-3)
    assert pv_savings == pytest.approx(8422.4166, abs=1e-3)
    assert r.by_outcome[0].present_value == pytest.approx(pv_work)
    assert r.by_outcome[1].present_value == pytest.approx(pv_savings)
    assert r.present_value == pytest.approx(17180.4341, abs=1e-3)
    assert r.total_inputs == 15_000  # 10 000 + 5 kEUR
    assert r.net_present_value == pytest.approx(2180.4341, abs=1e-3)
    assert r.sroi_ratio == pytest.approx(17180.4341 / 15000, abs=1e-7)
    assert r.net_sroi_ratio == pytest.approx(2180.4341 / 15000, abs=1e-7)
    assert r.undiscounted_value == pytest.approx(5400 + 2700 + 1350 + 5000 + 4500)
    # payback: 15 000 / ((5 400 + 5 000) / 12) = 15 000 / 866.67 = 17.31 months
    assert r.payback_months == pytest.approx(17.307692, abs=1e-6)
    assert r.years == (1, 2, 3)
    assert r.discount_factors == pytest.approx((1 / 1.05, 1 / 1.1025, 1 / 1.157625))
    participants, state = r.by_stakeholder
    assert participants.value == pytest.approx(pv_work)
    assert participants.share == pytest.approx(8758.0175 / 17180.4341, abs=1e-7)
    assert state.share == pytest.approx(1 - participants.share)
    assert state.by_year == pytest.approx((0.0, 5000 / 1.1025, 4500 / 1.157625))
    assert r.ratio_for(funders=["region"]) == pytest.approx(17180.4341 / 10000, abs=1e-7)
    assert r.ratio_for(funders=["region", "city"]) == pytest.approx(r.sroi_ratio)


def test_to_dict_has_the_documented_keys():
    d = evaluate(worked_map(), proxies={}).to_dict()
    for key in (
        "present_value",
        "net_present_value",
        "sroi_ratio",
        "net_sroi_ratio",
        "payback_months",
        "total_inputs",
        "undiscounted_value",
        "by_stakeholder",
        "by_outcome",
        "currency",
    ):
        assert key in d
    assert d["by_stakeholder"]["state"]["by_year"][0] == 0.0
    assert d["by_outcome"]["work"]["impact_by_year"] == pytest.approx([5400, 2700, 1350])
    assert d["currency"] == "EUR"
    json.dumps(d)


def test_ratio_for_unknown_funder_names_the_known_ones():
    r = evaluate(worked_map(), proxies={})
    with pytest.raises(SroiError, match="'nobody'") as info:
        r.ratio_for(funders=["nobody"])
    assert "city, region" in str(info.value)


def test_discount_schedule_product_of_rates():
    schedule = (DiscountBand(from_year=1, to_year=2, rate=0.10), DiscountBand(from_year=3, rate=0.0))
    r = evaluate(worked_map(discount_rate=None, discount_schedule=schedule), proxies={})
    # year 1: /1.1, year 2: /1.21, year 3: /(1.21 × 1.0)
    assert r.discount_factors == pytest.approx((1 / 1.1, 1 / 1.21, 1 / 1.21))
    assert r.present_value == pytest.approx(5400 / 1.1 + (2700 + 5000) / 1.21 + (1350 + 4500) / 1.21)


def test_default_rate_is_green_book():
    r = evaluate(worked_map(discount_rate=None), proxies={})
    assert r.discount_factors[0] == pytest.approx(1 / 1.035)


def test_exchange_rates_direct_and_inverse():
    usd = Proxy(value=1000, currency="USD")
    base = worked_map(outcomes=(Outcome(code="o", stakeholder="state", quantity=1, proxy=usd),), discount_rate=0.0)
    assert evaluate(attrs.evolve(base, exchange_rates={"USD/EUR": 0.9}), proxies={}).present_value == pytest.approx(900)
    assert evaluate(attrs.evolve(base, exchange_rates={"EUR/USD": 1.25}), proxies={}).present_value == pytest.approx(
        800
    )
    with pytest.raises(ValidationError) as info:
        evaluate(base, proxies={})
    assert (
        "outcome 'o'" in str(info.value)
        and "USD" in str(info.value)
        and "outcomes[0].proxy.currency" in str(info.value)
    )


def test_input_in_other_currency_without_rate_names_the_input():
    model = worked_map(inputs=(Input(funder="usaid", amount=100, currency="USD"),))
    with pytest.raises(ValidationError, match=r"input of 'usaid'.*no exchange rate"):
        evaluate(model, proxies={})


def test_every_problem_reported_at_once():
    bad = worked_map(
        outcomes=(
            Outcome(code="a", stakeholder="nobody", quantity=1, proxy=Proxy(value=1), deadweight=1.5),
            Outcome(code="b", stakeholder="state", quantity=1, proxy=Proxy(value=1), duration=-2, drop_off=-0.1),
        ),
    )
    with pytest.raises(ValidationError) as info:
        evaluate(bad, proxies={})
    text = str(info.value)
    assert "4 problems" in text
    assert "outcome 'a': unknown stakeholder 'nobody'" in text
    assert "outcomes[0].deadweight" in text and "outcome 'a': deadweight 1.5 is outside 0–1" in text
    assert "outcomes[1].duration" in text and "outcome 'b'" in text
    assert "outcomes[1].drop_off" in text


def test_missing_currency_and_inputs():
    with pytest.raises(ValidationError) as info:
        evaluate(worked_map(currency="", inputs=()), proxies={})
    assert "no currency" in str(info.value) and "no inputs" in str(info.value)


def test_rate_and_schedule_together_refused():
    with pytest.raises(ValidationError, match="both discount_rate and discount_schedule"):
        evaluate(worked_map(discount_schedule=(DiscountBand(from_year=1, rate=0.03),)), proxies={})


def test_schedule_with_gap_or_closed_end_refused():
    schedule = (DiscountBand(from_year=1, to_year=2, rate=0.1), DiscountBand(from_year=4, to_year=9, rate=0.0))
    with pytest.raises(ValidationError) as info:
        evaluate(worked_map(discount_rate=None, discount_schedule=schedule), proxies={})
    assert "year 3 is expected" in str(info.value) and "open-ended" in str(info.value)


def test_registered_proxy_by_key():
    proxies = {
        "wallonie.job_year": FinancialProxy(
            code="job_year", value=2, currency="kEUR", unit="person", source="federation agreement", year=2024
        )
    }
    model = worked_map(
        outcomes=(Outcome(code="o", stakeholder="state", quantity=3, proxy="wallonie.job_year"),), discount_rate=0.0
    )
    r = evaluate(model, proxies=proxies)
    assert r.present_value == pytest.approx(6000)  # 3 × 2 kEUR
    assert r.by_outcome[0].proxy_source == "federation agreement (2024)"
    with pytest.raises(ValidationError, match="unknown financial proxy 'wallonie.job_year'"):
        evaluate(model, proxies={})


class FakeResults:
    """The two methods of vises.engine.results.Results that SROI uses."""

    def __init__(self) -> None:
        self.organisations = np.array(["a", "a", "b"])
        self.periods = np.array(["2019", "2020", "2019"])
        self.values = {"placed": np.array([7.0, 9.0, np.nan])}

    def row(self, organisation: str, period: str | None = None) -> int:
        for i, (org, per) in enumerate(zip(self.organisations, self.periods, strict=True)):
            if org == organisation and per == period:
                return i
        raise KeyError((organisation, period))

    def raw(self, code: str) -> np.ndarray:
        return self.values[code]


def test_quantity_from_results():
    ref = QuantityRef(indicator="placed", organisation="a", period="2020")
    model = worked_map(
        outcomes=(Outcome(code="o", stakeholder="state", quantity=ref, proxy=Proxy(value=100)),), discount_rate=0.0
    )
    assert evaluate(model, results=FakeResults(), proxies={}).present_value == pytest.approx(900)
    with pytest.raises(ValidationError, match="no scored results were given"):
        evaluate(model, proxies={})
    missing = attrs.evolve(
        model,
        outcomes=(
            attrs.evolve(model.outcomes[0], quantity=QuantityRef(indicator="placed", organisation="b", period="2019")),
        ),
    )
    with pytest.raises(ValidationError, match="has no value for 'b'"):
        evaluate(missing, results=FakeResults(), proxies={})
    unknown = attrs.evolve(
        model,
        outcomes=(
            attrs.evolve(model.outcomes[0], quantity=QuantityRef(indicator="placed", organisation="z", period="2019")),
        ),
    )
    with pytest.raises(ValidationError, match="no row for organisation 'z'"):
        evaluate(unknown, results=FakeResults(), proxies={})


def test_quantity_from_real_results():
    import vises
    from vises.model import Column, Dataset, Grid, Indicator, Node

    grid = Grid(code="g", nodes=(Node(code="g"),), indicators=(Indicator(code="placed", parent="g", unit="person"),))
    data = Dataset(
        organisations=np.array(["a", "b"]),
        periods=np.array(["2019", "2019"]),
        columns={"placed": Column(values=np.array([12.0, 3.0]), unit="person")},
    )
    results = vises.score(grid, data)
    ref = QuantityRef(indicator="placed", organisation="b", period="2019")
    model = worked_map(
        outcomes=(Outcome(code="o", stakeholder="state", quantity=ref, proxy=Proxy(value=10)),), discount_rate=0.0
    )
    assert evaluate(model, results=results, proxies={}).present_value == pytest.approx(30)


# --- files ------------------------------------------------------------------------------------

TOML = """
code = "m"
currency = "EUR"
discount_rate = 0.0
exchange_rates = { "USD/EUR" = 0.5 }
[[stakeholders]]
code = "s"
label = "Stagiaires"
[[inputs]]
funder = "f"
amount = 100
[[outcomes]]
code = "o"
stakeholder = "s"
quantity = 2
proxy = { value = 100, currency = "USD", unit = "person", source = "test" }
"""


def test_load_toml_yaml_json(tmp_path):
    toml_file = tmp_path / "m.toml"
    toml_file.write_text(TOML, encoding="utf-8")
    model = load_model(toml_file, proxies={})
    assert model.stakeholders[0].label_in("fr") == "Stagiaires"
    assert evaluate(model, proxies={}).sroi_ratio == pytest.approx(1.0)  # 2 × 100 USD × 0.5 / 100
    import tomllib

    import yaml

    data = tomllib.loads(TOML)
    (tmp_path / "m.json").write_text(json.dumps(data), encoding="utf-8")
    (tmp_path / "m.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    assert load_model(tmp_path / "m.json", proxies={}) == model
    assert load_model(tmp_path / "m.yaml", proxies={}) == model


def test_file_errors_have_paths_and_outcome_codes(tmp_path):
    text = TOML.replace("quantity = 2", "quantity = 2\ndeadwieght = 0.1\nduration = 1.5\nattribution = 2.0")
    text = text.replace('funder = "f"', 'funder = "f"\nkind = "gift"')
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        load_model(path, proxies={})
    message = str(info.value)
    assert "bad.toml" in message
    assert "outcomes[0]" in message and "unknown key deadwieght" in message and "outcome 'o'" in message
    assert "outcomes[0].duration" in message and "expected a whole number, got 1.5" in message
    assert "inputs[0].kind" in message and "'in_kind'" in message
    # attribution = 2.0 is a valid number for the converter; the check reports it once structure is fine
    path.write_text(TOML.replace("quantity = 2", "quantity = 2\nattribution = 2.0"), encoding="utf-8")
    with pytest.raises(
        ValidationError, match=r"outcomes\[0\]\.attribution.*outcome 'o': attribution 2.0 is outside 0–1"
    ):
        load_model(path, proxies={})


def test_file_format_and_missing_file(tmp_path):
    with pytest.raises(SroiError, match="unsupported value map format '.txt'"):
        load_model(tmp_path / "m.txt")
    with pytest.raises(SroiError, match="cannot read"):
        load_model(tmp_path / "absent.toml")
    (tmp_path / "broken.toml").write_text("code = ", encoding="utf-8")
    with pytest.raises(SroiError, match="not valid TOML"):
        load_model(tmp_path / "broken.toml")


def test_example_map_loads_and_is_marked_illustrative():
    assert "ILLUSTRATIVE" in EXAMPLE.read_text(encoding="utf-8")
    model = load_model(EXAMPLE, proxies={})
    assert len(model.stakeholders) == 3 and len(model.outcomes) == 4
    assert len({i.funder for i in model.inputs}) == 2
    r = evaluate(model, proxies={})
    assert r.total_inputs == pytest.approx(472_000)  # 320 000 + 12 kEUR + 140 000
    assert 0 < r.sroi_ratio < 10


# --- sensitivity ------------------------------------------------------------------------------


def single(**outcome) -> ValueMap:
    values = {"code": "o", "stakeholder": "s", "quantity": 10, "proxy": Proxy(value=100)} | outcome
    return ValueMap(
        code="one",
        currency="EUR",
        discount_rate=0.0,
        stakeholders=(Stakeholder(code="s"),),
        inputs=(Input(funder="f", amount=500),),
        outcomes=(Outcome(**values),),
    )


def row(report, assumption, outcome="o"):
    return next(r for r in report.rows if r.assumption == assumption and r.outcome == outcome)


def test_sensitivity_linear_switching_values():
    report = sensitivity(single(), proxies={})
    assert report.base_ratio == pytest.approx(2.0)  # 10 × 100 / 500
    proxy = row(report, "proxy")
    assert (proxy.value_low, proxy.value_high) == pytest.approx((80, 120))
    assert (proxy.ratio_low, proxy.ratio_high) == pytest.approx((1.6, 2.4))
    assert proxy.switching_value == pytest.approx(50)  # 10 × 50 / 500 = 1
    assert row(report, "quantity").switching_value == pytest.approx(5)
    dead = row(report, "deadweight")
    assert (dead.value_low, dead.value_high) == (0.0, pytest.approx(0.1))  # clipped at 0
    assert (dead.ratio_low, dead.ratio_high) == pytest.approx((2.0, 1.8))
    assert dead.switching_value == pytest.approx(0.5)  # 1000 × (1 − 0.5) = 500
    assert row(report, "proxy", None).switching_value == pytest.approx(0.5)  # every proxy × 0.5
    assert row(report, "duration").switching_value is None  # already 1 year, ratio 2
    swings = [r.swing for r in report.rows]
    assert swings == sorted(swings, reverse=True)


def test_sensitivity_drop_off_and_rate_by_bisection():
    model = attrs.evolve(
        single(duration=3, quantity=1, proxy=Proxy(value=250)), inputs=(Input(funder="f", amount=625),)
    )
    report = sensitivity(model, proxies={})
    # PV = 250 × (1 + k + k²) with k = 1 − drop-off; 1:1 when 1 + k + k² = 2.5, k = (−1 + √7) / 2
    assert row(report, "drop_off").switching_value == pytest.approx(1 - (-1 + math.sqrt(7)) / 2, abs=1e-9)
    assert row(report, "duration").switching_value == 2  # 2 years: 500 / 625 = 0.8 < 1
    one_year = ValueMap(
        code="r",
        currency="EUR",
        stakeholders=(Stakeholder(code="s"),),
        inputs=(Input(funder="f", amount=900),),
        outcomes=(Outcome(code="o", stakeholder="s", quantity=1, proxy=Proxy(value=1000)),),
    )
    rate = row(sensitivity(one_year, proxies={}), "discount_rate", None)
    assert rate.switching_value == pytest.approx(1000 / 900 - 1, abs=1e-9)  # 1000 / (1 + r) = 900
    assert (rate.ratio_low, rate.ratio_high) == pytest.approx((1000 / 900, 1000 / 1.05 / 900))


def test_sensitivity_duration_scan():
    model = single(duration=4)  # ratio 8; even 1 year gives 1000 / 500 = 2
    assert row(sensitivity(model, proxies={}), "duration").switching_value is None
    cheap = attrs.evolve(single(duration=3), inputs=(Input(funder="f", amount=2500),))  # 3000 / 2500 = 1.2
    assert row(sensitivity(cheap, proxies={}), "duration").switching_value == 2  # 2000 / 2500 < 1


def test_sensitivity_changes_and_errors():
    report = sensitivity(single(), changes={"proxy": 0.5, "deadweight": None, "discount_rate": (0.0, 0.1)}, proxies={})
    assert row(report, "proxy").ratio_low == pytest.approx(1.0)
    assert not [r for r in report.rows if r.assumption == "deadweight"]
    assert row(report, "quantity").variation == Variation.relative(0.2)
    with pytest.raises(SroiError, match="unknown sensitivity assumption 'leakage'"):
        sensitivity(single(), changes={"leakage": 0.1}, proxies={})
    with pytest.raises(SroiError, match="needs a pair of rates"):
        sensitivity(single(), changes={"discount_rate": 0.02}, proxies={})


# --- rendering --------------------------------------------------------------------------------


def test_render_formats():
    model = worked_map(label={"en": "<script>alert(1)</script>"})
    r = evaluate(model, proxies={})
    report = sensitivity(model, proxies={})
    data = json.loads(render(r, fmt="json", report=report))
    assert data["present_value"] == r.present_value  # full precision
    assert data["sensitivity"]["rows"][0]["swing"] >= data["sensitivity"]["rows"][-1]["swing"]
    md = render(r, fmt="markdown", report=report)
    assert md.startswith("# SROI") and "| work" in md and "Sensitivity" in md
    table = render(r, fmt="table")
    assert "1.15 : 1" in table and "Sensitivity" not in table
    html = render(r, fmt="html", report=report)
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert "Value by stakeholder" in html and "Sensitivity" in html
    with pytest.raises(Exception, match="unknown SROI output format"):
        render(r, fmt="pdf")


def test_json_writes_nan_as_null():
    zero = worked_map(outcomes=(Outcome(code="o", stakeholder="state", quantity=0, proxy=Proxy(value=1)),))
    data = json.loads(render(evaluate(zero, proxies={}), fmt="json"))
    assert data["by_stakeholder"]["state"]["share"] is None
    assert data["payback_months"] is None


def test_write_output_is_atomic(tmp_path):
    target = tmp_path / "out.md"
    write_output("first", target)
    write_output("second", target)
    assert target.read_text(encoding="utf-8") == "second"
    assert [p.name for p in tmp_path.iterdir()] == ["out.md"]


def test_importing_sroi_does_not_import_pint():
    code = "import sys, vises.sroi; assert 'pint' not in sys.modules and 'jinja2' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_input_kind_checked_for_python_built_maps():
    with pytest.raises(ValidationError, match=r"input of 'region': kind 'gift'"):
        evaluate(worked_map(inputs=(Input(funder="region", amount=1, kind="gift"),)), proxies={})
