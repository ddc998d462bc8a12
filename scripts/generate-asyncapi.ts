/**
 * Writes asyncapi.yaml (the Kafka contract for downstream teams) from the schema objects in
 * libs/contracts. Run it after changing an event type or schema: `npm run contracts:asyncapi`.
 * With --check it writes nothing and fails when the committed file is out of date.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
// Straight from the module: the library's index does not export the document builder.
import { renderAsyncApiYaml } from '../libs/contracts/src/schemas/asyncapi-document.js';

const { values } = parseArgs({
  options: {
    out: { type: 'string', default: 'asyncapi.yaml' },
    check: { type: 'boolean', default: false },
  },
});

async function main(): Promise<void> {
  const path = resolve(values.out!);
  const rendered = renderAsyncApiYaml();
  if (values.check) {
    const committed = await readFile(path, 'utf8').catch(() => '');
    if (committed !== rendered) {
      console.error(`${path} is out of date: run npm run contracts:asyncapi`);
      process.exit(1);
    }
    console.log(`${path} is up to date`);
    return;
  }
  await writeFile(path, rendered);
  console.log(`wrote ${path}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
