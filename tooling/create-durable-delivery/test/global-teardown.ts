import { rmSync } from 'node:fs';
import { scaffoldRun } from './processes';

/** Removes the packed tarball and the copy. */
export default function removeWork(): void {
  if (process.env.CREATE_DURABLE_DELIVERY_RUN) rmSync(scaffoldRun().work, { recursive: true, force: true });
}
