"""Rasa tracker store adapter: Rasa's SQL store, in our database, that can forget a conversation.

When the applicant asks to delete their data, ``action_delete_data`` sets the slot
``data_deleted``; instead of saving that conversation, this store deletes every event
of it. The next message starts a fresh conversation.
"""
from __future__ import annotations

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker


class DeletableSQLTrackerStore(SQLTrackerStore):
    async def save(self, tracker: DialogueStateTracker) -> None:
        if tracker.get_slot("data_deleted"):
            with self.session_scope() as session:
                session.execute(sa.delete(self.SQLEvent).where(self.SQLEvent.sender_id == tracker.sender_id))
                session.commit()
            return
        await super().save(tracker)
