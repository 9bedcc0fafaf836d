import type {
  AdminPrivacyOverview,
  CategoryList,
  ClaimPrivacyTasksBody,
  CompletePrivacyTaskBody,
  CreateCustomCategoryBody,
  CreatePrivacyRequestBody,
  CreatePrivacySystemBody,
  CustomCategoryOut,
  DataMapOut,
  ListPrivacyRequestsQuery,
  PrivacyHostTask,
  PrivacyRequestCreated,
  PrivacyRequestDetail,
  PrivacyRequestOut,
  PrivacySettingsOut,
  PrivacySystemCreated,
  PrivacySystemOut,
  PrivacyTaskHostOut,
  PrivacyTaskOut,
  SystemCategoryIn,
  UpdateCustomCategoryBody,
  UpdatePrivacySettingsBody,
  UpdatePrivacySystemBody,
} from '@custos/shared';
import type { CustosClient } from './client';
import { createPackagesApi } from './privacy-packages';
import { createRetentionApi } from './privacy-retention';
import { listQuery } from './threats';

/**
 * Privacy in `CustosClient`: the data map (systems, categories), data subject requests with their
 * transitions, and the organization's privacy settings. Host apps use an API key with
 * `privacy:manage` to register their systems and open requests for their verified users.
 */

const BASE = '/api/v1/privacy';
const at = (path: string, id: string) => `${BASE}/${path}/${encodeURIComponent(id)}`;

export function createPrivacyApi(client: CustosClient) {
  const action = <B>(id: string, name: string, body?: B) =>
    client.request<PrivacyRequestOut>('POST', `${at('requests', id)}/${name}`, body ?? {});
  return {
    /** The whole data map in a record-of-processing shape. */
    dataMap: () => client.request<DataMapOut>('GET', `${BASE}/data-map`),
    systems: {
      list: () => client.request<{ systems: PrivacySystemOut[] }>('GET', `${BASE}/systems`),
      get: (id: string) => client.request<PrivacySystemOut>('GET', at('systems', id)),
      /** Registers a host system; a webhook's signing secret is in the answer, this once. */
      create: (body: CreatePrivacySystemBody) =>
        client.request<PrivacySystemCreated>('POST', `${BASE}/systems`, body),
      update: (id: string, body: UpdatePrivacySystemBody) =>
        client.request<PrivacySystemCreated>('PATCH', at('systems', id), body),
      remove: (id: string) => client.request<{ deleted: true }>('DELETE', at('systems', id)),
      setCategories: (id: string, categories: SystemCategoryIn[]) =>
        client.request<PrivacySystemOut>('PUT', `${at('systems', id)}/categories`, { categories }),
    },
    categories: {
      list: () => client.request<CategoryList>('GET', `${BASE}/categories`),
      create: (body: CreateCustomCategoryBody) =>
        client.request<CustomCategoryOut>('POST', `${BASE}/categories`, body),
      update: (id: string, body: UpdateCustomCategoryBody) =>
        client.request<CustomCategoryOut>('PATCH', at('categories', id), body),
      remove: (id: string) => client.request<{ deleted: true }>('DELETE', at('categories', id)),
    },
    requests: {
      /** Opens a request; `verified: true` when the host app verified its signed-in user. */
      create: (body: CreatePrivacyRequestBody) =>
        client.request<PrivacyRequestCreated>('POST', `${BASE}/requests`, body),
      list: (query: ListPrivacyRequestsQuery = {}) =>
        client.request<{ requests: PrivacyRequestOut[] }>('GET', `${BASE}/requests${listQuery(query)}`),
      get: (id: string) => client.request<PrivacyRequestDetail>('GET', at('requests', id)),
      verify: (id: string, method?: string) => action(id, 'verify', method ? { method } : {}),
      approve: (id: string) => action(id, 'approve'),
      complete: (id: string, note?: string) => action(id, 'complete', note ? { note } : {}),
      cancel: (id: string, note?: string) => action(id, 'cancel', note ? { note } : {}),
      deny: (id: string, body: { reason: string; legalGround: string }) => action(id, 'deny', body),
      extend: (id: string, reason: string) => action(id, 'extend', { reason }),
      /** Retries one failed task of a request in progress (privacy:manage). */
      retryTask: (requestId: string, taskId: string) =>
        client.request<PrivacyTaskOut>(
          'POST',
          `${at('requests', requestId)}/tasks/${encodeURIComponent(taskId)}/retry`,
          {},
        ),
    },
    /** The host side of the task queue (an API key with privacy:process). */
    tasks: {
      /** Claims up to `limit` queued tasks of a polling system, each leased to this caller. */
      claim: (body: ClaimPrivacyTasksBody) =>
        client.request<{ tasks: PrivacyHostTask[] }>('POST', `${BASE}/tasks/claim`, body),
      heartbeat: (taskId: string, leaseSeconds?: number) =>
        client.request<PrivacyTaskHostOut>(
          'POST',
          `${at('tasks', taskId)}/heartbeat`,
          leaseSeconds ? { leaseSeconds } : {},
        ),
      /** Done; access and portability tasks carry the subject's data as `result` (JSON). */
      complete: (taskId: string, body: CompletePrivacyTaskBody = {}) =>
        client.request<PrivacyTaskHostOut>('POST', `${at('tasks', taskId)}/complete`, body),
      fail: (taskId: string, reason: string) =>
        client.request<PrivacyTaskHostOut>('POST', `${at('tasks', taskId)}/fail`, { reason }),
    },
    /** Retention rules and runs (privacy-retention.ts). */
    retention: createRetentionApi(client),
    /** Access packages and completion certificates of requests. */
    packages: createPackagesApi(client),
    settings: {
      get: () => client.request<PrivacySettingsOut>('GET', `${BASE}/settings`),
      update: (body: UpdatePrivacySettingsBody) =>
        client.request<PrivacySettingsOut>('PUT', `${BASE}/settings`, body),
    },
  };
}

export type PrivacyApi = ReturnType<typeof createPrivacyApi>;

/** The super admin's view across organizations. */
export const adminPrivacy = (client: CustosClient) => ({
  privacyRequests: () => client.request<AdminPrivacyOverview>('GET', '/api/v1/admin/privacy/requests'),
});
