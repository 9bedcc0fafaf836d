/**
 * The shared privacy vocabulary: data categories, lawful bases, request types, erasure strategies
 * and retention terms. Pure data, so the server validates against it and the console labels with it.
 * Descriptions are our own words; citations point at the text they summarise.
 */

export type DataCategoryGroup =
  | 'identifiers'
  | 'contact'
  | 'financial'
  | 'location'
  | 'online'
  | 'special'
  | 'health'
  | 'behavioural'
  | 'professional'
  | 'other';

export type DataCategoryDef = {
  /** Dotted lower-case, `<group>.<name>`; the part before the first dot is always the group. */
  key: string;
  name: string;
  description: string;
  group: DataCategoryGroup;
  /**
   * GDPR Art. 9(1) special category, or Art. 10 criminal convictions and offences data: processing
   * needs an Art. 9(2) condition (or Art. 10 authority) on top of an Art. 6 lawful basis.
   */
  special: boolean;
  /**
   * One of the 18 identifiers whose removal de-identifies health data under the HIPAA safe-harbour
   * method, 45 CFR 164.514(b)(2)(i)(A)–(R). It marks an identifier, not health information itself:
   * health data joined to a phi-flagged category is protected health information.
   */
  phi: boolean;
};

// `satisfies` keeps each literal key so DataCategoryKey is an exact union, while the exported
// array is typed as the contract's plain DataCategoryDef[].
const CATEGORIES = [
  // identifiers
  {
    key: 'identifiers.name',
    name: 'Name',
    description: 'Full name, first or last name, initials, nicknames and former names. HIPAA (A).',
    group: 'identifiers',
    special: false,
    phi: true,
  },
  {
    key: 'identifiers.date_of_birth',
    name: 'Date of birth',
    description: 'Day, month and year of birth, or an exact age. HIPAA (C).',
    group: 'identifiers',
    special: false,
    phi: true,
  },
  {
    key: 'identifiers.personal_dates',
    name: 'Dates about a person',
    description:
      'Other dates tied to one person, such as death, admission, discharge, wedding or hire dates, and ages above 89. HIPAA (C).',
    group: 'identifiers',
    special: false,
    phi: true,
  },
  {
    key: 'identifiers.national_id',
    name: 'National identification number',
    description:
      'Social security number, national insurance number, tax identification number or similar state-issued personal number. HIPAA (G).',
    group: 'identifiers',
    special: false,
    phi: true,
  },
  {
    key: 'identifiers.identity_document',
    name: 'Identity document',
    description: 'Passport or identity card numbers, scans and the details printed on them. HIPAA (R).',
    group: 'identifiers',
    special: false,
    phi: true,
  },
  {
    key: 'identifiers.licence_number',
    name: 'Licence or certificate number',
    description: "Driver's licence, professional licence, permit and certificate numbers. HIPAA (K).",
    group: 'identifiers',
    special: false,
    phi: true,
  },
  {
    key: 'identifiers.account_number',
    name: 'Account number',
    description:
      'Customer, membership, loyalty, utility or other account numbers that single out one person. HIPAA (J).',
    group: 'identifiers',
    special: false,
    phi: true,
  },
  {
    key: 'identifiers.vehicle',
    name: 'Vehicle identifier',
    description:
      'Licence plates, vehicle identification numbers (VIN) and other vehicle serial numbers. HIPAA (L).',
    group: 'identifiers',
    special: false,
    phi: true,
  },
  {
    key: 'identifiers.facial_image',
    name: 'Face photograph',
    description:
      'Full-face photos and comparable images such as video stills. Not special under GDPR unless processed to identify someone uniquely (Recital 51); that is special.biometric. HIPAA (Q).',
    group: 'identifiers',
    special: false,
    phi: true,
  },
  {
    key: 'identifiers.signature',
    name: 'Signature',
    description: 'Handwritten or drawn signatures, and images of them. HIPAA (R).',
    group: 'identifiers',
    special: false,
    phi: true,
  },
  {
    key: 'identifiers.demographics',
    name: 'Demographics',
    description: 'Gender, nationality, language, marital status and household composition.',
    group: 'identifiers',
    special: false,
    phi: false,
  },
  {
    key: 'identifiers.other_unique_id',
    name: 'Other unique identifier',
    description:
      'Any other number, code or characteristic that points at one person, such as an internal user id or a customer reference. HIPAA (R).',
    group: 'identifiers',
    special: false,
    phi: true,
  },
  // contact
  {
    key: 'contact.email',
    name: 'Email address',
    description: 'Personal or work email addresses. HIPAA (F).',
    group: 'contact',
    special: false,
    phi: true,
  },
  {
    key: 'contact.phone',
    name: 'Phone number',
    description: 'Landline and mobile numbers. HIPAA (D).',
    group: 'contact',
    special: false,
    phi: true,
  },
  {
    key: 'contact.fax',
    name: 'Fax number',
    description: 'Fax numbers. HIPAA (E).',
    group: 'contact',
    special: false,
    phi: true,
  },
  {
    key: 'contact.postal_address',
    name: 'Postal address',
    description: 'Street address, city, county, postcode or ZIP code. HIPAA (B).',
    group: 'contact',
    special: false,
    phi: true,
  },
  {
    key: 'contact.messaging_handle',
    name: 'Messaging or social handle',
    description: 'Usernames on chat apps and social networks used to reach the person. HIPAA (R).',
    group: 'contact',
    special: false,
    phi: true,
  },
  // financial
  {
    key: 'financial.payment_card',
    name: 'Payment card',
    description:
      'Card numbers, expiry dates and cardholder names; security codes must never be stored. HIPAA (J).',
    group: 'financial',
    special: false,
    phi: true,
  },
  {
    key: 'financial.bank_account',
    name: 'Bank account',
    description: 'IBAN, account and routing numbers, and account holder names. HIPAA (J).',
    group: 'financial',
    special: false,
    phi: true,
  },
  {
    key: 'financial.transactions',
    name: 'Transactions',
    description: 'Payments, invoices, refunds and order amounts.',
    group: 'financial',
    special: false,
    phi: false,
  },
  {
    key: 'financial.income_credit',
    name: 'Income and creditworthiness',
    description: 'Salary, income, assets, debts, credit scores and credit history.',
    group: 'financial',
    special: false,
    phi: false,
  },
  // location
  {
    key: 'location.precise',
    name: 'Precise location',
    description: 'GPS coordinates or anything locating a person within a few hundred metres. HIPAA (B).',
    group: 'location',
    special: false,
    phi: true,
  },
  {
    key: 'location.approximate',
    name: 'Approximate location',
    description:
      'City, postcode area or region, for example derived from an IP address. Anything smaller than a US state is HIPAA (B).',
    group: 'location',
    special: false,
    phi: true,
  },
  // online
  {
    key: 'online.ip_address',
    name: 'IP address',
    description: 'IPv4 and IPv6 addresses, including those in logs. HIPAA (O).',
    group: 'online',
    special: false,
    phi: true,
  },
  {
    key: 'online.device_id',
    name: 'Device identifier',
    description: 'Hardware serial numbers, IMEI, MAC addresses, advertising ids and push tokens. HIPAA (M).',
    group: 'online',
    special: false,
    phi: true,
  },
  {
    key: 'online.cookie_id',
    name: 'Cookie or tracking identifier',
    description:
      'Cookie values, session ids and analytics client ids that recognise a browser again. HIPAA (R).',
    group: 'online',
    special: false,
    phi: true,
  },
  {
    key: 'online.url',
    name: 'Personal web address',
    description: 'URLs that point at one person, such as a profile page or a personal website. HIPAA (N).',
    group: 'online',
    special: false,
    phi: true,
  },
  {
    key: 'online.username',
    name: 'Username',
    description: 'Login names and account handles on our own service. HIPAA (R).',
    group: 'online',
    special: false,
    phi: true,
  },
  {
    key: 'online.credentials',
    name: 'Credentials',
    description: 'Password hashes, security questions and answers, recovery codes and API keys.',
    group: 'online',
    special: false,
    phi: false,
  },
  // special (GDPR Art. 9(1) and Art. 10)
  {
    key: 'special.health',
    name: 'Health',
    description:
      'Physical or mental health, including care received, diagnoses, disabilities, prescriptions and test results. GDPR Art. 9(1), Art. 4(15).',
    group: 'special',
    special: true,
    phi: false,
  },
  {
    key: 'special.genetic',
    name: 'Genetic data',
    description:
      'Inherited or acquired genetic characteristics, such as DNA test results. GDPR Art. 9(1), Art. 4(13).',
    group: 'special',
    special: true,
    phi: false,
  },
  {
    key: 'special.biometric',
    name: 'Biometric data',
    description:
      'Fingerprints, face templates, voice prints and other physical or behavioural traits processed to identify someone uniquely. GDPR Art. 9(1), Art. 4(14). HIPAA (P).',
    group: 'special',
    special: true,
    phi: true,
  },
  {
    key: 'special.racial_ethnic_origin',
    name: 'Racial or ethnic origin',
    description: 'Race or ethnic origin, stated or inferred. GDPR Art. 9(1).',
    group: 'special',
    special: true,
    phi: false,
  },
  {
    key: 'special.political_opinions',
    name: 'Political opinions',
    description: 'Political views, party membership and donations. GDPR Art. 9(1).',
    group: 'special',
    special: true,
    phi: false,
  },
  {
    key: 'special.religious_beliefs',
    name: 'Religious or philosophical beliefs',
    description: 'Religion, faith or philosophical convictions. GDPR Art. 9(1).',
    group: 'special',
    special: true,
    phi: false,
  },
  {
    key: 'special.trade_union',
    name: 'Trade union membership',
    description: 'Membership of a trade union, including union dues deducted from pay. GDPR Art. 9(1).',
    group: 'special',
    special: true,
    phi: false,
  },
  {
    key: 'special.sex_life_orientation',
    name: 'Sex life or sexual orientation',
    description: 'Sexual orientation and information about sex life. GDPR Art. 9(1).',
    group: 'special',
    special: true,
    phi: false,
  },
  {
    key: 'special.criminal_offences',
    name: 'Criminal convictions and offences',
    description:
      'Convictions, offences, allegations and related security measures, including background checks. GDPR Art. 10.',
    group: 'special',
    special: true,
    phi: false,
  },
  // health identifiers: Recital 35 counts a number assigned to identify a person for health
  // purposes as data concerning health, so these are special as well as HIPAA identifiers.
  {
    key: 'health.medical_record_number',
    name: 'Medical record number',
    description: 'Patient and medical record numbers issued by a care provider. GDPR Recital 35. HIPAA (H).',
    group: 'health',
    special: true,
    phi: true,
  },
  {
    key: 'health.plan_beneficiary_number',
    name: 'Health plan beneficiary number',
    description: 'Health insurance member and beneficiary numbers. GDPR Recital 35. HIPAA (I).',
    group: 'health',
    special: true,
    phi: true,
  },
  // behavioural
  {
    key: 'behavioural.product_usage',
    name: 'Product usage',
    description: 'Clicks, feature usage, page views and other activity in our product.',
    group: 'behavioural',
    special: false,
    phi: false,
  },
  {
    key: 'behavioural.purchase_history',
    name: 'Purchase history',
    description: 'What the person bought, when and how often.',
    group: 'behavioural',
    special: false,
    phi: false,
  },
  {
    key: 'behavioural.preferences',
    name: 'Preferences and interests',
    description: 'Stated or inferred interests, settings, marketing preferences and consent choices.',
    group: 'behavioural',
    special: false,
    phi: false,
  },
  {
    key: 'behavioural.profiling',
    name: 'Profiles and inferences',
    description: 'Scores, segments and predictions about the person derived from other data.',
    group: 'behavioural',
    special: false,
    phi: false,
  },
  // professional
  {
    key: 'professional.employment',
    name: 'Employment details',
    description: 'Employer, job title, department, manager, work location and employment history.',
    group: 'professional',
    special: false,
    phi: false,
  },
  {
    key: 'professional.performance',
    name: 'Performance and conduct',
    description: 'Appraisals, objectives, disciplinary and grievance records.',
    group: 'professional',
    special: false,
    phi: false,
  },
  {
    key: 'professional.education',
    name: 'Education and qualifications',
    description: 'Schools, degrees, grades, certifications and training records.',
    group: 'professional',
    special: false,
    phi: false,
  },
  // other
  {
    key: 'other.communications',
    name: 'Communications content',
    description: 'Emails, chat messages, support tickets and call notes written by or about the person.',
    group: 'other',
    special: false,
    phi: false,
  },
  {
    key: 'other.audio_video',
    name: 'Audio and video recordings',
    description: 'Call recordings, voice messages and video footage showing or voicing the person.',
    group: 'other',
    special: false,
    phi: false,
  },
  {
    key: 'other.free_text',
    name: 'Free text',
    description: 'Notes and comment fields that may hold anything; treat as possibly sensitive.',
    group: 'other',
    special: false,
    phi: false,
  },
] as const satisfies readonly DataCategoryDef[];

