import type { PrivacyRequestDetail } from '@custos/shared';
import { Alert, Button, Card, Group, Stack, Text, Title } from '@mantine/core';
import { IconDownload, IconMailForward } from '@tabler/icons-react';
import { hookError } from '../../app/errors';
import { formatBytes, formatDateTime } from '../../app/format';
import { CopyField } from '../../ui/CopyField';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { LoadError, SectionLoader } from '../../ui/states';
import {
  useDownloadCertificateMutation,
  useGetRequestPackageQuery,
  useResendPackageLinkMutation,
} from './packageApi';

const PACKAGE_TYPES = ['access', 'portability'];

/** A completed request's download package (access, portability) and its completion certificate. */
export function RequestPackageCard({
  request,
  canManage,
}: {
  request: PrivacyRequestDetail;
  canManage: boolean;
}) {
  const [download, downloading] = useDownloadCertificateMutation();
  if (request.state !== 'completed') return null;
  return (
    <Card withBorder padding="lg" component="section" aria-labelledby="request-outcome-title">
      <Stack gap="md">
        <Title order={2} size="h4" id="request-outcome-title">
          Outcome
        </Title>
        {PACKAGE_TYPES.includes(request.type) && (
          <PackageFacts requestId={request.id} canManage={canManage} />
        )}
        <Stack gap="xs">
          <Text size="sm">
            The completion certificate lists what each system did and when, signed with the audit key.
          </Text>
          <Group gap="sm">
            <Button
              variant="default"
              leftSection={<IconDownload size={16} aria-hidden />}
              loading={downloading.isLoading && downloading.originalArgs?.format === 'json'}
              onClick={() => void download({ id: request.id, format: 'json' })}
            >
              Download certificate (JSON)
            </Button>
            <Button
              variant="default"
              leftSection={<IconDownload size={16} aria-hidden />}
              loading={downloading.isLoading && downloading.originalArgs?.format === 'pdf'}
              onClick={() => void download({ id: request.id, format: 'pdf' })}
            >
              Download certificate (PDF)
            </Button>
          </Group>
          <ErrorAlert error={hookError(downloading.error)} title="The certificate could not be downloaded" />
        </Stack>
      </Stack>
    </Card>
  );
}

function PackageFacts({ requestId, canManage }: { requestId: string; canManage: boolean }) {
  const { data, isLoading, error, refetch } = useGetRequestPackageQuery(requestId);
  const [resend, resending] = useResendPackageLinkMutation();
  if (isLoading) return <SectionLoader label="Loading the package" />;
  if (!data) return <LoadError error={hookError(error)} what="the package" onRetry={() => void refetch()} />;
  const pkg = data.package;
  if (!pkg) {
    return (
      <Text size="sm">
        The download package is being made; it appears here within a few minutes and the subject gets the link
        by e-mail.
      </Text>
    );
  }
  return (
    <Stack gap="xs">
      <Text size="sm">
        {pkg.available
          ? `Download package: ${formatBytes(pkg.sizeBytes ?? 0)}, link valid until ${formatDateTime(pkg.expiresAt)}.`
          : `The package's link expired on ${formatDateTime(pkg.expiresAt)}; its file is deleted.`}{' '}
        Downloaded {pkg.downloads === 1 ? 'once' : `${pkg.downloads} times`}
        {pkg.lastDownloadedAt ? `, last on ${formatDateTime(pkg.lastDownloadedAt)}` : ''}.
      </Text>
      {pkg.sha256 && <CopyField label="SHA-256 of the ZIP" value={pkg.sha256} />}
      {canManage && pkg.canSendLink && (
        <Group>
          <Button
            variant="default"
            leftSection={<IconMailForward size={16} aria-hidden />}
            loading={resending.isLoading}
            onClick={() => void resend(requestId)}
          >
            Send the link again
          </Button>
        </Group>
      )}
      {pkg.available && !pkg.canSendLink && (
        <Alert color="yellow" title="No address to send the link to">
          The request holds no readable e-mail address. Hand the data over another way.
        </Alert>
      )}
      {resending.isSuccess && <Text size="sm">The link was sent to the subject again.</Text>}
      <ErrorAlert error={hookError(resending.error)} title="The link could not be sent" />
    </Stack>
  );
}
