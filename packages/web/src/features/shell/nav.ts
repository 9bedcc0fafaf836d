import type { MeResult } from '@custos/shared';
import {
  IconAlertTriangle,
  IconBellRinging,
  IconBuildingSkyscraper,
  IconDatabase,
  IconDevices,
  IconHandStop,
  IconHistory,
  IconHome,
  IconKey,
  IconLockAccess,
  IconMailForward,
  IconMessageQuestion,
  IconRadar2,
  IconSettings,
  IconShieldCheck,
  IconUserShield,
  IconUsers,
  IconWorldCheck,
} from '@tabler/icons-react';
import type { ComponentType } from 'react';

export interface NavItem {
  label: string;
  to: string;
  icon: ComponentType<{ size?: number; stroke?: number }>;
  /** Shown only to callers holding this permission in the current organization. */
  permission?: string;
  /** Needs a current organization (the super admin may have none). */
  needsOrganization?: boolean;
}

export interface NavSection {
  label: string;
  items: NavItem[];
  superAdminOnly?: boolean;
}

/**
 * The console's navigation, by task: watching (Monitor), acting on what was found (Respond), who
 * may do what (People & access), personal data (Privacy), how the organization is set up
 * (Settings), then Platform for super admins. The caller's own pages (Profile, My security) are in
 * the user menu, so a super admin's whole list fits 900 px. Later sections (Keys, Compliance) are
 * added here as their pages land.
 */
export const NAV_SECTIONS: NavSection[] = [
  {
    label: 'Monitor',
    items: [
      { label: 'Overview', to: '/', icon: IconHome },
      {
        label: 'Security events',
        to: '/security/events',
        icon: IconAlertTriangle,
        permission: 'security:read',
        needsOrganization: true,
      },
      {
        label: 'Audit log',
        to: '/audit',
        icon: IconHistory,
        permission: 'audit:read',
        needsOrganization: true,
      },
      {
        label: 'Sessions',
        to: '/sessions',
        icon: IconDevices,
        permission: 'sessions:read',
        needsOrganization: true,
      },
    ],
  },
  {
    label: 'Respond',
    items: [
      {
        label: 'Responses',
        to: '/security/responses',
        icon: IconHandStop,
        permission: 'security:read',
        needsOrganization: true,
      },
      {
        label: 'Detection',
        to: '/security/detection',
        icon: IconRadar2,
        permission: 'security:read',
        needsOrganization: true,
      },
      {
        label: 'Alerts',
        to: '/security/alerts',
        icon: IconBellRinging,
        permission: 'security:read',
        needsOrganization: true,
      },
    ],
  },
  {
    label: 'People & access',
    items: [
      {
        label: 'Members',
        to: '/members',
        icon: IconUsers,
        permission: 'members:read',
        needsOrganization: true,
      },
      {
        label: 'Roles & permissions',
        to: '/access/roles',
        icon: IconLockAccess,
        permission: 'access:read',
        needsOrganization: true,
      },
      {
        label: 'Access rules',
        to: '/access/rules',
        icon: IconWorldCheck,
        permission: 'access:read',
        needsOrganization: true,
      },
      {
        label: 'API keys',
        to: '/api-keys',
        icon: IconKey,
        permission: 'apikeys:read',
        needsOrganization: true,
      },
    ],
  },
  {
    label: 'Privacy',
    items: [
      {
        label: 'Privacy requests',
        to: '/privacy/requests',
        icon: IconMessageQuestion,
        permission: 'privacy:read',
        needsOrganization: true,
      },
      {
        label: 'Data map',
        to: '/privacy/data-map',
        icon: IconDatabase,
        permission: 'privacy:read',
        needsOrganization: true,
      },
    ],
  },
  {
    label: 'Settings',
    items: [
      {
        label: 'Organization settings',
        to: '/settings',
        icon: IconSettings,
        permission: 'organization:manage',
        needsOrganization: true,
      },
      {
        label: 'Security policy',
        to: '/settings/security',
        icon: IconShieldCheck,
        permission: 'security:read',
        needsOrganization: true,
      },
    ],
  },
  {
    label: 'Platform',
    superAdminOnly: true,
    items: [
      { label: 'Organizations', to: '/admin/organizations', icon: IconBuildingSkyscraper },
      { label: 'Users', to: '/admin/users', icon: IconUserShield },
      { label: 'Outbox', to: '/admin/outbox', icon: IconMailForward },
    ],
  },
];

export function canSee(item: NavItem, me: MeResult): boolean {
  if (item.needsOrganization && !me.organization) return false;
  return !item.permission || me.permissions.includes(item.permission);
}

/** The sections and items this caller may see; empty sections are dropped. */
export function visibleNav(me: MeResult): NavSection[] {
  return NAV_SECTIONS.filter((section) => !section.superAdminOnly || me.user.isSuperAdmin)
    .map((section) => ({ ...section, items: section.items.filter((item) => canSee(item, me)) }))
    .filter((section) => section.items.length > 0);
}
