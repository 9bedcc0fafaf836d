import type {
  CategoryList,
  DataCategoryGroup,
  ErasureStrategy,
  LawfulBasis,
  RetentionAction,
  RetentionTrigger,
  SystemCategoryIn,
  SystemCategoryOut,
} from '@custos/shared';

/** What one system holds of one category, as the editor changes it. */
export interface CategoryDraft {
  categoryKey: string;
  purposes: { purpose: string; lawfulBasis: LawfulBasis }[];
  retention: { periodDays: number; trigger: RetentionTrigger; action: RetentionAction } | null;
  erasureStrategy: ErasureStrategy;
}

export const GROUP_LABELS: Record<DataCategoryGroup | 'custom', string> = {
  identifiers: 'Identifiers',
  contact: 'Contact details',
  financial: 'Financial',
  location: 'Location',
  online: 'Online identifiers',
  special: 'Special categories (GDPR Art. 9)',
  health: 'Health',
  behavioural: 'Behaviour and preferences',
  professional: 'Work and education',
  other: 'Other',
  custom: 'Your organization’s categories',
};

export function draftsOf(categories: SystemCategoryOut[]): CategoryDraft[] {
  return categories.map((c) => ({
    categoryKey: c.categoryKey,
    purposes: c.purposes.map((p) => ({ ...p })),
    retention: c.retention ? { ...c.retention } : null,
    erasureStrategy: c.erasureStrategy,
  }));
}

export function newDraft(categoryKey: string): CategoryDraft {
  return { categoryKey, purposes: [], retention: null, erasureStrategy: 'delete' };
}

/** The body the server takes: purposes without blank lines, texts trimmed. */
export function bodyOf(drafts: CategoryDraft[]): SystemCategoryIn[] {
  return drafts.map((d) => ({
    categoryKey: d.categoryKey,
    purposes: d.purposes
      .map((p) => ({ purpose: p.purpose.trim(), lawfulBasis: p.lawfulBasis }))
      .filter((p) => p.purpose.length > 0),
    retention: d.retention,
    erasureStrategy: d.erasureStrategy,
  }));
}

/** Problems the server would refuse, keyed by category, so each shows beside its row. */
export function draftProblems(drafts: CategoryDraft[]): Map<string, string> {
  const problems = new Map<string, string>();
  const seen = new Set<string>();
  for (const d of drafts) {
    if (seen.has(d.categoryKey)) problems.set(d.categoryKey, 'This category is listed twice');
    seen.add(d.categoryKey);
    const period = d.retention?.periodDays;
    if (period !== undefined && (!Number.isInteger(period) || period < 1 || period > 36_500)) {
      problems.set(d.categoryKey, 'Keep it between 1 day and 100 years (36,500 days)');
    }
    if (d.purposes.some((p) => p.purpose.trim().length > 300)) {
      problems.set(d.categoryKey, 'A purpose is at most 300 characters');
    }
  }
  return problems;
}

export interface CategoryInfo {
  key: string;
  name: string;
  description: string;
  group: DataCategoryGroup | 'custom';
  special: boolean;
  phi: boolean;
}

/** Every category this organization can use, built-in first in taxonomy order, then its own. */
export function allCategories(list: CategoryList): CategoryInfo[] {
  return [
    ...list.builtIn.map((c) => ({ ...c, group: c.group as DataCategoryGroup })),
    ...list.custom.map((c) => ({
      key: c.key,
      name: c.name,
      description: c.description,
      group: 'custom' as const,
      special: c.special,
      phi: c.phi,
    })),
  ];
}

/** Select options grouped by taxonomy group, without the categories already chosen. */
export function categoryOptions(categories: CategoryInfo[], taken: ReadonlySet<string>) {
  const groups = new Map<string, { value: string; label: string }[]>();
  for (const c of categories) {
    if (taken.has(c.key)) continue;
    const label = GROUP_LABELS[c.group] ?? c.group;
    const flags = [c.special ? 'special' : null, c.phi ? 'HIPAA identifier' : null].filter(Boolean);
    const items = groups.get(label) ?? [];
    items.push({ value: c.key, label: flags.length ? `${c.name} (${flags.join(', ')})` : c.name });
    groups.set(label, items);
  }
  return [...groups].map(([group, items]) => ({ group, items }));
}

/** "30 days", "1 year", "7 years": a retention period in the unit people set it in. */
export function periodText(days: number): string {
  if (days % 365 === 0) {
    const years = days / 365;
    return `${years} year${years === 1 ? '' : 's'}`;
  }
  if (days % 30 === 0 && days < 365) {
    const months = days / 30;
    return `${months} month${months === 1 ? '' : 's'}`;
  }
  return `${days} day${days === 1 ? '' : 's'}`;
}

/** "Loyalty tier" → "loyalty_tier": the key part a name suggests. */
export function slugOf(name: string): string {
  return name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^[^a-z]+|_+$/g, '')
    .slice(0, 50);
}
