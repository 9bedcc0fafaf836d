import type { PrivacyApi } from '@custos/sdk';
import type {
  CategoryList,
  CreateCustomCategoryBody,
  CreatePrivacyRequestBody,
  CreatePrivacySystemBody,
  CustomCategoryOut,
  ListPrivacyRequestsQuery,
  PrivacyRequestDetail,
  PrivacyRequestOut,
  PrivacySettingsOut,
  PrivacySystemOut,
  PrivacyTaskOut,
  SystemCategoryIn,
  UpdateCustomCategoryBody,
  UpdatePrivacySettingsBody,
  UpdatePrivacySystemBody,
} from '@custos/shared';
import { api, callSdk } from '../../app/api';

type Created = Awaited<ReturnType<PrivacyApi['requests']['create']>>;
type SystemCreated = Awaited<ReturnType<PrivacyApi['systems']['create']>>;

/** A transition of one request: its name and the body the SDK needs for it. */
export type RequestAction =
  | { action: 'verify'; id: string; method?: string }
  | { action: 'approve'; id: string }
  | { action: 'complete'; id: string; note?: string }
  | { action: 'cancel'; id: string; note?: string }
  | { action: 'deny'; id: string; reason: string; legalGround: string }
  | { action: 'extend'; id: string; reason: string };

function runAction(sdk: Parameters<Parameters<typeof callSdk>[0]>[0], a: RequestAction) {
  const requests = sdk.privacy.requests;
  switch (a.action) {
    case 'verify':
      return requests.verify(a.id, a.method);
    case 'approve':
      return requests.approve(a.id);
    case 'complete':
      return requests.complete(a.id, a.note);
    case 'cancel':
      return requests.cancel(a.id, a.note);
    case 'deny':
      return requests.deny(a.id, { reason: a.reason, legalGround: a.legalGround });
    case 'extend':
      return requests.extend(a.id, a.reason);
  }
}

// The privacy tags live with the feature, so the shared api's list stays as it is.
const privacyBase = api.enhanceEndpoints({
  addTagTypes: ['PrivacyRequests', 'PrivacySystems', 'PrivacyCategories', 'PrivacySettings'],
});

export const privacyApi = privacyBase.injectEndpoints({
  endpoints: (build) => ({
    listPrivacyRequests: build.query<PrivacyRequestOut[], ListPrivacyRequestsQuery>({
      queryFn: (query) => callSdk(async (sdk) => (await sdk.privacy.requests.list(query)).requests),
      providesTags: ['PrivacyRequests'],
    }),
    getPrivacyRequest: build.query<PrivacyRequestDetail, string>({
      queryFn: (id) => callSdk((sdk) => sdk.privacy.requests.get(id)),
      providesTags: (_result, _error, id) => [{ type: 'PrivacyRequests', id }],
    }),
    createPrivacyRequest: build.mutation<Created, CreatePrivacyRequestBody>({
      queryFn: (body) => callSdk((sdk) => sdk.privacy.requests.create(body)),
      invalidatesTags: ['PrivacyRequests'],
    }),
    actOnPrivacyRequest: build.mutation<PrivacyRequestOut, RequestAction>({
      queryFn: (action) => callSdk((sdk) => runAction(sdk, action)),
      invalidatesTags: ['PrivacyRequests'],
    }),
    /** Sends one failed task again; the request resumes from there. */
    retryPrivacyTask: build.mutation<PrivacyTaskOut, { requestId: string; taskId: string }>({
      queryFn: ({ requestId, taskId }) => callSdk((sdk) => sdk.privacy.requests.retryTask(requestId, taskId)),
      invalidatesTags: (_result, _error, { requestId }) => [{ type: 'PrivacyRequests', id: requestId }],
    }),
    listPrivacySystems: build.query<PrivacySystemOut[], void>({
      queryFn: () => callSdk(async (sdk) => (await sdk.privacy.systems.list()).systems),
      providesTags: ['PrivacySystems'],
    }),
    createPrivacySystem: build.mutation<SystemCreated, CreatePrivacySystemBody>({
      queryFn: (body) => callSdk((sdk) => sdk.privacy.systems.create(body)),
      invalidatesTags: ['PrivacySystems'],
    }),
    updatePrivacySystem: build.mutation<SystemCreated, { id: string; body: UpdatePrivacySystemBody }>({
      queryFn: ({ id, body }) => callSdk((sdk) => sdk.privacy.systems.update(id, body)),
      invalidatesTags: ['PrivacySystems'],
    }),
    removePrivacySystem: build.mutation<{ deleted: true }, string>({
      queryFn: (id) => callSdk((sdk) => sdk.privacy.systems.remove(id)),
      invalidatesTags: ['PrivacySystems'],
    }),
    setPrivacySystemCategories: build.mutation<
      PrivacySystemOut,
      { id: string; categories: SystemCategoryIn[] }
    >({
      queryFn: ({ id, categories }) => callSdk((sdk) => sdk.privacy.systems.setCategories(id, categories)),
      invalidatesTags: ['PrivacySystems'],
    }),
    listPrivacyCategories: build.query<CategoryList, void>({
      queryFn: () => callSdk((sdk) => sdk.privacy.categories.list()),
      providesTags: ['PrivacyCategories'],
    }),
    createPrivacyCategory: build.mutation<CustomCategoryOut, CreateCustomCategoryBody>({
      queryFn: (body) => callSdk((sdk) => sdk.privacy.categories.create(body)),
      invalidatesTags: ['PrivacyCategories'],
    }),
    updatePrivacyCategory: build.mutation<CustomCategoryOut, { id: string; body: UpdateCustomCategoryBody }>({
      queryFn: ({ id, body }) => callSdk((sdk) => sdk.privacy.categories.update(id, body)),
      // A system's category names come from here.
      invalidatesTags: ['PrivacyCategories', 'PrivacySystems'],
    }),
    removePrivacyCategory: build.mutation<{ deleted: true }, string>({
      queryFn: (id) => callSdk((sdk) => sdk.privacy.categories.remove(id)),
      invalidatesTags: ['PrivacyCategories'],
    }),
    getPrivacySettings: build.query<PrivacySettingsOut, void>({
      queryFn: () => callSdk((sdk) => sdk.privacy.settings.get()),
      providesTags: ['PrivacySettings'],
    }),
    updatePrivacySettings: build.mutation<PrivacySettingsOut, UpdatePrivacySettingsBody>({
      queryFn: (body) => callSdk((sdk) => sdk.privacy.settings.update(body)),
      // Requests keep the clock rule they were received under; only the settings change.
      invalidatesTags: ['PrivacySettings'],
    }),
  }),
});

export const {
  useListPrivacyRequestsQuery,
  useGetPrivacyRequestQuery,
  useCreatePrivacyRequestMutation,
  useActOnPrivacyRequestMutation,
  useRetryPrivacyTaskMutation,
  useListPrivacySystemsQuery,
  useCreatePrivacySystemMutation,
  useUpdatePrivacySystemMutation,
  useRemovePrivacySystemMutation,
  useSetPrivacySystemCategoriesMutation,
  useListPrivacyCategoriesQuery,
  useCreatePrivacyCategoryMutation,
  useUpdatePrivacyCategoryMutation,
  useRemovePrivacyCategoryMutation,
  useGetPrivacySettingsQuery,
  useUpdatePrivacySettingsMutation,
} = privacyApi;
