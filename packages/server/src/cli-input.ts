import { Email } from '@custos/shared';

/** CLI arguments are validated with the same schemas as the API. */
export const EmailSchema = Email;
