import {
  AdminPrivacyOverview,
  CategoryList,
  CreateCustomCategoryBody,
  CreatePrivacyRequestBody,
  CreatePrivacySystemBody,
  CustomCategoryOut,
  DataMapOut,
  DenyPrivacyRequestBody,
  ExtendPrivacyRequestBody,
  IdParams,
  ListPrivacyRequestsQuery,
  NotePrivacyRequestBody,
  PrivacyRequestCreated,
  PrivacyRequestDetail,
  PrivacyRequestList,
  PrivacyRequestOut,
  PrivacySettingsOut,
  PrivacySystemCreated,
  PrivacySystemList,
  PrivacySystemOut,
  PutSystemCategoriesBody,
  UpdateCustomCategoryBody,
  UpdatePrivacySettingsBody,
  UpdatePrivacySystemBody,
  VerifyPrivacyRequestBody,
} from '@custos/shared';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AUTHENTICATED } from '../../platform/http/openapi';
import type { PrivacyAdminService } from './admin-service';
import type { CategoriesService } from './categories-service';
import type { DataMapService } from './datamap-service';
import type { RequestsService } from './requests-service';
import type { PrivacySettingsService } from './settings-service';

const tags = ['privacy'];
const security = AUTHENTICATED;
const Deleted = z.object({ deleted: z.literal(true) });
const BASE = '/api/v1/privacy';

export interface PrivacyRouteServices {
  dataMap: DataMapService;
  categories: CategoriesService;
  requests: RequestsService;
  settings: PrivacySettingsService;
  admin: PrivacyAdminService;
}

