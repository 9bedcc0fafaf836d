/**
 * Custos' own permission statements. Every service operation checks one of these.
 * Host-app permissions share the `<resource>:<action>` shape; a host app registers them at run time
 * (`PUT /api/v1/app-permissions`, see `access-api.ts`) in resources other than these.
 */
export const PERMISSIONS = {
  'organization:read': 'See the organization and its settings',
  'organization:manage': 'Rename the organization and change its settings',
  'members:read': 'List members and pending invitations',
  'members:invite': 'Invite people to the organization',
  'members:manage': "Change members' roles and remove members",
  'apikeys:read': 'List API keys (never their secrets)',
  'apikeys:manage': 'Create and revoke API keys',
  'audit:read': 'Search and read the audit trail',
  'audit:export': 'Export the audit trail',
  'audit:write': 'Send audit events from a host app',
  'audit:manage': 'Set audit retention and legal hold',
  'sessions:read': "See members' sessions",
  'sessions:revoke': "End members' sessions",
  'security:read': 'See security settings and security events',
  'security:manage': 'Change security policy and triage security events',
  'access:read': 'See roles, permissions and access rules',
  'access:manage': 'Edit roles and access rules',
  'access:check': 'Ask Custos whether a user may do something in the host app (authorization API)',
  'access:register': "Register the host app's own permissions",
  'keys:read': 'See encryption keys and their versions',
  'keys:rotate': 'Rotate, disable and destroy encryption keys',
  'privacy:read': 'See data subject requests, consent and the data map',
  'privacy:manage': 'Work data subject requests, consent purposes and retention',
  'privacy:process': 'Run and complete the tasks of data subject requests',
  'privacy:erase': 'Carry out erasure of personal data',
  'compliance:read': 'See frameworks, controls and reports',
  'compliance:manage': 'Manage controls, evidence, incidents and reports',
} as const;

export type Permission = keyof typeof PERMISSIONS;
export const ALL_PERMISSIONS = Object.keys(PERMISSIONS) as Permission[];

/**
 * Permissions of modules not built yet (key management, compliance). Built-in roles already
 * hold them, so those modules work for the right people the day they land; until then the console
 * does not offer them, since granting them would change nothing.
 */
export const PERMISSIONS_AWAITING_MODULES: ReadonlySet<Permission> = new Set<Permission>([
  'keys:read',
  'keys:rotate',
  'compliance:read',
  'compliance:manage',
]);

export function isPermission(value: string): value is Permission {
  return Object.hasOwn(PERMISSIONS, value);
}

const READ_ALL = ALL_PERMISSIONS.filter((p) => p.endsWith(':read'));

export const BUILT_IN_ROLES = {
  owner: {
    name: 'Owner',
    description: 'Full control, including other owners',
    permissions: ALL_PERMISSIONS,
  },
  admin: {
    name: 'Admin',
    description: 'Runs the organization: members, keys, policy',
    // audit:write is what host-app API keys need; admins hold it so they can grant it to a key.
    permissions: ALL_PERMISSIONS,
  },
  security_analyst: {
    name: 'Security analyst',
    description: 'Watches and responds: audit trail, sessions, security events',
    permissions: [
      ...READ_ALL.filter((p) => p !== 'privacy:read'),
      'audit:export',
      'sessions:revoke',
      'security:manage',
    ],
  },
  auditor: {
    name: 'Auditor',
    description: 'Read-only: audit trail, exports and compliance reports',
    permissions: ['organization:read', 'members:read', 'audit:read', 'audit:export', 'compliance:read'],
  },
  privacy_officer: {
    name: 'Privacy officer',
    description: 'Data subject requests, consent, retention and processors',
    permissions: [
      'organization:read',
      'members:read',
      'audit:read',
      'privacy:read',
      'privacy:manage',
      'privacy:process',
      'privacy:erase',
    ],
  },
  member: {
    name: 'Member',
    description: 'Signs in and manages their own account',
    permissions: ['organization:read'],
  },
} as const satisfies Record<
  string,
  { name: string; description: string; permissions: readonly Permission[] }
>;

export type RoleName = keyof typeof BUILT_IN_ROLES;

export function isRoleName(value: string): value is RoleName {
  return Object.hasOwn(BUILT_IN_ROLES, value);
}
