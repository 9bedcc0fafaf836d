import { Alert, Button, Stack, Text, TextInput } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { useParams } from 'react-router';
import { hookError } from '../../app/errors';
import { formatBytes, formatDateTime } from '../../app/format';
import { AuthLayout } from '../../ui/AuthLayout';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { LoadError, SectionLoader } from '../../ui/states';
import {
  useDownloadPackageMutation,
  useGetPublicPackageQuery,
  useSendPackageCodeMutation,
} from './packageApi';

/**
 * `/privacy/:slug/download/:packageId`: the subject's download page, outside the signed-in shell.
 * A code goes to the subject's address when asked for; the ZIP downloads for the right code.
 */
export function PackageDownloadPage() {
  const { slug = '', packageId = '' } = useParams();
  const page = useGetPublicPackageQuery({ slug, packageId });
  const [sendCode, sending] = useSendPackageCodeMutation();
  const [download, downloading] = useDownloadPackageMutation();
  const [code, setCode] = useState('');
  const token = sending.data?.downloadToken;

  if (page.isLoading) {
    return (
      <AuthLayout title="Your data">
        <SectionLoader label="Loading the download page" />
      </AuthLayout>
    );
  }
  if (!page.data) {
    const error = hookError(page.error);
    return (
      <AuthLayout title={error?.status === 404 ? 'This link does not work any more' : 'Your data'}>
        {error?.status === 404 ? (
          <Text size="sm">
            The link expired (the file was then deleted) or never existed. Ask the organization to send a new
            one.
          </Text>
        ) : (
          <LoadError error={error} what="the download page" onRetry={page.refetch} />
        )}
      </AuthLayout>
    );
  }
  const data = page.data;

  function submit(event: FormEvent) {
    event.preventDefault();
    if (token) void download({ slug, packageId, downloadToken: token, code: code.replace(/\s+/g, '') });
  }

  return (
    <AuthLayout title="Download your data">
      <Stack gap="md">
        <Text size="sm">
          {data.organization.name} prepared a copy of your personal data ({formatBytes(data.sizeBytes)}, a ZIP
          file). The link works until {formatDateTime(data.expiresAt)}.
        </Text>
        {!token ? (
          <>
            <Text size="sm">
              To download it, we first send a code to the e-mail address the request came from.
            </Text>
            <Button loading={sending.isLoading} onClick={() => void sendCode({ slug, packageId })}>
              Send me a code
            </Button>
            <ErrorAlert error={hookError(sending.error)} title="The code could not be sent" />
          </>
        ) : (
          <form onSubmit={submit} noValidate aria-label="Download with the code">
            <Stack gap="md">
              <Text size="sm">
                We sent a code to your address. Type it within {data.codeValidMinutes} minutes. Nothing
                arrived? Check your spam folder, or ask for a new code.
              </Text>
              <TextInput
                label="Code from the e-mail"
                inputMode="numeric"
                autoComplete="one-time-code"
                maxLength={12}
                value={code}
                onChange={(event) => setCode(event.currentTarget.value)}
              />
              <Button type="submit" loading={downloading.isLoading}>
                Download
              </Button>
              <Button
                variant="subtle"
                onClick={() => void sendCode({ slug, packageId })}
                loading={sending.isLoading}
              >
                Send a new code
              </Button>
              <ErrorAlert error={hookError(downloading.error)} title="The download did not start" />
              {downloading.isSuccess && (
                <Alert color="green" title="Download started">
                  Your browser saves {downloading.data}. manifest.json inside lists every file with its
                  SHA-256, and manifest.sig proves the organization's Custos made it.
                </Alert>
              )}
            </Stack>
          </form>
        )}
      </Stack>
    </AuthLayout>
  );
}
