import { Accordion, Code, List, Stack, Text } from '@mantine/core';
import { IconSignature } from '@tabler/icons-react';

const EXAMPLE = `import { createHmac, timingSafeEqual } from 'node:crypto';

// secret = "whsec_…"; the key is the base64 part after the prefix.
function verify(secret, headers, rawBody) {
  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > 300) return false; // replayed or stale
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(\`\${id}.\${timestamp}.\${rawBody}\`).digest('base64');
  return headers['webhook-signature'].split(' ').some((entry) => {
    const [version, signature] = entry.split(',');
    return version === 'v1' && signature.length === expected.length &&
      timingSafeEqual(Buffer.from(signature), Buffer.from(expected));
  });
}`;

/** How a receiver checks that a webhook came from Custos (Standard Webhooks). */
export function SignatureHelp() {
  return (
    <Accordion variant="contained" radius="md" chevronPosition="right">
      <Accordion.Item value="signatures">
        <Accordion.Control icon={<IconSignature size={18} />}>
          <Text fw={600} size="sm">
            Verifying signatures
          </Text>
        </Accordion.Control>
        <Accordion.Panel>
          <Stack gap="sm">
            <Text size="sm">
              Webhooks follow the <strong>Standard Webhooks</strong> specification, so its libraries verify
              them. Every message carries three headers:
            </Text>
            <List size="sm" spacing={4}>
              <List.Item>
                <Code>webhook-id</Code>: the message id, the same on every retry and replay. Use it to ignore
                duplicates.
              </List.Item>
              <List.Item>
                <Code>webhook-timestamp</Code>: when it was sent, in seconds since 1970. Refuse messages more
                than a few minutes old.
              </List.Item>
              <List.Item>
                <Code>webhook-signature</Code>: <Code>v1,&lt;base64 HMAC-SHA256&gt;</Code> of{' '}
                <Code>id.timestamp.body</Code>, keyed with the channel's secret (the base64 after{' '}
                <Code>whsec_</Code>). The header may hold several space-separated signatures: accept the
                message when one matches.
              </List.Item>
            </List>
            <Text size="sm">
              Compute the signature over the raw body, before parsing the JSON, and compare in constant time:
            </Text>
            <Code block style={{ fontSize: 12 }}>
              {EXAMPLE}
            </Code>
          </Stack>
        </Accordion.Panel>
      </Accordion.Item>
    </Accordion>
  );
}