export type DataCategoryKey = (typeof CATEGORIES)[number]['key'];

export const DATA_CATEGORIES: readonly DataCategoryDef[] = CATEGORIES;

const CATEGORY_KEYS: ReadonlySet<string> = new Set(CATEGORIES.map((c) => c.key));

/** True for a built-in category key only; see isCustomCategoryKey for `custom.<slug>`. */
export function isDataCategoryKey(s: string): s is DataCategoryKey {
  return CATEGORY_KEYS.has(s);
}

/** Organizations name their own categories `custom.<slug>`, so they never clash with built-in keys. */
export const CUSTOM_CATEGORY_PREFIX = 'custom.';

/** The part after `custom.`: starts with a letter; lower-case letters, digits and underscores; 2–50 long. */
export const CUSTOM_CATEGORY_SLUG = /^[a-z][a-z0-9_]{1,49}$/;

export function isCustomCategoryKey(s: string): boolean {
  return (
    s.startsWith(CUSTOM_CATEGORY_PREFIX) && CUSTOM_CATEGORY_SLUG.test(s.slice(CUSTOM_CATEGORY_PREFIX.length))
  );
}

/** A key a record may carry: built-in or an organization's custom one. */
export function isCategoryKey(s: string): boolean {
  return isDataCategoryKey(s) || isCustomCategoryKey(s);
}

