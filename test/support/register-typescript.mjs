// `node --import ./test/support/register-typescript.mjs src/worker.ts` runs our TypeScript as is
// (for specs that need the service in a separate process they can kill).
import { register } from 'node:module';

register('../typescript-hooks.mjs', import.meta.url);
