import type { PermissionOut } from '@custos/shared';
import { describe, expect, it } from 'vitest';
import {
  cellEditable,
  changedCount,
  grantOf,
  orderRoles,
  roleKeyProblem,
  sameGrants,
  sectionsOf,
  suggestRoleKey,
  withGrant,
} from './matrix';

const permission = (
  id: string,
  source: PermissionOut['source'] = 'custos',
  description = '',
): PermissionOut => ({
  id,
  description,
  resource: id.split(':')[0] ?? id,
  source,
});

describe('grants', () => {
  const grants = { permissions: ['members:read'], ownPermissions: ['gig:edit'] };

  it('reads none, all and own', () => {
    expect(grantOf(grants, 'members:read')).toBe('all');
    expect(grantOf(grants, 'gig:edit')).toBe('own');
    expect(grantOf(grants, 'audit:read')).toBe('none');
  });

  it('keeps a permission in at most one list', () => {
    const own = withGrant(grants, 'members:read', 'own');
    expect(own).toEqual({ permissions: [], ownPermissions: ['gig:edit', 'members:read'] });
    expect(withGrant(own, 'members:read', 'none')).toEqual({ permissions: [], ownPermissions: ['gig:edit'] });
    expect(withGrant(grants, 'gig:edit', 'all')).toEqual({
      permissions: ['members:read', 'gig:edit'],
      ownPermissions: [],
    });
  });

  it('compares as sets and counts changed permissions', () => {
    const reordered = { permissions: ['b', 'a'], ownPermissions: [] };
    expect(sameGrants({ permissions: ['a', 'b'], ownPermissions: [] }, reordered)).toBe(true);
    expect(changedCount(grants, withGrant(withGrant(grants, 'gig:edit', 'all'), 'audit:read', 'all'))).toBe(
      2,
    );
    expect(changedCount(grants, grants)).toBe(0);
  });
});

describe('cellEditable', () => {
  it('fixes the owner, lets built-ins take host-app grants, custom roles everything', () => {
    const custos = { source: 'custos' as const };
    const app = { source: 'app' as const };
    expect(cellEditable({ editable: 'none' }, app)).toBe(false);
    expect(cellEditable({ editable: 'app' }, custos)).toBe(false);
    expect(cellEditable({ editable: 'app' }, app)).toBe(true);
    expect(cellEditable({ editable: 'all' }, custos)).toBe(true);
  });
});

describe('sectionsOf', () => {
  const catalog = [
    permission('members:read', 'custos', 'List members'),
    permission('members:invite'),
    permission('audit:read'),
    permission('setlist:edit', 'app'),
    permission('gig:edit', 'app'),
    permission('gig:cancel', 'app', 'Cancel a gig'),
  ];

  it("puts Custos' groups first in catalog order, then the app's alphabetically", () => {
    const sections = sectionsOf(catalog);
    expect(sections.map((s) => `${s.source}:${s.resource}`)).toEqual([
      'custos:members',
      'custos:audit',
      'app:gig',
      'app:setlist',
    ]);
    expect(sections[2]?.permissions.map((p) => p.id)).toEqual(['gig:cancel', 'gig:edit']);
    expect(sections[0]?.label).toBe('Members');
  });

  it('filters by id and description', () => {
    expect(sectionsOf(catalog, 'cancel').flatMap((s) => s.permissions.map((p) => p.id))).toEqual([
      'gig:cancel',
    ]);
    expect(sectionsOf(catalog, 'LIST MEMBERS').flatMap((s) => s.permissions.map((p) => p.id))).toEqual([
      'members:read',
    ]);
  });
});

describe('role keys', () => {
  it('suggests a key from the name', () => {
    expect(suggestRoleKey('Support agent (EU)')).toBe('support_agent_eu');
    expect(suggestRoleKey('  Über-Admin ')).toBe('uber_admin');
    expect(suggestRoleKey('42 crew')).toBe('crew');
  });

  it('explains a bad or taken key', () => {
    expect(roleKeyProblem('support', ['admin'])).toBeUndefined();
    expect(roleKeyProblem('Support', [])).toMatch(/lowercase/);
    expect(roleKeyProblem('admin', ['admin'])).toMatch(/exists/);
  });
});

describe('orderRoles', () => {
  it('lists built-in roles first, then custom roles by name', () => {
    const role = (key: string, builtIn: boolean) => ({
      id: key,
      key,
      name: key,
      description: '',
      builtIn,
      permissions: [],
      ownPermissions: [],
      editable: builtIn ? ('app' as const) : ('all' as const),
      memberCount: 0,
      createdAt: null,
      updatedAt: null,
    });
    const ordered = orderRoles([
      role('zeta', false),
      role('owner', true),
      role('alpha', false),
      role('member', true),
    ]);
    expect(ordered.map((r) => r.key)).toEqual(['owner', 'member', 'alpha', 'zeta']);
  });
});
