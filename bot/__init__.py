"""The ESS call assistant: call data, eligibility rules, normalisers, answers."""
