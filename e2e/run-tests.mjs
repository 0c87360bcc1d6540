// `pnpm test` in e2e: the suite on its shared stack (playwright.config.ts), then the specs in scale/ (replicas,
// accounts outage), each on a stack of its own (scale/playwright.config.ts), one after the other so that no two stacks
// share the machine. Arguments (a spec, --grep …) are for the suite alone; `pnpm run test:scale` runs scale/ alone.
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
const playwright = (extra) => {
  const result = spawnSync('playwright', ['test', ...extra], { stdio: 'inherit' });
  if (result.error) throw result.error;
  return result.status ?? 1;
};

const suite = playwright(args);
const scale = args.length === 0 ? playwright(['--config', 'scale/playwright.config.ts']) : 0;
process.exit(suite || scale);
