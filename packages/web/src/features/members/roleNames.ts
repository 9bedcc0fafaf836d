import { useGetRolesQuery } from './api';

/** "security_analyst" → "Security analyst", for roles the catalog does not (yet) describe. */
export function humanizeRole(id: string): string {
  const words = id.replace(/[_-]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Display names of roles, from the server's role catalog. */
export function useRoleName(): (id: string) => string {
  const { data } = useGetRolesQuery();
  return (id) => data?.roles.find((role) => role.id === id)?.name ?? humanizeRole(id);
}
