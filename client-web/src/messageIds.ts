// Ids for the messages this tab sends (v2): a random prefix and a counter,
// e.g. `k3f9x2a7qm-17`. The server de-duplicates by (room, user, id), so an id
// must never be reused for a different message by the same user in a room.
//
// The prefix is drawn once a page load, not kept in sessionStorage: the
// browser copies sessionStorage into a duplicated tab, and two tabs sharing a
// prefix and counter would give two messages the same id (the second would
// be taken for a resend of the first and never shown). Messages still
// pending across a reload keep the ids they were given (see pendingStore.ts).

/** Longest id the server takes, and its alphabet (docs/PROTOCOL.md, v2). */
export const MESSAGE_ID_LENGTH_MAX = 64;
const ID_PATTERN = /^[A-Za-z0-9._:-]{1,64}$/;
const PREFIX_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
/** 10 characters of 36: about 51 random bits, so two tabs of a user practically never collide. */
export const PREFIX_LENGTH = 10;

export function isValidMessageId(id: string): boolean {
  return ID_PATTERN.test(id);
}

/** `fillRandom` fills a byte array with random bytes (crypto.getRandomValues in the page). */
export function randomPrefix(fillRandom: (bytes: Uint8Array<ArrayBuffer>) => void): string {
  const bytes = new Uint8Array(PREFIX_LENGTH);
  fillRandom(bytes);
  // 256 is not a multiple of 36: the first letters come up slightly more
  // often, which costs a fraction of a bit and matters to nobody here.
  return Array.from(bytes, (b) => PREFIX_ALPHABET[b % PREFIX_ALPHABET.length]).join('');
}

export class MessageIdSource {
  private counter = 0;
  constructor(readonly prefix: string) {
    if (!isValidMessageId(`${prefix}-0`)) throw new Error(`bad message id prefix "${prefix}"`);
  }

  next(): string {
    this.counter += 1;
    return `${this.prefix}-${this.counter}`;
  }
}

let tabIds: MessageIdSource | null = null;

/** The one id source of this page load, shared by every room it opens. */
export function tabMessageIds(): MessageIdSource {
  tabIds ??= new MessageIdSource(randomPrefix((b) => crypto.getRandomValues(b)));
  return tabIds;
}
