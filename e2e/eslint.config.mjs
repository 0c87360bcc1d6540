import { base } from '@durable-delivery/eslint-config';

export default [{ ignores: ['artifacts/**'] }, ...base(import.meta.dirname)];
