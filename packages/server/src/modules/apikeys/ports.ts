import * as store from './store';

/**
 * What other modules may read of API keys: the audit log's people picker names the organization's
 * keys. The table stays this module's: callers go through these, never through the store.
 */
export const apiKeyPorts = {
  listKeys: store.listKeys,
};
