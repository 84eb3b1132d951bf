"""The field registry and what a form reads and says, shared by the eligibility and pre-application forms."""
