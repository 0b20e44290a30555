"""The methods beside the seed's pipeline: a spec, its folded problem, and each method's plan and model."""
