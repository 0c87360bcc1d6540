import { base } from '@durable-delivery/eslint-config';

export default base(import.meta.dirname);
