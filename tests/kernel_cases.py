"""Small scenarios for kernel tests, built from YAML text."""

from negotiation.kernel.draws import build_inputs
from negotiation.scenario.loader import load_scenario_text

TWO_PARTY = """
name: split
parties: {{A: {{name: A}}, B: {{name: B}}}}
issues:
  price: {{range: [0, 100], status_quo: 50}}
  speed: {{range: [0, 10], status_quo: 5}}
profiles:
  A:
    reservation: {res_a}
    issues:
      price: {{weight: {wa1}, ideal: 0}}
      speed: {{weight: {wa2}, ideal: 10}}
    strategy: {{name: linear}}
  B:
    reservation: {res_b}
    issues:
      price: {{weight: {wb1}, ideal: 100}}
      speed: {{weight: {wb2}, ideal: 0}}
    strategy: {{name: linear}}
calendar:
  rounds: [2024-01-01, 2024-01-11, 2024-01-21, 2024-01-31, 2024-02-10, 2024-02-20, 2024-03-01,
           2024-03-11, 2024-03-21, 2024-03-31]
  deadline: 2024-03-31
  horizon: 2024-12-31
"""


def two_party(res_a=0.2, res_b=0.2, wa1=0.5, wa2=0.5, wb1=0.5, wb2=0.5):
    """Two parties, two linear issues on opposite sides (A wants price 0 and speed 10)."""
    return load_scenario_text(TWO_PARTY.format(res_a=res_a, res_b=res_b, wa1=wa1, wa2=wa2, wb1=wb1, wb2=wb2))


def inputs_of(loaded):
    return build_inputs(loaded.structure, loaded.space, loaded.space.base()[None, :])
