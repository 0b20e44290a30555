"""The methods beside the seed's pipeline, each a ``wiring.Component`` on one folded-unit frame."""
