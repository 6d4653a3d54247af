/** One problem inside a request, addressed by a JSON Pointer into the input. */
export interface ErrorDetail {
  path: string;
  message: string;
}

/**
 * The only error type that reaches clients as-is. The error handler maps it to
 * `{"error": {"code", "message", "details"}}` with its status; anything else
 * becomes a 500 with the internals hidden.
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** 400: the request cannot be parsed at all. */
export class BadRequestError extends AppError {
  constructor(message: string, code = 'BAD_REQUEST', details: ErrorDetail[] = []) {
    super(400, code, message, details);
  }
}

/** 401: no key, or a key that is unknown or revoked. */
export class UnauthorizedError extends AppError {
  constructor(message = 'a valid API key is required: Authorization: Bearer <key>') {
    super(401, 'UNAUTHORIZED', message, [], { 'WWW-Authenticate': 'Bearer' });
  }
}

/** 403: the key is valid but its role may not do this. */
export class ForbiddenError extends AppError {
  constructor(message = 'this key’s role may not perform this action') {
    super(403, 'FORBIDDEN', message);
  }
}

/** 404: missing, or belonging to another organisation (deliberately indistinguishable). */
export class NotFoundError extends AppError {
  constructor(what = 'resource') {
    super(404, 'NOT_FOUND', `${what} not found`);
  }
}

/** 409: conflicts with stored state (duplicate slug, token already used). */
export class ConflictError extends AppError {
  constructor(message: string, code = 'CONFLICT', details: ErrorDetail[] = []) {
    super(409, code, message, details);
  }
}

/** 410: the thing existed but is no longer accepting (closed campaign). */
export class GoneError extends AppError {
  constructor(message: string, code = 'GONE') {
    super(410, code, message);
  }
}

/** 422: well-formed JSON that breaks the schema or a business rule. */
export class ValidationError extends AppError {
  constructor(message: string, details: ErrorDetail[] = [], code = 'VALIDATION_FAILED') {
    super(422, code, message, details);
  }
}

/** 503: a backing service is unreachable. */
export class UnavailableError extends AppError {
  constructor(
    message: string,
    details: ErrorDetail[] = [],
    code = 'UNAVAILABLE',
    headers: Record<string, string> = {},
  ) {
    super(503, code, message, details, headers);
  }
}
