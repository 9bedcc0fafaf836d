import { PasswordInput, TextInput } from '@mantine/core';
import type { ReactNode } from 'react';
import { PASSWORD_MIN_LENGTH, PASSWORD_RULE } from './password';

interface TextFieldProps {
  value: string;
  onChange: (value: string) => void;
  /** The server's message for this field, if any. */
  error?: string;
  autoFocus?: boolean;
}

/** The e-mail a person signs in with. */
export function EmailField({ value, onChange, error, autoFocus }: TextFieldProps) {
  return (
    <TextInput
      label="E-mail"
      type="email"
      autoComplete="username"
      value={value}
      onChange={(event) => onChange(event.currentTarget.value)}
      error={error}
      required
      autoFocus={autoFocus}
    />
  );
}

/** A person's own name, asked for when their account is created. */
export function YourNameField({ value, onChange, error }: Omit<TextFieldProps, 'autoFocus'>) {
  return (
    <TextInput
      label="Your name"
      autoComplete="name"
      value={value}
      onChange={(event) => onChange(event.currentTarget.value)}
      error={error}
      required
      autoFocus
    />
  );
}

interface PasswordFieldProps extends TextFieldProps {
  label: string;
  description?: ReactNode;
}

/** A password the person already has. */
export function CurrentPasswordField({
  label,
  description,
  value,
  onChange,
  error,
  autoFocus,
}: PasswordFieldProps) {
  return (
    <PasswordInput
      label={label}
      description={description}
      autoComplete="current-password"
      value={value}
      onChange={(event) => onChange(event.currentTarget.value)}
      error={error}
      required
      autoFocus={autoFocus}
    />
  );
}

/** True while a new password is started but shorter than the server accepts. */
export function passwordTooShort(password: string): boolean {
  return password.length > 0 && password.length < PASSWORD_MIN_LENGTH;
}

/** A password being set: states the rule and counts characters until it is long enough. */
export function NewPasswordField({ label, value, onChange, error }: Omit<PasswordFieldProps, 'description'>) {
  return (
    <PasswordInput
      label={label}
      description={PASSWORD_RULE}
      autoComplete="new-password"
      value={value}
      onChange={(event) => onChange(event.currentTarget.value)}
      error={
        error ??
        (passwordTooShort(value) ? `${value.length} of ${PASSWORD_MIN_LENGTH} characters` : undefined)
      }
      required
    />
  );
}

/** The new password typed again; `mismatch` once both are filled in and differ. */
export function ConfirmPasswordField({
  value,
  onChange,
  mismatch,
}: {
  value: string;
  onChange: (value: string) => void;
  mismatch: boolean;
}) {
  return (
    <PasswordInput
      label="Confirm new password"
      autoComplete="new-password"
      value={value}
      onChange={(event) => onChange(event.currentTarget.value)}
      error={mismatch ? 'The passwords do not match' : undefined}
      required
    />
  );
}
