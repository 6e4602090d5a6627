import { parseRunnerArgs, UsageError } from './args';

describe('parseRunnerArgs', () => {
  it('takes the music folder and defaults to scanning quietly', () => {
    expect(parseRunnerArgs(['/music'])).toEqual({
      musicDir: '/music',
      port: undefined,
      dataDir: undefined,
      scan: true,
      verbose: false,
      help: false,
    });
  });

  it('reads every option', () => {
    expect(
      parseRunnerArgs(['--port', '8080', '--data-dir', '/d', '--output', '/o', '--no-scan', '--verbose', '~/Music']),
    ).toMatchObject({
      musicDir: '~/Music',
      port: 8080,
      dataDir: '/d',
      outputDir: '/o',
      scan: false,
      verbose: true,
    });
  });

  it('needs no folder for --help', () => {
    expect(parseRunnerArgs(['--help']).help).toBe(true);
  });

  it.each([
    [[], /which music folder/],
    [['/a', '/b'], /one music folder/],
    [['--port', 'http', '/a'], /--port must be a number/],
    [['--port', '70000', '/a'], /--port must be a number/],
    [['--colour', '/a'], /Unknown option/],
  ])('refuses %j with a reason', (argv, reason) => {
    expect(() => parseRunnerArgs(argv as string[])).toThrow(UsageError);
    expect(() => parseRunnerArgs(argv as string[])).toThrow(reason);
  });
});
