export { presentOrganization, presentUser } from './present';
export { type Identity, identity } from './service';
export type { AccessHead, MembershipRow, OrganizationRow, UserRow } from './store';
