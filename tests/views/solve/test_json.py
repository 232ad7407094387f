"""JSON keys: the same steps as data (formula, substituted, value)."""

from __future__ import annotations

import json

from gradviz import evaluate, example
from gradviz.views.solve import to_json
from gradviz.views.solve.model import solution


def test_steps_as_data():
    data = json.loads(to_json(solution(evaluate(example("interesting")))))
    h1 = next(x for x in data["forward"] if x["node"] == "H1")
    eq = h1["equations"][0]
    assert (eq["lhs"], eq["formula"], eq["substituted"], eq["value"]) == \
        ("H₁", "W₁(X₁ + X₂)", "1.5 × (2 + (−1))", "1.5")
    assert h1["value"] == 1.5
    block = next(x for x in data["backward"] if x["node"] == "H1")
    assert block["consumers"] == ["H3", "H4", "H5"] and block["asked"] is True
    assert block["terms"][1]["local_formula"] == "−W₂H₂/H₁²"
    assert data["answers"][0] == {"quantity": "Yhat", "label": "Ŷ",
                                  "value": data["answers"][0]["value"]}
    assert data["notation"][0].startswith("Unnamed intermediate values get a name: z = H₃ − H₅")


def test_updates_and_temporary_names():
    data = json.loads(to_json(solution(evaluate(example("two_layer_relu")))))
    (update,) = data["updates"]
    assert update["equations"][0]["steps"][-1]["text"] == "0.65" and update["lr"] == 0.1
    mlp = json.loads(to_json(solution(evaluate(example("mlp")))))
    assert {"z1", "z2", "z3"} <= {x["node"] for x in mlp["forward"]}
