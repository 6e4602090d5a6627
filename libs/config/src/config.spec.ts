import { z } from 'zod';
import { ConfigError, commonConfigShape, configHelpers, loadConfig, splitPathList } from './config';

describe('loadConfig', () => {
  const shape = { ...commonConfigShape, GATEWAY_PORT: configHelpers.port(3000), FEATURE: configHelpers.bool(false) };

  it('applies defaults', () => {
    const c = loadConfig('test', shape, {});
    expect(c.NATS_PREFIX).toBe('crateflow');
    expect(c.GATEWAY_PORT).toBe(3000);
    expect(c.FEATURE).toBe(false);
    expect(c.HTTP_HOST).toBe('127.0.0.1');
  });

  it('names every bad variable in the error', () => {
    const run = () =>
      loadConfig('gateway', shape, { DATABASE_URL: 'mysql://x', GATEWAY_PORT: '99999', LOG_LEVEL: 'loud' });
    expect(run).toThrow(ConfigError);
    try {
      run();
    } catch (e) {
      const vars = (e as ConfigError).problems.map((p) => p.variable).sort();
      expect(vars).toEqual(['DATABASE_URL', 'GATEWAY_PORT', 'LOG_LEVEL']);
      expect((e as Error).message).toContain('Invalid configuration for gateway');
    }
  });

  it('treats empty strings as unset', () => {
    expect(loadConfig('t', { X: z.string().default('d') }, { X: '' }).X).toBe('d');
  });
});

describe('splitPathList', () => {
  it('splits on the path delimiter and accepts JSON for awkward names', () => {
    expect(splitPathList('/music:/mnt/nas ')).toEqual(['/music', '/mnt/nas']);
    expect(splitPathList('["/music/A: B", "/x,y"]')).toEqual(['/music/A: B', '/x,y']);
    expect(splitPathList(undefined)).toEqual([]);
  });
});
