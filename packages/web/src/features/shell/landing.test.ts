import { BUILT_IN_ROLES } from '@custos/shared';
import { describe, expect, it } from 'vitest';
import { NAV_SECTIONS } from './nav';
import { linksFor } from './OverviewPage';

const titles = (role: keyof typeof BUILT_IN_ROLES) =>
  linksFor(BUILT_IN_ROLES[role].permissions as readonly string[]).map((l) => l.title);

describe('the landing page of a role without the security overview', () => {
  it('leads an auditor to the audit trail, its export and who has access', () => {
    expect(titles('auditor')).toEqual([
      'Investigate the audit trail',
      'Export evidence',
      'See who has access',
      'Your sign-in security',
    ]);
  });

  it('leads a privacy officer to the audit trail, privacy requests and erasing a person’s data', () => {
    expect(titles('privacy_officer')).toEqual([
      'Investigate the audit trail',
      'Answer privacy requests',
      'Erase a person’s data',
      'See who has access',
      'Your sign-in security',
    ]);
  });

  it('offers a plain member only their own account', () => {
    expect(titles('member')).toEqual(['Your sign-in security']);
  });

  it('offers inviting rather than only seeing members to those who can invite', () => {
    const links = titles('owner');
    expect(links).toContain('Invite your team');
    expect(links).not.toContain('See who has access');
  });
});

describe('the navigation', () => {
  it('groups pages by task, with the organization settings and the security policy together', () => {
    expect(NAV_SECTIONS.map((s) => s.label)).toEqual([
      'Monitor',
      'Respond',
      'People & access',
      'Privacy',
      'Settings',
      'Platform',
    ]);
    const settings = NAV_SECTIONS.find((s) => s.label === 'Settings')?.items.map((i) => i.to);
    expect(settings).toEqual(['/settings', '/settings/security']);
  });

  it('puts privacy requests and the data map under Privacy, for those who may read them', () => {
    const privacy = NAV_SECTIONS.find((s) => s.label === 'Privacy')?.items;
    expect(privacy?.map((i) => i.to)).toEqual(['/privacy/requests', '/privacy/data-map']);
    expect(privacy?.every((i) => i.permission === 'privacy:read' && i.needsOrganization)).toBe(true);
  });

  it('links every page once', () => {
    const paths = NAV_SECTIONS.flatMap((s) => s.items.map((i) => i.to));
    expect(new Set(paths).size).toBe(paths.length);
  });
});
