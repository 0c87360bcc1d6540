import { base } from '@durable-delivery/eslint-config';

export default [{ ignores: ['.next/**', 'next-env.d.ts', 'next.config.mjs'] }, ...base(import.meta.dirname)];
