// Typed errors of the JS API. `kind` carries the engine's ErrorKind name (engine/include/ptrm/errors.h), so an
// error survives the trip from wasm through the worker's postMessage and becomes the same class on the page.

export class PtrmError extends Error {
  constructor(message, kind = 'Internal') {
    super(message);
    this.name = new.target.name;
    this.kind = kind;
  }
}
export class BadModelError extends PtrmError {
  constructor(message) { super(message, 'BadModel'); }
}
export class BadPuzzleError extends PtrmError {
  constructor(message) { super(message, 'BadPuzzle'); }
}
export class BadOptionsError extends PtrmError {
  constructor(message) { super(message, 'BadOptions'); }
}
export class CancelledError extends PtrmError {
  constructor(message = 'solve cancelled') { super(message, 'Cancelled'); }
}
export class IoError extends PtrmError {
  constructor(message) { super(message, 'Io'); }
}
export class InternalError extends PtrmError {
  constructor(message) { super(message, 'Internal'); }
}

const BY_KIND = {
  BadModel: BadModelError, BadPuzzle: BadPuzzleError, BadOptions: BadOptionsError,
  Cancelled: CancelledError, Io: IoError, Internal: InternalError,
};

// {kind, message} (engine result or worker message) → the matching PtrmError subclass.
export function errorFromKind(kind, message) {
  const Cls = BY_KIND[kind] || InternalError;
  return new Cls(message);
}

// Any thrown value → a plain {kind, message} that postMessage can carry. Non-Ptrm errors (a wasm trap, a bug)
// become Internal with their original text.
export function errorToPlain(e) {
  if (e instanceof PtrmError) return { kind: e.kind, message: e.message };
  return { kind: 'Internal', message: String(e && e.message ? e.message : e) };
}
