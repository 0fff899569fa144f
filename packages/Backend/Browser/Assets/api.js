// Calls to this server's API with the signed-in token. Every error the API answers becomes an
// ApiError with its plain message; a 401 also tells the page to send the person back to sign in.
export class ApiError extends Error {
  constructor(status, name, message) {
    super(message);
    this.status = status;
    this.name = name;
  }
}

export class Api {
  constructor(token, onUnauthorized) {
    this.token = token;
    this.onUnauthorized = onUnauthorized;
  }

  async request(method, path, body) {
    let response;
    try {
      response = await fetch(path, {
        method,
        headers: { Authorization: `ApiKey ${this.token}`, Accept: 'application/json', ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        cache: 'no-store',
      });
    } catch {
      throw new ApiError(0, 'NetworkError', 'The server cannot be reached. Check that it runs, then try again.');
    }

    const text = await response.text();
    let json = null;
    try { json = text ? JSON.parse(text) : null; } catch { /* not JSON: described below */ }
    if (response.ok) {
      return json && 'results' in json ? json.results : json;
    }

    const message = json?.error?.message ?? `The server answered ${response.status} ${response.statusText}.`;
    const error = new ApiError(response.status, json?.error?.name ?? 'Error', message);
    if (response.status === 401) {
      this.onUnauthorized(error);
    }

    throw error;
  }

  get(path) { return this.request('GET', path); }
  post(path, body) { return this.request('POST', path, body ?? {}); }
}

/** Describes an error for a person: what happened and, where it helps, what to do. */
export function describe(error) {
  switch (error.status) {
    case 401: return 'Your token was refused (expired, revoked or mistyped). Sign in again.';
    case 403: return `Not allowed: ${error.message}`;
    case 404: return `Not found: ${error.message}`;
    case 429: return `Too many requests: ${error.message} Wait a moment and try again.`;
    case 503: return `The server is busy or a service it needs is down: ${error.message}`;
    default: return error.message;
  }
}
