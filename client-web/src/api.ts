// The backend's HTTP API (same origin: relative `/api/...` URLs).

export class ApiError extends Error {
  readonly status: number;
  readonly retryAfter: number | null;
  constructor(status: number, message: string, retryAfter: number | null = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.retryAfter = retryAfter;
  }
}

export class UnauthorizedError extends ApiError {
  constructor(message = 'Your session has expired. Please log in again.') {
    super(401, message);
    this.name = 'UnauthorizedError';
  }
}

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

async function errorFrom(res: Response): Promise<ApiError> {
  let message =
    res.status >= 500 ? `The server is unavailable (HTTP ${res.status})` : `Request failed (HTTP ${res.status})`;
  try {
    const body: unknown = await res.json();
    if (body && typeof body === 'object' && typeof (body as { error?: unknown }).error === 'string') {
      message = (body as { error: string }).error;
    }
  } catch {
    /* not JSON: keep the generic message */
  }
  if (res.status === 401) return new UnauthorizedError(message);
  const ra = Number(res.headers.get('Retry-After'));
  return new ApiError(res.status, message, Number.isFinite(ra) && ra > 0 ? ra : null);
}

async function json<T>(res: Response): Promise<T> {
  if (!res.ok) throw await errorFrom(res);
  return (await res.json()) as T;
}

const f: FetchLike = (input, init) => fetch(input, init);

export async function login(userId: string, fetchFn: FetchLike = f): Promise<string> {
  const res = await fetchFn('/api/login', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ userId }),
  });
  const body = await json<{ token?: unknown }>(res);
  if (typeof body.token !== 'string' || !body.token) throw new ApiError(500, 'The server sent no token.');
  return body.token;
}

export async function createRoom(token: string, fetchFn: FetchLike = f): Promise<string> {
  const res = await fetchFn('/api/rooms', {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}` },
  });
  const body = await json<{ roomId?: unknown }>(res);
  if (typeof body.roomId !== 'string' || !body.roomId) throw new ApiError(500, 'The server sent no room id.');
  return body.roomId;
}

export interface RoomLocation {
  host: string;
  token: string;
}

/** The look-up's URL; `unreachable`: the room's host we lost without a close frame. */
export function lookupPath(roomId: string, unreachable: string | null = null): string {
  const path = `/api/rooms/${encodeURIComponent(roomId)}`;
  return unreachable ? `${path}?unreachable=${encodeURIComponent(unreachable)}` : path;
}

/**
 * null when the room does not exist (the backend answers host: null). With
 * `unreachable`, the backend checks that server at once and, if it is gone,
 * answers with the room's new server.
 */
export async function lookupRoom(
  token: string,
  roomId: string,
  unreachable: string | null = null,
  fetchFn: FetchLike = f,
): Promise<RoomLocation | null> {
  const res = await fetchFn(lookupPath(roomId, unreachable), {
    headers: { Authorization: `Bearer ${token}` },
  });
  const body = await json<{ host?: unknown; token?: unknown }>(res);
  if (typeof body.host !== 'string' || !body.host || typeof body.token !== 'string' || !body.token) return null;
  return { host: body.host, token: body.token };
}
