"""A config directory written by hand, annotated the way a team routes with it: scores,
default models, a deprecated and an unavailable model, unknown context and prices.

Costs below are for the router's default usage (1,000 input + 1,000 output tokens):
acme-small $0.0005, acme-mid $0.005, acme-big $0.025, acme-old $0.001, beta-twin-a and
beta-twin-b $0.005, beta-nocontext $0.001, beta-noprice unknown, gamma-a $0.0002,
gamma-b $0.002.
"""

from __future__ import annotations

from pathlib import Path

ACME = """\
# Acme: annotated by the platform team.
provider: acme
default_model: acme-mid   # what we use when nothing else is asked for
models:
  acme-small:
    name: Acme Small
    context_window: 32000
    pricing: {input: 0.1, output: 0.4}
    capabilities: [function_calling]
    available: true
    deprecated: false
    source: models.dev
    task_complexity_score: {simple: 3.0, medium: 2.0, complex: 0.5}
  acme-mid:
    name: Acme Mid
    context_window: 200000
    pricing: {input: 1.0, output: 4.0}
    capabilities: [function_calling, vision]
    available: true
    deprecated: false
    source: models.dev
    task_complexity_score: {simple: 4.0, medium: 3.5, complex: 4.0}
  acme-big:
    name: Acme Big
    context_window: 1000000
    pricing:
      input: 5.0
      output: 20.0
      tiers:
      - {above_context: 200000, input: 10.0, output: 30.0}
    capabilities: [function_calling, vision, reasoning]
    available: true
    deprecated: false
    source: models.dev
    task_complexity_score: {simple: 4.5, medium: 4.5, complex: 4.8}
  acme-old:
    name: Acme Old
    context_window: 200000
    pricing: {input: 0.2, output: 0.8}
    capabilities: [function_calling, vision, reasoning]
    available: true
    deprecated: true
    source: models.dev
    task_complexity_score: {complex: 5.0}
  acme-gone:
    name: Acme Gone
    context_window: 200000
    pricing: {input: 0.01, output: 0.01}
    capabilities: [function_calling, vision, reasoning]
    available: false
    deprecated: false
    source: models.dev
    task_complexity_score: {complex: 5.0}
"""

BETA = """\
provider: beta
default_model: beta-twin-b
models:
  beta-twin-a:   # priced like acme-mid, scored like it
    name: Beta Twin A
    context_window: 400000
    pricing: {input: 1.0, output: 4.0}
    capabilities: [vision]
    task_complexity_score: {complex: 4.0}
  beta-twin-b:
    name: Beta Twin B
    context_window: 400000
    pricing: {input: 2.0, output: 3.0}
    capabilities: [vision]
    task_complexity_score: {complex: 4.5}
  beta-nocontext:
    name: Beta No Context
    context_window: 0
    pricing: {input: 0.5, output: 0.5}
    capabilities: [vision]
    task_complexity_score: {complex: 4.2}
  beta-noprice:
    name: Beta No Price
    context_window: 400000
    capabilities: [function_calling]
    task_complexity_score: {complex: 5.0}
"""

GAMMA = """\
provider: gamma
models:
  gamma-b:
    name: Gamma B
    context_window: 128000
    pricing: {input: 0.5, output: 1.5}
    capabilities: [vision]
  gamma-a:
    name: Gamma A
    context_window: 128000
    pricing: {input: 0.05, output: 0.15}
    capabilities: [vision]
"""


def write_fixture(config_dir: Path) -> Path:
    config_dir.mkdir(parents=True, exist_ok=True)
    for name, text in (("acme", ACME), ("beta", BETA), ("gamma", GAMMA)):
        (config_dir / f"{name}.yml").write_text(text)
    return config_dir