export function privacyRoutes(services: PrivacyRouteServices) {
  const { dataMap, categories, requests, settings, admin } = services;
  return async (instance: FastifyInstance) => {
    const app = instance.withTypeProvider<ZodTypeProvider>();

    // ---- data map ----
    app.get(
      `${BASE}/data-map`,
      {
        schema: {
          tags,
          security,
          summary: 'The whole data map in a record-of-processing shape (GDPR Art. 30)',
          response: { 200: DataMapOut },
        },
      },
      async (req) => dataMap.dataMap(req.caller),
    );
    app.get(
      `${BASE}/systems`,
      {
        schema: {
          tags,
          security,
          summary: 'Systems holding personal data (Custos itself is built in)',
          response: { 200: PrivacySystemList },
        },
      },
      async (req) => ({ systems: await dataMap.list(req.caller) }),
    );
    app.post(
      `${BASE}/systems`,
      {
        schema: {
          tags,
          security,
          summary:
            "Register a host system (console or the host app's API key); a webhook gets a signing secret, shown once",
          body: CreatePrivacySystemBody,
          response: { 201: PrivacySystemCreated },
        },
      },
      async (req, reply) => reply.status(201).send(await dataMap.create(req.caller, req.body)),
    );
    app.get(
      `${BASE}/systems/:id`,
      {
        schema: {
          tags,
          security,
          summary: 'One system',
          params: IdParams,
          response: { 200: PrivacySystemOut },
        },
      },
      async (req) => dataMap.get(req.caller, req.params.id),
    );
    app.patch(
      `${BASE}/systems/:id`,
      {
        schema: {
          tags,
          security,
          summary: 'Change a system (a new webhook URL gets a new signing secret)',
          params: IdParams,
          body: UpdatePrivacySystemBody,
          response: { 200: PrivacySystemCreated },
        },
      },
      async (req) => dataMap.update(req.caller, req.params.id, req.body),
    );
    app.delete(
      `${BASE}/systems/:id`,
      {
        schema: {
          tags,
          security,
          summary: 'Remove a host system (the built-in Custos system cannot be removed)',
          params: IdParams,
          response: { 200: Deleted },
        },
      },
      async (req) => {
        await dataMap.remove(req.caller, req.params.id);
        return { deleted: true as const };
      },
    );
    app.put(
      `${BASE}/systems/:id/categories`,
      {
        schema: {
          tags,
          security,
          summary:
            "Replace a system's categories with their purposes, lawful basis, retention and erasure strategy",
          params: IdParams,
          body: PutSystemCategoriesBody,
          response: { 200: PrivacySystemOut },
        },
      },
      async (req) => dataMap.putCategories(req.caller, req.params.id, req.body.categories),
    );

    // ---- categories ----
    app.get(
      `${BASE}/categories`,
      {
        schema: {
          tags,
          security,
          summary: "The data-category taxonomy and the organization's own categories",
          response: { 200: CategoryList },
        },
      },
      async (req) => dataMap.categories(req.caller),
    );
    app.post(
      `${BASE}/categories`,
      {
        schema: {
          tags,
          security,
          summary: 'Add a category of the organization (custom.<slug>)',
          body: CreateCustomCategoryBody,
          response: { 201: CustomCategoryOut },
        },
      },
      async (req, reply) => reply.status(201).send(await categories.create(req.caller, req.body)),
    );
    app.patch(
      `${BASE}/categories/:id`,
      {
        schema: {
          tags,
          security,
          summary: 'Change a custom category',
          params: IdParams,
          body: UpdateCustomCategoryBody,
          response: { 200: CustomCategoryOut },
        },
      },
      async (req) => categories.update(req.caller, req.params.id, req.body),
    );
    app.delete(
      `${BASE}/categories/:id`,
      {
        schema: {
          tags,
          security,
          summary: 'Remove a custom category no system lists',
          params: IdParams,
          response: { 200: Deleted },
        },
      },
      async (req) => {
        await categories.remove(req.caller, req.params.id);
        return { deleted: true as const };
      },
    );

    // ---- settings ----
    app.get(
      `${BASE}/settings`,
      {
        schema: {
          tags,
          security,
          summary: 'Privacy settings: whether each regime’s clock waits for verification, reminder days',
          response: { 200: PrivacySettingsOut },
        },
      },
      async (req) => settings.get(req.caller),
    );
    app.put(
      `${BASE}/settings`,
      {
        schema: {
          tags,
          security,
          summary: 'Change privacy settings (applies to requests received afterwards)',
          body: UpdatePrivacySettingsBody,
          response: { 200: PrivacySettingsOut },
        },
      },
      async (req) => settings.update(req.caller, req.body),
    );

    // ---- requests ----
    app.post(
      `${BASE}/requests`,
      {
        schema: {
          tags,
          security,
          summary:
            "Open a data subject request on the subject's behalf (console) or a verified user's (host app, verified: true)",
          body: CreatePrivacyRequestBody,
          response: { 201: PrivacyRequestCreated },
        },
      },
      async (req, reply) => reply.status(201).send(await requests.create(req.caller, req.body)),
    );
    app.get(
      `${BASE}/requests`,
      {
        schema: {
          tags,
          security,
          summary: 'Requests by due date, soonest first (filters: state, type, overdue, dueBefore)',
          querystring: ListPrivacyRequestsQuery,
          response: { 200: PrivacyRequestList },
        },
      },
      async (req) => ({ requests: await requests.list(req.caller, req.query) }),
    );
    app.get(
      `${BASE}/requests/:id`,
      {
        schema: {
          tags,
          security,
          summary: 'One request with its timeline',
          params: IdParams,
          response: { 200: PrivacyRequestDetail },
        },
      },
      async (req) => requests.get(req.caller, req.params.id),
    );
    const action = (path: string, summary: string) => ({
      url: `${BASE}/requests/:id/${path}`,
      schema: { tags, security, summary, params: IdParams, response: { 200: PrivacyRequestOut } },
    });
    app.post(
      action(
        'verify',
        "Record that the subject's identity is verified (received or verifying → awaiting approval)",
      ).url,
      {
        schema: {
          ...action('verify', "Record that the subject's identity is verified (→ awaiting approval)").schema,
          body: VerifyPrivacyRequestBody,
        },
      },
      async (req) => requests.verify(req.caller, req.params.id, req.body.method),
    );
    app.post(
      action('approve', '').url,
      { schema: action('approve', 'Approve a verified request (awaiting approval → in progress)').schema },
      async (req) => requests.approve(req.caller, req.params.id),
    );
    app.post(
      action('complete', '').url,
      {
        schema: {
          ...action('complete', 'Complete a request in progress').schema,
          body: NotePrivacyRequestBody.optional(),
        },
      },
      async (req) => requests.complete(req.caller, req.params.id, req.body?.note),
    );
    app.post(
      action('cancel', '').url,
      {
        schema: {
          ...action('cancel', 'Cancel an open request (e.g. the subject withdrew it)').schema,
          body: NotePrivacyRequestBody.optional(),
        },
      },
      async (req) => requests.cancel(req.caller, req.params.id, req.body?.note),
    );
    app.post(
      action('deny', '').url,
      {
        schema: {
          ...action('deny', 'Deny an open request, with the reason and the legal ground').schema,
          body: DenyPrivacyRequestBody,
        },
      },
      async (req) => requests.deny(req.caller, req.params.id, req.body),
    );
    app.post(
      action('extend', '').url,
      {
        schema: {
          ...action(
            'extend',
            'Extend the due date once more within what the regime allows; the reason is e-mailed to the subject',
          ).schema,
          body: ExtendPrivacyRequestBody,
        },
      },
      async (req) => requests.extend(req.caller, req.params.id, req.body.reason),
    );

    // ---- super admins ----
    app.get(
      '/api/v1/admin/privacy/requests',
      {
        schema: {
          tags: ['admin'],
          security,
          summary: 'Privacy requests across organizations: counts by state, overdue, median completion time',
          response: { 200: AdminPrivacyOverview },
        },
      },
      async (req) => admin.overview(req.caller),
    );
  };
}
