"""The pre-application: save, resume, delete, privacy purges, and what the assistant says about it."""
