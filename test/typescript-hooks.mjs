// Node ESM loader hooks for jest's global setup. Node (not jest) imports what global-setup.ts
// imports, so this does what jest.config.js does for the specs: `./x.js` means `./x.ts`,
// `#libs/<name>` means libs/<name>/src/index.ts, and TypeScript is transpiled per file without
// type checking, as ts-jest does with isolatedModules (`npm run typecheck` checks types).
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = new URL('../', import.meta.url);
const compilerOptions = {
  ...ts.convertCompilerOptionsFromJson(
    ts.readConfigFile(fileURLToPath(new URL('tsconfig.json', root)), ts.sys.readFile).config?.compilerOptions ?? {},
    fileURLToPath(root),
  ).options,
  module: ts.ModuleKind.ESNext,
  sourceMap: false,
  inlineSourceMap: true,
  inlineSources: true,
  declaration: false,
};

export async function resolve(specifier, context, nextResolve) {
  if (specifier.startsWith('#libs/')) {
    return { url: new URL(`libs/${specifier.slice('#libs/'.length)}/src/index.ts`, root).href, shortCircuit: true };
  }
  if (/^\.\.?\/.*\.js$/.test(specifier) && context.parentURL?.endsWith('.ts')) {
    const typescriptFile = new URL(`${specifier.slice(0, -3)}.ts`, context.parentURL);
    if (existsSync(typescriptFile)) return { url: typescriptFile.href, shortCircuit: true };
  }
  return nextResolve(specifier, context);
}

export async function load(url, context, nextLoad) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return nextLoad(url, context);
  const fileName = fileURLToPath(url);
  const { outputText } = ts.transpileModule(readFileSync(fileName, 'utf8'), { compilerOptions, fileName });
  return { format: 'module', source: outputText, shortCircuit: true };
}
