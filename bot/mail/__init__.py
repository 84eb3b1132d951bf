"""Mail to applicants: sending (SMTP or files), composing from templates, the outbox worker."""
