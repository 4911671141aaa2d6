/**
 * What each capability adds to a running Ordo: hooks on task changes (installed on every
 * Ordo, the command line's too, so a task added there gets its reminder and its e-mail) and
 * background workers (started only by `ordo serve`, or by a command that runs one pass).
 * A capability appends itself to `CAPABILITIES`.
 */
import { mailCapability } from '../mail/capability.js';
import { syncCapability } from '../sync/capability.js';
import type { Ordo } from './ordo.js';

export interface Capability {
  name: string;
  /** Registers task hooks and services on `ordo`. Runs for every entry point. */
  install?(ordo: Ordo): void | Promise<void>;
  /** Starts the capability's background work; returns how to stop it. */
  startWorker?(ordo: Ordo): Promise<() => Promise<void> | void>;
}

export const CAPABILITIES: Capability[] = [mailCapability, syncCapability];

export async function installCapabilities(ordo: Ordo): Promise<void> {
  for (const capability of CAPABILITIES) await capability.install?.(ordo);
}

export async function startWorkers(ordo: Ordo): Promise<void> {
  for (const capability of CAPABILITIES) {
    if (!capability.startWorker) continue;
    const stop = await capability.startWorker(ordo);
    ordo.onClose(stop);
  }
}
