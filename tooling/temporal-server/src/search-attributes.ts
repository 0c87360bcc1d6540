import type { Connection } from '@temporalio/client';
import type { SearchAttributeType } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

/**
 * Registers custom search attributes through the operator service — for servers started without them, such as the
 * time-skipping test server (the dev server takes them as start-up flags instead).
 */
export async function registerSearchAttributes(
  connection: Connection,
  namespace: string,
  keys: readonly { readonly name: string; readonly type: SearchAttributeType }[],
): Promise<void> {
  const { IndexedValueType } = temporal.api.enums.v1;
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(
      keys.map((key) => [key.name, IndexedValueType[`INDEXED_VALUE_TYPE_${key.type}`]]),
    ),
  });
}
