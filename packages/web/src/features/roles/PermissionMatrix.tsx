import type { RoleOut } from '@custos/shared';
import { Badge, Box, Group, Table, Text, Tooltip, UnstyledButton, VisuallyHidden } from '@mantine/core';
import { IconChevronDown, IconChevronRight } from '@tabler/icons-react';
import { useState } from 'react';
import { GrantCell } from './GrantCell';
import { cellEditable, type Grant, grantOf, type PermissionSection, type RoleGrants } from './matrix';
import { moveInMatrix } from './matrixKeys';
import { RoleColumnHeader } from './RoleColumnHeader';

interface PermissionMatrixProps {
  roles: RoleOut[];
  sections: PermissionSection[];
  /** The staged grants of roles with unsaved changes, by role key. */
  drafts: Record<string, RoleGrants>;
  changes: Record<string, number>;
  saveErrors: Record<string, string>;
  canManage: boolean;
  onGrant: (role: RoleOut, permission: string, grant: Grant) => void;
  onDiscard: (role: RoleOut) => void;
  onEdit: (role: RoleOut) => void;
  onDelete: (role: RoleOut) => void;
}

/**
 * The role × permission matrix: a column per role, a row per permission grouped by resource. The
 * header row and the permission column stay in view while the matrix scrolls (in its own box, so
 * both work at once).
 */
export function PermissionMatrix({
  roles,
  sections,
  drafts,
  changes,
  saveErrors,
  canManage,
  onGrant,
  onDiscard,
  onEdit,
  onDelete,
}: PermissionMatrixProps) {
  return (
    // Focusable so a keyboard can scroll it where it scrolls in its own box (narrow screens).
    <Box className="custos-matrix" tabIndex={0} role="region" aria-label="Role permissions matrix">
      <Table
        aria-label="Role permissions"
        aria-describedby="matrix-keys-hint"
        withColumnBorders={false}
        highlightOnHover
        onKeyDown={moveInMatrix}
      >
        <Table.Thead>
          <Table.Tr>
            <Table.Th className="custos-matrix-first">
              <Text size="sm" fw={600}>
                Permission
              </Text>
            </Table.Th>
            {roles.map((role) => (
              <Table.Th
                key={role.key}
                className="custos-matrix-role"
                data-changed={changes[role.key] ? true : undefined}
              >
                <RoleColumnHeader
                  role={role}
                  canManage={canManage}
                  changes={changes[role.key] ?? 0}
                  saveError={saveErrors[role.key]}
                  onDiscard={() => onDiscard(role)}
                  onEdit={() => onEdit(role)}
                  onDelete={() => onDelete(role)}
                />
              </Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {sections.map((section) => (
            <SectionRows
              key={`${section.source}:${section.resource}`}
              section={section}
              roles={roles}
              drafts={drafts}
              canManage={canManage}
              onGrant={onGrant}
            />
          ))}
        </Table.Tbody>
      </Table>
      <VisuallyHidden id="matrix-keys-hint">
        Arrow keys move between the checkboxes; Space grants or removes.
      </VisuallyHidden>
    </Box>
  );
}

interface SectionRowsProps {
  section: PermissionSection;
  roles: RoleOut[];
  drafts: Record<string, RoleGrants>;
  canManage: boolean;
  onGrant: (role: RoleOut, permission: string, grant: Grant) => void;
}

function SectionRows({ section, roles, drafts, canManage, onGrant }: SectionRowsProps) {
  const app = section.source === 'app';
  const [collapsed, setCollapsed] = useState(false);
  const count = section.permissions.length;
  return (
    <>
      <Table.Tr className="custos-matrix-group">
        <Table.Td className="custos-matrix-first">
          <Group gap="xs" wrap="nowrap">
            <UnstyledButton
              onClick={() => setCollapsed((was) => !was)}
              aria-expanded={!collapsed}
              className="custos-matrix-toggle"
            >
              <Group gap={6} wrap="nowrap">
                {collapsed ? (
                  <IconChevronRight size={14} aria-hidden />
                ) : (
                  <IconChevronDown size={14} aria-hidden />
                )}
                <Text size="xs" fw={700} tt="uppercase" c="dimmed" style={{ letterSpacing: 0.4 }}>
                  {section.label}
                </Text>
                <Text size="xs" c="dimmed">
                  {count === 1 ? '1 permission' : `${count} permissions`}
                </Text>
              </Group>
            </UnstyledButton>
            {app && (
              <Tooltip
                label="Registered by your application; checked through the authorization API"
                withArrow
              >
                <Badge size="xs" color="grape" variant="light" tt="none">
                  App
                </Badge>
              </Tooltip>
            )}
          </Group>
        </Table.Td>
        <Table.Td colSpan={roles.length} />
      </Table.Tr>
      {!collapsed &&
        section.permissions.map((permission) => (
          <Table.Tr key={permission.id} data-testid={`permission-row-${permission.id}`}>
            <Table.Td className="custos-matrix-first">
              <Text size="sm" className="custos-mono" lh={1.3}>
                {permission.id}
              </Text>
              <Text size="xs" c="dimmed" lh={1.3}>
                {permission.description || 'No description registered'}
              </Text>
            </Table.Td>
            {roles.map((role) => {
              const draft = drafts[role.key];
              const grant = grantOf(draft ?? role, permission.id);
              const changed = draft !== undefined && grant !== grantOf(role, permission.id);
              return (
                <Table.Td
                  key={role.key}
                  className="custos-matrix-cell"
                  data-changed={changed ? true : undefined}
                >
                  <GrantCell
                    grant={grant}
                    ownChoice={app}
                    disabled={!canManage || !cellEditable(role, permission)}
                    label={`${permission.id} for ${role.name}`}
                    onChange={(next) => onGrant(role, permission.id, next)}
                  />
                </Table.Td>
              );
            })}
          </Table.Tr>
        ))}
    </>
  );
}
