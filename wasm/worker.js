// The engine's thread: a module Worker in browsers, a worker_threads Worker in node. It owns one EngineCore and
// answers ptrm.js's messages:
//   {type:'load', bytes, flavour, threads, base, cancel, threadPolicy} → {type:'loaded', info}
//   {type:'solve', id, puzzle, options, wantSteps}         → {type:'step', id, batch}* then {type:'result', id, result}
//   {type:'dispose'}                                       → {type:'disposed'} and the worker closes
// Any failure → {type:'error', id, error:{kind, message}}. Cancellation: the page raises the shared Int32Array
// `cancel` to a solve id, meaning "cancel every solve up to this id" (the worker is busy inside wasm and cannot
// receive a message); it is read before a solve starts and after every supervision step. Monotonic, so a later
// cancel never un-cancels an earlier solve the worker has not yet looked at (ids only grow; one solve runs at a
// time, and every solve before the newest is already finished or cancelled when the page cancels).
import { EngineCore } from './engine.js';
import { CancelledError, errorToPlain } from './errors.js';

const WGS = /** @type {any} */ (globalThis).WorkerGlobalScope;
const inBrowser = typeof WGS !== 'undefined' && self instanceof WGS;
/** @type {any} the worker's global scope, or node's parentPort */
const port = inBrowser ? self : (await import('node:worker_threads')).parentPort;
const post = (msg, transfer = []) => port.postMessage(msg, transfer);

let core = null;
let cancel = null;

async function handle(msg) {
  switch (msg.type) {
    case 'load': {
      cancel = msg.cancel;
      core = await EngineCore.create(msg.flavour, msg.threads, new URL(msg.base));
      post({ type: 'loaded', info: core.load(msg.bytes, msg.threadPolicy) });
      return;
    }
    case 'solve': {
      const { id } = msg;
      const cancelled = () => !!cancel && Atomics.load(cancel, 0) >= id;
      if (cancelled()) throw new CancelledError();
      const onBatch = (batch) => {
        if (msg.wantSteps) {
          post({ type: 'step', id, batch },
            [batch.traj.buffer, batch.tokens.buffer, batch.qHalt.buffer, batch.latent.buffer, batch.valid.buffer,
              batch.active.buffer]);
        }
        return !cancelled();
      };
      post({ type: 'result', id, result: core.solve(msg.puzzle, msg.options, onBatch) });
      return;
    }
    case 'dispose': {
      if (core) core.dispose();
      core = null;
      post({ type: 'disposed' });
      if (inBrowser) self.close(); else port.close();
      return;
    }
    default:
      throw new Error(`unknown message type '${msg.type}'`);
  }
}

const onMessage = async (msg) => {
  try {
    await handle(msg);
  } catch (e) {
    post({ type: 'error', id: msg.id, error: errorToPlain(e) });
  }
};
if (inBrowser) self.onmessage = (e) => onMessage(e.data); else port.on('message', onMessage);
