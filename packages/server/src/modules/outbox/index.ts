import { countFinishedMailBefore, deleteFinishedMailBefore } from './store';

export { createOutboxService, type OutboxService } from './service';

/** What privacy retention may do to the outbox, inside its own transaction (the table stays ours). */
export const outboxRetention = { countFinishedMailBefore, deleteFinishedMailBefore };
