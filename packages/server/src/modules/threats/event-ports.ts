import * as store from './store';

/**
 * What other modules may read of security events, and the one thing they may write: the overview,
 * the alert digest and the live stream's catch-up read events; the alert worker records, in the
 * event's activity, that an alert went out. The tables stay this module's.
 */
export const eventsByIds = store.eventsByIds;
export const eventsChangedSince = store.eventsChangedSince;
export const latestEvents = store.latestEvents;
/** Written by the alert worker in the delivery's transaction: the event's activity shows the alert. */
export const recordAlertSent = store.recordAlertSent;