export function dataCategory(key: string): DataCategoryDef | undefined {
  return CATEGORIES.find((c) => c.key === key);
}

type Described = { name: string; description: string };
type Cited = Described & { citation: string };

export const LAWFUL_BASES = [
  'consent',
  'contract',
  'legal_obligation',
  'vital_interests',
  'public_task',
  'legitimate_interests',
] as const;
export type LawfulBasis = (typeof LAWFUL_BASES)[number];

export const LAWFUL_BASIS_INFO: Record<LawfulBasis, Cited> = {
  consent: {
    name: 'Consent',
    citation: 'GDPR Art. 6(1)(a)',
    description:
      'The person agreed, freely and specifically, to this purpose. They can withdraw at any time, and withdrawing must be as easy as giving it (Art. 7(3)).',
  },
  contract: {
    name: 'Contract',
    citation: 'GDPR Art. 6(1)(b)',
    description:
      'Needed to perform a contract with the person, or to take steps they asked for before entering one.',
  },
  legal_obligation: {
    name: 'Legal obligation',
    citation: 'GDPR Art. 6(1)(c)',
    description: 'Needed to comply with a law the organization is subject to, such as tax record keeping.',
  },
  vital_interests: {
    name: 'Vital interests',
    citation: 'GDPR Art. 6(1)(d)',
    description: "Needed to protect someone's life, typically in an emergency when no other basis fits.",
  },
  public_task: {
    name: 'Public task',
    citation: 'GDPR Art. 6(1)(e)',
    description:
      'Needed for a task in the public interest or in the exercise of official authority set out in law.',
  },
  legitimate_interests: {
    name: 'Legitimate interests',
    citation: 'GDPR Art. 6(1)(f)',
    description:
      "Needed for the organization's or a third party's legitimate interests, unless the person's interests and rights override them; record the balancing test.",
  },
};

