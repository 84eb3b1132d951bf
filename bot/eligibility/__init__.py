"""The eligibility check: pure rules (answers -> verdict + reasons), its messages, prompts and card."""
