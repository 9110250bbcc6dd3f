import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import openapiTS, { astToString } from 'openapi-typescript';
import { describe, expect, it } from 'vitest';

// Runs from web/ (npm test). The console's generated API types must come from the committed OpenAPI document
// (api/openapi.json, itself checked against the server by a Go test), so the typed
// client's paths and the aliases in types.ts describe the real server.
describe('generated API types', () => {
  it('schema.d.ts is up to date with api/openapi.json (run `make generate`)', async () => {
    const doc = JSON.parse(readFileSync(resolve(process.cwd(), '../api/openapi.json'), 'utf8'));
    const expected = astToString(await openapiTS(doc));
    const actual = readFileSync(resolve(process.cwd(), 'src/api/schema.d.ts'), 'utf8');
    expect(actual.endsWith(expected)).toBe(true);
  });
});
