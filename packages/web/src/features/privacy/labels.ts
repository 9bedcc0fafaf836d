import {
  type PrivacyRequestOut,
  type PrivacyRequestState,
  REGIME_RULES,
  REQUEST_TYPE_INFO,
  type Regime,
  type RequestType,
} from '@custos/shared';

/**
 * The privacy pages' words for states, types, regimes and sources, in one place so the list, the
 * detail and the filters say the same thing.
 */

export const STATE_ORDER: readonly PrivacyRequestState[] = [
  'received',
  'verifying',
  'awaiting_approval',
  'in_progress',
  'completed',
  'denied',
  'canceled',
];

export const STATE_LABELS: Record<PrivacyRequestState, string> = {
  received: 'Received',
  verifying: 'Verifying identity',
  awaiting_approval: 'Awaiting approval',
  in_progress: 'In progress',
  completed: 'Completed',
  denied: 'Denied',
  canceled: 'Canceled',
};

/** What each state means, for the badge's tooltip and the detail's header. */
export const STATE_DESCRIPTIONS: Record<PrivacyRequestState, string> = {
  received: 'The request arrived; nobody has confirmed who sent it yet.',
  verifying: 'Waiting for the requester to prove who they are (for example with a code sent by e-mail).',
  awaiting_approval: 'The requester is verified; someone must approve the request before work starts.',
  in_progress: 'Approved: each system holding the person’s data is doing its part.',
  completed:
    'Done: every system did its part. For a copy of their data, the person is e-mailed a link to download it, signed and checkable.',
  denied: 'Refused, with a reason and the legal ground recorded.',
  canceled: 'Stopped without an answer, for example because the requester withdrew it.',
};

export const STATE_COLORS: Record<PrivacyRequestState, string> = {
  received: 'blue',
  verifying: 'yellow',
  awaiting_approval: 'orange',
  in_progress: 'indigo',
  completed: 'teal',
  denied: 'red',
  canceled: 'gray',
};

export const REQUEST_TYPE_ORDER = Object.keys(REQUEST_TYPE_INFO) as RequestType[];
export const REGIME_ORDER = Object.keys(REGIME_RULES) as Regime[];

/** "Access (GDPR Art. 15)": a request type in plain words with the right it rests on. */
export function typeName(type: RequestType): string {
  return REQUEST_TYPE_INFO[type].name;
}

export function regimeName(regime: Regime): string {
  return REGIME_RULES[regime].name;
}

export const SOURCE_LABELS: Record<PrivacyRequestOut['source'], string> = {
  console: 'Console',
  api: 'Your app (API)',
  public: 'Public request page',
};

export const SOURCE_DESCRIPTIONS: Record<PrivacyRequestOut['source'], string> = {
  console: 'Entered here by a member on the person’s behalf.',
  api: 'Sent by your application with its API key, on behalf of its signed-in user.',
  public: 'Sent by the person through the organization’s public request page.',
};

/** Who the request is about, as the server shows it: name, e-mail, or the app's user id. */
export function subjectLabel(request: Pick<PrivacyRequestOut, 'email' | 'subjectName' | 'subjectRef'>): {
  primary: string;
  secondary: string | null;
} {
  const primary = request.subjectName ?? request.email ?? request.subjectRef;
  if (!primary) return { primary: 'Erased or unknown person', secondary: null };
  const secondary = request.subjectName && request.email ? request.email : null;
  return { primary, secondary };
}

/** States still being worked, in which the clock runs and actions are possible. */
export const OPEN_STATES: readonly PrivacyRequestState[] = [
  'received',
  'verifying',
  'awaiting_approval',
  'in_progress',
];

export function isOpen(state: PrivacyRequestState): boolean {
  return OPEN_STATES.includes(state);
}
