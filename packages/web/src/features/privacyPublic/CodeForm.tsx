import { Button, Stack, Text, TextInput } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import type { ApiError } from '../../app/errors';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { codeProblem } from './words';

interface CodeFormProps {
  email: string;
  validMinutes: number;
  error: ApiError | undefined;
  checking: boolean;
  onSubmit: (code: string) => void;
  onStartOver: () => void;
}

/** The code from the e-mail; a refused one says whether to type it again or start over. */
export function CodeForm({ email, validMinutes, error, checking, onSubmit, onStartOver }: CodeFormProps) {
  const [code, setCode] = useState('');
  const problem = codeProblem(error);
  const wrongCode = problem !== null && !problem.startOver && error?.code === 'PRIVACY_PUBLIC_CODE_INVALID';

  function submit(event: FormEvent) {
    event.preventDefault();
    onSubmit(code.replace(/\s+/g, ''));
  }

  return (
    <form onSubmit={submit} noValidate aria-label="Confirm with the code">
      <Stack gap="md">
        <Text size="sm">
          We sent a code to <strong>{email}</strong>. Type it below within {validMinutes} minutes. Nothing
          arrived? Check your spam folder, or start again to get a new code.
        </Text>
        <TextInput
          label="Code from the e-mail"
          inputMode="numeric"
          autoComplete="one-time-code"
          maxLength={12}
          value={code}
          onChange={(event) => setCode(event.currentTarget.value)}
          error={wrongCode}
          aria-describedby={wrongCode ? 'code-problem' : undefined}
          required
        />
        {wrongCode && (
          <Text id="code-problem" size="sm" c="red" role="alert">
            {problem?.message}
          </Text>
        )}
        <ErrorAlert error={wrongCode ? undefined : error} title="The request is not confirmed yet" />
        <Button type="submit" loading={checking} disabled={code.replace(/\s+/g, '').length < 6} fullWidth>
          Confirm request
        </Button>
        <Button variant="subtle" onClick={onStartOver} fullWidth>
          Start again
        </Button>
      </Stack>
    </form>
  );
}
