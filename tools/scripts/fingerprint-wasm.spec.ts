import { readFileSync } from 'node:fs';
import { compileWat, generatedPath, renderWasmModule, WASM_SOURCES } from './gen-fingerprint-wasm';

describe('libs/fingerprint/src/wasm', () => {
  it.each(WASM_SOURCES)(
    '%s: the generated .wasm.ts holds the binary of the .wat (run tools/scripts/gen-fingerprint-wasm.ts if not)',
    async (name) => {
      const bytes = await compileWat(name);
      expect(bytes.length).toBeGreaterThan(8);
      expect(readFileSync(generatedPath(name), 'utf8')).toBe(renderWasmModule(name, bytes));
    },
  );
});
