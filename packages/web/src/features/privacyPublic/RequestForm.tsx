import type { PublicPrivacyPageOut, SubmitPublicPrivacyRequestBody } from '@custos/shared';
import { Button, Radio, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import type { ApiError } from '../../app/errors';
import { formErrors } from '../../app/errors';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { REQUEST_TYPE_FOR_PERSON } from './words';

type RequestType = SubmitPublicPrivacyRequestBody['type'];
type Regime = NonNullable<SubmitPublicPrivacyRequestBody['regime']>;

interface RequestFormProps {
  page: PublicPrivacyPageOut;
  error: ApiError | undefined;
  sending: boolean;
  onSubmit: (body: SubmitPublicPrivacyRequestBody) => void;
}

/** The request itself: what is asked for, the address the code goes to, and optional words. */
export function RequestForm({ page, error, sending, onSubmit }: RequestFormProps) {
  const [type, setType] = useState<RequestType | ''>('');
  const [regime, setRegime] = useState<Regime>(page.defaultRegime);
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [details, setDetails] = useState('');
  const [missingType, setMissingType] = useState(false);
  const errors = formErrors(error, ['type', 'regime', 'email', 'name', 'details']);
  const fieldError = Object.keys(errors.fields).length > 0;

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!type) {
      setMissingType(true);
      return;
    }
    onSubmit({
      type,
      ...(page.regimes.length > 1 ? { regime } : {}),
      email: email.trim(),
      ...(name.trim() ? { name: name.trim() } : {}),
      ...(details.trim() ? { details: details.trim() } : {}),
    });
  }

  return (
    <form onSubmit={submit} noValidate aria-label="Privacy request">
      <Stack gap="md">
        <Radio.Group
          label="What would you like to ask for?"
          value={type}
          onChange={(value) => {
            setType(value as RequestType);
            setMissingType(false);
          }}
          error={missingType ? 'Choose what you would like to ask for.' : errors.fields.type}
          required
        >
          <Stack gap="sm" mt="xs">
            {page.requestTypes.map((option) => (
              <Radio
                key={option.type}
                value={option.type}
                label={option.name}
                description={REQUEST_TYPE_FOR_PERSON[option.type]}
              />
            ))}
          </Stack>
        </Radio.Group>
        {page.regimes.length > 1 && (
          <Radio.Group
            label="Which law do you ask under?"
            description="If you are not sure, keep GDPR: it applies to people in the EU and the UK."
            value={regime}
            onChange={(value) => setRegime(value as Regime)}
            error={errors.fields.regime}
          >
            <Stack gap="xs" mt="xs">
              {page.regimes.map((option) => (
                <Radio key={option.regime} value={option.regime} label={option.name} />
              ))}
            </Stack>
          </Radio.Group>
        )}
        <TextInput
          label="Your e-mail"
          description="We send a code to this address to check that it is yours."
          type="email"
          autoComplete="email"
          value={email}
          onChange={(event) => setEmail(event.currentTarget.value)}
          error={errors.fields.email}
          required
        />
        <TextInput
          label="Your name (optional)"
          autoComplete="name"
          value={name}
          onChange={(event) => setName(event.currentTarget.value)}
          error={errors.fields.name}
        />
        <Textarea
          label="Details (optional)"
          description="Anything that helps find your data or explains your request."
          autosize
          minRows={3}
          maxLength={5000}
          value={details}
          onChange={(event) => setDetails(event.currentTarget.value)}
          error={errors.fields.details}
        />
        <ErrorAlert
          error={fieldError ? undefined : error}
          title="The request was not sent"
          extra={errors.other}
        />
        {fieldError && (
          <Text size="sm" c="red" role="alert">
            Correct the marked fields and send again.
          </Text>
        )}
        <Button type="submit" loading={sending} disabled={email.trim().length < 3} fullWidth>
          Send request
        </Button>
      </Stack>
    </form>
  );
}
