import type { OrganizationOut, UserOut } from '@custos/shared';
import type { OrganizationRow, UserRow } from './store';

export const presentUser = (u: UserRow): UserOut => ({
  id: u.id,
  email: u.email,
  name: u.name,
  isSuperAdmin: u.isSuperAdmin,
  createdAt: u.createdAt,
});

export const presentOrganization = (o: OrganizationRow): OrganizationOut => ({
  id: o.id,
  name: o.name,
  slug: o.slug,
  createdAt: o.createdAt,
});