export const REQUEST_TYPES = [
  'access',
  'portability',
  'erasure',
  'rectification',
  'restriction',
  'objection',
] as const;
export type RequestType = (typeof REQUEST_TYPES)[number];

export const REQUEST_TYPE_INFO: Record<RequestType, Cited> = {
  access: {
    name: 'Access',
    citation: 'GDPR Art. 15',
    description:
      'Confirm whether we process their data and give a copy of it, with the purposes, recipients, retention and sources.',
  },
  portability: {
    name: 'Portability',
    citation: 'GDPR Art. 20',
    description:
      'Give the data they provided, processed by consent or contract, in a structured, machine-readable format, or send it to another controller.',
  },
  erasure: {
    name: 'Erasure',
    citation: 'GDPR Art. 17',
    description: 'Delete their data when a ground in Art. 17(1) applies and no exception in Art. 17(3) does.',
  },
  rectification: {
    name: 'Rectification',
    citation: 'GDPR Art. 16',
    description: 'Correct inaccurate data and complete incomplete data.',
  },
  restriction: {
    name: 'Restriction',
    citation: 'GDPR Art. 18',
    description: 'Keep the data but stop using it, for example while its accuracy is checked.',
  },
  objection: {
    name: 'Objection',
    citation: 'GDPR Art. 21',
    description:
      'Stop processing based on legitimate interests or public task unless there are compelling grounds; stop direct marketing always.',
  },
};

