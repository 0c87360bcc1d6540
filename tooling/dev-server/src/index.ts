import { resolve } from 'node:path';
import { ports } from '@durable-delivery/ports';
import { allSearchAttributes } from '@durable-delivery/workflows';
import {
  startDevServer,
  type DevServer,
  type DevServerOptions,
  type SearchAttributeKind,
  type UiCodecSettings,
} from '@durable-delivery/temporal-server';

/** The flags `temporal server start-dev --search-attribute` takes, for each search attribute type the SDK names. */
const KIND_BY_TYPE: Record<string, SearchAttributeKind> = {
  TEXT: 'Text',
  KEYWORD: 'Keyword',
  INT: 'Int',
  DOUBLE: 'Double',
  BOOL: 'Bool',
  DATETIME: 'Datetime',
  KEYWORD_LIST: 'KeywordList',
};

/** Every search attribute this project's workflows use, as the dev server registers them. */
export function projectSearchAttributes(): Record<string, SearchAttributeKind> {
  return Object.fromEntries(
    allSearchAttributes.map((key) => {
      const kind = KIND_BY_TYPE[key.type];
      if (!kind) throw new Error(`search attribute ${key.name} has a type the dev server cannot register: ${key.type}`);
      return [key.name, kind];
    }),
  );
}

/** Where `pnpm dev` keeps Temporal's state: a git-ignored folder at the repository root. */
export const DEFAULT_DB_FILENAME = resolve(__dirname, '../../../.data/temporal/dev.sqlite');

export const DEFAULT_PORT = ports.temporal;
export const DEFAULT_UI_PORT = ports.temporalUi;

/**
 * The Web UI's codec settings for this project's codec server: its sign-in cookie goes along with every decode call
 * (so an operator who signed in once reads payloads with nothing to set in the UI), and when the server cannot be
 * reached the UI says so and links to it instead of its generic "Codec Server could not connect".
 */
export function codecServerUi(endpoint: string): UiCodecSettings {
  const page = `${endpoint.replace(/\/+$/, '')}/`;
  return {
    endpoint,
    includeCredentials: true,
    errorMessage: `The codec server at ${page} did not answer or refused the call. Is it running (pnpm dev starts it)? Sign in on its page to read payloads.`,
    errorLink: page,
  };
}

/** Starts the Temporal dev server the way this project needs it; tests pass their own ports and database file. */
export function startProjectDevServer(options: Partial<DevServerOptions> = {}): Promise<DevServer> {
  return startDevServer({
    ip: '127.0.0.1',
    port: DEFAULT_PORT,
    uiPort: DEFAULT_UI_PORT,
    namespace: 'default',
    dbFilename: DEFAULT_DB_FILENAME,
    ...options,
    searchAttributes: { ...projectSearchAttributes(), ...options.searchAttributes },
  });
}
