const RESOURCE_LABELS: Record<string, string> = {
  organization: 'Organization',
  members: 'Members',
  apikeys: 'API keys',
  audit: 'Audit trail',
  sessions: 'Sessions',
  security: 'Security',
  access: 'Access',
  keys: 'Encryption keys',
  privacy: 'Privacy',
  compliance: 'Compliance',
};

export interface PermissionInfo {
  id: string;
  description: string;
}

export interface PermissionGroup {
  group: string;
  items: { value: string; label: string }[];
}

export function resourceLabel(resource: string): string {
  return RESOURCE_LABELS[resource] ?? resource.charAt(0).toUpperCase() + resource.slice(1);
}

/** Groups `<resource>:<action>` permissions by resource, in catalog order. */
export function groupPermissions(permissions: readonly PermissionInfo[]): PermissionGroup[] {
  const groups = new Map<string, PermissionGroup>();
  for (const permission of permissions) {
    const resource = permission.id.split(':')[0] ?? permission.id;
    const label = resourceLabel(resource);
    const group = groups.get(label) ?? { group: label, items: [] };
    group.items.push({ value: permission.id, label: permission.id });
    groups.set(label, group);
  }
  return [...groups.values()];
}
