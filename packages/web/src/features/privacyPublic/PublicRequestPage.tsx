import type { PublicPrivacyRequestVerified, SubmitPublicPrivacyRequestBody } from '@custos/shared';
import { Alert, Button, Stack, Text, Title } from '@mantine/core';
import { IconCircleCheck } from '@tabler/icons-react';
import { useEffect, useRef, useState } from 'react';
import { useParams } from 'react-router';
import { hookError } from '../../app/errors';
import { AuthLayout } from '../../ui/AuthLayout';
import { LoadError, SectionLoader } from '../../ui/states';
import {
  useGetPublicPrivacyPageQuery,
  useSubmitPublicPrivacyRequestMutation,
  useVerifyPublicPrivacyRequestMutation,
} from './api';
import { CodeForm } from './CodeForm';
import { RequestForm } from './RequestForm';
import { formatDayInWords } from './words';

type Step =
  | { kind: 'form' }
  | { kind: 'code'; email: string; requestToken: string }
  | { kind: 'done'; result: PublicPrivacyRequestVerified };

const HEADINGS: Record<Step['kind'], string> = {
  form: 'Make a privacy request',
  code: 'Check your e-mail for a code',
  done: 'Your request is confirmed',
};

/**
 * The public request page (`/privacy/:slug/request`): anyone asks an organization for their rights
 * without an account. Three steps — the request, the e-mailed code, the confirmation — each
 * announced by moving focus to its heading.
 */
export function PublicRequestPage() {
  const slug = useParams().slug ?? '';
  const page = useGetPublicPrivacyPageQuery(slug);
  const [step, setStep] = useState<Step>({ kind: 'form' });
  const [submit, submitted] = useSubmitPublicPrivacyRequestMutation();
  const [verify, verified] = useVerifyPublicPrivacyRequestMutation();
  // The first step is where the page opens; later steps take focus to their heading when shown.
  const [moved, setMoved] = useState(false);
  const go = (next: Step) => {
    setMoved(true);
    setStep(next);
  };

  if (page.isLoading) {
    return (
      <AuthLayout title="Privacy request">
        <SectionLoader label="Loading the request page" />
      </AuthLayout>
    );
  }
  if (!page.data) {
    const error = hookError(page.error);
    return (
      <AuthLayout title={error?.status === 404 ? 'No request page here' : 'Privacy request'}>
        {error?.status === 404 ? (
          <Text size="sm">
            No organization takes privacy requests at this address. Check the link you were given, or ask the
            organization how to reach them.
          </Text>
        ) : (
          <LoadError error={error} what="the request page" onRetry={page.refetch} />
        )}
      </AuthLayout>
    );
  }
  const data = page.data;

  async function send(body: SubmitPublicPrivacyRequestBody) {
    const answer = await submit({ slug, body });
    if ('data' in answer && answer.data) {
      verified.reset();
      go({ kind: 'code', email: body.email, requestToken: answer.data.requestToken });
    }
  }

  async function confirm(code: string) {
    if (step.kind !== 'code') return;
    const answer = await verify({ slug, body: { requestToken: step.requestToken, code } });
    if ('data' in answer && answer.data) go({ kind: 'done', result: answer.data });
  }

  function startOver() {
    submitted.reset();
    verified.reset();
    go({ kind: 'form' });
  }

  return (
    <AuthLayout
      title={`Privacy request to ${data.organization.name}`}
      subtitle="Ask to see, take away, correct, limit or delete the personal data this organization holds about you. You need no account."
      width={560}
    >
      <Stack gap="md">
        <StepHeading key={step.kind} text={HEADINGS[step.kind]} focus={moved} />
        {step.kind === 'form' && (
          <RequestForm
            page={data}
            error={hookError(submitted.error)}
            sending={submitted.isLoading}
            onSubmit={send}
          />
        )}
        {step.kind === 'code' && (
          <CodeForm
            email={step.email}
            validMinutes={data.codeValidMinutes}
            error={hookError(verified.error)}
            checking={verified.isLoading}
            onSubmit={confirm}
            onStartOver={startOver}
          />
        )}
        {step.kind === 'done' && <Confirmation result={step.result} onStartOver={startOver} />}
      </Stack>
    </AuthLayout>
  );
}

function Confirmation({
  result,
  onStartOver,
}: {
  result: PublicPrivacyRequestVerified;
  onStartOver: () => void;
}) {
  return (
    <Stack gap="md">
      <Alert color="teal" variant="light" icon={<IconCircleCheck size={18} />} title="Request received">
        {result.organization.name} has your request and will answer by e-mail.
      </Alert>
      <Text fw={600}>We will answer by {formatDayInWords(result.dueDate)}.</Text>
      <Text size="sm">
        Your reference: <strong style={{ overflowWrap: 'anywhere' }}>{result.reference}</strong>. Quote it if
        you write to {result.organization.name} about this request.
      </Text>
      <Button variant="light" onClick={onStartOver} fullWidth>
        Make another request
      </Button>
    </Stack>
  );
}

/** A step's heading; focused when it appears after a step change, so screen readers announce it. */
function StepHeading({ text, focus }: { text: string; focus: boolean }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (focus) ref.current?.focus();
  }, [focus]);
  return (
    <Title order={2} fz="lg" ref={ref} tabIndex={-1} style={{ outlineOffset: 4 }}>
      {text}
    </Title>
  );
}