export const ERASURE_STRATEGIES = [
  'delete',
  'nullify',
  'fixed_string',
  'keyed_hash',
  'random',
  'redact',
  'crypto_shred',
] as const;
export type ErasureStrategy = (typeof ERASURE_STRATEGIES)[number];

export const ERASURE_STRATEGY_INFO: Record<ErasureStrategy, Described> = {
  delete: { name: 'Delete', description: 'Remove the whole record.' },
  nullify: { name: 'Clear', description: 'Set the field to empty (null), keeping the rest of the record.' },
  fixed_string: {
    name: 'Replace with fixed text',
    description: 'Overwrite the field with the same placeholder for everyone, such as "[erased]".',
  },
  keyed_hash: {
    name: 'Keyed hash',
    description:
      'Replace with a keyed hash so records still join up. This is pseudonymisation, not erasure, while the key exists (GDPR Recital 26); destroy the key to finish.',
  },
  random: {
    name: 'Random value',
    description:
      'Replace with a random value of the same shape, so formats and uniqueness constraints still hold.',
  },
  redact: {
    name: 'Redact',
    description:
      'Mask part of the value, such as all but the last four digits; check the rest cannot identify the person.',
  },
  crypto_shred: {
    name: 'Crypto-shred',
    description:
      "Destroy the person's encryption key, leaving encrypted copies, including backups, unreadable.",
  },
};

export const RETENTION_TRIGGERS = ['since_creation', 'since_last_activity', 'since_account_closure'] as const;
export type RetentionTrigger = (typeof RETENTION_TRIGGERS)[number];

export const RETENTION_TRIGGER_INFO: Record<RetentionTrigger, Described> = {
  since_creation: { name: 'Since creation', description: 'Counted from when the record was created.' },
  since_last_activity: {
    name: 'Since last activity',
    description: 'Counted from the last time the person was active; activity restarts the clock.',
  },
  since_account_closure: {
    name: 'Since account closure',
    description: 'Counted from when the account was closed.',
  },
};

export const RETENTION_ACTIONS = ['delete', 'anonymize'] as const;
export type RetentionAction = (typeof RETENTION_ACTIONS)[number];

export const RETENTION_ACTION_INFO: Record<RetentionAction, Described> = {
  delete: { name: 'Delete', description: 'Remove the records when the period ends.' },
  anonymize: {
    name: 'Anonymize',
    description: 'Strip the personal data so no one can be identified, keeping the rest for statistics.',
  },
};

/** Suggestions offered when an organization describes whose data a system holds; free text is allowed too. */
export const DATA_SUBJECT_TYPES = [
  'customers',
  'end_users',
  'employees',
  'job_applicants',
  'contractors',
  'prospects',
  'website_visitors',
  'suppliers',
  'patients',
  'students',
  'children',
] as const;
export type DataSubjectType = (typeof DATA_SUBJECT_TYPES)[number];

export const DATA_SUBJECT_TYPE_NAMES: Record<DataSubjectType, string> = {
  customers: 'Customers',
  end_users: 'End users',
  employees: 'Employees',
  job_applicants: 'Job applicants',
  contractors: 'Contractors',
  prospects: 'Prospects',
  website_visitors: 'Website visitors',
  suppliers: 'Supplier contacts',
  patients: 'Patients',
  students: 'Students',
  children: 'Children',
};
