/** OpenAPI security requirement for routes that need a caller: a bearer token or the console cookie. */
export const AUTHENTICATED: Array<Record<string, string[]>> = [{ bearer: [] }, { cookie: [] }];
