import { createBrowserRouter } from 'react-router';
import { AlertChannelsPage } from '../features/alerts/AlertChannelsPage';
import { DeliveriesPage } from '../features/alerts/DeliveriesPage';
import { ApiKeysPage } from '../features/apiKeys/ApiKeysPage';
import { AuditLogPage, AuditSettingsPage } from '../features/audit/AuditLogPage';
import { AcceptInvitationPage } from '../features/auth/AcceptInvitationPage';
import { ForgotPasswordPage } from '../features/auth/ForgotPasswordPage';
import { ResetPasswordPage } from '../features/auth/ResetPasswordPage';
import { SignInPage } from '../features/auth/SignInPage';
import { MembersPage } from '../features/members/MembersPage';
import { MySecurityPage } from '../features/mySecurity/MySecurityPage';
import { OrganizationsPage } from '../features/organizations/OrganizationsPage';
import { OutboxPage } from '../features/outbox/OutboxPage';
import { HomePage } from '../features/overview/HomePage';
import { PackageDownloadPage } from '../features/privacy/PackageDownloadPage';
import { PublicRequestPage } from '../features/privacyPublic/PublicRequestPage';
import { ProfilePage } from '../features/profile/ProfilePage';
import { RolesPage } from '../features/roles/RolesPage';
import { SessionsPage } from '../features/sessions/SessionsPage';
import { SettingsPage } from '../features/settings/SettingsPage';
import { SetupPage } from '../features/setup/SetupPage';
import { NotFoundPage } from '../features/shell/NotFoundPage';
import { ShellLayout } from '../features/shell/ShellLayout';
import { DetectionSettingsPage } from '../features/threats/DetectionSettingsPage';
import { ResponsesPage } from '../features/threats/ResponsesPage';
import { SecurityEventPage } from '../features/threats/SecurityEventPage';
import { SecurityEventsPage } from '../features/threats/SecurityEventsPage';
import { UsersPage } from '../features/users/UsersPage';
import { RootGate } from './RootGate';
import { RouteError } from './RouteError';

export const router = createBrowserRouter([
  // The public privacy request page: no account and no setup gate (a data subject is no user of Custos).
  { path: '/privacy/:slug/request', element: <PublicRequestPage />, errorElement: <RouteError /> },
  {
    path: '/privacy/:slug/download/:packageId',
    element: <PackageDownloadPage />,
    errorElement: <RouteError />,
  },
  {
    element: <RootGate />,
    errorElement: <RouteError />,
    children: [
      { path: '/setup', element: <SetupPage /> },
      { path: '/sign-in', element: <SignInPage /> },
      { path: '/invite', element: <AcceptInvitationPage /> },
      { path: '/forgot-password', element: <ForgotPasswordPage /> },
      { path: '/reset-password', element: <ResetPasswordPage /> },
      {
        element: <ShellLayout />,
        children: [
          { index: true, element: <HomePage /> },
          { path: 'security/events', element: <SecurityEventsPage /> },
          { path: 'security/events/:id', element: <SecurityEventPage /> },
          { path: 'security/responses', element: <ResponsesPage /> },
          { path: 'security/detection', element: <DetectionSettingsPage /> },
          { path: 'security/alerts', element: <AlertChannelsPage /> },
          { path: 'security/alerts/deliveries', element: <DeliveriesPage /> },
          { path: 'members', element: <MembersPage /> },
          { path: 'api-keys', element: <ApiKeysPage /> },
          { path: 'audit', element: <AuditLogPage /> },
          { path: 'audit/settings', element: <AuditSettingsPage /> },
          { path: 'sessions', element: <SessionsPage /> },
          { path: 'settings', element: <SettingsPage /> },
          {
            path: 'settings/security',
            // Validates against the zod contract, so zod loads with this page only.
            lazy: async () => ({
              Component: (await import('../features/securityPolicy/SecurityPolicyPage')).SecurityPolicyPage,
            }),
          },
          { path: 'access/roles', element: <RolesPage /> },
          {
            path: 'access/rules',
            lazy: async () => ({
              Component: (await import('../features/accessRules/AccessRulesPage')).AccessRulesPage,
            }),
          },
          {
            path: 'privacy/requests',
            lazy: async () => ({
              Component: (await import('../features/privacy/PrivacyRequestsPage')).PrivacyRequestsPage,
            }),
          },
          {
            path: 'privacy/requests/:id',
            lazy: async () => ({
              Component: (await import('../features/privacy/PrivacyRequestPage')).PrivacyRequestPage,
            }),
          },
          {
            path: 'privacy/data-map',
            lazy: async () => ({
              Component: (await import('../features/privacy/DataMapPage')).DataMapPage,
            }),
          },
          { path: 'profile', element: <ProfilePage /> },
          { path: 'security/me', element: <MySecurityPage /> },
          { path: 'admin/organizations', element: <OrganizationsPage /> },
          { path: 'admin/users', element: <UsersPage /> },
          { path: 'admin/outbox', element: <OutboxPage /> },
          { path: '*', element: <NotFoundPage /> },
        ],
      },
    ],
  },
]);
